"""Date presets, custom ranges and the slice the filters build (pure parts)."""

from __future__ import annotations

from datetime import date

from core.dashboard_queries import Slice
from dashboard.filters import custom_range, preset_range, url_dates

LAST = date(2026, 10, 15)


def test_presets_end_on_the_newest_day_with_data() -> None:
    assert preset_range("7d", LAST) == (date(2026, 10, 9), LAST)
    assert preset_range("30d", LAST) == (date(2026, 9, 16), LAST)
    assert preset_range("all", LAST) == (None, None)
    assert preset_range("7d", None) == (None, None)


def test_a_half_picked_or_reversed_range_still_makes_sense() -> None:
    default = (date(2026, 10, 1), LAST)
    assert custom_range((date(2026, 10, 3),), default) == (date(2026, 10, 3), date(2026, 10, 3))
    assert custom_range((LAST, date(2026, 10, 3)), default) == (date(2026, 10, 3), LAST)
    assert custom_range((), default) == default


def test_url_dates_are_clipped_to_the_data_and_bad_ones_ignored() -> None:
    first = date(2026, 10, 1)
    assert url_dates(["2026-09-01", "2026-10-05"], first, LAST) == (first, date(2026, 10, 5))
    assert url_dates(["not-a-day", "2026-10-05"], first, LAST) is None
    assert url_dates(["2026-10-05"], first, LAST) is None


def test_previous_period_has_equal_length_and_keeps_the_filters() -> None:
    week = Slice(date(2026, 10, 9), LAST, countries=("BR",))
    assert week.previous() == Slice(date(2026, 10, 2), date(2026, 10, 8), countries=("BR",))
    assert week.with_previous() == Slice(date(2026, 10, 2), LAST, countries=("BR",))
    assert Slice().previous() is None
