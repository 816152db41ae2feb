"""One module per command (or command group); REGISTERED lists them for the CLI."""

from __future__ import annotations

import click

from wagate.commands.alerts_cmd import alerts
from wagate.commands.audit_cmd import audit_group
from wagate.commands.dashboard_cmd import dashboard
from wagate.commands.demo_cmd import demo
from wagate.commands.docs_cmd import docs
from wagate.commands.emulator_cmd import emulator
from wagate.commands.export_cmd import export
from wagate.commands.ingest_cmd import ingest
from wagate.commands.lint_cmd import explain_command, lint_command, rules_command
from wagate.commands.metrics_cmd import metrics
from wagate.commands.privacy_cmd import privacy
from wagate.commands.quarantine_cmd import quarantine
from wagate.commands.receive_cmd import receive
from wagate.commands.send_cmd import send_command
from wagate.commands.triggers_cmd import triggers
from wagate.commands.watch_cmd import watch

REGISTERED: tuple[click.Command, ...] = (
    demo,
    ingest,
    metrics,
    quarantine,
    export,
    docs,
    lint_command,
    rules_command,
    explain_command,
    receive,
    send_command,
    emulator,
    watch,
    dashboard,
    alerts,
    privacy,
    audit_group,
    triggers,
)
