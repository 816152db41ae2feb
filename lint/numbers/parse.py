"""Stage 1: numbers as people type them -> E.164 candidates, with the verdict of ``core.phones.parse``.

``core.phones.parse`` (NFKC fold, strip, ``00`` -> ``+``, ``phonenumbers.parse`` with the row's
default region) is the reference. Calling it costs ~18 µs a row, too slow for a million rows, so
the common shapes are replayed here column-wise:

* the text, after folding full-width digits/punctuation, is digits, spaces, ``-``, ``.``, ``(``
  and ``)`` with an optional leading ``+`` or ``00``: phonenumbers then reads exactly its digits
  (no letters, extensions or second numbers are possible);
* the country calling code is the 1-3 digit prefix found in the calling-code table;
* the national prefix is stripped with the region's own ``national_prefix_for_parsing`` regex and
  kept only where phonenumbers keeps it (same general-pattern and length tests).

Rows outside those shapes, or that reach a rarely used branch of the library (an IDD prefix typed
without ``+``, a national number that starts with its own country code, a national-prefix
transform rule, ``+0``), go to ``core.phones.parse`` once per distinct (text, region). Tests
compare both paths with ``core.phones.parse`` on samples from every region.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
import polars as pl
from phonenumbers import SUPPORTED_REGIONS, NumberParseException

from lint.numbers.metadata import (
    CALLING_CODES,
    TYPE_NAMES,
    UNKNOWN_TYPE,
    ParseSpec,
    main_region,
    parse_spec,
    region_country_codes,
)
from lint.parallel import thread_map

# NFKC maps these to ASCII; any other non-ASCII character sends the row to the exact path.
_FOLD_FROM = [chr(0xFF10 + d) for d in range(10)] + ["＋", "\u3000", "－", "（", "）", "．"]
_FOLD_TO = [str(d) for d in range(10)] + ["+", " ", "-", "(", ")", "."]
_CANONICAL = r"^\+[0-9]+$"
_SIMPLE = r"^(?:\+|00)?[0-9 ().\-]*$"
_MIN_DIGITS = 3
_MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
_MIN_NSN = 2  # phonenumbers' _MIN_LENGTH_FOR_NSN
# below this many rows, per-row parsing is cheaper than the fixed cost of a vectorised group
_SMALL_GROUP = 64

FAST, EXACT, EMPTY = "fast", "exact", "empty"


@dataclass(frozen=True, slots=True)
class Parsed:
    """Stage-1 result: rows grouped by calling code (``_i``, ``nsn``, ``path``) and unparsable rows."""

    by_code: tuple[tuple[int, pl.DataFrame], ...]
    failed: pl.DataFrame  # _i, path
    exact: pl.DataFrame  # _i, path, e164, region, type, calling_code: complete answers


def _lookup_table() -> list[int | None]:
    """Calling code of every three-digit prefix 000-999 (None: no code, or a leading zero)."""
    table: list[int | None] = []
    for prefix in range(1000):
        text = f"{prefix:03d}"
        table.append(
            next(
                (int(text[:w]) for w in (1, 2, 3) if text[0] != "0" and int(text[:w]) in CALLING_CODES), None
            )
        )
    return table


_CODE_OF_PREFIX = _lookup_table()


def calling_code(digits: pl.Expr) -> pl.Expr:
    """Calling code (Int32) of international digits, null when none; calling codes are prefix-free."""
    head = digits.str.slice(0, 3)
    mapping = {p: c for p, c in enumerate(_CODE_OF_PREFIX) if c is not None}
    looked_up = head.cast(pl.Int32, strict=False).replace_strict(mapping, default=None, return_dtype=pl.Int32)
    return pl.when(digits.str.starts_with("0") | (head.str.len_chars() < 3)).then(None).otherwise(looked_up)


def _split(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(empty, needs the exact path, international, national) rows, with ``digits`` filled in.

    Text already in E.164 shape (the common case) skips the folding and digit extraction.
    """
    canonical = pl.col("raw").str.contains(_CANONICAL).fill_null(False)
    flags = frame.select(canonical=canonical)["canonical"]
    canon = frame.filter(flags).with_columns(
        text=pl.col("raw"), digits=pl.col("raw").str.slice(1), intl=pl.lit(True)
    )
    rest = frame.filter(~flags).with_columns(
        text=pl.col("raw").str.replace_many(_FOLD_FROM, _FOLD_TO).str.strip_chars(" ")
    )
    blank = pl.col("text").is_null() | (pl.col("text") == "")
    empty = rest.filter(blank)
    rest = rest.filter(~blank)
    is_00 = pl.col("text").str.starts_with("00")
    rest = rest.with_columns(
        simple=pl.col("text").str.contains(_SIMPLE),
        all_digits=pl.col("text").str.replace_all(r"[^0-9]", ""),
        intl=pl.col("text").str.starts_with("+") | is_00,
    ).with_columns(
        digits=pl.when(is_00).then(pl.col("all_digits").str.slice(2)).otherwise(pl.col("all_digits"))
    )
    odd = ~pl.col("simple") | (pl.col("all_digits").str.len_chars() < _MIN_DIGITS)
    exact = rest.filter(odd)
    typed = pl.concat([canon, rest.filter(~odd).select(canon.columns)])
    return empty, exact, typed.filter(pl.col("intl")), typed.filter(~pl.col("intl"))


