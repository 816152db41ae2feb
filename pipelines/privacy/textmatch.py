"""Finding a person's number (in any format) and name in free text, in Python and in DuckDB SQL."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from core.phones import calling_code

ERASED = "[erased]"
MIN_NAME_CHARS = 3  # shorter names would erase ordinary words in other people's texts
_SEP = r"[\s\-.()/]*"
_RE2_SPECIAL = set(r"\.^$|?*+()[]{}")


def number_core(e164: str) -> str:
    """Regex (Python and RE2) for one number: E.164, without +, with spaces or dashes, national ``0...``."""
    code = calling_code(e164)
    digits = e164.lstrip("+")
    national = digits[len(str(code)) :] if code else digits
    body = _SEP.join(national)
    if code is None:
        return rf"\+?{body}"
    return rf"(?:(?:\+|00)?{code}{_SEP}(?:\(0\){_SEP})?|0{_SEP})?{body}"


def usable_names(names: Iterable[str]) -> list[str]:
    """Names long enough to erase without erasing ordinary words, longest first."""
    return sorted({n.strip() for n in names if len(n.strip()) >= MIN_NAME_CHARS}, key=len, reverse=True)


def python_pattern(numbers: Sequence[str], names: Iterable[str] = ()) -> re.Pattern[str]:
    """One regex for several people's numbers (digit-bounded) and names (case-insensitive)."""
    parts = [rf"(?<!\d){number_core(n)}(?!\d)" for n in numbers]
    parts += [_bounded(name, re.escape(name)) for name in usable_names(names)]
    return re.compile("|".join(parts), re.IGNORECASE)


def sql_number_pattern(numbers: Sequence[str]) -> str:
    """RE2 pattern (no look-behind): group 1 and 3 are the neighbours to keep."""
    return "(^|[^0-9])(" + "|".join(number_core(n) for n in numbers) + ")([^0-9]|$)"


def sql_name_pattern(names: Iterable[str]) -> str | None:
    """RE2 pattern of the names, or None when there is no usable name."""
    found = usable_names(names)
    if not found:
        return None
    return "|".join(
        _bounded(name, "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in name)) for name in found
    )


def _bounded(name: str, escaped: str) -> str:
    """Whole words only for Latin names ("Ana" must not erase "banana"); CJK names have no word gaps."""
    start = r"\b" if name[0].isascii() and name[0].isalnum() else ""
    end = r"\b" if name[-1].isascii() and name[-1].isalnum() else ""
    return f"{start}{escaped}{end}"


def names_in_webhook(body: object, digits: set[str]) -> set[str]:
    """Profile names a webhook body gives for these wa_ids (``contacts[].profile.name``)."""
    found: set[str] = set()
    for value in _values(body):
        for contact in value.get("contacts") or []:
            if isinstance(contact, dict) and str(contact.get("wa_id", "")) in digits:
                name = (contact.get("profile") or {}).get("name")
                if isinstance(name, str) and name.strip():
                    found.add(name.strip())
    return found


def _values(body: object) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    values = []
    for entry in body.get("entry") or []:
        for change in (entry or {}).get("changes") or [] if isinstance(entry, dict) else []:
            if isinstance(change, dict) and isinstance(change.get("value"), dict):
                values.append(change["value"])
    return values
