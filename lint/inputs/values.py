"""Cell values as people write them: timestamps, yes/no flags, lists, countries.

All conversions are column-wise. A timestamp column is parsed with the formats that fit a sample
of its values (usually one), so a million rows cost one pass; values no format reads are null and
flagged, so rules can say "unreadable" instead of "missing".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS

UTC_DATETIME = pl.Datetime("us", "UTC")
_AWARE = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M%z",
)
_NAIVE = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
_SAMPLE = 2000
_TRUE = ["true", "yes", "y", "1", "t", "是", "对", "✓", "x", "sí", "si", "sim", "oui", "ja"]
_FALSE = ["false", "no", "n", "0", "f", "否", "不", "", "não", "nao", "non", "nein"]
LIST_SEPARATORS = r"\s*[,;|/，；、]\s*"


def by_distinct(values: pl.Series, transform: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``transform`` run once per distinct value of a text column and spread back to every row.

    Contact columns repeat a few values (a method, a purpose, a yes/no, a day) over a million
    rows: string work on the distinct values plus one gather costs a fraction of the same work
    row by row. ``transform`` must map each value on its own (null stays null).
    """
    text = values.cast(pl.String)
    distinct = text.drop_nulls().unique(maintain_order=True)
    if distinct.len() * 4 > text.len():  # mostly distinct: the detour would cost more
        return transform(text).alias(values.name)
    codes = text.cast(pl.Enum(distinct)).to_physical()
    return transform(distinct).gather(codes).alias(values.name)


def _parse_with(text: pl.Expr, fmt: str) -> pl.Expr:
    parsed = text.str.to_datetime(fmt, strict=False, time_unit="us")
    if fmt in _AWARE:
        return parsed.dt.convert_time_zone("UTC")
    return parsed.dt.replace_time_zone("UTC")


def _formats_for(values: pl.Series) -> list[str]:
    """Formats that read at least one value of a sample, most successful first."""
    sample = values.drop_nulls().head(_SAMPLE).to_frame("v")
    scores = []
    for fmt in (*_AWARE, *_NAIVE):
        hits = sample.select(_parse_with(pl.col("v"), fmt).is_not_null().sum()).item()
        if hits:
            scores.append((-int(hits), fmt))
    return [fmt for _, fmt in sorted(scores)]


def parse_timestamps(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(UTC datetimes, unreadable flags) of a text column; times without an offset are read as UTC.

    The formats that read a sample of the column are applied to all of it (usually one pass);
    values they miss are tried with every other format, so a column may mix formats.
    """
    result = by_distinct(values, _timestamps)
    unreadable = values.cast(pl.String).str.strip_chars().replace("", None).is_not_null() & result.is_null()
    return result.alias(values.name), unreadable.alias("unreadable")


def _timestamps(values: pl.Series) -> pl.Series:
    text = values.str.strip_chars().str.replace(r"[Zz]$", "+00:00").replace("", None)
    frame = text.to_frame("v")
    sampled = _formats_for(text)
    if sampled:
        result = frame.select(pl.coalesce([_parse_with(pl.col("v"), f) for f in sampled]))["v"]
    else:
        result = pl.Series("v", [None] * len(text), dtype=UTC_DATETIME)
    missing = text.is_not_null() & result.is_null()
    others = [f for f in (*_AWARE, *_NAIVE) if f not in sampled]
    if missing.any() and others:
        rows = frame.with_row_index("_i").filter(missing)
        found = rows.select("_i", out=pl.coalesce([_parse_with(pl.col("v"), f) for f in others]))
        found = found.filter(pl.col("out").is_not_null())
        if found.height:
            result = result.scatter(found["_i"], found["out"])
    return result


def parse_flags(values: pl.Series) -> pl.Series:
    """Yes/no text as booleans (null when empty or not a yes/no word)."""
    return by_distinct(values, _flags)


def _flags(values: pl.Series) -> pl.Series:
    folded = values.str.strip_chars().str.to_lowercase()
    return (
        pl.select(
            pl.when(folded.is_in(_TRUE))
            .then(pl.lit(True))
            .when(folded.is_in(_FALSE) & folded.is_not_null() & (folded != ""))
            .then(pl.lit(False))
            .otherwise(pl.lit(None, pl.Boolean))
        )
        .to_series()
        .alias(values.name)
    )


def parse_lists(values: pl.Series, synonyms: Mapping[str, str] | None = None) -> pl.Series:
    """``"marketing, utility"`` -> ``["marketing", "utility"]`` (lower case; empty cells give null).

    Each distinct cell is split once (lists columns hold few distinct values), with ``synonyms``
    mapping items to canonical names (``营销`` -> ``marketing``).
    """
    names = synonyms or {}

    def split(distinct: pl.Series) -> pl.Series:
        cells = distinct.str.strip_chars().str.to_lowercase().replace("", None).to_list()
        lists = [
            None if cell is None else [names.get(i, i) for i in re.split(LIST_SEPARATORS, cell) if i]
            for cell in cells
        ]
        return pl.Series(values.name, lists, dtype=pl.List(pl.String))

    return by_distinct(values, split)


def lower_text(values: pl.Series) -> pl.Series:
    """Trimmed, lower-case text; empty cells give null."""
    return by_distinct(values, lambda text: text.str.strip_chars().str.to_lowercase().replace("", None))


def _country(value: str, names: Mapping[str, str], single: Mapping[str, str]) -> str | None:
    text = value.strip()
    if text.upper() in SUPPORTED_REGIONS:
        return text.upper()
    found = names.get(text.casefold())
    if found is not None:
        return found
    digits = re.sub(r"^(\+|00)", "", text)
    return single.get(digits) if re.fullmatch(r"[0-9]{1,3}", digits) else None


def country_codes(values: pl.Series, names: Mapping[str, str]) -> tuple[pl.Series, pl.Series]:
    """(ISO alpha-2 code, unrecognised flag) for a country column.

    Accepts ISO codes in any case, names listed in the countries pack (English, Chinese ...) and
    calling codes of a single region (``+49``, ``0049``). Empty cells give null, not a flag.
    Each distinct value is looked up once (a column of a million rows has a few hundred).
    """
    single = {
        str(code): regions[0] for code, regions in COUNTRY_CODE_TO_REGION_CODE.items() if len(regions) == 1
    }
    folded = {name.casefold(): code for name, code in names.items()}
    text = values.cast(pl.String)
    mapping = {value: _country(value, folded, single) for value in text.drop_nulls().unique().to_list()}
    code = text.replace_strict(mapping, default=None, return_dtype=pl.String)
    blank = text.is_null() | (text.str.strip_chars() == "")
    return code.alias("code"), (code.is_null() & ~blank).alias("unknown")
