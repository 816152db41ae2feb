"""Keep pause flags in step with alerts: set them for firing ``pause`` rules, mirror resolve and ack.

Runs inside the evaluation (the single writer), so flag files and the warehouse history change
together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from alerts import store
from alerts.model import AlertRecord, Silence
from alerts.rules import PAUSABLE, Rule
from alerts.state import is_silenced
from core.pauses import Pause, PauseAlert, flag_path, list_pauses, read_flag, write_flag
from core.warehouse import Warehouse


def targets(record: AlertRecord, rule: Rule) -> list[tuple[str, str]]:
    """The (kind, name) pairs an alert of a pause rule stops."""
    labels = record.label_map
    found = [(PAUSABLE[key], labels[key]) for key in rule.group_by if key in PAUSABLE and labels.get(key)]
    number = record.detail.get("phone_number_id")
    if rule.metric == "phone_quality" and number:
        found.append(("phone_number_id", str(number)))
    return found


def reason(record: AlertRecord, rule: Rule) -> str:
    """One line saying why sending stopped."""
    labels = ", ".join(f"{k}={v}" for k, v in record.labels)
    if record.value is not None and record.threshold is not None and rule.kind == "rate":
        return f"{rule.name} ({labels}): {record.value:.2%} above {record.threshold:.2%}"
    if rule.metric == "sends_after_opt_out":
        return f"{rule.name} ({labels}): {record.value or 0:g} send(s) after an opt-out"
    return f"{rule.name} ({labels}): {record.detail.get('event') or record.value}"


def apply_pauses(
    wh: Warehouse | None,
    workspace: Path,
    records: Mapping[str, AlertRecord],
    rules: Mapping[str, Rule],
    silences: Sequence[Silence],
    now: datetime,
) -> dict[str, AlertRecord]:
    """Set flags for firing pause alerts that have none this episode; returns the updated records.

    With ``wh`` None (a dry run) nothing is written and records are returned unchanged.
    """
    updated = dict(records)
    for fp, record in records.items():
        rule = rules.get(record.rule)
        if rule is None or rule.action != "pause" or record.state != "firing" or record.paused:
            continue
        if is_silenced(record, silences, now) or wh is None:
            continue
        for kind, name in targets(record, rule):
            _add_alert(workspace, kind, name, record, reason(record, rule), now)
            store.record_pause(
                wh,
                now,
                "set",
                kind,
                name,
                fingerprint=fp,
                rule=record.rule,
                by="alerts",
                reason=reason(record, rule),
            )
        updated[fp] = replace(record, paused=True)
    return updated


def _add_alert(workspace: Path, kind: str, name: str, record: AlertRecord, why: str, now: datetime) -> None:
    entry = PauseAlert(record.short_id, record.rule, "firing", record.acked_at is not None)
    existing = read_flag(flag_path(workspace, kind, name))
    if existing is None:
        write_flag(workspace, Pause(kind, name, now.isoformat(), "alerts", why, (entry,)))
        return
    others = tuple(a for a in existing.alerts if a.id != entry.id)
    write_flag(workspace, replace(existing, alerts=(*others, entry)))


def sync_flags(workspace: Path, records: Mapping[str, AlertRecord]) -> None:
    """Mirror each flag's alerts (firing or not, acknowledged or not) from their records."""
    by_id = {r.short_id: r for r in records.values()}
    for flag in list_pauses(workspace):
        alerts = []
        for entry in flag.alerts:
            record = by_id.get(entry.id)
            if record is None:
                alerts.append(entry)
                continue
            state = "firing" if record.state == "firing" else "resolved"
            alerts.append(replace(entry, state=state, acknowledged=record.acked_at is not None))
        if tuple(alerts) != flag.alerts:
            write_flag(workspace, replace(flag, alerts=tuple(alerts)))


def reconcile_history(wh: Warehouse, workspace: Path, now: datetime) -> None:
    """Record flags lifted by hand (file removed) and flags set outside the evaluation."""
    last = store.last_pause_actions(wh)
    present = {(p.kind, p.name): p for p in list_pauses(workspace)}
    for (kind, name), action in last.items():
        if action == "set" and (kind, name) not in present:
            store.record_pause(wh, now, "lifted", kind, name, by="(flag removed)")
    for (kind, name), flag in present.items():
        if last.get((kind, name)) != "set":
            store.record_pause(wh, now, "set", kind, name, by=flag.by or "(flag file)", reason=flag.reason)
