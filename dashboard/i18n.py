"""UI text in English and Simplified Chinese, and numbers and dates formatted for each.

Strings live in ``dashboard/locales/<lang>.toml`` (one table per page or topic, flattened to
dotted keys such as ``overview.title``); Chinese terms follow the project glossary. Both files
must hold the same keys (a test checks), so a missing translation is caught before release.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = get_args(Lang)
LANGUAGE_NAMES: dict[Lang, str] = {"en": "English", "zh": "简体中文"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@cache
def strings(lang: Lang) -> dict[str, str]:
    """Every UI string of a language, by dotted key."""
    text = resources.files("dashboard").joinpath("locales", f"{lang}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def as_lang(value: object) -> Lang:
    """``value`` if it names a supported language, else English."""
    return "zh" if value == "zh" else "en"


@dataclass(frozen=True, slots=True)
class Text:
    """Strings and formats of one language: ``t("overview.title")``, ``t.pct(0.5)``."""

    lang: Lang

    def __call__(self, key: str, **values: object) -> str:
        """The string ``key`` with ``{name}`` placeholders filled; English, then the key, as fallbacks."""
        template = strings(self.lang).get(key) or strings("en").get(key) or key
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        """Whether ``key`` exists in this language."""
        return key in strings(self.lang)

    def keys(self, prefix: str) -> list[str]:
        """Every key starting with ``prefix`` (e.g. all ``tier.`` names)."""
        return [key for key in strings(self.lang) if key.startswith(prefix)]

    def count(self, value: int | float | None, *, compact: bool = False) -> str:
        """A whole number with digit grouping; ``compact`` shortens large ones (12.3K, 1.2万)."""
        if value is None:
            return "–"
        number = float(value)
        if compact and abs(number) >= 10_000:
            return self._compact(number)
        return f"{round(number):,}"

    def _compact(self, number: float) -> str:
        steps = ((1e8, "亿"), (1e4, "万")) if self.lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
        for size, suffix in steps:
            if abs(number) >= size:
                scaled = number / size
                return f"{scaled:.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:,.0f}{suffix}"
        return f"{round(number):,}"

    def pct(self, value: float | None, digits: int = 1) -> str:
        """A fraction as a percentage, ``–`` when undefined (zero denominator)."""
        return "–" if value is None else f"{value * 100:.{digits}f}%"

    def points(self, value: float) -> str:
        """A difference of two fractions in percentage points, signed."""
        unit = " 个百分点" if self.lang == "zh" else " pp"
        return f"{value * 100:+.1f}{unit}"

    def day(self, value: date | None) -> str:
        """A day: ``15 Oct 2026`` / ``2026年10月15日``."""
        if value is None:
            return "–"
        if self.lang == "zh":
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"

    def date_range(self, start: date | None, end: date | None) -> str:
        """An inclusive range of days, or the all-time label when open."""
        if start is None or end is None:
            return self("filters.all_time")
        if start == end:
            return self.day(start)
        return f"{self.day(start)} – {self.day(end)}"

    def moment(self, value: datetime | None, zone: str = "UTC") -> str:
        """A moment in the reporting time zone, with the zone named."""
        if value is None:
            return "–"
        local = value.astimezone(ZoneInfo(zone))
        return f"{self.day(local.date())} {local:%H:%M} ({zone})"

    def duration(self, seconds: float | None) -> str:
        """A duration in the largest sensible unit (``45 s``, ``3.5 min``, ``2.1 h``, ``4.2 d``)."""
        if seconds is None:
            return "–"
        units = (
            (("天", 86400), ("小时", 3600), ("分钟", 60), ("秒", 1))
            if self.lang == "zh"
            else (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
        )
        for name, size in units:
            if abs(seconds) >= size or size == 1:
                amount = seconds / size
                return f"{amount:.0f} {name}" if size == 1 else f"{amount:.1f} {name}"
        return f"{seconds:.0f}"

    @property
    def moment_date(self) -> str:
        """A date format for table columns (moment.js syntax, used by Streamlit)."""
        return "YYYY年M月D日" if self.lang == "zh" else "D MMM YYYY"

    @property
    def moment_datetime(self) -> str:
        """A date-and-time format for table columns (moment.js syntax)."""
        return "YYYY年M月D日 HH:mm" if self.lang == "zh" else "D MMM YYYY, HH:mm"

    @property
    def axis_date(self) -> str:
        """A d3 time format for chart axes."""
        return "%m月%d日" if self.lang == "zh" else "%d %b"
