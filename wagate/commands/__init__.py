"""One module per command (or command group), imported only when that command runs.

`wagate lint` should not pay for importing the dashboard, the sender and the pipelines (about
0.7 s of every run): :data:`COMMANDS` names the module and attribute that define each command,
and :class:`LazyGroup` imports a module the first time its command is asked for. `wagate --help`
lists every command, so it imports them all.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("wagate.commands.demo_cmd", "demo"),
    "ingest": ("wagate.commands.ingest_cmd", "ingest"),
    "metrics": ("wagate.commands.metrics_cmd", "metrics"),
    "quarantine": ("wagate.commands.quarantine_cmd", "quarantine"),
    "export": ("wagate.commands.export_cmd", "export"),
    "docs": ("wagate.commands.docs_cmd", "docs"),
    "lint": ("wagate.commands.lint_cmd", "lint_command"),
    "rules": ("wagate.commands.lint_cmd", "rules_command"),
    "explain": ("wagate.commands.lint_cmd", "explain_command"),
    "receive": ("wagate.commands.receive_cmd", "receive"),
    "send": ("wagate.commands.send_cmd", "send_command"),
    "emulator": ("wagate.commands.emulator_cmd", "emulator"),
    "watch": ("wagate.commands.watch_cmd", "watch"),
    "dashboard": ("wagate.commands.dashboard_cmd", "dashboard"),
    "alerts": ("wagate.commands.alerts_cmd", "alerts"),
    "privacy": ("wagate.commands.privacy_cmd", "privacy"),
    "audit": ("wagate.commands.audit_cmd", "audit_group"),
    "triggers": ("wagate.commands.triggers_cmd", "triggers"),
}


def load_command(name: str) -> click.Command:
    """The command called ``name`` (its module imported now)."""
    module, attribute = COMMANDS[name]
    command = getattr(importlib.import_module(module), attribute)
    if not isinstance(command, click.Command) or command.name != name:
        raise RuntimeError(f"{module}.{attribute} is not the command {name!r}")
    return command


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, in the order of :data:`COMMANDS`."""
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the command's module the first time it is needed."""
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name))
        return super().get_command(ctx, cmd_name)
