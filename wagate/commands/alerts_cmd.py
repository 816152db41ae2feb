"""`wagate alerts`: evaluate alert rules, list, acknowledge and silence alerts, manage pause flags."""

from __future__ import annotations

import contextlib
import getpass
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from alerts import pausing, store
from alerts.config import format_duration, load_alerts_settings, parse_duration
from alerts.engine import CheckResult, check, open_writer
from alerts.model import ACTIVE_STATES, AlertRecord, make_labels
from alerts.rules import Rule, resolve_rules
from alerts.state import acknowledge
from core import audit
from core.errors import InputError, UsageError, WagateError
from core.pauses import KINDS, list_pauses, remove_flag
from core.warehouse import Warehouse
from wagate.commands.output import emit
from wagate.context import Context

_RATE_METRICS = ("complaint_rate", "opt_out_rate", "block_rate_est", "failure_rate")


@click.group()
def alerts() -> None:
    """Alerts on complaint, opt-out and block rates and WhatsApp quality signals (docs/alerts.md)."""


@alerts.command("check")
@click.option("--notify", is_flag=True, help="Send due notifications to the configured channels.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--at", "at", default=None, help="Evaluate as if it were this ISO time (default: now).")
@click.option("--dry-run", is_flag=True, help="Evaluate and print, but store nothing and set no pause flag.")
@click.pass_obj
def check_command(obj: Context, notify: bool, fmt: str, at: str | None, dry_run: bool) -> None:
    """Evaluate every rule once: update alert states, set pause flags, optionally notify.

    Prints the pending and firing alerts and those resolved by this evaluation.
    """
    settings = obj.settings
    config = load_alerts_settings(settings.workspace, settings)
    result = check(
        settings,
        now=_parse_time(at),
        notify=notify,
        dry_run=dry_run,
        env=dict(os.environ),
        alerts_settings=config,
    )
    if notify and not config.channels:
        click.echo("note: no [[alerts.channels]] configured: nothing was sent (see docs/alerts.md)", err=True)
    for rule, error in result.errors:
        click.echo(f"warning: rule {rule} could not be evaluated: {error}", err=True)
    for item in result.sent:
        if not item.delivery.ok:
            click.echo(f"warning: channel {item.delivery.channel} failed: {item.delivery.error}", err=True)
    rows = [_row(r, result) for r in result.alerts]
    if fmt == "json":
        emit(rows, "json")
    else:
        emit([_table_row(row) for row in rows], "table")


@alerts.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Include resolved and inactive alert series.")
@click.option(
    "--history", is_flag=True, help="Show the newest state changes, acknowledgements and notifications."
)
@click.pass_obj
def list_command(obj: Context, fmt: str, show_all: bool, history: bool) -> None:
    """The alerts as the last evaluation left them (pending and firing first)."""
    settings = obj.settings
    if not settings.warehouse_path.exists():
        raise InputError(f"no warehouse at {settings.warehouse_path}", hint="run `wagate ingest` first")
    with Warehouse.open_reader(
        settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
    ) as wh:
        if not store.has_schema(wh):
            emit([], fmt)
            return
        if history:
            emit(store.history(wh), fmt)
            return
        records = store.load_records(wh)
        silences = store.load_silences(wh, datetime.now(UTC))
    rules = {r.name: r for r in resolve_rules(load_alerts_settings(settings.workspace, settings))}
    now = datetime.now(UTC)
    chosen = [r for r in records.values() if show_all or r.state in ACTIVE_STATES]
    chosen.sort(key=lambda r: ({"firing": 0, "pending": 1}.get(r.state, 2), r.rule, r.labels))
    silenced = frozenset(
        r.fingerprint for r in chosen if any(s.matches(r.rule, r.labels, now) for s in silences)
    )
    result = CheckResult(now, now, tuple(chosen), silenced, (), rules=rules)
    rows = [_row(r, result) for r in chosen]
    emit(rows if fmt == "json" else [_table_row(row) for row in rows], fmt)


@alerts.command("ack")
@click.argument("alert_id")
@click.option("--by", default=None, help="Who acknowledges (default: the login name).")
@click.pass_obj
def ack_command(obj: Context, alert_id: str, by: str | None) -> None:
    """Acknowledge a pending or firing alert: no more repeats, and the linter stops blocking its template."""
    settings = obj.settings
    now = datetime.now(UTC)
    who = by or _user()
    with open_writer(settings) as wh:
        store.migrate(wh)
        records = store.load_records(wh)
        record = _find(records, alert_id)
        try:
            done = acknowledge(record, who, now)
        except ValueError as exc:
            raise UsageError(str(exc), hint="`wagate alerts list` shows the active alerts") from None
        with wh.transaction():
            store.save_records(wh, [done])
            store.record_event(
                wh, now, done.fingerprint, done.rule, done.labels, done.episode, "acknowledged", note=who
            )
        records[done.fingerprint] = done
    pausing.sync_flags(settings.workspace, records)
    audit.record(
        settings, "alerts.ack", operator=who, alert=done.short_id, rule=done.rule, labels=done.labels
    )
    click.echo(f"acknowledged {done.short_id} ({done.rule} {_labels_text(done)}) by {who}")


