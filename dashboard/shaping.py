"""Pure reshaping of query results for the pages: no Streamlit, no SQL, tested on small frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from core.phones import mask
from dashboard.catalog import class_label, country_name, error_info, iso3
from dashboard.i18n import Lang

# the KPI cards of the Overview, in order: (metric, kind, a rise is good?)
KPIS: tuple[tuple[str, Literal["count", "rate"], bool], ...] = (
    ("accepted", "count", True),
    ("delivery_rate", "rate", True),
    ("read_rate", "rate", True),
    ("response_rate", "rate", True),
    ("opt_out_rate", "rate", False),
    ("complaint_rate", "rate", False),
    ("block_rate_est", "rate", False),
    ("sends_after_opt_out", "count", False),
)
FUNNEL = ("accepted", "delivered", "read", "responded")
_UTC = pl.Datetime("us", "UTC")
_NUMBER_STATUS = pl.Schema(
    {"number": pl.String(), "quality": pl.String(), "quality_at": _UTC, "tier": pl.String(), "tier_at": _UTC}
)


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI card: its value now and in the previous period of equal length."""

    metric: str
    kind: Literal["count", "rate"]
    value: float | None
    previous: float | None
    rise_is_good: bool

    @property
    def delta(self) -> float | None:
        """Change against the previous period (``None`` when either side is undefined)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def kpis(periods: pl.DataFrame) -> list[Kpi]:
    """The KPI cards from the rows of ``data.periods`` (``current`` and maybe ``previous``)."""
    rows = {row["period"]: row for row in periods.iter_rows(named=True)} if len(periods) else {}
    now, before = rows.get("current", {}), rows.get("previous")
    cards = []
    for metric, kind, good in KPIS:
        previous = before.get(metric) if before and int(before.get("accepted") or 0) > 0 else None
        cards.append(Kpi(metric, kind, now.get(metric), previous, good))
    return cards


def funnel(totals: dict[str, Any]) -> pl.DataFrame:
    """Stages accepted -> delivered -> read -> responded with their counts."""
    return pl.DataFrame({"stage": list(FUNNEL), "count": [int(totals.get(s) or 0) for s in FUNNEL]})


def with_countries(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Add ``iso3`` (for the world map) and ``country_name`` (in the UI language)."""
    codes = frame["country"].to_list()
    return frame.with_columns(
        pl.Series("iso3", [iso3(code) for code in codes], dtype=pl.String),
        pl.Series("country_name", [country_name(code, lang) for code in codes], dtype=pl.String),
    )


