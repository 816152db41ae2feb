"""Phone numbers: E.164 normalisation, region of a number, and the pseudonymous contact key.

Numbers are personal data. Analytics tables never hold them: they hold the keyed contact key
(HMAC-SHA256 with a per-workspace secret, see :class:`ContactKeyer`), which only someone with the
workspace's key file can recompute from a number.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException

from core.errors import ConfigError

UNKNOWN_REGION = "ZZ"
_KEY_HEX_CHARS = 32  # 128 bits of the HMAC: collisions are negligible, storage stays small
_SHARED_PREFIX_DIGITS = 4  # enough national digits to tell NANP areas, +7 KZ/RU, +44 JE/GG/IM apart


def digits_only(text: str) -> str:
    """Digits of a number as typed: full-width digits folded, ``00`` international prefix dropped."""
    folded = unicodedata.normalize("NFKC", text)
    digits = "".join(ch for ch in folded if ch.isascii() and ch.isdigit())
    if folded.lstrip().startswith("00"):
        digits = digits[2:]
    return digits


def to_e164(text: str) -> str | None:
    """``+`` and digits for a number that already carries its country code, else ``None``.

    Webhooks give ``wa_id``/``recipient_id`` as bare digits; send logs give E.164. Both become the
    same string here, which is what the contact key is computed from.
    """
    digits = digits_only(text)
    if not 7 <= len(digits) <= 15 or digits.startswith("0"):
        return None
    return "+" + digits


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    """A number parsed with libphonenumber."""

    e164: str
    region: str
    valid: bool


def parse(text: str, default_region: str | None = None) -> ParsedNumber | None:
    """Parse a number as people type it; ``None`` when it cannot be read as a number at all."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if folded.startswith("00"):
        folded = "+" + folded[2:]
    try:
        number = phonenumbers.parse(folded, default_region)
    except NumberParseException:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number) or UNKNOWN_REGION
    return ParsedNumber(e164=e164, region=region, valid=phonenumbers.is_valid_number(number))


def calling_code(e164: str) -> int | None:
    """The country calling code of an E.164 number (calling codes are prefix-free)."""
    digits = e164.lstrip("+")
    for width in (1, 2, 3):
        code = int(digits[:width]) if digits[:width].isdigit() else -1
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return code
    return None


def region_of(e164: str) -> str:
    """ISO region of a number, from its calling code and leading digits.

    Codes shared by several regions (+1, +7, +44, ...) are resolved by libphonenumber once per
    leading-digit prefix and cached, so millions of numbers cost a dictionary look-up each. A
    number libphonenumber cannot place gets the main region of its calling code.
    """
    code = calling_code(e164)
    if code is None:
        return UNKNOWN_REGION
    regions = COUNTRY_CODE_TO_REGION_CODE[code]
    if len(regions) == 1:
        return _plain_region(regions[0])
    national = e164.lstrip("+")[len(str(code)) :]
    return _shared_region(code, national[:_SHARED_PREFIX_DIGITS], e164)


def regions_of(numbers: Iterable[str]) -> list[str]:
    """:func:`region_of` for many numbers."""
    return [region_of(number) for number in numbers]


def _plain_region(region: str) -> str:
    return UNKNOWN_REGION if region == "001" else region


_SHARED_CACHE: dict[tuple[int, str], str] = {}


def _shared_region(code: int, prefix: str, example: str) -> str:
    cached = _SHARED_CACHE.get((code, prefix))
    if cached is not None:
        return cached
    try:
        number = phonenumbers.parse(example, None)
    except NumberParseException:
        number = None
    found = phonenumbers.region_code_for_number(number) if number else None
    if found is None:
        # an unplaceable number says nothing about its prefix: answer without caching
        return _plain_region(phonenumbers.region_code_for_country_code(code))
    region = _plain_region(found)
    _SHARED_CACHE[(code, prefix)] = region
    return region


def mask(e164: str) -> str:
    """A number for display: country code, first three and last two digits, e.g. ``+49 151 ••• ••34``."""
    code = calling_code(e164)
    digits = e164.lstrip("+")
    if code is None or len(digits) < 7:
        return "•" * 6
    national = digits[len(str(code)) :]
    return f"+{code} {national[:3]} ••• ••{national[-2:]}"


_DIGIT_RUN = re.compile(r"\+?\d[\d ()\-]{5,}\d")


def mask_numbers_in(text: str) -> str:
    """Text with every phone-number-like digit run masked (for showing raw records to people)."""

    def hide(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        return match.group() if len(digits) < 7 else f"{digits[:3]}•••{digits[-2:]}"

    return _DIGIT_RUN.sub(hide, text)


class ContactKeyer:
    """Keyed pseudonyms for contacts: HMAC-SHA256(workspace secret, E.164 number)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ConfigError("the contact key secret is too short", hint="use at least 16 bytes")
        block = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
        self._secret = secret
        self.inner_pad = bytes(b ^ 0x36 for b in block)
        self.outer_pad = bytes(b ^ 0x5C for b in block)

    def key(self, e164: str) -> str:
        """The contact key of a normalised number."""
        digest = hmac.new(self._secret, e164.encode(), hashlib.sha256).hexdigest()
        return digest[:_KEY_HEX_CHARS]

    def sql_expression(self, column: str) -> str:
        """SQL computing :meth:`key` of ``column`` in bulk.

        HMAC is spelt out with sha256 because DuckDB has no hmac function; it expects the two pads
        bound as ``$inner_pad`` and ``$outer_pad`` (see :meth:`sql_params`).
        """
        inner = f"unhex(sha256($inner_pad || encode({column})))"
        return f"substr(sha256($outer_pad || {inner}), 1, {_KEY_HEX_CHARS})"

    def sql_params(self) -> dict[str, bytes]:
        """Parameters for :meth:`sql_expression`."""
        return {"inner_pad": self.inner_pad, "outer_pad": self.outer_pad}

    @classmethod
    def for_workspace(cls, key_path: Path) -> ContactKeyer:
        """Load the workspace key, creating it (owner-only) on first use."""
        if not key_path.exists():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
        if key_path.stat().st_mode & 0o077:
            raise ConfigError(f"{key_path} is readable by other users", hint=f"run: chmod 600 {key_path}")
        text = key_path.read_text().strip()
        try:
            return cls(bytes.fromhex(text))
        except ValueError:
            raise ConfigError(f"{key_path} does not hold a hex key") from None
