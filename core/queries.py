"""Named read queries shared by the CLI, the dashboard and alerts.

Only reads of the marts live here (writes belong to pipelines). Group columns come from the fixed
table below, never from user input; values are bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
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


# -- dashboard reads (issue 3) ---------------------------------------------------------------
# The dashboard slices the same definitions by its filters. Filter columns come from the fixed
# table below; filter values and dates are bound as parameters (lists bind as DuckDB lists).

# filter name -> SQL expression over marts.message_facts / attempt_facts / breaches
SLICE_COLUMNS: dict[str, str] = {
    "campaigns": GROUP_KEYS["campaign"],
    "templates": GROUP_KEYS["template"],
    "categories": GROUP_KEYS["category"],
    "countries": GROUP_KEYS["country"],
    "phone_number_ids": GROUP_KEYS["phone_number_id"],
}

# group keys the dashboard may ask for, beyond GROUP_KEYS: one row for the whole slice, or one
# row per period ("current" from $current_start on, "previous" before it)
_EXTRA_KEYS: dict[str, str] = {
    "total": "'total'",
    "period": "CASE WHEN day >= $current_start THEN 'current' ELSE 'previous' END",
}

# message count -> the condition of docs/metrics.md (holdouts are counted only as holdouts)
_MESSAGE_COUNTS: dict[str, str] = {
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


@dataclass(frozen=True, slots=True)
class Slice:
    """What a dashboard view covers: an inclusive range of send days and dimension filters.

    An empty filter means "all"; ``start``/``end`` of ``None`` leave that side open.
    """

    start: date | None = None
    end: date | None = None
    campaigns: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    phone_number_ids: tuple[str, ...] = ()

    def previous(self) -> Slice | None:
        """The period of equal length just before this one (same filters); ``None`` if open-ended."""
        if self.start is None or self.end is None:
            return None
        length = self.end - self.start + timedelta(days=1)
        return replace(self, start=self.start - length, end=self.start - timedelta(days=1))

    def with_previous(self) -> Slice | None:
        """This period and the previous one of equal length together (for period comparisons)."""
        before = self.previous()
        return None if before is None else replace(self, start=before.start)

    def where(self, *, dates: bool = True) -> tuple[str, dict[str, Any]]:
        """A ``WHERE`` clause (or ``""``) over the slice columns and ``day``, with its parameters."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if dates and self.start is not None:
            clauses.append("day >= $start")
            params["start"] = self.start
        if dates and self.end is not None:
            clauses.append("day <= $end")
            params["end"] = self.end
        for name, column in SLICE_COLUMNS.items():
            values: tuple[str, ...] = getattr(self, name)
            if values:
                clauses.append(f"list_contains(${name}, {column})")
                params[name] = list(values)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def slice_metrics_sql(by: str, where: str) -> str:
    """The metrics of :func:`metrics_sql` for the rows ``where`` selects, grouped by ``by``."""
    keys = {**GROUP_KEYS, **_EXTRA_KEYS}
    if by not in keys:
        raise UsageError(f"unknown metrics group {by!r}", hint=f"use one of {', '.join(keys)}")
    key = keys[by]
    # count_if: several times faster on DuckDB than count(*) FILTER (...) for this many conditions
    counts = ",\n           ".join(f"count_if({cond}) AS {name}" for name, cond in _MESSAGE_COUNTS.items())
    joined = ",\n           ".join(
        f"coalesce({'a' if name in ('attempted', 'rejected') else 'b' if name == 'sends_after_opt_out' else 'm'}"
        f".{name}, 0) AS {name}"
        for name in COUNT_KEYS
    )
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
           {counts}
    FROM marts.message_facts {where} GROUP BY 1
),
b AS (
    SELECT {key} AS k, count(*) AS sends_after_opt_out FROM marts.breaches {where} GROUP BY 1
),
joined AS (
    SELECT coalesce(a.k, m.k, b.k) AS k,
           {joined}
    FROM a
    FULL OUTER JOIN m ON m.k IS NOT DISTINCT FROM a.k
    FULL OUTER JOIN b ON b.k IS NOT DISTINCT FROM coalesce(a.k, m.k)
)
SELECT k AS {by}, {", ".join(COUNT_KEYS)},
       {rates}
FROM joined
ORDER BY 1
"""


def slice_metrics(wh: Warehouse, by: str, where: Slice) -> list[dict[str, Any]]:
    """:func:`metrics` for one dashboard slice; ``by`` may also be ``total`` or ``period``.

    With ``period`` the slice must span two periods: pass :meth:`Slice.with_previous` and rows
    are labelled ``current`` (from the original start on) and ``previous``.
    """
    clause, params = where.where()
    if by == "period":
        if where.start is None or where.end is None:
            raise UsageError("a period comparison needs a start and an end day")
        length = (where.end - where.start + timedelta(days=1)) // 2
        params["current_start"] = where.end - length + timedelta(days=1)
    rows = wh.dicts(slice_metrics_sql(by, clause), params or None)
    for row in rows:
        if isinstance(row[by], date):
            row[by] = row[by].isoformat()
    return rows


def slice_options(wh: Warehouse) -> list[dict[str, Any]]:
    """Each filter's values that have messages: filter (a :class:`Slice` field), value, messages, days."""
    # one narrow scan per filter: far cheaper than grouping by all five columns at once
    parts = [
        f"SELECT '{name}' AS filter, {column} AS value, count(*) AS messages, "
        f"min(day) AS first_day, max(day) AS last_day FROM marts.message_facts GROUP BY 2"
        for name, column in SLICE_COLUMNS.items()
    ]
    return wh.dicts(" UNION ALL ".join(parts) + " ORDER BY filter, messages DESC, value")


