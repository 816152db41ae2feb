"""Detectors for personal identifiers in text, each with its checksum (D002).

Each detector finds candidates by shape and keeps only those whose check digits are right, so
order numbers and phone numbers rarely match: a random 16-digit string passes Luhn one time in
ten, and must also start with a card network's prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

_CARD = re.compile(r"(?<![\d+])(?:\d[ -]?){12,18}\d(?!\d)")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5|2)|35|3(?:0[0-5]|[68]))")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_SSN = re.compile(r"(?<!\d)(\d{3})-(\d{2})-(\d{4})(?!\d)")
_AADHAAR = re.compile(r"(?<!\d)([2-9]\d{3}) (\d{4}) (\d{4})(?!\d)")
_CPF = re.compile(r"(?<!\d)\d{3}\.\d{3}\.\d{3}-\d{2}(?!\d)")
_PRC_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_NRIC = re.compile(r"\b[STFGM]\d{7}[A-Z]\b")

# Verhoeff tables
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of card numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def verhoeff_ok(digits: str) -> bool:
    """The Verhoeff check of Aadhaar numbers."""
    check = 0
    for index, char in enumerate(reversed(digits)):
        check = _D[check][_P[index % 8][int(char)]]
    return check == 0


def iban_ok(text: str) -> bool:
    """ISO 13616 mod-97 check (length 15-34)."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """US SSN structure: no 000, 666 or 9xx area, no 00 group, no 0000 serial."""
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def cpf_ok(text: str) -> bool:
    """Brazilian CPF check digits (and not all digits equal)."""
    digits = [int(c) for c in text if c.isdigit()]
    if len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != digits[size]:
            return False
    return True


def prc_id_ok(text: str) -> bool:
    """PRC resident ID: ISO 7064 MOD 11-2 check character and a real birth date."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(text[:17], weights, strict=True))
    if "10X98765432"[total % 11] != text[17].upper():
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date(2100, 1, 1)


def nric_ok(text: str) -> bool:
    """Singapore NRIC/FIN check letter."""
    weights = [2, 7, 6, 5, 4, 3, 2]
    total = sum(int(c) * w for c, w in zip(text[1:8], weights, strict=True))
    first = text[0]
    total += {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}[first]
    if first in "ST":
        letters = "JZIHGFEDCBA"
    elif first in "FG":
        letters = "XWUTRQPNMLK"
    else:
        letters = "XWUTRQPNJLK"
    return letters[total % 11] == text[8]


def _cards(text: str) -> Iterator[str]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(0))
        if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn_ok(digits):
            yield match.group(0)


def _simple(pattern: re.Pattern[str], check: Callable[[str], bool]) -> Callable[[str], Iterator[str]]:
    def find(text: str) -> Iterator[str]:
        for match in pattern.finditer(text):
            if check(match.group(0)):
                yield match.group(0)

    return find


def _ssns(text: str) -> Iterator[str]:
    for match in _SSN.finditer(text):
        if ssn_ok(*match.groups()):
            yield match.group(0)


def _aadhaar(text: str) -> Iterator[str]:
    for match in _AADHAAR.finditer(text):
        if verhoeff_ok("".join(match.groups())):
            yield match.group(0)


DETECTORS: dict[str, Callable[[str], Iterator[str]]] = {
    "payment card number": _cards,
    "IBAN": _simple(_IBAN, iban_ok),
    "US Social Security number": _ssns,
    "Aadhaar number": _aadhaar,
    "CPF number": _simple(_CPF, cpf_ok),
    "PRC resident ID number": _simple(_PRC_ID, prc_id_ok),
    "Singapore NRIC/FIN": _simple(_NRIC, nric_ok),
}


def find_identifiers(text: str) -> Iterator[tuple[str, str]]:
    """(kind, matched text) of every identifier with valid check digits in ``text``."""
    for kind, detect in DETECTORS.items():
        for found in detect(text):
            yield kind, found
