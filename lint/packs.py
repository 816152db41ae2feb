"""Rule packs: the versioned data files under ``lint/packs/`` (quiet hours, lexicons, country sets).

Law and platform parameters change more often than code, so they live in TOML files that carry
their own ``[meta] version`` and sources; this module reads them once into typed objects.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from functools import cache
from importlib import resources
from typing import Any

from core.errors import InternalError
from lint.text import compile_terms

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def read_pack(name: str) -> dict[str, Any]:
    """The parsed TOML of ``lint/packs/<name>.toml``."""
    try:
        text = resources.files("lint").joinpath("packs", f"{name}.toml").read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:  # a broken pack is a packaging bug
        raise InternalError(f"rule pack {name}.toml cannot be read: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Window:
    """Permitted hours per weekday (0 = Monday); ``None`` for a closed day."""

    key: str
    days: tuple[tuple[time, time] | None, ...]
    source: str
    confidence: str

    def allows(self, weekday: int, at: time) -> bool:
        """Whether local time ``at`` on ``weekday`` is inside the window (half-open)."""
        hours = self.days[weekday]
        return hours is not None and hours[0] <= at < hours[1]

    def describe(self) -> str:
        """e.g. ``Mon–Sat 09:00–20:00, Sun closed``."""
        parts: list[str] = []
        index = 0
        while index < 7:
            end = index
            while end + 1 < 7 and self.days[end + 1] == self.days[index]:
                end += 1
            days = _DAYS[index].title() if end == index else f"{_DAYS[index].title()}–{_DAYS[end].title()}"
            hours = self.days[index]
            parts.append(f"{days} " + (f"{hours[0]:%H:%M}–{hours[1]:%H:%M}" if hours else "closed"))
            index = end + 1
        return ", ".join(parts)


def _day_span(key: str) -> list[int]:
    if "-" in key:
        first, last = key.split("-", 1)
        return list(range(_DAYS.index(first), _DAYS.index(last) + 1))
    return [_DAYS.index(key)]


def _window(key: str, spec: dict[str, Any]) -> Window:
    days: list[tuple[time, time] | None] = [None] * 7
    for day_key, value in spec.items():
        if day_key in ("source", "confidence", "holidays"):
            continue
        for day in _day_span(day_key):
            days[day] = (
                None if value == "closed" else (time.fromisoformat(value[0]), time.fromisoformat(value[1]))
            )
    return Window(key, tuple(days), str(spec.get("source", "")), str(spec.get("confidence", "")))


@dataclass(frozen=True, slots=True)
class Packs:
    """Every rule pack, parsed."""

    versions: dict[str, str]
    region_sets: dict[str, frozenset[str]]
    windows: dict[str, Window]
    country_names: dict[str, str]
    optout_patterns: tuple[re.Pattern[str], ...]
    optout_buttons: frozenset[str]
    promotional: re.Pattern[str] | None
    promotional_patterns: tuple[re.Pattern[str], ...]
    sensitive_items: dict[str, re.Pattern[str] | None]
    sensitive_verbs: re.Pattern[str] | None
    negations: re.Pattern[str] | None
    sensitive_window: int
    negation_window: int
    prohibited: dict[str, re.Pattern[str] | None]
    shorteners_block: frozenset[str]
    shorteners_warn: frozenset[str]
    allowed_hosts: frozenset[str]
    personal_query_keys: frozenset[str]
    utility_terms: re.Pattern[str] | None
    utility_fragments: tuple[str, ...]
    utility_patterns: tuple[re.Pattern[str], ...]
    columns: dict[str, dict[str, tuple[str, ...]]]

    def region_set(self, name: str) -> frozenset[str]:
        """A region set by name (``EU_EEA``, ``US_TCPA`` ...)."""
        return self.region_sets[name]


def _region_sets(raw: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    def expand(name: str) -> frozenset[str]:
        out: set[str] = set()
        for item in raw[name]:
            out |= expand(item[1:]) if item.startswith("@") else {item}
        return frozenset(out)

    return {name: expand(name) for name in raw}


def _country_names(raw: dict[str, list[str]]) -> dict[str, str]:
    return {name.strip().casefold(): code for code, names in raw.items() for name in names}


@cache
def load_packs() -> Packs:
    """All packs (read once per process)."""
    regions, hours, countries = read_pack("regions"), read_pack("quiet_hours"), read_pack("countries")
    optout, promo, sensitive = read_pack("optout"), read_pack("promotional"), read_pack("sensitive")
    prohibited, links, utility, columns = (
        read_pack("prohibited"),
        read_pack("links"),
        read_pack("utility"),
        read_pack("columns"),
    )
    loaded = {
        "regions": regions,
        "quiet_hours": hours,
        "countries": countries,
        "optout": optout,
        "promotional": promo,
        "sensitive": sensitive,
        "prohibited": prohibited,
        "links": links,
        "utility": utility,
        "columns": columns,
    }
    return Packs(
        versions={name: str(data["meta"]["version"]) for name, data in loaded.items()},
        region_sets=_region_sets(regions["sets"]),
        windows={key: _window(key, spec) for key, spec in hours["windows"].items()},
        country_names=_country_names(countries["names"]),
        optout_patterns=tuple(
            re.compile(p, re.IGNORECASE) for patterns in optout["patterns"].values() for p in patterns
        ),
        optout_buttons=frozenset(k.casefold() for k in optout["buttons"]["keywords"]),
        promotional=compile_terms(t for terms in promo["terms"].values() for t in terms),
        promotional_patterns=tuple(
            re.compile(p, re.IGNORECASE) for patterns in promo["patterns"].values() for p in patterns
        ),
        sensitive_items={label: compile_terms(terms) for label, terms in sensitive["items"].items()},
        sensitive_verbs=compile_terms(sensitive["verbs"]["terms"]),
        negations=compile_terms(sensitive["negations"]["terms"]),
        sensitive_window=int(sensitive["settings"]["window"]),
        negation_window=int(sensitive["settings"]["negation_window"]),
        prohibited={name: compile_terms(terms) for name, terms in prohibited["categories"].items()},
        shorteners_block=frozenset(links["shorteners"]["block"]),
        shorteners_warn=frozenset(links["shorteners"]["warn"]),
        allowed_hosts=frozenset(links["allowed"]["hosts"]),
        personal_query_keys=frozenset(links["personal_data"]["query_keys"]),
        utility_terms=compile_terms(utility["terms"]["any"]),
        utility_fragments=tuple(utility["variables"]["fragments"]),
        utility_patterns=tuple(re.compile(p) for p in utility["patterns"]["any"]),
        columns={
            group: {field: tuple(aliases) for field, aliases in fields.items()}
            for group, fields in columns.items()
            if group != "meta"
        },
    )