def _length_ok(length: pl.Expr, spec: ParseSpec) -> pl.Expr:
    """phonenumbers' _test_number_length says IS_POSSIBLE or TOO_LONG: a stripped number is kept."""
    lengths = spec.possible_lengths
    if not lengths or lengths[0] == -1:
        return pl.lit(False)
    ok = length.is_in(list(lengths)) | (length > lengths[-1])
    if spec.local_lengths:
        ok = ok & ~length.is_in(sorted(spec.local_lengths))
    return ok


def _stripped(group: pl.DataFrame, spec: ParseSpec) -> pl.DataFrame:
    """``nsn`` for rows whose ``nsn_raw`` starts with something the national-prefix regex matches."""
    nsn = pl.col("nsn_raw")
    matched = nsn.str.extract(f"^({spec.national_prefix})", 1)
    stripped = nsn.str.slice(matched.str.len_chars().fill_null(0))
    if spec.general_pattern:
        keep = nsn.str.contains(spec.general_pattern) & ~stripped.str.contains(spec.general_pattern)
    else:
        keep = pl.lit(False)
    candidate = pl.when(matched.is_null() | keep).then(nsn).otherwise(stripped)
    return group.with_columns(
        nsn=pl.when(_length_ok(candidate.str.len_chars(), spec)).then(candidate).otherwise(nsn)
    )


