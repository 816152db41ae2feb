"""`wagate triggers`: business events (files, HTTP, shop webhooks) -> gated utility messages."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from core.config import Settings
from core.errors import ConfigError, UsageError
from sender.client import missing_token
from sender.run import SendRequest, with_overrides
from triggers.dispatch import Dispatcher, Outcome
from triggers.events import read_event_file
from triggers.intake import Intake, replay
from triggers.journal import Journal
from triggers.mapping import load_mapping
from triggers.server import Secrets, serve
from wagate.context import Context

MAPPING_HELP = "The mapping file (TOML). Default: triggers.toml in the workspace."
# outcomes that mean the event was not handled as intended
_FAILED = frozenset({"refused", "rejected", "unknown"})


def journal_of(settings: Settings) -> Journal:
    """The workspace's events journal (``<workspace>/triggers/``)."""
    return Journal(settings.workspace / "triggers")


def _intake(obj: Context, mapping: Path | None, api_url: str | None) -> Intake:
    settings = obj.settings
    if api_url is not None:
        settings = with_overrides(settings, SendRequest(Path("-"), api_url=api_url))
    if settings.secrets.access_token is None:
        raise missing_token()
    rules = load_mapping(mapping or settings.workspace / "triggers.toml")
    return Intake(Dispatcher(rules, settings), journal_of(settings))


def _line(outcome: Outcome) -> str:
    parts = [outcome.event_id, outcome.event_type, outcome.status]
    if outcome.to:
        parts.append(outcome.to)
    if outcome.codes:
        parts.append(",".join(outcome.codes))
    if outcome.reason:
        parts.append(outcome.reason)
    return "  ".join(parts)


def _report(outcomes: Sequence[Outcome], rejected: Sequence[tuple[str, str]], fmt: str) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "outcomes": [o.to_json() for o in outcomes],
                    "rejected": [{"where": w, "reason": r} for w, r in rejected],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    for outcome in outcomes:
        click.echo(_line(outcome))
    for where, reason in rejected:
        click.echo(f"{where}  rejected  {reason}")


@click.group("triggers")
def triggers() -> None:
    """Send utility messages (order confirmations, shipping updates) from business events."""


@triggers.command("send")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False), help=MAPPING_HELP)
@click.option(
    "--api-url", metavar="URL", help="Graph API base URL, e.g. http://127.0.0.1:8787 for the emulator."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def send_command(
    obj: Context, files: tuple[Path, ...], mapping: Path | None, api_url: str | None, fmt: str
) -> None:
    """Send the events in FILES (a JSON object, a JSON array or NDJSON).

    Each event is linted as a one-row plan and sent through the gated sender; a bad event is
    quarantined with the reason (`wagate triggers replay`). Exit 1 when any event was rejected,
    refused or not settled.
    """
    intake = _intake(obj, mapping, api_url)
    outcomes: list[Outcome] = []
    rejected: list[tuple[str, str]] = []
    for path in files:
        for record in read_event_file(path):
            if record.error is not None:
                intake.journal.quarantine(str(record.data), record.error, "native")
                rejected.append((record.where, record.error))
                continue
            admission = intake.admit(record.data, "native")
            if admission.event is None:
                rejected.append((record.where, admission.reason))
                continue
            outcomes.append(asyncio.run(intake.run(admission.event)))
    _report(outcomes, rejected, fmt)
    if rejected or any(o.status in _FAILED for o in outcomes):
        sys.exit(1)


@triggers.command("replay")
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False), help=MAPPING_HELP)
@click.option("--api-url", metavar="URL", help="Graph API base URL.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def replay_command(obj: Context, mapping: Path | None, api_url: str | None, fmt: str) -> None:
    """Try the quarantined events again (after fixing the mapping, a template or the event source)."""
    intake = _intake(obj, mapping, api_url)
    result = asyncio.run(replay(intake))
    _report(result.outcomes, [(f"quarantine:{i}", r) for i, r in result.still_bad], fmt)
    if result.still_bad or any(o.status in _FAILED for o in result.outcomes):
        sys.exit(1)


@triggers.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8090, show_default=True, help="0 picks a free port."
)
@click.option("--expose", is_flag=True, help="Allow a non-loopback --host (put TLS in front of it).")
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False), help=MAPPING_HELP)
@click.option("--api-url", metavar="URL", help="Graph API base URL.")
@click.pass_obj
def serve_command(
    obj: Context, host: str, port: int, expose: bool, mapping: Path | None, api_url: str | None
) -> None:
    """Accept signed events over HTTP: POST /events, /shopify, /woocommerce.

    Secrets come from the environment: WAGATE_TRIGGERS_SECRET (X-Wagate-Signature),
    WAGATE_SHOPIFY_SECRET and WAGATE_WOOCOMMERCE_SECRET (the shops' signatures); comma-separated
    for a rotation. A route without a secret answers 503.
    """
    if not _loopback(host) and not expose:
        raise UsageError(f"refusing to listen on {host} without --expose", hint="add --expose if you mean it")
    secrets = secrets_from_env(os.environ)
    if not (secrets.native or secrets.shopify or secrets.woocommerce):
        raise ConfigError(
            "no event secret is set", hint="export WAGATE_TRIGGERS_SECRET (or a shop's secret) first"
        )
    intake = _intake(obj, mapping, api_url)

    def listening(bound_host: str, bound_port: int) -> None:
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        click.echo(f"wagate triggers: listening on http://{shown}:{bound_port}/events", err=True)

    serve(
        intake,
        secrets,
        host,
        port,
        on_listening=listening,
        on_outcome=lambda o: click.echo(_line(o), err=True),
    )
    click.echo("wagate triggers: stopped", err=True)


def secrets_from_env(env: Mapping[str, str]) -> Secrets:
    """The route secrets from WAGATE_TRIGGERS_SECRET, WAGATE_SHOPIFY_SECRET, WAGATE_WOOCOMMERCE_SECRET."""

    def read(name: str) -> tuple[bytes, ...]:
        return tuple(part.strip().encode() for part in env.get(name, "").split(",") if part.strip())

    return Secrets(
        native=read("WAGATE_TRIGGERS_SECRET"),
        shopify=read("WAGATE_SHOPIFY_SECRET"),
        woocommerce=read("WAGATE_WOOCOMMERCE_SECRET"),
    )


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
