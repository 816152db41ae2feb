"""libphonenumber metadata, reshaped for vectorised matching.

The fast path in :mod:`lint.numbers.parse` and :mod:`lint.numbers.classify` replays
``phonenumbers.parse`` and ``is_valid_number`` with the library's own regular expressions, run by
Polars (Rust ``regex``) over whole columns. This module reads the metadata once and keeps only
what those steps need. Every pattern is anchored here, so callers never build regexes by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumberType

NON_GEO = "001"
UNKNOWN_TYPE = "UNKNOWN"

# The order in which phonenumbers' _number_type_helper tries the special types; fixed line and
# mobile come after them and are handled apart because of FIXED_LINE_OR_MOBILE.
_SPECIAL_TYPES: tuple[tuple[str, int], ...] = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)

TYPE_NAMES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "FIXED_LINE",
    PhoneNumberType.MOBILE: "MOBILE",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "FIXED_LINE_OR_MOBILE",
    PhoneNumberType.TOLL_FREE: "TOLL_FREE",
    PhoneNumberType.PREMIUM_RATE: "PREMIUM_RATE",
    PhoneNumberType.SHARED_COST: "SHARED_COST",
    PhoneNumberType.VOIP: "VOIP",
    PhoneNumberType.PERSONAL_NUMBER: "PERSONAL_NUMBER",
    PhoneNumberType.PAGER: "PAGER",
    PhoneNumberType.UAN: "UAN",
    PhoneNumberType.VOICEMAIL: "VOICEMAIL",
    PhoneNumberType.UNKNOWN: "UNKNOWN",
}


@dataclass(frozen=True, slots=True)
class Desc:
    """One number description: its pattern and the national-number lengths it allows (empty: any)."""

    raw: str
    lengths: frozenset[int]

    @property
    def pattern(self) -> str:
        """The pattern anchored at both ends, as phonenumbers' fullmatch uses it."""
        return full(self.raw)

    def admits(self, length: int) -> bool:
        """Whether a national number of ``length`` digits can match (phonenumbers checks lengths first)."""
        return not self.lengths or length in self.lengths


@dataclass(frozen=True, slots=True)
class RegionSpec:
    """What validity and type need for one region (or the non-geographic entity of a code)."""

    region: str
    general: Desc | None
    special: tuple[tuple[str, Desc], ...]
    fixed_line: Desc | None
    mobile: Desc | None
    same_mobile_and_fixed: bool
    leading_digits: str | None


@dataclass(frozen=True, slots=True)
class ParseSpec:
    """What national-prefix stripping needs for the region a number is parsed in."""

    region: str
    country_code: int
    national_prefix: str | None
    has_transform_rule: bool
    international_prefix: str | None
    general_pattern: str | None
    possible_lengths: tuple[int, ...]
    local_lengths: frozenset[int]


def full(pattern: str) -> str:
    """``pattern`` anchored at both ends, as phonenumbers' fullmatch uses it."""
    return f"^(?:{pattern})$"


def _desc(raw: object) -> Desc | None:
    pattern = getattr(raw, "national_number_pattern", None)
    if raw is None or not pattern:
        return None
    return Desc(raw=pattern, lengths=frozenset(getattr(raw, "possible_length", ()) or ()))


def _metadata(country_code: int, region: str) -> object:
    meta = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if meta is None:  # pragma: no cover - every region of the table has metadata
        raise LookupError(f"no phonenumbers metadata for {region} (+{country_code})")
    return meta


@cache
def region_spec(country_code: int, region: str) -> RegionSpec:
    """The validity/type description of ``region`` (``"001"`` for non-geographic codes)."""
    meta = _metadata(country_code, region)
    special = tuple(
        (name, desc) for name, _ in _SPECIAL_TYPES if (desc := _desc(getattr(meta, name))) is not None
    )
    return RegionSpec(
        region=region,
        general=_desc(meta.general_desc),  # type: ignore[attr-defined]
        special=special,
        fixed_line=_desc(meta.fixed_line),  # type: ignore[attr-defined]
        mobile=_desc(meta.mobile),  # type: ignore[attr-defined]
        same_mobile_and_fixed=bool(meta.same_mobile_and_fixed_line_pattern),  # type: ignore[attr-defined]
        leading_digits=meta.leading_digits,  # type: ignore[attr-defined]
    )


@cache
def parse_spec(country_code: int, region: str) -> ParseSpec:
    """The parsing description of ``region`` for numbers of ``country_code``."""
    meta = _metadata(country_code, region)
    general = meta.general_desc  # type: ignore[attr-defined]
    return ParseSpec(
        region=region,
        country_code=country_code,
        national_prefix=meta.national_prefix_for_parsing or None,  # type: ignore[attr-defined]
        has_transform_rule=bool(meta.national_prefix_transform_rule),  # type: ignore[attr-defined]
        international_prefix=meta.international_prefix or None,  # type: ignore[attr-defined]
        general_pattern=full(general.national_number_pattern) if general.national_number_pattern else None,
        possible_lengths=tuple(sorted(general.possible_length or ())),
        local_lengths=frozenset(general.possible_length_local_only or ()),
    )


def regions_of_code(country_code: int) -> tuple[str, ...]:
    """Regions sharing a calling code, main region first (``("001",)`` for non-geographic codes)."""
    return tuple(COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()))


def main_region(country_code: int) -> str:
    """The region whose metadata parses numbers written with this calling code."""
    return COUNTRY_CODE_TO_REGION_CODE[country_code][0]


@cache
def region_country_codes() -> dict[str, int]:
    """Calling code of every supported region."""
    return {
        region: code
        for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()
        for region in regions
        if region != NON_GEO
    }


CALLING_CODES: frozenset[int] = frozenset(COUNTRY_CODE_TO_REGION_CODE)