def _strip(
    group: pl.DataFrame, spec: ParseSpec, national: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(parsed ``_i``/``nsn``/``path``, failed ``_i``/``path``, rows for the exact path).

    ``group`` has ``nsn_raw``: the digits after the calling code (all digits, when national).
    """
    exact = pl.lit(False)
    if national:
        if spec.international_prefix:
            exact = exact | pl.col("digits").str.contains(f"^(?:{spec.international_prefix})")
        exact = exact | pl.col("digits").str.starts_with(str(spec.country_code))
    if spec.national_prefix:
        prefixed = pl.col("nsn_raw").str.contains(f"^(?:{spec.national_prefix})")
        if spec.has_transform_rule:
            exact = exact | prefixed
        group = group.with_columns(_prefixed=prefixed, _exact=exact)
        plain = group.filter(~pl.col("_prefixed")).with_columns(nsn=pl.col("nsn_raw"))
        group = pl.concat([plain, _stripped(group.filter(pl.col("_prefixed")), spec)])
    else:
        group = group.with_columns(nsn=pl.col("nsn_raw"), _exact=exact)
    to_exact = group.filter(pl.col("_exact"))
    group = group.filter(~pl.col("_exact"))
    fits = (pl.col("nsn_raw").str.len_chars() >= _MIN_NSN) & (pl.col("nsn").str.len_chars() <= _MAX_NSN)
    parsed = group.filter(fits).select("_i", "nsn", path=pl.lit(FAST))
    failed = group.filter(~fits).select("_i", path=pl.lit(FAST))
    return parsed, failed, to_exact


_Pieces = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]


def _international(frame: pl.DataFrame, out: _Collector) -> None:
    frame = frame.with_columns(cc=calling_code(pl.col("digits")))
    too_short = pl.col("digits").str.len_chars() <= _MIN_NSN  # TOO_SHORT_AFTER_IDD
    out.failed.append(frame.filter(too_short).select("_i", path=pl.lit(FAST)))
    out.exact.append(frame.filter(~too_short & pl.col("cc").is_null()))

    def strip(cc: str, group: pl.DataFrame) -> tuple[int, _Pieces]:
        code = int(cc)
        group = group.with_columns(nsn_raw=pl.col("digits").str.slice(len(cc)))
        return code, _strip(group, parse_spec(code, main_region(code)), national=False)

    _strip_groups(frame.filter(~too_short & pl.col("cc").is_not_null()), "cc", strip, out)


def _national(frame: pl.DataFrame, out: _Collector) -> None:
    supported = pl.col("region").is_in(sorted(SUPPORTED_REGIONS)).fill_null(False)
    out.failed.append(frame.filter(~supported).select("_i", path=pl.lit(FAST)))  # no region: parse fails
    codes = region_country_codes()

    def strip(region: str, group: pl.DataFrame) -> tuple[int, _Pieces]:
        spec = parse_spec(codes[region], region)
        return codes[region], _strip(group.with_columns(nsn_raw=pl.col("digits")), spec, national=True)

    _strip_groups(frame.filter(supported), "region", strip, out)


def _strip_groups(
    frame: pl.DataFrame,
    column: str,
    strip: Callable[[str, pl.DataFrame], tuple[int, _Pieces]],
    out: _Collector,
) -> None:
    """Per value of ``column``: small groups to the exact path, the others stripped side by side on threads."""
    todo: list[tuple[str, pl.DataFrame]] = []
    for (key,), group in frame.group_by([column]):
        if group.height < _SMALL_GROUP:
            out.exact.append(group)
        else:
            todo.append((str(key), group))
    for code, pieces in thread_map(lambda item: strip(*item), todo):
        out.add(code, *pieces)


class _Collector:
    """Accumulates stage-1 pieces."""

    def __init__(self) -> None:
        self.by_code: dict[int, list[pl.DataFrame]] = {}
        self.failed: list[pl.DataFrame] = []
        self.exact: list[pl.DataFrame] = []

    def add(self, code: int, parsed: pl.DataFrame, failed: pl.DataFrame, exact: pl.DataFrame) -> None:
        self.by_code.setdefault(code, []).append(parsed)
        self.failed.append(failed)
        self.exact.append(exact)

    def run_exact(self) -> pl.DataFrame:
        """Complete answers for the rows the fast path left, via ``core.phones.parse``.

        Each distinct (text, region) is parsed once; the number type comes from phonenumbers too.
        """
        rows = pl.concat([part.select("_i", "raw", "region") for part in self.exact])
        distinct = rows.select("raw", "region").unique()
        answers = [_exact_answer(raw, region) for raw, region in distinct.iter_rows()]
        looked_up = distinct.with_columns(
            pl.DataFrame(answers, schema=_EXACT_SCHEMA, orient="row").get_columns()
        )
        joined = rows.join(looked_up, on=["raw", "region"], how="left", nulls_equal=True)
        return joined.select("_i", "e164", "region_found", "type", "calling_code", path=pl.lit(EXACT)).rename(
            {"region_found": "region"}
        )


_EXACT_SCHEMA = {"e164": pl.String, "region_found": pl.String, "type": pl.String, "calling_code": pl.Int32}


def _exact_answer(raw: str | None, region: str | None) -> tuple[str | None, str | None, str, int | None]:
    """(E.164, region, type, calling code) by the library itself.

    The text is prepared exactly as ``core.phones.parse`` does (a test holds them together); the
    parsed object is kept so the type costs no second parse.
    """
    if raw is None:
        return (None, None, UNKNOWN_TYPE, None)
    folded = unicodedata.normalize("NFKC", raw).strip()
    if folded.startswith("00"):
        folded = "+" + folded[2:]
    try:
        number = phonenumbers.parse(folded, region)
    except NumberParseException:
        return (None, None, UNKNOWN_TYPE, None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    found = phonenumbers.region_code_for_number(number) or "ZZ"
    kind = (
        TYPE_NAMES[phonenumbers.number_type(number)] if phonenumbers.is_valid_number(number) else UNKNOWN_TYPE
    )
    return (e164, found, kind, number.country_code)


def parse_numbers(raw: pl.Series, region: pl.Series) -> Parsed:
    """Parse a column the way ``core.phones.parse`` does; ``region`` is each row's default region."""
    frame = pl.DataFrame({"raw": raw.cast(pl.String), "region": region.cast(pl.String)}).with_row_index("_i")
    empty, exact, intl, national = _split(frame)
    out = _Collector()
    out.failed.append(empty.select("_i", path=pl.lit(EMPTY)))
    out.exact.append(exact)
    _international(intl, out)
    _national(national, out)
    return Parsed(
        by_code=tuple((code, pl.concat(parts)) for code, parts in out.by_code.items()),
        failed=pl.concat(out.failed),
        exact=out.run_exact(),
    )
