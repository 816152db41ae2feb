"""One data subject: their number in every format, their keyed pseudonym, and how to find them in text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.config import Settings
from core.errors import InputError
from core.phones import ContactKeyer, parse, to_e164


@dataclass(frozen=True, slots=True)
class Person:
    """A number to forget or export, normalised."""

    e164: str
    key: str

    @property
    def digits(self) -> str:
        """The number without ``+`` (how webhooks write ``wa_id`` and ``recipient_id``)."""
        return self.e164.lstrip("+")

    @property
    def forms(self) -> tuple[str, ...]:
        """Exact spellings stored by wagate and by the sender (E.164 and bare digits)."""
        return (self.e164, self.digits)


def normalise(text: str, default_region: str | None = None) -> str:
    """E.164 of a number as typed; national formats (``0151 ...``) need ``default_region`` (e.g. DE)."""
    cleaned = text.strip()
    international = to_e164(cleaned)
    candidates: list[str] = []
    if international is not None and (cleaned.startswith("00") or not cleaned.startswith("0")):
        candidates.append(international)  # bare digits are how webhooks write numbers
    if default_region is not None and not cleaned.startswith(("+", "00")):
        national = parse(cleaned, default_region)
        if national is not None and national.valid:
            candidates.append(national.e164)
    for candidate in candidates:
        parsed = parse(candidate)
        if parsed is not None and parsed.valid:
            return parsed.e164
    if international is not None and default_region is None and not cleaned.startswith("0"):
        return international  # not a valid plan number, but stored exactly so: forget it as given
    raise InputError(
        f"{text!r} is not a phone number",
        hint="give it in international format (+49 151 ...) or pass --region for national formats",
    )


def people(numbers: Iterable[str], keyer: ContactKeyer, default_region: str | None = None) -> list[Person]:
    """Distinct people for the numbers given (every format of one number is one person)."""
    found: dict[str, Person] = {}
    for text in numbers:
        e164 = normalise(text, default_region)
        found.setdefault(e164, Person(e164, keyer.key(e164)))
    return list(found.values())


def numbers_from_file(text: str) -> list[str]:
    """Numbers from a file: one a line; blank lines and ``#`` comments skipped; a CSV's first column."""
    lines = []
    for line in text.splitlines():
        value = line.split("#", 1)[0].split(",", 1)[0].strip()
        if value and any(ch.isdigit() for ch in value):
            lines.append(value)
    return lines


def send_log_root(settings: Settings) -> Path:
    """Where the sender writes its logs: ``[send] send_log_dir``, else ``<landing>/sendlogs`` (as sender.run)."""
    configured = settings.send.send_log_dir
    return settings.resolve(configured) if configured else settings.landing_path / "sendlogs"
