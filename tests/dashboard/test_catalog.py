"""Reference data: ISO-2 to ISO-3 for the world map, and the error-code catalogue."""

from __future__ import annotations

import pytest

from dashboard.catalog import class_label, country_name, error_classes, error_info, iso3


@pytest.mark.parametrize(
    ("iso2", "expected"),
    [("BR", "BRA"), ("DE", "DEU"), ("GB", "GBR"), ("AE", "ARE"), ("XK", "XKX"), ("ZZ", None)],
)
def test_iso2_to_iso3(iso2: str, expected: str | None) -> None:
    assert iso3(iso2) == expected


def test_country_names_in_both_languages() -> None:
    assert country_name("SA", "en") == "Saudi Arabia"
    assert country_name("SA", "zh") == "沙特阿拉伯"
    assert country_name("ZZ", "en") == "Unknown"


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        (131026, "recipient"),
        (131049, "quality"),
        (131050, "opt_out"),
        (130429, "throttle"),
        (131000, "transient"),
        (132001, "config"),
        (368, "policy"),
        (131047, "window"),
        (130472, "holdout"),
        (250, "auth"),  # the 200-299 range
        (133010, "config"),  # the 133000-133016 range
        (424242, "unknown"),
        (None, "unknown"),
    ],
)
def test_error_classes_follow_the_platform_reference(code: int | None, error_class: str) -> None:
    assert error_info(code).error_class == error_class


def test_every_catalogued_class_has_labels_and_every_code_has_advice() -> None:
    for name in ("transient", "throttle", "config", "policy", "recipient", "opt_out", "quality"):
        assert class_label(name, "en") and class_label(name, "zh")
    for code in (0, 100, 131048, 132015, 132016):
        info = error_info(code)
        assert info.error_class in error_classes()
        assert info.action["en"] and info.action["zh"] and info.label["zh"]