@alerts.command("silence")
@click.argument("rule")
@click.option("--for", "duration", required=True, help="How long, e.g. 30m, 2h, 1d.")
@click.option(
    "--labels", "labels", multiple=True, help="Only alerts with these labels: k=v (repeatable, or k=v,k2=v2)."
)
@click.option("--comment", default="", help="Why (shown in `alerts silences`).")
@click.option("--by", default=None, help="Who silences (default: the login name).")
@click.pass_obj
def silence_command(
    obj: Context, rule: str, duration: str, labels: tuple[str, ...], comment: str, by: str | None
) -> None:
    """Mute a rule (or '*' for every rule) for a while: no notifications and no new pause flags."""
    settings = obj.settings
    names = {r.name for r in resolve_rules(load_alerts_settings(settings.workspace, settings))}
    if rule != "*" and rule not in names:
        raise UsageError(f"unknown rule {rule!r}", hint="`wagate alerts rules` lists them; '*' silences all")
    try:
        span = parse_duration(duration)
    except ValueError as exc:
        raise UsageError(f"--for: {exc}") from None
    if span.total_seconds() <= 0:
        raise UsageError("--for must be longer than 0")
    matchers = make_labels(_parse_labels(labels))
    now = datetime.now(UTC)
    with open_writer(settings) as wh:
        store.migrate(wh)
        silence = store.add_silence(wh, rule, matchers, now, now + span, by or _user(), comment)
    until = silence.ends_at.strftime("%Y-%m-%d %H:%M UTC")
    audit.record(
        settings,
        "alerts.silence",
        operator=by or _user(),
        rule=rule,
        labels=dict(matchers),
        until=silence.ends_at,
        comment=comment,
        silence=silence.id,
    )
    click.echo(
        f"silence {silence.id}: {rule} {dict(matchers) or ''} for {format_duration(span)} (until {until})"
    )


@alerts.command("silences")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def silences_command(obj: Context, fmt: str) -> None:
    """Silences that have not expired."""
    settings = obj.settings
    with Warehouse.open_reader(
        settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
    ) as wh:
        found = store.load_silences(wh, datetime.now(UTC)) if store.has_schema(wh) else []
    rows = [
        {
            "id": s.id,
            "rule": s.rule,
            "labels": dict(s.matchers),
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "by": s.created_by,
            "comment": s.comment,
        }
        for s in found
    ]
    emit(rows, fmt)


@alerts.command("unsilence")
@click.argument("silence_id")
@click.pass_obj
def unsilence_command(obj: Context, silence_id: str) -> None:
    """End a silence now."""
    with open_writer(obj.settings) as wh:
        store.migrate(wh)
        if not store.expire_silence(wh, silence_id, datetime.now(UTC)):
            raise UsageError(f"no active silence {silence_id!r}", hint="`wagate alerts silences` lists them")
    click.echo(f"silence {silence_id} expired")


@alerts.command("pauses")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def pauses_command(obj: Context, fmt: str) -> None:
    """Pause flags the sender obeys (campaigns, templates, sending numbers)."""
    rows: list[dict[str, Any]] = []
    for p in list_pauses(obj.settings.workspace):
        row: dict[str, Any] = {
            "kind": p.kind,
            "name": p.name,
            "paused_at": p.paused_at,
            "by": p.by,
            "blocking": p.blocking,
            "reason": p.reason,
        }
        if fmt == "json":
            row["alerts"] = [
                {"id": a.id, "rule": a.rule, "state": a.state, "acknowledged": a.acknowledged}
                for a in p.alerts
            ]
        rows.append(row)
    emit(rows, fmt)


