"""Reads of the dashboard: the metric definitions of core.queries, sliced by the page filters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from core.errors import UsageError
from core.queries import GROUP_KEYS, grouped_metrics_sql
from core.warehouse import Warehouse

# The dashboard slices the same definitions by its filters. Filter columns come from the fixed
# table below; filter values and dates are bound as parameters (lists bind as DuckDB lists).

# filter name -> SQL expression over marts.message_facts / attempt_facts / breach_facts / daily_facts
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
    """The metrics of :func:`core.queries.metrics_sql` for the rows ``where`` selects, grouped by ``by``."""
    return grouped_metrics_sql(by, where, _EXTRA_KEYS)


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
    # from the daily aggregate (tens of thousands of rows, not one per message); its rows with
    # sends or breaches but no message are left out, as they were when this read message_facts
    parts = [
        f"SELECT '{name}' AS filter, {column} AS value, sum(messages)::BIGINT AS messages, "
        f"min(day) AS first_day, max(day) AS last_day FROM marts.daily_facts WHERE messages > 0 GROUP BY 2"
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
        FROM marts.breach_facts {clause}
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


def active_alerts(wh: Warehouse) -> list[dict[str, Any]]:
    """Alerts firing or pending as of the last evaluation, firing and newest first ([] before any)."""
    exists = wh.scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'alerts' AND table_name = 'state'"
    )
    if not exists:
        return []
    return wh.dicts(
        """
        SELECT rule, state, severity, labels::VARCHAR AS labels, value, threshold, fired_at, pending_since,
               acked_at IS NOT NULL AS acknowledged, paused
        FROM alerts.state
        WHERE state IN ('firing', 'pending')
        ORDER BY state = 'firing' DESC, coalesce(fired_at, pending_since) DESC
        """
    )


def lint_history(wh: Warehouse, limit: int = 200) -> list[dict[str, Any]]:
    """`wagate lint` runs and the gate's lints at send time, newest first, from the audit trail.

    The audit log is copied into ``audit.log`` by ingest; before the first such load there is none.
    """
    exists = wh.scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit' AND table_name = 'log'"
    )
    if not exists:
        return []
    return wh.dicts(
        """
        SELECT "at", action, operator,
               json_extract_string(details, '$.campaign') AS campaign,
               left(coalesce(json_extract_string(details, '$.report_sha256'),
                             json_extract_string(details, '$.lint_report')), 12) AS report,
               TRY_CAST(json_extract(details, '$.errors') AS BIGINT) AS errors,
               TRY_CAST(json_extract(details, '$.warnings') AS BIGINT) AS warnings,
               TRY_CAST(json_extract(details, '$.contacts') AS BIGINT) AS contacts,
               TRY_CAST(json_extract(details, '$.contacts_blocked') AS BIGINT) AS contacts_blocked,
               TRY_CAST(json_extract(details, '$.waived') AS BIGINT) AS waived,
               TRY_CAST(json_extract(details, '$.warnings_accepted') AS BOOLEAN) AS warnings_accepted
        FROM audit.log
        WHERE action IN ('lint.run', 'send.run')
        ORDER BY "at" DESC, seq DESC
        LIMIT $limit
        """,
        {"limit": limit},
    )


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