def error_table(counts: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Per error code: class, meaning, what to do, failed messages, rejected sends, total."""
    if counts.is_empty():
        return pl.DataFrame()
    wide = (
        counts.group_by("error_code")
        .agg(
            failed=pl.col("n").filter(pl.col("source") == "failed").sum(),
            rejected=pl.col("n").filter(pl.col("source") == "rejected").sum(),
        )
        .with_columns(total=pl.col("failed") + pl.col("rejected"))
        .sort(["total", "error_code"], descending=[True, False])
    )
    infos = [error_info(code) for code in wide["error_code"].to_list()]
    return wide.select(
        "error_code",
        pl.Series("error_class", [class_label(i.error_class, lang) for i in infos], dtype=pl.String),
        "failed",
        "rejected",
        "total",
        pl.Series("meaning", [i.label[lang] for i in infos], dtype=pl.String),
        pl.Series("what_to_do", [i.action[lang] for i in infos], dtype=pl.String),
    )


def errors_by_class(counts: pl.DataFrame) -> pl.DataFrame:
    """Per day and error class (catalogue key): failed messages plus rejected sends."""
    if counts.is_empty():
        return pl.DataFrame(schema={"day": pl.Date, "error_class": pl.String, "n": pl.Int64})
    classes = [error_info(code).error_class for code in counts["error_code"].to_list()]
    return (
        counts.with_columns(pl.Series("error_class", classes, dtype=pl.String))
        .group_by("day", "error_class")
        .agg(pl.col("n").sum())
        .sort("day", "error_class")
    )


def number_status(events: pl.DataFrame) -> pl.DataFrame:
    """Per business number (masked): the latest quality signal, messaging tier and their times.

    Quality comes from ``FLAGGED`` (quality low) / ``UNFLAGGED`` events; the tier from the newest
    event naming one (``current_limit``, else the daily-conversation fields).
    """
    columns = _NUMBER_STATUS
    if events.is_empty():
        return pl.DataFrame(schema=columns)
    rows = events.filter(pl.col("display_phone_number").is_not_null()).with_columns(
        tier=pl.coalesce("current_limit", "max_daily_conversations", "max_daily_conversations_per_phone")
    )
    quality = (
        rows.filter(pl.col("event").is_in(["FLAGGED", "UNFLAGGED"]))
        .group_by("display_phone_number")
        .agg(quality=pl.col("event").sort_by("ts").last(), quality_at=pl.col("ts").max())
    )
    tier = (
        rows.filter(pl.col("tier").is_not_null())
        .group_by("display_phone_number")
        .agg(tier=pl.col("tier").sort_by("ts").last(), tier_at=pl.col("ts").max())
    )
    numbers = rows.select("display_phone_number").unique()
    joined = numbers.join(quality, on="display_phone_number", how="left").join(
        tier, on="display_phone_number", how="left"
    )
    masked = [mask("+" + str(n)) for n in joined["display_phone_number"].to_list()]
    return (
        joined.with_columns(pl.Series("number", masked, dtype=pl.String))
        .select(columns.names())
        .cast(columns)
        .sort("number")
    )


def masked_numbers(events: pl.DataFrame, *, reveal: bool = False) -> pl.DataFrame:
    """Phone-number events with the display number masked, or in full (``+`` and digits) for
    a viewer whose role allows revealing and who asked for it."""
    if events.is_empty():
        return events
    show = (lambda e164: e164) if reveal else mask
    shown = [show("+" + str(n)) if n else None for n in events["display_phone_number"].to_list()]
    return events.with_columns(pl.Series("display_phone_number", shown, dtype=pl.String))


def cumulative(growth: pl.DataFrame) -> pl.DataFrame:
    """Suppression entries added per day and status, with a running total per status."""
    if growth.is_empty():
        return growth
    return growth.sort("day").with_columns(total=pl.col("entries").cum_sum().over("status"))


def totals_by(frame: pl.DataFrame, column: str, *, kind: str | None = None) -> pl.DataFrame:
    """Sum of ``n`` per value of ``column`` (optionally one kind only), largest first."""
    if frame.is_empty():
        return pl.DataFrame(schema={column: pl.String, "n": pl.Int64})
    rows = frame if kind is None else frame.filter(pl.col("kind") == kind)
    return rows.group_by(column).agg(pl.col("n").sum()).sort(["n", column], descending=[True, False])


def message_state(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``state``: the furthest a message got (read, delivered, failed, holdout or sent)."""
    if frame.is_empty():
        return frame
    state = (
        pl.when(pl.col("holdout"))
        .then(pl.lit("holdout"))
        .when(pl.col("read"))
        .then(pl.lit("read"))
        .when(pl.col("delivered"))
        .then(pl.lit("delivered"))
        .when(pl.col("failed"))
        .then(pl.lit("failed"))
        .otherwise(pl.lit("sent"))
    )
    return frame.with_columns(state=state)


def pauses(templates: pl.DataFrame) -> pl.DataFrame:
    """Template events that stopped or resumed sending: pauses, unpauses, disables, rejections."""
    if templates.is_empty():
        return templates
    stopping = ["PAUSED", "DISABLED", "REJECTED", "LOCKED", "FLAGGED", "LIMIT_EXCEEDED"]
    return templates.filter(pl.col("event").is_in(stopping) | pl.col("pause_kind").is_not_null())


def template_signals(events: pl.DataFrame) -> pl.DataFrame:
    """One row per template event: time, template, language, kind of change, new value, detail.

    ``kind`` is status, quality, category or components; ``value`` the new status (PAUSED, ...),
    quality score (GREEN, YELLOW, RED) or category; ``detail`` the reason, pause kind or old value.
    """
    if events.is_empty():
        return pl.DataFrame(
            schema={
                "ts": pl.Datetime("us", "UTC"),
                "template": pl.String,
                "language": pl.String,
                "kind": pl.String,
                "value": pl.String,
                "detail": pl.String,
            }
        )
    field = pl.col("field")
    kind = (
        pl.when(field == "message_template_status_update").then(pl.lit("status"))
        .when(field == "message_template_quality_update").then(pl.lit("quality"))
        .when(field == "template_category_update").then(pl.lit("category"))
        .otherwise(pl.lit("components"))
    )  # fmt: skip
    value = pl.coalesce("event", "new_quality", "new_category", pl.lit("UPDATED"))
    detail = pl.concat_str(
        [
            pl.coalesce("pause_kind", "reason", "previous_quality", "previous_category"),
            pl.col("correct_category"),
        ],
        separator=" → ",
        ignore_nulls=True,
    )
    return events.select(
        "ts", "template", "language", kind.alias("kind"), value.alias("value"), detail.alias("detail")
    ).sort("ts")
