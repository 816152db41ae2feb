"""Event, breach and freshness rules: rows from the marts in, observations out (pure).

Event rules look at WhatsApp's own signals. A group's condition holds while its *latest* event
in the lookback window is a bad one (a template PAUSED until it is unpaused, a quality rating
that went down until it goes up again), so the alert resolves by itself when WhatsApp reports the
recovery, or when the lookback passes without news. ``value`` is the number of bad events in the
lookback and ``threshold`` is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from alerts.model import Observation, make_labels
from alerts.rules import Rule

Row = Mapping[str, Any]

QUALITY_RANK = {"RED": 1, "YELLOW": 2, "GREEN": 3, "UNKNOWN": 3}
# messaging-limit tiers, current names and the legacy ones still seen in the wild
TIER_RANK = {
    "TIER_50": 1,
    "TIER_250": 2,
    "TIER_1K": 3,
    "TIER_2K": 4,
    "TIER_10K": 5,
    "TIER_100K": 6,
    "TIER_UNLIMITED": 7,
}


def _groups(rule: Rule, rows: Iterable[Row]) -> dict[tuple[tuple[str, str], ...], list[Row]]:
    groups: dict[tuple[tuple[str, str], ...], list[Row]] = {}
    for row in rows:
        labels = make_labels({key: row.get(key) for key in rule.group_by})
        groups.setdefault(labels, []).append(row)
    for items in groups.values():
        items.sort(key=lambda r: (r["ts"], str(r.get("event"))))
    return groups


def _observe(rule: Rule, rows: Iterable[Row], bad: Any, extra: Any = None) -> list[Observation]:
    observations = []
    for labels, items in sorted(_groups(rule, rows).items()):
        flags = [bool(bad(row, items[i - 1] if i else None)) for i, row in enumerate(items)]
        latest = items[-1]
        detail: dict[str, Any] = {
            "event": latest.get("event"),
            "at": _iso(latest["ts"]),
            "events_in_lookback": len(items),
            "lookback_hours": rule.lookback.total_seconds() / 3600,
        }
        if extra is not None:
            detail.update(extra(latest, items))
        observations.append(Observation(rule.name, labels, flags[-1], float(sum(flags)), 0.0, detail))
    return observations


def template_status(rule: Rule, rows: Sequence[Row]) -> list[Observation]:
    """Template status events: PAUSED, DISABLED, LOCKED, FLAGGED (``rule.events``) until a later good one."""

    def extra(latest: Row, items: list[Row]) -> dict[str, Any]:
        return {"pause_kind": latest.get("pause_kind"), "reason": latest.get("reason")}

    return _observe(rule, rows, lambda row, _prev: row.get("event") in rule.events, extra)


def template_quality(rule: Rule, rows: Sequence[Row]) -> list[Observation]:
    """Template quality updates that went down to a rating in ``rule.events`` (YELLOW, RED)."""

    def bad(row: Row, _prev: Row | None) -> bool:
        new, old = row.get("new_quality"), row.get("previous_quality")
        if new not in rule.events:
            return False
        return old is None or QUALITY_RANK.get(str(new), 3) < QUALITY_RANK.get(str(old), 3)

    def extra(latest: Row, items: list[Row]) -> dict[str, Any]:
        return {"previous_quality": latest.get("previous_quality"), "new_quality": latest.get("new_quality")}

    return _observe(rule, rows, bad, extra)


def phone_quality(rule: Rule, rows: Sequence[Row]) -> list[Observation]:
    """Number quality events: FLAGGED, DOWNGRADE (``rule.events``) or a lower messaging tier."""

    def bad(row: Row, prev: Row | None) -> bool:
        if row.get("event") in rule.events:
            return True
        now = TIER_RANK.get(str(_tier(row)))
        before = row.get("old_limit") or (_tier(prev) if prev is not None else None)
        then = TIER_RANK.get(str(before))
        return now is not None and then is not None and now < then

    def extra(latest: Row, items: list[Row]) -> dict[str, Any]:
        return {"tier": _tier(latest), "phone_number_id": latest.get("phone_number_id")}

    return _observe(rule, rows, bad, extra)


def _tier(row: Row | None) -> Any:
    if row is None:
        return None
    for key in ("current_limit", "max_daily_conversations", "max_daily_conversations_per_phone"):
        if row.get(key):
            return row[key]
    return None


def account_status(rule: Rule, rows: Sequence[Row]) -> list[Observation]:
    """Account restrictions, violations and bans (``rule.events``) in the lookback."""
    relevant = [row for row in rows if row.get("event") in rule.events]

    def extra(latest: Row, items: list[Row]) -> dict[str, Any]:
        return {"detail": latest.get("detail"), "severity": latest.get("severity")}

    return _observe(rule, relevant, lambda _row, _prev: True, extra)


def breaches(rule: Rule, rows: Sequence[Row]) -> list[Observation]:
    """Groups with more than ``threshold`` sends after an opt-out in the window."""
    observations = []
    for row in rows:
        labels = make_labels({key: row.get(key) for key in rule.group_by})
        count = int(row["breaches"])
        detail = {"last_at": _iso(row.get("last_at")), "window_hours": rule.window.total_seconds() / 3600}
        observations.append(
            Observation(rule.name, labels, count > rule.threshold, float(count), rule.threshold, detail)
        )
    return sorted(observations, key=lambda o: o.labels)


def receipts_stale(rule: Rule, fresh: Row, now: datetime) -> list[Observation]:
    """Sends at least ``stale_after`` old with no status receipt since (one observation, no labels)."""
    unanswered = int(fresh.get("unanswered") or 0)
    newest, oldest = fresh.get("newest_status"), fresh.get("oldest_unanswered")
    since = newest if newest is not None else oldest
    minutes = (now - since).total_seconds() / 60 if since is not None else 0.0
    detail = {
        "unanswered_sends": unanswered,
        "newest_status": _iso(newest),
        "oldest_unanswered": _iso(oldest),
        "newest_send": _iso(fresh.get("newest_send")),
    }
    threshold = rule.stale_after.total_seconds() / 60
    return [Observation(rule.name, (), unanswered > 0, round(minutes, 1), threshold, detail)]


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else (None if value is None else str(value))
