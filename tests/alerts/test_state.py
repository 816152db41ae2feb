"""The lifecycle: pending -> firing -> resolved, repeat interval, silences that expire, acknowledgements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.config import RuleConfig
from alerts.model import AlertRecord, Observation, Silence, make_labels
from alerts.rules import Rule, build_rule
from alerts.state import acknowledge, is_silenced, notice_due, notified, step

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LABELS = make_labels({"campaign": "spring"})
MIN = timedelta(minutes=1)


def rule(**changes: object) -> Rule:
    config: dict[str, object] = {
        "name": "complaints",
        "metric": "complaint_rate",
        "group_by": ("campaign",),
        "for": "30m",
        "keep_firing_for": "1h",
        "repeat_interval": "4h",
    }
    config.update(changes)
    return build_rule(RuleConfig.model_validate(config))


def obs(active: bool, value: float = 0.03) -> Observation:
    return Observation("complaints", LABELS, active, value, 0.01, {"n": 500})


def run(r: Rule, plan: list[tuple[int, bool | None]]) -> list[AlertRecord | None]:
    """Evaluate at T0 + minutes with the condition true, false or absent (None); return each record."""
    record: AlertRecord | None = None
    seen = []
    for minutes, active in plan:
        record, _ = step(record, None if active is None else obs(active), r, T0 + minutes * MIN)
        seen.append(record)
    return seen


def states(records: list[AlertRecord | None]) -> list[str | None]:
    return [r.state if r else None for r in records]


def test_pending_until_the_for_duration_has_passed_then_firing_then_resolved() -> None:
    seen = run(rule(), [(0, True), (15, True), (30, True), (60, False), (120, False), (121, False)])
    # 0: pending; 15: still pending (15 < 30 min); 30: firing; 60: condition false but
    # keep_firing_for (1 h from the last true at 30) holds; 120: 90 min since -> resolved
    assert states(seen) == ["pending", "pending", "firing", "firing", "resolved", "resolved"]
    firing = seen[2]
    assert firing is not None and firing.fired_at == T0 + 30 * MIN and firing.pending_since == T0
    resolved = seen[4]
    assert resolved is not None and resolved.resolved_at == T0 + 120 * MIN and resolved.episode == 1


def test_a_blip_shorter_than_the_pending_period_never_fires() -> None:
    seen = run(rule(), [(0, True), (10, False), (20, True)])
    assert states(seen) == ["pending", "inactive", "pending"]


def test_no_pending_period_fires_at_once_and_a_missing_group_counts_as_false() -> None:
    seen = run(rule(**{"for": "0s", "keep_firing_for": "0s"}), [(0, True), (5, None)])
    assert states(seen) == ["firing", "resolved"]


def test_a_new_episode_after_resolution_resets_ack_pause_and_notifications() -> None:
    r = rule(**{"for": "0s", "keep_firing_for": "0s"})
    first, _ = step(None, obs(True), r, T0)
    assert first is not None
    first = notified(acknowledge(first, "li", T0), "firing", T0)
    gone, _ = step(first, obs(False), r, T0 + MIN)
    again, changes = step(gone, obs(True), r, T0 + 2 * MIN)
    assert again is not None and again.episode == 2
    assert (again.acked_at, again.notified_state, again.paused) == (None, None, False)
    assert [(c.from_state, c.to_state) for c in changes] == [("resolved", "pending"), ("pending", "firing")]


def test_firing_is_notified_once_then_every_repeat_interval() -> None:
    r = rule(**{"for": "0s"})
    record, _ = step(None, obs(True), r, T0)
    assert record is not None

    def due(at: datetime, rec: AlertRecord) -> str | None:
        return notice_due(rec, r, at, silenced=False, repeat=timedelta(hours=12), send_resolved=True)

    assert due(T0, record) == "firing"
    record = notified(record, "firing", T0)
    assert due(T0 + 3 * timedelta(hours=1), record) is None  # the rule's 4 h, not the default 12 h
    assert due(T0 + timedelta(hours=4), record) == "firing"


def test_resolved_notice_only_when_people_heard_it_fire() -> None:
    r = rule(**{"for": "0s", "keep_firing_for": "0s"})
    record, _ = step(None, obs(True), r, T0)
    assert record is not None
    quiet, _ = step(record, obs(False), r, T0 + MIN)
    assert quiet is not None
    assert (
        notice_due(quiet, r, T0 + MIN, silenced=False, repeat=timedelta(hours=4), send_resolved=True) is None
    )
    told, _ = step(notified(record, "firing", T0), obs(False), r, T0 + MIN)
    assert told is not None
    assert (
        notice_due(told, r, T0 + MIN, silenced=False, repeat=timedelta(hours=4), send_resolved=True)
        == "resolved"
    )
    assert (
        notice_due(told, r, T0 + MIN, silenced=False, repeat=timedelta(hours=4), send_resolved=False) is None
    )
    done = notified(told, "resolved", T0 + MIN)
    assert (
        notice_due(done, r, T0 + 2 * MIN, silenced=False, repeat=timedelta(hours=4), send_resolved=True)
        is None
    )


def test_acknowledged_alerts_are_not_repeated() -> None:
    r = rule(**{"for": "0s"})
    record, _ = step(None, obs(True), r, T0)
    assert record is not None
    acked = acknowledge(notified(record, "firing", T0), "wang", T0 + MIN)
    assert acked.acked_by == "wang"
    assert (
        notice_due(
            acked, r, T0 + timedelta(days=1), silenced=False, repeat=timedelta(hours=4), send_resolved=True
        )
        is None
    )


def test_only_pending_or_firing_alerts_can_be_acknowledged() -> None:
    r = rule(**{"for": "0s", "keep_firing_for": "0s"})
    record, _ = step(None, obs(True), r, T0)
    assert record is not None
    resolved, _ = step(record, obs(False), r, T0 + MIN)
    assert resolved is not None
    with pytest.raises(ValueError, match="resolved"):
        acknowledge(resolved, "li", T0)


def test_a_silence_mutes_until_it_expires_then_the_alert_is_notified() -> None:
    r = rule(**{"for": "0s"})
    record, _ = step(None, obs(True), r, T0)
    assert record is not None
    silence = Silence("s1", "complaints", make_labels({"campaign": "spring"}), T0, T0 + timedelta(hours=2))
    for minutes, muted in ((0, True), (119, True), (120, False)):
        at = T0 + minutes * MIN
        silenced = is_silenced(record, [silence], at)
        assert silenced is muted
        kind = notice_due(record, r, at, silenced=silenced, repeat=timedelta(hours=4), send_resolved=True)
        assert kind == (None if muted else "firing")


def test_silence_matchers_and_wildcard() -> None:
    at = T0 + MIN
    other = make_labels({"campaign": "autumn"})
    by_label = Silence("a", "complaints", make_labels({"campaign": "spring"}), T0, T0 + timedelta(hours=1))
    assert by_label.matches("complaints", LABELS, at)
    assert not by_label.matches("complaints", other, at)
    assert not by_label.matches("opt_outs", LABELS, at)
    everything = Silence("b", "*", (), T0, T0 + timedelta(hours=1))
    assert everything.matches("opt_outs", other, at)
    assert not everything.matches("opt_outs", other, T0 + timedelta(hours=1))  # the end is exclusive
