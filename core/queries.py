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

# group key -> SQL expression over marts.message_facts / marts.attempt_facts
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


def metrics_sql(by: str, *, date_range: bool) -> str:
    """SQL of the metrics table grouped by ``by``; with ``date_range``, bound as ``$start``/``$end``."""
    if by not in GROUP_KEYS:
        raise UsageError(f"unknown metrics group {by!r}", hint=f"use one of {', '.join(GROUP_KEYS)}")
    key = GROUP_KEYS[by]
    where = "WHERE day BETWEEN $start AND $end" if date_range else ""
    counted = "NOT holdout"
    rates = ",\n       ".join(
        f"CASE WHEN {den} > 0 THEN {num}::DOUBLE / {den} END AS {name}" for name, (num, den) in RATES.items()
    )
    return f"""
WITH a AS (
    SELECT {key} AS k, count(*) AS attempted, count_if(outcome = 'rejected') AS rejected
    FROM marts.attempt_facts {where} GROUP BY 1
),
m AS (
    SELECT {key} AS k,
           count_if({counted}) AS accepted,
           count_if({counted} AND delivered) AS delivered,
           count_if({counted} AND read) AS read,
           count_if({counted} AND failed) AS failed,
           count_if({counted} AND responded) AS responded,
           count_if({counted} AND opted_out) AS opted_out,
           count_if({counted} AND complained) AS complained,
           count_if({counted} AND blocked_est) AS blocked_est,
           count_if(holdout) AS holdout,
           count_if({counted} AND outcome = 'held') AS held
    FROM marts.message_facts {where} GROUP BY 1
),
b AS (
    SELECT {key} AS k, count(*) AS sends_after_opt_out FROM marts.breaches {where} GROUP BY 1
),
joined AS (
    SELECT coalesce(a.k, m.k, b.k) AS k,
           coalesce(a.attempted, 0) AS attempted, coalesce(m.accepted, 0) AS accepted,
           coalesce(a.rejected, 0) AS rejected, coalesce(m.delivered, 0) AS delivered,
           coalesce(m.read, 0) AS read, coalesce(m.failed, 0) AS failed,
           coalesce(m.responded, 0) AS responded, coalesce(m.opted_out, 0) AS opted_out,
           coalesce(m.complained, 0) AS complained, coalesce(m.blocked_est, 0) AS blocked_est,
           coalesce(m.holdout, 0) AS holdout, coalesce(m.held, 0) AS held,
           coalesce(b.sends_after_opt_out, 0) AS sends_after_opt_out
    FROM a
    FULL OUTER JOIN m ON m.k IS NOT DISTINCT FROM a.k
    FULL OUTER JOIN b ON b.k IS NOT DISTINCT FROM coalesce(a.k, m.k)
)
SELECT k AS {by}, {", ".join(COUNT_KEYS)},
       {rates}
FROM joined
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
        FROM marts.breaches
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
