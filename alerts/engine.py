"""One evaluation: rules -> observations -> lifecycle -> pause flags -> notifications.

The evaluation is a warehouse writer. It holds the write lock only while it reads the marts and
stores state; notifications go out after the lock is released (a slow chat bot must not block
the next ingest), and their results are recorded in a second short write. If that second write
cannot happen, the notices count as not sent and go out again next time (at least once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from alerts import pausing, signals, store
from alerts.config import AlertsSettings, load_alerts_settings
from alerts.messages import Notice
from alerts.model import ACTIVE_STATES, AlertRecord, Observation, Silence
from alerts.notify import Sent, dispatch
from alerts.rules import Rule, resolve_rules
from alerts.state import Transition, is_silenced, notice_due, notified, step
from core import dashboard_queries
from core.config import Settings
from core.errors import InputError, WagateError, WarehouseBusyError
from core.warehouse import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one evaluation found and did."""

    now: datetime
    as_of: datetime
    alerts: tuple[AlertRecord, ...]
    silenced: frozenset[str]
    transitions: tuple[Transition, ...]
    sent: tuple[Sent, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()
    rules: Mapping[str, Rule] = field(default_factory=dict)


def open_writer(settings: Settings) -> Warehouse:
    """The warehouse for writing, retrying while a load holds it (up to read_retry_seconds)."""
    path = settings.warehouse_path
    if not path.exists():
        raise InputError(f"no warehouse at {path}", hint="run `wagate ingest` (or `wagate demo`) first")
    deadline = time.monotonic() + settings.warehouse.read_retry_seconds
    delay = 0.05
    while True:
        try:
            return Warehouse.open_writer(
                path, memory_limit=settings.warehouse.memory_limit, threads=settings.warehouse.threads
            )
        except WarehouseBusyError:
            if time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def check(
    settings: Settings,
    *,
    now: datetime | None = None,
    notify: bool = False,
    dry_run: bool = False,
    env: Mapping[str, str] | None = None,
    alerts_settings: AlertsSettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckResult:
    """Evaluate every rule once; store state, set pause flags and (with ``notify``) tell people."""
    config = alerts_settings or load_alerts_settings(settings.workspace, settings)
    rules = {rule.name: rule for rule in resolve_rules(config)}
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if dry_run:
        wh = Warehouse.open_reader(
            settings.warehouse_path, retry_seconds=settings.warehouse.read_retry_seconds
        )
    else:
        wh = open_writer(settings)
    with wh:
        if not dashboard_queries.has_marts(wh):
            raise InputError("the warehouse has no metrics yet", hint="run `wagate ingest` first")
        if not dry_run:
            store.migrate(wh)
        ready = store.has_schema(wh)
        evaluation = signals.evaluate_all(wh, list(rules.values()), now)
        records = store.load_records(wh) if ready else {}
        silences = store.load_silences(wh, now) if ready else []
        failed = {name for name, _ in evaluation.errors}
        records, transitions = advance(records, evaluation.observations, rules, failed, now)
        if not dry_run:
            with wh.transaction():
                records = pausing.apply_pauses(wh, settings.workspace, records, rules, silences, now)
                store.save_records(wh, records.values())
                store.record_transitions(wh, transitions)
                pausing.reconcile_history(wh, settings.workspace, now)
            pausing.sync_flags(settings.workspace, records)
    notices = due_notices(records, rules, silences, config, now)
    sent: list[Sent] = []
    if notify and not dry_run and notices and config.channels:
        sent = dispatch(group_notices(notices, config.group_by), config, env or {}, now, sleep=sleep)
        records = _record_sent(settings, sent, now) or records
    changed = {t.fingerprint for t in transitions}
    listed = [
        r
        for r in records.values()
        if r.state in ACTIVE_STATES or (r.state == "resolved" and r.fingerprint in changed)
    ]
    listed.sort(key=lambda r: ({"firing": 0, "pending": 1}.get(r.state, 2), r.rule, r.labels))
    silenced = frozenset(r.fingerprint for r in listed if is_silenced(r, silences, now))
    return CheckResult(
        now,
        evaluation.as_of,
        tuple(listed),
        silenced,
        tuple(transitions),
        tuple(sent),
        evaluation.errors,
        rules,
    )


def advance(
    records: Mapping[str, AlertRecord],
    observations: Iterable[Observation],
    rules: Mapping[str, Rule],
    failed: set[str],
    now: datetime,
) -> tuple[dict[str, AlertRecord], list[Transition]]:
    """Step every alert series of every rule (a rule whose evaluation failed keeps its state)."""
    by_rule: dict[str, dict[str, Observation]] = {}
    for obs in observations:
        by_rule.setdefault(obs.rule, {})[obs.fingerprint] = obs
    updated = dict(records)
    transitions: list[Transition] = []
    for name, rule in rules.items():
        if name in failed:
            continue
        seen = by_rule.get(name, {})
        known = {fp for fp, r in records.items() if r.rule == name}
        for fp in sorted(known | set(seen)):
            record, changes = step(records.get(fp), seen.get(fp), rule, now)
            if record is not None:
                updated[fp] = record
            transitions.extend(changes)
    for fp, record in records.items():
        if record.rule not in rules and record.state in ACTIVE_STATES:
            # the rule was removed or switched off: its alerts end now
            updated[fp] = replace(record, state="resolved", resolved_at=now, last_eval_at=now)
            transitions.append(
                Transition(
                    fp,
                    record.rule,
                    record.labels,
                    record.episode,
                    record.state,
                    "resolved",
                    now,
                    record.value,
                    record.threshold,
                )
            )
    return updated, transitions


def due_notices(
    records: Mapping[str, AlertRecord],
    rules: Mapping[str, Rule],
    silences: Sequence[Silence],
    config: AlertsSettings,
    now: datetime,
) -> list[Notice]:
    """Notices that should go out now, in a stable order."""
    notices = []
    for record in sorted(records.values(), key=lambda r: (r.rule, r.labels)):
        rule = rules.get(record.rule)
        if rule is None:
            continue
        kind = notice_due(
            record,
            rule,
            now,
            silenced=is_silenced(record, silences, now),
            repeat=config.repeat_interval,
            send_resolved=config.send_resolved,
        )
        if kind is not None:
            notices.append(Notice(record, rule, kind))
    return notices


def group_notices(notices: Sequence[Notice], group_by: Sequence[str]) -> list[list[Notice]]:
    """Notices sharing the ``group_by`` labels (``rule`` = the rule name) go in one message."""
    groups: dict[tuple[str, ...], list[Notice]] = {}
    for notice in notices:
        labels = notice.record.label_map
        key = tuple(notice.record.rule if k == "rule" else labels.get(k, "") for k in group_by)
        groups.setdefault(key, []).append(notice)
    return [groups[key] for key in sorted(groups)]


def _record_sent(settings: Settings, sent: Sequence[Sent], now: datetime) -> dict[str, AlertRecord] | None:
    """Store delivery results and mark delivered notices; None if the warehouse stayed busy."""
    try:
        with open_writer(settings) as wh, wh.transaction():
            records = store.load_records(wh)
            done: dict[str, Notice] = {}
            for item in sent:
                d = item.delivery
                kinds = {n.kind for n in item.notices}
                kind = kinds.pop() if len(kinds) == 1 else "mixed"
                store.record_delivery(
                    wh,
                    now,
                    d.channel,
                    kind,
                    [n.record.fingerprint for n in item.notices],
                    d.ok,
                    d.attempts,
                    d.error,
                )
                if d.ok:
                    done.update({n.record.fingerprint: n for n in item.notices})
            for fp, notice in done.items():
                record = records.get(fp)
                if record is None or record.episode != notice.record.episode:
                    continue
                records[fp] = notified(record, notice.kind, now)
                store.record_event(
                    wh, now, fp, record.rule, record.labels, record.episode, "notified", note=notice.kind
                )
            store.save_records(wh, [records[fp] for fp in done if fp in records])
            return records
    except WagateError as exc:
        log.warning("could not record notification results: %s", exc.one_line())
        return None


def run_after_ingest(settings: Settings, env: Mapping[str, str]) -> CheckResult | None:
    """The hook for `wagate watch`: evaluate and notify; log problems, never raise."""
    try:
        config = load_alerts_settings(settings.workspace, settings)
        if not config.enabled:
            return None
        return check(settings, notify=True, env=env, alerts_settings=config)
    except WagateError as exc:
        log.warning("alerts evaluation failed: %s", exc.one_line())
    except Exception:  # the watcher keeps ingesting whatever happens here
        log.exception("unexpected error in the alerts evaluation")
    return None
