"""Phone numbers in bulk, with exactly the verdict of ``phonenumbers`` on every row.

:func:`analyse_numbers` turns a column of numbers as people typed them (plus a default region per
row) into E.164, validity, region and number type; :func:`time_zones` adds candidate zones. The
work is column-wise (Polars) and replays the library's own metadata; shapes the fast path does not
cover are parsed by ``core.phones.parse`` once per distinct value. See :mod:`lint.numbers.parse`
and :mod:`lint.numbers.validity` for the argument that both give the library's answer.
"""

from __future__ import annotations

import polars as pl

from lint.numbers.metadata import UNKNOWN_TYPE
from lint.numbers.parse import parse_numbers
from lint.numbers.validity import UNKNOWN_REGION, classify, classify_code
from lint.numbers.zones import UNKNOWN_ZONE, ZONE_SEPARATOR, zones_frame
from lint.parallel import thread_map

__all__ = ["UNKNOWN_REGION", "UNKNOWN_ZONE", "ZONE_SEPARATOR", "analyse_numbers", "time_zones"]

_SCIENTIFIC = r"^\s*[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+\s*$"
_BARE_DIGITS = r"^\s*[1-9][0-9 \-]{6,}\s*$"


def analyse_numbers(raw: pl.Series, region: pl.Series) -> pl.DataFrame:
    """One row per input row with these columns.

    * ``e164``: the normalised number, null when it cannot be parsed;
    * ``valid``: ``phonenumbers.is_valid_number`` of the parsed number (false when unparsable);
    * ``region``: ISO region of the number (``ZZ`` when no region claims it, ``001`` for
      non-geographic codes, null when unparsable);
    * ``number_type``: phonenumbers type name (``MOBILE``, ``FIXED_LINE``, ...);
    * ``calling_code``;
    * ``damage``: ``scientific`` (Excel wrote it as 8.61E+12: digits are lost) or
      ``lost_prefix`` (typed without ``+``/``00`` and invalid, but valid with ``+`` in front:
      Excel drops leading zeros and plus signs), else null;
    * ``path``: ``fast``, ``exact`` or ``empty`` (which path parsed the row; for tests and benches).
    """
    parsed = parse_numbers(raw, region)
    parts = [
        parsed.failed.select(
            "_i",
            "path",
            e164=pl.lit(None, pl.String),
            region=pl.lit(None, pl.String),
            type=pl.lit(UNKNOWN_TYPE),
            calling_code=pl.lit(None, pl.Int32),
        )
    ]
    parts.append(parsed.exact.select("_i", "path", "e164", "region", "type", "calling_code"))
    parts += thread_map(_classified, parsed.by_code)
    frame = (
        pl.concat(parts)
        .sort("_i")
        .with_columns(raw=raw.cast(pl.String), valid=pl.col("type") != UNKNOWN_TYPE)
    )
    return frame.select(
        "e164",
        "valid",
        "region",
        number_type="type",
        calling_code="calling_code",
        damage=_damage(frame),
        path="path",
    )


def _classified(item: tuple[int, pl.DataFrame]) -> pl.DataFrame:
    code, group = item
    return classify_code(group, code).select(
        "_i",
        "path",
        e164=pl.concat_str(pl.lit(f"+{code}"), pl.col("nsn")),
        region="region",
        type="type",
        calling_code=pl.lit(code, pl.Int32),
    )


def _damage(frame: pl.DataFrame) -> pl.Series:
    """Why an invalid number looks damaged by a spreadsheet (null for the others)."""
    invalid = frame.select("_i", "raw", "valid").filter(~pl.col("valid"))
    bare = pl.col("raw").str.contains(_BARE_DIGITS).fill_null(False) & ~pl.col(
        "raw"
    ).str.strip_chars().str.starts_with("00").fill_null(False)
    retry = pl.when(bare).then(pl.concat_str(pl.lit("+"), pl.col("raw").str.replace_all(r"[^0-9]", "")))
    invalid = invalid.with_columns(retry=retry)
    again = classify(invalid["retry"])["valid"].fill_null(False)
    damage = (
        pl.when(pl.col("raw").str.contains(_SCIENTIFIC).fill_null(False))
        .then(pl.lit("scientific"))
        .when(again)
        .then(pl.lit("lost_prefix"))
        .otherwise(pl.lit(None, pl.String))
    )
    found = invalid.select("_i", damage=damage)
    return frame.select("_i").join(found, on="_i", how="left", maintain_order="left")["damage"]


def time_zones(numbers: pl.DataFrame) -> pl.Series:
    """Candidate zones (joined by ``&``) of each row of an :func:`analyse_numbers` frame.

    Invalid numbers get ``Etc/Unknown``.
    """
    return zones_frame(numbers)
