"""Reads of the alerts: equal-age cohorts, template and number events, breaches, receipt gaps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.errors import UsageError
from core.queries import GROUP_KEYS
from core.warehouse import Warehouse

# Equal-age cohort counts: messages sent in ($start, $end] where $end is the newest send time old
# enough to be judged, in buckets counted back from $end (bucket 0 = newest), and the events
# that happened within $age seconds of sending. The signal times come from core.inbound (the
# earliest attributed complaint or opt-out) and marts.opt_outs (user_preferences stops), as no
# marts view carries them yet; a send-log mark without a time counts from the send.

_ALERT_SIGNALS: dict[str, tuple[str, str, str]] = {
    # signal -> (CTE of per-message event times, denominator condition, numerator condition)
    "complaint": (
        "SELECT attributed_wamid AS wamid, min(ts) AS event_at FROM core.inbound "
        "WHERE complaint AND attributed_wamid IN (SELECT wamid FROM m) GROUP BY 1",
        "delivered AND coalesce(delivered_at, sent_at) <= sent_at + to_seconds($age)",
        "complained AND coalesce(t.event_at, sent_at) <= sent_at + to_seconds($age)",
    ),
    "opt_out": (
        "SELECT wamid, min(event_at) AS event_at FROM ("
        " SELECT attributed_wamid AS wamid, ts AS event_at FROM core.inbound"
        " WHERE opt_out AND attributed_wamid IN (SELECT wamid FROM m)"
        " UNION ALL"
        " SELECT m.wamid, o.ts FROM m JOIN marts.opt_outs o ON o.contact_key = m.contact_key"
        " WHERE m.opted_out AND o.kind = 'opt_out' AND o.channel = 'user_preferences' AND o.ts >= m.sent_at"
        ") GROUP BY 1",
        "delivered AND coalesce(delivered_at, sent_at) <= sent_at + to_seconds($age)",
        "opted_out AND coalesce(t.event_at, sent_at) <= sent_at + to_seconds($age)",
    ),
    "block": (
        "SELECT NULL::VARCHAR AS wamid, NULL::TIMESTAMPTZ AS event_at WHERE false",
        "true",
        "blocked_est AND CASE WHEN explicit_block THEN sent_at"
        " WHEN failed AND error_code = 131026 THEN coalesce(last_status_at, sent_at)"
        " ELSE coalesce(last_status_at, sent_at) + to_seconds(coalesce((SELECT TRY_CAST(value AS DOUBLE)"
        " FROM meta.params WHERE name = 'stale_sent_hours'), 72) * 3600) END <= sent_at + to_seconds($age)",
    ),
}


def _alert_keys(keys: tuple[str, ...]) -> tuple[str, str]:
    for key in keys:
        if key not in GROUP_KEYS or key == "day":
            raise UsageError(f"unknown alert label {key!r}", hint=f"use {', '.join(list(GROUP_KEYS)[:-1])}")
    select = "".join(f"{GROUP_KEYS[k]} AS {k}, " for k in keys)
    return select, "".join(f"{k}, " for k in keys)


def _alert_messages(select: str) -> str:
    return f"""
    SELECT {select}wamid, contact_key, sent_at, delivered, delivered_at, complained, opted_out, blocked_est,
           explicit_block, failed, error_code, last_status_at,
           floor((epoch($end) - epoch(sent_at)) / $bucket)::BIGINT AS bucket
    FROM marts.message_facts
    WHERE NOT holdout AND sent_at <= $end AND sent_at > $start"""


def alert_rate_cohorts(
    wh: Warehouse, signal: str, keys: tuple[str, ...], params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per group and bucket: ``n`` (delivered, or accepted for blocks) and ``x`` (events within age).

    ``signal`` is complaint, opt_out or block; ``params`` binds ``start``, ``end`` (timestamps),
    ``age`` and ``bucket`` (seconds).
    """
    times, den, num = _ALERT_SIGNALS[signal]
    select, names = _alert_keys(keys)
    sql = f"""
    WITH m AS ({_alert_messages(select)}),
    t AS ({times})
    SELECT {names}bucket, count_if({den}) AS n, count_if(({den}) AND {num}) AS x
    FROM m LEFT JOIN t USING (wamid)
    GROUP BY ALL
    """
    return wh.dicts(sql, params)


