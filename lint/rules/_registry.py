"""Shared helpers of the R (do-not-call registry) rules: typed registry columns and the run's scope."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from lint.context import RunContext
from lint.inputs.values import UTC_DATETIME, parse_flags, parse_timestamps
from lint.rules._common import utc


def marketing_run(ctx: RunContext) -> bool:
    """Whether registry rules apply: a marketing draft in the run, or no draft to tell."""
    return not ctx.drafts or bool(ctx.marketing_drafts)


def in_country(code: str) -> pl.Expr:
    """Contacts whose number region or stated country is ``code``."""
    return (pl.col("region") == code).fill_null(False) | (pl.col("country_iso") == code).fill_null(False)


def timestamps(frame: pl.DataFrame, name: str) -> pl.Series:
    """A date column of the contact list as UTC timestamps (nulls when absent or unreadable)."""
    if name not in frame.columns:
        return pl.Series(name, [None] * frame.height, dtype=UTC_DATETIME)
    parsed, _ = parse_timestamps(frame[name])
    return parsed.alias(name)


def flags(frame: pl.DataFrame, name: str) -> pl.Series:
    """A yes/no column as booleans (nulls when absent or not a yes/no word)."""
    if name not in frame.columns:
        return pl.Series(name, [None] * frame.height, dtype=pl.Boolean)
    return parse_flags(frame[name])


def check_state(checked: pl.Expr, at: datetime, days: int) -> pl.Expr:
    """``"never checked"``, ``"last checked <date>"`` when older than ``days``, else null (fresh)."""
    return (
        pl.when(checked.is_null())
        .then(pl.lit("never checked"))
        .when(checked < utc(at - timedelta(days=days)))
        .then(pl.format("last checked {}", checked.dt.strftime("%Y-%m-%d")))
    )


def registry_findings(
    frame: pl.DataFrame, key: pl.Expr, registries: dict[str, dict[str, object]], at: datetime
) -> pl.DataFrame:
    """Rows of ``frame`` whose registry (by ``key``) check is missing or stale, with ``registry`` and ``reason``.

    ``registries`` maps a key (``MX``, ``US-TX``) to its pack entry: ``registry`` (name),
    ``column`` (date of the last check) and optionally ``max_age_days``.
    """
    parts = []
    keyed = frame.with_columns(_registry_key=key)
    for name, spec in registries.items():
        rows = keyed.filter(pl.col("_registry_key") == name)
        if rows.height == 0:
            continue
        checked = timestamps(rows, str(spec["column"]))
        days = spec.get("max_age_days")
        state = (
            check_state(pl.col("checked"), at, int(str(days)))
            if days is not None
            else pl.when(pl.col("checked").is_null()).then(pl.lit("never checked"))
        )
        parts.append(
            rows.with_columns(checked=checked)
            .with_columns(registry=pl.lit(str(spec["registry"])), reason=state)
            .filter(pl.col("reason").is_not_null())
            .select("_row", "e164", "_registry_key", "registry", "reason")
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "_row": pl.Int64,
                "e164": pl.String,
                "_registry_key": pl.String,
                "registry": pl.String,
                "reason": pl.String,
            }
        )
    return pl.concat(parts)
