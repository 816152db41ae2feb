"""Stage 3: candidate time zones of valid numbers, as ``phonenumbers.timezone.time_zones_for_number``.

The library looks up the longest prefix (up to ``TIMEZONE_LONGEST_PREFIX`` digits) of the E.164
digits in its table for geographical numbers (fixed lines; mobiles of countries whose mobile
numbers have area codes), and the calling code alone for the others. Here, per calling code, each
prefix length that occurs in the table for that code is one hash look-up over the column, longest
first; the code-level answer is a constant per code.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from phonenumbers import phonenumberutil
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from lint.parallel import thread_map

UNKNOWN_ZONE = "Etc/Unknown"
ZONE_SEPARATOR = "&"

_GEO_TYPES = ("FIXED_LINE", "FIXED_LINE_OR_MOBILE")
_GEO_MOBILE_CODES = frozenset(phonenumberutil._GEO_MOBILE_COUNTRIES)


@cache
def _tables_for_code(code: str) -> tuple[tuple[int, dict[str, str]], ...]:
    """Prefix tables (longest first) whose keys can match a number of calling code ``code``."""
    tables: dict[int, dict[str, str]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith(code) or code.startswith(prefix):
            tables.setdefault(len(prefix), {})[prefix] = ZONE_SEPARATOR.join(zones)
    return tuple(sorted(((n, t) for n, t in tables.items() if n <= TIMEZONE_LONGEST_PREFIX), reverse=True))


@cache
def country_level_zones(code: str) -> str:
    """The library's answer for non-geographical numbers: cc[:1 + n] for n = longest .. 1."""
    for length in range(TIMEZONE_LONGEST_PREFIX, 0, -1):
        prefix = code[: 1 + length]
        if prefix in TIMEZONE_DATA:
            return ZONE_SEPARATOR.join(TIMEZONE_DATA[prefix])
    return UNKNOWN_ZONE


def _geographical(digits: pl.Expr, code: str) -> pl.Expr:
    found = [
        digits.str.slice(0, length).replace_strict(table, default=None, return_dtype=pl.String)
        for length, table in _tables_for_code(code)
    ]
    return pl.coalesce(*found, pl.lit(UNKNOWN_ZONE))


def zones_frame(numbers: pl.DataFrame) -> pl.Series:
    """Zones (joined by ``&``) per row of a frame with ``e164``, ``number_type``, ``calling_code``, ``valid``.

    Rows that are not valid numbers get ``Etc/Unknown``.
    """
    frame = numbers.select("e164", "number_type", "calling_code", "valid").with_row_index("_i")
    parts = [frame.filter(~pl.col("valid").fill_null(False)).select("_i", zones=pl.lit(UNKNOWN_ZONE))]
    groups = frame.filter(pl.col("valid").fill_null(False)).group_by(["calling_code"])
    parts += thread_map(_zones_of_code, [(str(code), group) for (code,), group in groups])
    return pl.concat(parts).sort("_i")["zones"]


def _zones_of_code(item: tuple[str, pl.DataFrame]) -> pl.DataFrame:
    code, group = item
    geo_types = [*_GEO_TYPES, "MOBILE"] if int(code) in _GEO_MOBILE_CODES else list(_GEO_TYPES)
    zones = (
        pl.when(pl.col("number_type").is_in(geo_types))
        .then(_geographical(pl.col("e164").str.slice(1), code))
        .otherwise(pl.lit(country_level_zones(code)))
    )
    return group.select("_i", zones=zones)
