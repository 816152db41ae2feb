"""Small helpers the rule modules share (not rules themselves)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import polars as pl

from lint.inputs.contacts import ContactSet
from lint.inputs.values import UTC_DATETIME, by_distinct


def once_per_value(column: str, make: Callable[[pl.Expr], pl.Expr], dtype: pl.DataType) -> pl.Expr:
    """``make(pl.col(column))``, evaluated once per distinct value of the column.

    For string work on columns that repeat a few values over a million rows (a consent source,
    a business name): the expression runs on the distinct values and the answers are spread
    back. Null cells give null whatever ``make`` would say of them.
    """

    def per_value(values: pl.Series) -> pl.Series:
        return by_distinct(
            values, lambda distinct: distinct.to_frame("v").select(make(pl.col("v"))).to_series()
        )

    return pl.col(column).map_batches(per_value, return_dtype=dtype)


WHO = pl.coalesce(pl.col("e164"), pl.col("phone"), pl.lit("(no number)"))
"""How a contact is named in messages: its E.164 number, else what was typed."""


CORE_COLUMNS = (
    "_row",
    "_key",
    "phone",
    "e164",
    "region",
    "country_iso",
    "calling_code",
    "number_type",
    "valid",
)


def valid_contacts(contacts: ContactSet, *extra: str) -> pl.DataFrame:
    """Rows with a valid number (rules other than N001 leave invalid numbers to N001).

    The valid rows are filtered once per list; each rule selects the core columns and the
    ``extra`` ones it names (when the file has them), which copies nothing.
    """
    wanted = [*CORE_COLUMNS, *(c for c in extra if c in contacts.frame.columns)]
    # one chunk per column: Polars' string kernels (format, concat_str) panicked on filtered
    # multi-chunk string columns ("i < self.len()", found by the property test)
    return contacts.valid_rows().select(list(dict.fromkeys(wanted)))


def day(expr: pl.Expr) -> pl.Expr:
    """A UTC timestamp as ``2025-06-01`` (``an unknown date`` when null)."""
    return expr.dt.strftime("%Y-%m-%d").fill_null("an unknown date")


def column(contacts: ContactSet, name: str, dtype: pl.DataType | None = None) -> pl.Expr:
    """A canonical column, or nulls when the file does not have it."""
    if contacts.has(name):
        return pl.col(name)
    return pl.lit(None, dtype or pl.String())


def months_passed(since: pl.Expr, months: pl.Expr, choices: Iterable[int], moment: datetime) -> pl.Expr:
    """Whether ``since`` plus ``months`` calendar months is before ``moment`` (false when unknown).

    Exact calendar arithmetic (10 Jan 2023 + 24 months = 10 Jan 2025). ``months`` takes one of a
    pack's few ``choices``: one constant offset per choice costs far less than formatting an
    offset string for each of a million rows.
    """
    return pl.any_horizontal(
        [(months == n) & (since.dt.offset_by(f"{n}mo") < utc(moment)) for n in sorted(set(choices))]
    ).fill_null(False)


def utc(moment: datetime) -> pl.Expr:
    """A point in time as a literal comparable with the UTC timestamp columns."""
    return pl.lit(moment.astimezone(UTC)).cast(UTC_DATETIME)
