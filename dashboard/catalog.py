"""Reference data the pages show: WhatsApp error codes and ISO countries, in both languages.

Both tables are data files under ``dashboard/reference/`` (see their headers for provenance).
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from dashboard.i18n import Lang

UNKNOWN_CLASS = "unknown"
UNKNOWN_COUNTRY = "ZZ"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What an error code means and what to do about it."""

    code: int
    error_class: str
    label: dict[str, str]
    action: dict[str, str]


@dataclass(frozen=True, slots=True)
class Country:
    """An ISO 3166-1 country with its names."""

    iso2: str
    iso3: str
    name: dict[str, str]


def _read(name: str) -> str:
    return resources.files("dashboard").joinpath("reference", name).read_text(encoding="utf-8")


@cache
def _errors() -> dict[str, Any]:
    return tomllib.loads(_read("error_codes.toml"))


def error_classes() -> dict[str, dict[str, str]]:
    """Class name -> its label per language, in display order."""
    classes: dict[str, dict[str, str]] = _errors()["classes"]
    return classes


def _info(code: int, entry: dict[str, str]) -> ErrorInfo:
    return ErrorInfo(
        code=code,
        error_class=entry["class"],
        label={"en": entry["en"], "zh": entry["zh"]},
        action={"en": entry["do_en"], "zh": entry["do_zh"]},
    )


@cache
def error_info(code: int | None) -> ErrorInfo:
    """The catalogue entry of ``code``; codes not in it get class ``unknown``."""
    if code is not None:
        entry = _errors()["codes"].get(str(code))
        if entry is not None:
            return _info(code, entry)
        for span in _errors()["ranges"]:
            if span["first"] <= code <= span["last"]:
                return _info(code, span)
    unknown = {"en": "Not in the catalogue", "zh": "未收录的错误码"}
    action = {"en": "Look the code up in Meta's error-code reference.", "zh": "请在 Meta 错误码文档中查询。"}
    return ErrorInfo(
        code=code if code is not None else -1, error_class=UNKNOWN_CLASS, label=unknown, action=action
    )


def class_label(error_class: str, lang: Lang) -> str:
    """The display name of an error class."""
    return error_classes().get(error_class, error_classes()[UNKNOWN_CLASS])[lang]


@cache
def countries() -> dict[str, Country]:
    """ISO-2 code -> country (ISO 3166-1 from Debian's iso-codes, names in English and Chinese)."""
    rows = csv.DictReader(io.StringIO(_read("countries.csv")))
    return {
        row["iso2"]: Country(row["iso2"], row["iso3"], {"en": row["name_en"], "zh": row["name_zh"]})
        for row in rows
    }


def iso3(iso2: str) -> str | None:
    """The ISO-3 code plotly's world map needs, or ``None`` (unknown region ``ZZ``)."""
    found = countries().get(iso2)
    return found.iso3 if found else None


def country_name(iso2: str, lang: Lang) -> str:
    """A country's name in the UI language; ``ZZ`` (unplaceable numbers) is "unknown"."""
    found = countries().get(iso2)
    if found is not None:
        return found.name[lang]
    return (
        "未知"
        if lang == "zh" and iso2 == UNKNOWN_COUNTRY
        else ("Unknown" if iso2 == UNKNOWN_COUNTRY else iso2)
    )