def error_counts(wh: Warehouse, where: Slice) -> list[dict[str, Any]]:
    """Per day and error code: failed messages (``source`` = failed) and rejected sends (rejected).

    Holdouts (130472) are left out, as in every other count.
    """
    clause, params = where.where()
    also = "AND" if clause else "WHERE"
    return wh.dicts(
        f"""
        SELECT day, error_code, 'failed' AS source, count(*) AS n
        FROM marts.message_facts {clause} {also} failed AND NOT holdout GROUP BY ALL
        UNION ALL
        SELECT day, error_code, 'rejected' AS source, count(*) AS n
        FROM marts.attempt_facts {clause} {also} outcome = 'rejected' GROUP BY ALL
        ORDER BY day, error_code, source
        """,
        params or None,
    )


def message_list(wh: Warehouse, where: Slice, limit: int = 500) -> list[dict[str, Any]]:
    """The newest messages of a slice, one row per message, people by contact key (never by number)."""
    clause, params = where.where()
    return wh.dicts(
        f"""
        SELECT sent_at, contact_key, campaign, template, language, country, phone_number_id,
               delivered, read, failed, error_code, responded, opted_out, complained, blocked_est, holdout
        FROM marts.message_facts {clause}
        ORDER BY sent_at DESC, contact_key LIMIT $limit
        """,
        {**params, "limit": limit},
    )


def slice_breaches(wh: Warehouse, where: Slice, limit: int = 1000) -> list[dict[str, Any]]:
    """Sends after an opt-out in a slice, newest first (at most ``limit``)."""
    clause, params = where.where()
    return wh.dicts(
        f"""
        SELECT attempted_at, campaign, template, category, country, phone_number_id, contact_key,
               opted_out_at, scope, channel
        FROM marts.breaches {clause}
        ORDER BY attempted_at DESC, contact_key LIMIT $limit
        """,
        {**params, "limit": limit},
    )


def suppression_summary(wh: Warehouse) -> list[dict[str, Any]]:
    """The suppression list now: per status and scope, people and entries."""
    return wh.dicts(
        """
        SELECT status, scope, count(DISTINCT contact_key) AS contacts, count(*) AS entries
        FROM marts.suppression_list GROUP BY ALL ORDER BY ALL
        """
    )


def suppression_growth(wh: Warehouse) -> list[dict[str, Any]]:
    """Entries on the suppression list now, by the reporting day they arrived and status."""
    return wh.dicts(
        """
        SELECT timezone(coalesce((SELECT value FROM meta.params WHERE name = 'reporting_timezone'), 'UTC'),
                        arrived_at)::DATE AS day,
               status, count(*) AS entries
        FROM marts.suppression_list GROUP BY ALL ORDER BY ALL
        """
    )


def opt_out_breakdown(wh: Warehouse, start: date | None, end: date | None) -> list[dict[str, Any]]:
    """Opt-outs and review flags per day, kind, channel and language (days inclusive)."""
    return wh.dicts(
        """
        SELECT day, kind, channel, coalesce(language, '') AS language, count(*) AS n
        FROM marts.opt_outs WHERE day BETWEEN $start AND $end
        GROUP BY ALL ORDER BY ALL
        """,
        {"start": start or date.min, "end": end or date.max},
    )


def opt_out_latency_between(wh: Warehouse, start: date | None, end: date | None) -> list[dict[str, Any]]:
    """:func:`opt_out_latency` for the days of arrival in a range (inclusive)."""
    return wh.dicts(
        "SELECT * FROM marts.opt_out_to_suppression WHERE day BETWEEN $start AND $end ORDER BY day",
        {"start": start or date.min, "end": end or date.max},
    )


def phone_number_history(wh: Warehouse) -> list[dict[str, Any]]:
    """Quality, tier and name events of the business's phone numbers, oldest first."""
    return wh.dicts("SELECT * EXCLUDE (event_id) FROM marts.phone_number_events ORDER BY ts, field")


def template_history(wh: Warehouse) -> list[dict[str, Any]]:
    """Template status, quality, category and component events, oldest first."""
    return wh.dicts("SELECT * EXCLUDE (event_id) FROM marts.template_events ORDER BY ts, field")


def account_history(wh: Warehouse) -> list[dict[str, Any]]:
    """Account alerts, restrictions, reviews and security events, oldest first."""
    return wh.dicts(
        "SELECT * EXCLUDE (event_id, restrictions), restrictions::VARCHAR AS restrictions "
        "FROM marts.account_events ORDER BY ts, field"
    )


def freshness(wh: Warehouse) -> dict[str, Any]:
    """The newest status, reply and send, the last load, and the reporting time zone."""
    rows = wh.dicts(
        """
        SELECT f.*, coalesce((SELECT value FROM meta.params WHERE name = 'reporting_timezone'), 'UTC')
                    AS reporting_timezone
        FROM marts.freshness f
        """
    )
    return rows[0] if rows else {}


def has_marts(wh: Warehouse) -> bool:
    """Whether the warehouse has the marts views (a load has created the schema)."""
    return bool(
        wh.scalar(
            "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'marts' AND view_name = 'message_facts'"
        )
    )


# -- alerts reads (issue 7) ------------------------------------------------------------------
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