@alerts.command("unpause")
@click.option("--campaign", default=None)
@click.option("--template", default=None)
@click.option("--phone-number-id", "phone_number_id", default=None)
@click.option("--by", default=None, help="Who lifts the pause (default: the login name).")
@click.pass_obj
def unpause_command(
    obj: Context, campaign: str | None, template: str | None, phone_number_id: str | None, by: str | None
) -> None:
    """Lift a pause flag so the sender may send again (needs no warehouse lock)."""
    chosen = [(k, v) for k, v in zip(KINDS, (campaign, template, phone_number_id), strict=True) if v]
    if len(chosen) != 1:
        raise UsageError("name exactly one of --campaign, --template, --phone-number-id")
    kind, name = chosen[0]
    workspace: Path = obj.settings.workspace
    if not remove_flag(workspace, kind, name):
        raise UsageError(f"{kind} {name!r} is not paused", hint="`wagate alerts pauses` lists the flags")
    # the history entry is a courtesy: if the warehouse is busy or missing, the next evaluation records it
    with contextlib.suppress(WagateError), open_writer(obj.settings) as wh:
        store.migrate(wh)
        store.record_pause(wh, datetime.now(UTC), "lifted", kind, name, by=by or _user())
    audit.record(obj.settings, "alerts.unpause", operator=by or _user(), kind=kind, name=name)
    click.echo(f"unpaused {kind} {name}")


@alerts.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def rules_command(obj: Context, fmt: str) -> None:
    """The active rules with their resolved parameters."""
    settings = obj.settings
    rows = [_rule_row(r) for r in resolve_rules(load_alerts_settings(settings.workspace, settings))]
    emit(rows, fmt)


def _rule_row(rule: Rule) -> dict[str, Any]:
    row: dict[str, Any] = {
        "rule": rule.name,
        "metric": rule.metric,
        "severity": rule.severity,
        "group_by": ",".join(rule.group_by) or "-",
        "action": rule.action,
        "for": format_duration(rule.for_),
    }
    if rule.kind == "rate":
        row["condition"] = (
            f"rate within {format_duration(rule.age)} of sending, last {format_duration(rule.window)} "
            f"> max({rule.threshold:g}, {rule.factor:g} x baseline {format_duration(rule.baseline)}); "
            f"n >= {rule.min_volume}; {'+'.join(rule.methods)} @ {rule.confidence:g}"
        )
    elif rule.metric == "receipts_stale":
        row["condition"] = f"sends with no receipt for {format_duration(rule.stale_after)}"
    elif rule.metric == "sends_after_opt_out":
        row["condition"] = f"> {rule.threshold:g} in the last {format_duration(rule.window)}"
    else:
        row["condition"] = f"latest event in {', '.join(rule.events)} within {format_duration(rule.lookback)}"
    return row


def _row(record: AlertRecord, result: CheckResult) -> dict[str, Any]:
    rule = result.rules.get(record.rule)
    return {
        "id": record.short_id,
        "rule": record.rule,
        "metric": rule.metric if rule else None,
        "state": record.state,
        "labels": dict(record.labels),
        "value": record.value,
        "threshold": record.threshold,
        "severity": record.severity,
        "since": record.fired_at if record.state == "firing" else record.pending_since,
        "resolved_at": record.resolved_at if record.state == "resolved" else None,
        "acknowledged": record.acked_at is not None,
        "silenced": record.fingerprint in result.silenced,
        "paused": record.paused,
        "detail": dict(record.detail),
    }


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    rate = row["metric"] in _RATE_METRICS
    flags = [name for name in ("acknowledged", "silenced", "paused") if row[name]]
    return {
        "id": row["id"],
        "rule": row["rule"],
        "state": row["state"],
        "labels": ",".join(f"{k}={v}" for k, v in row["labels"].items()) or "-",
        "value": _number(row["value"], rate),
        "threshold": _number(row["threshold"], rate),
        "since": row["since"].strftime("%Y-%m-%d %H:%M") if isinstance(row["since"], datetime) else "-",
        "flags": ",".join(flags) or "-",
    }


def _number(value: float | None, rate: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.2%}" if rate else f"{value:g}"


def _labels_text(record: AlertRecord) -> str:
    return ",".join(f"{k}={v}" for k, v in record.labels) or "(no labels)"


def _find(records: dict[str, AlertRecord], alert_id: str) -> AlertRecord:
    text = alert_id.strip().lower()
    if len(text) < 4:
        raise UsageError("give at least 4 characters of the alert id")
    found = [r for fp, r in records.items() if fp.startswith(text)]
    if not found:
        raise UsageError(f"no alert with id {alert_id!r}", hint="`wagate alerts list` shows the ids")
    if len(found) > 1:
        raise UsageError(f"alert id {alert_id!r} is ambiguous", hint="give more characters")
    return found[0]


def _parse_labels(values: tuple[str, ...]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            key, sep, text = part.partition("=")
            if not sep or not key.strip():
                raise UsageError(f"--labels: {part!r} is not key=value")
            labels[key.strip()] = text.strip()
    return labels


def _parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at: {text!r} is not an ISO time (e.g. 2026-10-09T14:00:00+08:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"
