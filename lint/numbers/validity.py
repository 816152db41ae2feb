"""Stage 2: E.164 -> region, number type and validity, as phonenumbers' ``is_valid_number`` decides.

``is_valid_number`` depends only on the calling code and the national significant number, and
both can be read back from the E.164 text (calling codes are prefix-free; phonenumbers keeps
leading zeros of the national number in E.164). Per calling code, this module runs the region's
own patterns over the column:

* one region: the number type is that region's (``_number_type_helper``);
* several regions (+1, +7, +44, ...): the regions are tried in the library's order; a region with
  ``leading_digits`` claims the numbers starting with them, any other claims those its patterns
  recognise; a number nobody claims has region ``ZZ`` and is invalid.

Valid means a type other than ``UNKNOWN``. Types are computed per national-number length, the
way the library checks lengths before patterns, so each row needs few regex passes: the general
pattern, one alternation of the special types (premium rate, toll free, ...), fixed line and
mobile; the rare rows of a special type are then told apart one pattern at a time.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lint.numbers.metadata import UNKNOWN_TYPE, Desc, RegionSpec, full, region_spec, regions_of_code
from lint.numbers.parse import calling_code

UNKNOWN_REGION = "ZZ"
_SPECIAL = "SPECIAL"
_COMMON_LENGTH = 256  # below this many rows a length is typed with the others


def first_match(cases: list[tuple[pl.Expr, str]], default: str) -> pl.Expr:
    """``when(c1).then(v1).when(c2)...otherwise(default)`` with literal string values."""
    chain: Any = pl
    for condition, value in cases:
        chain = chain.when(condition).then(pl.lit(value))
    return chain.otherwise(pl.lit(default))  # type: ignore[no-any-return]


def _matches(nsn: pl.Expr, desc: Desc | None, length: int) -> pl.Expr:
    if desc is None or not desc.admits(length):
        return pl.lit(False)
    return nsn.str.contains(desc.pattern)


def _types_of_length(frame: pl.DataFrame, spec: RegionSpec, length: int) -> pl.DataFrame:
    """Types (``_i``, ``type``) of national numbers that all have ``length`` digits."""
    nsn = pl.col("nsn")
    specials = [(name, desc) for name, desc in spec.special if desc.admits(length)]
    any_special = (
        nsn.str.contains(full("|".join(desc.raw for _, desc in specials))) if specials else pl.lit(False)
    )
    fixed = _matches(nsn, spec.fixed_line, length)
    cases = [(~_matches(nsn, spec.general, length), UNKNOWN_TYPE), (any_special, _SPECIAL)]
    cases += _fixed_or_mobile(spec, fixed, _matches(nsn, spec.mobile, length))
    typed = frame.with_columns(type=first_match(cases, UNKNOWN_TYPE))
    special_rows = typed.filter(pl.col("type") == _SPECIAL)
    if special_rows.height == 0:
        return typed
    # the library's order decides between special types; these rows are few
    exact = first_match(
        [(nsn.str.contains(desc.pattern), name.upper()) for name, desc in specials], UNKNOWN_TYPE
    )
    resolved = special_rows.with_columns(type=exact)
    return pl.concat([typed.filter(pl.col("type") != _SPECIAL), resolved])


def _generic_types(frame: pl.DataFrame, spec: RegionSpec) -> pl.DataFrame:
    """Types of numbers of mixed lengths: every description checked with its own lengths."""
    nsn = pl.col("nsn")
    length = nsn.str.len_chars()

    def matches(desc: Desc | None) -> pl.Expr:
        if desc is None:
            return pl.lit(False)
        expr = nsn.str.contains(desc.pattern)
        return length.is_in(sorted(desc.lengths)) & expr if desc.lengths else expr

    cases = [(~matches(spec.general), UNKNOWN_TYPE)]
    cases += [(matches(desc), name.upper()) for name, desc in spec.special]
    cases += _fixed_or_mobile(spec, matches(spec.fixed_line), matches(spec.mobile))
    return frame.with_columns(type=first_match(cases, UNKNOWN_TYPE))


def _fixed_or_mobile(spec: RegionSpec, fixed: pl.Expr, mobile: pl.Expr) -> list[tuple[pl.Expr, str]]:
    """The tail of _number_type_helper: fixed line, fixed-or-mobile, mobile."""
    if spec.same_mobile_and_fixed:
        return [(fixed, "FIXED_LINE_OR_MOBILE")]
    return [(fixed & mobile, "FIXED_LINE_OR_MOBILE"), (fixed, "FIXED_LINE"), (mobile, "MOBILE")]


def types_in_region(frame: pl.DataFrame, spec: RegionSpec) -> pl.DataFrame:
    """``frame`` (with ``nsn``) plus ``type``: phonenumbers' number type in ``spec``'s region.

    Lengths shared by many rows get the few-pass treatment of :func:`_types_of_length`; the
    remaining rows are typed together, so odd lengths cost one group, not one each.
    """
    frame = frame.with_columns(_len=pl.col("nsn").str.len_chars())
    counts = frame.group_by("_len").len()
    common = counts.filter(pl.col("len") >= _COMMON_LENGTH)["_len"].to_list()
    parts = [_types_of_length(frame.filter(pl.col("_len") == length), spec, int(length)) for length in common]
    rare = frame.filter(~pl.col("_len").is_in(common))
    if rare.height or not parts:
        parts.append(_generic_types(rare, spec))
    return pl.concat(parts).drop("_len")


def _classify_code(group: pl.DataFrame, code: int) -> pl.DataFrame:
    """Region and type of the numbers of one calling code (columns ``_i``, ``nsn``)."""
    regions = regions_of_code(code)
    if len(regions) == 1:
        return types_in_region(group, region_spec(code, regions[0])).with_columns(region=pl.lit(regions[0]))
    parts: list[pl.DataFrame] = []
    remaining = group
    for region in regions:
        if remaining.height == 0:
            break
        spec = region_spec(code, region)
        if spec.leading_digits:
            claimed = remaining.filter(pl.col("nsn").str.contains(f"^(?:{spec.leading_digits})"))
            typed = types_in_region(claimed, spec)
        else:
            typed = types_in_region(remaining, spec).filter(pl.col("type") != UNKNOWN_TYPE)
        parts.append(typed.with_columns(region=pl.lit(region)))
        remaining = remaining.join(typed.select("_i"), on="_i", how="anti")
    parts.append(remaining.with_columns(type=pl.lit(UNKNOWN_TYPE), region=pl.lit(UNKNOWN_REGION)))
    return pl.concat(parts)


def classify_code(group: pl.DataFrame, code: int) -> pl.DataFrame:
    """``group`` (national numbers ``nsn`` of one calling code) plus ``type`` and ``region``, in any order."""
    return _classify_code(group, code)


def classify(e164: pl.Series) -> pl.DataFrame:
    """``region``, ``type``, ``valid`` and ``calling_code`` of each E.164 number, in input order.

    Null or unknown-code input gives a null region, type ``UNKNOWN`` and ``valid`` false.
    """
    digits = pl.col("e164").str.slice(1)
    frame = (
        pl.DataFrame({"e164": e164.cast(pl.String)})
        .with_row_index("_i")
        .with_columns(cc=calling_code(digits))
    )
    parts = [
        frame.filter(pl.col("cc").is_null()).select(
            "_i", type=pl.lit(UNKNOWN_TYPE), region=pl.lit(None, pl.String)
        )
    ]
    for (code,), group in frame.filter(pl.col("cc").is_not_null()).group_by(["cc"]):
        nsn = digits.str.slice(len(str(code)))
        typed = _classify_code(group.with_columns(nsn=nsn), int(str(code)))
        parts.append(typed.select("_i", "type", "region"))
    merged = pl.concat(parts, how="vertical_relaxed").sort("_i")
    return merged.select("region", "type", valid=pl.col("type") != UNKNOWN_TYPE, calling_code=frame["cc"])
