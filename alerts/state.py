"""The alert lifecycle, as pure functions over :class:`AlertRecord` (Prometheus/Alertmanager semantics).

::

    (none) --condition--> pending --held for `for`--> firing --clear for `keep_firing_for`--> resolved
                            |                                                                  |
                            +--condition clears--> inactive        resolved --condition--> pending (new episode)

A firing alert is notified once, then again every ``repeat_interval`` while it is neither
acknowledged nor silenced; a resolved alert that people were told about gets one resolved
notice. A silence mutes notifications (and new pauses) while it lasts: when it expires and the
alert still fires, the next evaluation notifies. An acknowledgement stops the repeats (and the
linter's block) for the current episode only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from alerts.model import ACTIVE_STATES, AlertRecord, Labels, Observation, Silence, State, fingerprint
from alerts.rules import Rule

NoticeKind = Literal["firing", "resolved"]


@dataclass(frozen=True, slots=True)
class Transition:
    """One state change, for the history table."""

    fingerprint: str
    rule: str
    labels: Labels
    episode: int
    from_state: State
    to_state: State
    at: datetime
    value: float | None
    threshold: float | None


def step(
    prev: AlertRecord | None, obs: Observation | None, rule: Rule, now: datetime
) -> tuple[AlertRecord | None, list[Transition]]:
    """The record after one evaluation of its rule, and the transitions that happened.

    ``obs`` is None when the rule produced nothing for this group (it left the window): that
    counts as the condition being false.
    """
    active = obs is not None and obs.active
    if prev is None or prev.state in ("inactive", "resolved"):
        if not active:
            return (None if prev is None else replace(prev, last_eval_at=now)), []
        assert obs is not None
        return _start(prev, obs, rule, now)
    current = _observed(prev, obs, now)
    if prev.state == "pending":
        if not active:
            return _move(current, "inactive", now, pending_since=None)
        current = replace(current, last_true_at=now)
        if now - (prev.pending_since or now) >= rule.for_:
            return _move(current, "firing", now, fired_at=now)
        return current, []
    if active:
        return replace(current, last_true_at=now), []
    if now - (prev.last_true_at or now) >= rule.keep_firing_for:
        return _move(current, "resolved", now, resolved_at=now)
    return current, []


def _start(
    prev: AlertRecord | None, obs: Observation, rule: Rule, now: datetime
) -> tuple[AlertRecord, list[Transition]]:
    record = AlertRecord(
        fingerprint=fingerprint(rule.name, obs.labels),
        rule=rule.name,
        labels=obs.labels,
        state=prev.state if prev else "inactive",
        severity=rule.severity,
        episode=(prev.episode if prev else 0) + 1,
        pending_since=now,
        last_true_at=now,
        last_eval_at=now,
        value=obs.value,
        threshold=obs.threshold,
        detail=obs.detail,
    )
    record, first = _move(record, "pending", now)
    if rule.for_ <= timedelta(0):
        record, second = _move(record, "firing", now, fired_at=now)
        return record, first + second
    return record, first


def _observed(prev: AlertRecord, obs: Observation | None, now: datetime) -> AlertRecord:
    if obs is None:
        return replace(prev, last_eval_at=now)
    return replace(prev, last_eval_at=now, value=obs.value, threshold=obs.threshold, detail=obs.detail)


def _move(
    record: AlertRecord, to: State, now: datetime, **changes: object
) -> tuple[AlertRecord, list[Transition]]:
    moved = replace(record, state=to, **changes)  # type: ignore[arg-type]
    change = Transition(
        record.fingerprint,
        record.rule,
        record.labels,
        record.episode,
        record.state,
        to,
        now,
        record.value,
        record.threshold,
    )
    return moved, [change]


def is_silenced(record: AlertRecord, silences: Sequence[Silence], at: datetime) -> bool:
    """Whether an active silence covers the alert at ``at``."""
    return any(s.matches(record.rule, record.labels, at) for s in silences)


def notice_due(
    record: AlertRecord, rule: Rule, now: datetime, *, silenced: bool, repeat: timedelta, send_resolved: bool
) -> NoticeKind | None:
    """Which notification (if any) the alert needs now."""
    if silenced:
        return None
    if record.state == "firing":
        if record.acked_at is not None:
            return None
        if record.notified_state != "firing" or record.last_notified_at is None:
            return "firing"
        every = rule.repeat_interval or repeat
        return "firing" if now - record.last_notified_at >= every else None
    if record.state == "resolved" and record.notified_state == "firing" and send_resolved:
        return "resolved"
    return None


def notified(record: AlertRecord, kind: NoticeKind, at: datetime) -> AlertRecord:
    """The record after a notification of ``kind`` went out."""
    return replace(record, last_notified_at=at, notified_state=kind)


def acknowledge(record: AlertRecord, by: str, at: datetime) -> AlertRecord:
    """Acknowledge the current episode (pending or firing alerts only)."""
    if record.state not in ACTIVE_STATES:
        raise ValueError(f"alert {record.short_id} is {record.state}, not pending or firing")
    return replace(record, acked_at=at, acked_by=by)