def alert_failure_cohorts(
    wh: Warehouse, keys: tuple[str, ...], params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Per group, bucket and error code (NULL = not failed, -1 = no code): messages and rejected sends.

    A message counts as failed when it failed within ``age`` seconds of sending; rejected send-log
    attempts fail at once. Same parameters as :func:`alert_rate_cohorts`.
    """
    select, names = _alert_keys(keys)
    sql = f"""
    WITH m AS ({_alert_messages(select)}),
    u AS (
        SELECT {names}bucket,
               CASE WHEN failed AND coalesce(last_status_at, sent_at) <= sent_at + to_seconds($age)
                    THEN coalesce(error_code, -1) END AS code
        FROM m
        UNION ALL
        SELECT {select}floor((epoch($end) - epoch(attempted_at)) / $bucket)::BIGINT, coalesce(error_code, -1)
        FROM marts.attempt_facts
        WHERE outcome = 'rejected' AND attempted_at <= $end AND attempted_at > $start
    )
    SELECT {names}bucket, code AS error_code, count(*) AS units FROM u GROUP BY ALL
    """
    return wh.dicts(sql, params)


def alert_template_events(
    wh: Warehouse, field: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Template events of one webhook field with ``since < ts <= until``, oldest first."""
    return wh.dicts(
        """
        SELECT template, language, event, reason, pause_kind, previous_quality, new_quality, ts
        FROM marts.template_events WHERE field = $field AND ts > $since AND ts <= $until
        ORDER BY ts
        """,
        {"field": field, "since": since, "until": until},
    )


def alert_phone_events(wh: Warehouse, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Number quality and tier events with ``since < ts <= until``, with the number's phone_number_id."""
    rows = wh.dicts(
        """
        SELECT display_phone_number AS phone_number, event, old_limit, current_limit,
               max_daily_conversations, max_daily_conversations_per_phone, ts
        FROM marts.phone_number_events
        WHERE field = 'phone_number_quality_update' AND ts > $since AND ts <= $until
        ORDER BY ts
        """,
        {"since": since, "until": until},
    )
    numbers = sorted({row["phone_number"] for row in rows if row["phone_number"]})
    ids: dict[str, str] = {}
    if numbers:
        # the receipts name both the display number and its id; only raw keeps that pair
        ids = dict(
            wh.rows(
                "SELECT display_phone_number, min(phone_number_id) FROM raw.status_events "
                "WHERE list_contains($numbers, display_phone_number) GROUP BY 1",
                {"numbers": numbers},
            )
        )
    for row in rows:
        row["phone_number_id"] = ids.get(row["phone_number"])
    return rows


def alert_account_events(wh: Warehouse, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Account updates, alerts and reviews with ``since < ts <= until``, oldest first."""
    return wh.dicts(
        """
        SELECT waba_id, field, event, severity, status, detail, ts
        FROM marts.account_events WHERE ts > $since AND ts <= $until ORDER BY ts
        """,
        {"since": since, "until": until},
    )


def alert_breaches(
    wh: Warehouse, keys: tuple[str, ...], since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Sends after an opt-out attempted in ``(since, until]``, counted per group."""
    select, _ = _alert_keys(keys)
    return wh.dicts(
        f"""
        SELECT {select}count(*) AS breaches, max(attempted_at) AS last_at
        FROM marts.breaches WHERE attempted_at > $since AND attempted_at <= $until
        GROUP BY ALL
        """,
        {"since": since, "until": until},
    )


def alert_receipt_gap(wh: Warehouse, since: datetime, cutoff: datetime) -> dict[str, Any]:
    """The newest receipt and the sends in ``(since, cutoff]`` made after it (none answered since)."""
    rows = wh.dicts(
        """
        SELECT f.newest_status, f.newest_send, count(a.row_id) AS unanswered,
               min(a.attempted_at) AS oldest_unanswered
        FROM marts.freshness f
        LEFT JOIN marts.attempt_facts a
               ON a.outcome IN ('accepted', 'held') AND a.attempted_at > $since AND a.attempted_at <= $cutoff
              AND (f.newest_status IS NULL OR a.attempted_at > f.newest_status)
        GROUP BY ALL
        """,
        {"since": since, "cutoff": cutoff},
    )
    return rows[0] if rows else {}
