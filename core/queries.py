"""Named read queries shared by the CLI, the dashboard and alerts.

Only reads of the marts live here (writes belong to pipelines). Group columns come from the fixed
table below, never from user input; values are bound as parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core.errors import UsageError
from core.phones import mask_numbers_in
from core.warehouse import Warehouse

# group key -> SQL expression over marts.message_facts, attempt_facts, breaches and daily_facts
# (pipelines/sql/daily_facts.sql stores each key under its name, with these expressions)
GROUP_KEYS: dict[str, str] = {
    "campaign": "campaign",
    "template": "template",
    "category": "category",
    "country": "country",
    "phone_number_id": "coalesce(phone_number_id, '(unknown)')",
    "day": "day",
}

COUNT_KEYS = (
    "attempted",
    "accepted",
    "rejected",
    "delivered",
    "read",
    "failed",
    "responded",
    "opted_out",
    "complained",
    "blocked_est",
    "holdout",
    "held",
    "sends_after_opt_out",
)
# rate -> (numerator, denominator), as docs/metrics.md defines them
RATES: dict[str, tuple[str, str]] = {
    "delivery_rate": ("delivered", "accepted"),
    "read_rate": ("read", "delivered"),
    "failure_rate": ("failed", "accepted"),
    "response_rate": ("responded", "delivered"),
    "opt_out_rate": ("opted_out", "delivered"),
    "complaint_rate": ("complained", "delivered"),
    "block_rate_est": ("blocked_est", "accepted"),
}


# message count -> its condition in docs/metrics.md (holdouts are counted only as holdouts); the
# pipeline counts them per day and group into marts.daily_facts, which the metrics read
MESSAGE_COUNTS: dict[str, str] = {
    "accepted": "NOT holdout",
    "delivered": "NOT holdout AND delivered",
    "read": "NOT holdout AND read",
    "failed": "NOT holdout AND failed",
    "responded": "NOT holdout AND responded",
    "opted_out": "NOT holdout AND opted_out",
    "complained": "NOT holdout AND complained",
    "blocked_est": "NOT holdout AND blocked_est",
    "holdout": "holdout",
    "held": "NOT holdout AND outcome = 'held'",
}


def metrics_sql(by: str, *, date_range: bool) -> str:
    """SQL of the metrics table grouped by ``by``; with ``date_range``, bound as ``$start``/``$end``."""
    return grouped_metrics_sql(by, "WHERE day BETWEEN $start AND $end" if date_range else "")


def grouped_metrics_sql(by: str, where: str, extra_keys: dict[str, str] | None = None) -> str:
    """The metrics of docs/metrics.md for the rows ``where`` selects, grouped by ``by``.

    They are sums over ``marts.daily_facts`` (the counts per day and group the pipeline keeps),
    so ``where`` may use ``day`` and the :data:`GROUP_KEYS` columns; ``extra_keys`` adds group
    expressions beyond :data:`GROUP_KEYS` (the dashboard's "total" and "period").
    """
    keys = {**GROUP_KEYS, **(extra_keys or {})}
    if by not in keys:
        raise UsageError(f"unknown metrics group {by!r}", hint=f"use one of {', '.join(keys)}")
    sums = ",\n           ".join(f"sum({name})::BIGINT AS {name}" for name in COUNT_KEYS)
    rates = ",\n       ".join(
        f"CASE WHEN {den} > 0 THEN {num}::DOUBLE / {den} END AS {name}" for name, (num, den) in RATES.items()
    )
    return f"""
WITH g AS (
    SELECT {keys[by]} AS k,
           {sums}
    FROM marts.daily_facts {where} GROUP BY 1
)
SELECT k AS {by}, {", ".join(COUNT_KEYS)},
       {rates}
FROM g
ORDER BY 1
"""


def metrics(
    wh: Warehouse, by: str, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """The metric rows of docs/metrics.md, one per group, ordered by the group key."""
    ranged = start is not None or end is not None
    params = {"start": start or date.min, "end": end or date.max} if ranged else None
    rows = wh.dicts(metrics_sql(by, date_range=ranged), params)
    for row in rows:
        if isinstance(row[by], date):
            row[by] = row[by].isoformat()
    return rows


def breaches(wh: Warehouse, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    """Sends after an opt-out, newest first, with their campaign (contacts by key, never by number)."""
    return wh.dicts(
        """
        SELECT campaign, template, category, country, phone_number_id, day, contact_key,
               attempted_at, opted_out_at, scope, channel
        FROM marts.breach_facts
        WHERE day BETWEEN $start AND $end
        ORDER BY attempted_at DESC
        """,
        {"start": start or date.min, "end": end or date.max},
    )


def opt_out_latency(wh: Warehouse) -> list[dict[str, Any]]:
    """Per day of arrival: opt-outs, median and maximum seconds until they were suppressed."""
    return wh.dicts("SELECT * FROM marts.opt_out_to_suppression ORDER BY day")


def quarantine(wh: Warehouse, limit: int = 100) -> list[dict[str, Any]]:
    """The newest quarantined records with file, line and reason; numbers in the raw text masked."""
    rows = wh.dicts(
        """
        SELECT quarantined_at, source_file, line, source_kind, reason, left(raw_text, 200) AS raw_text
        FROM meta.quarantine ORDER BY quarantined_at DESC, source_file, line LIMIT $limit
        """,
        {"limit": limit},
    )
    for row in rows:
        row["raw_text"] = mask_numbers_in(row["raw_text"] or "")
    return rows
