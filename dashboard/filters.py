"""The filters every page shares: a date range with presets and five dimensions, kept in the URL.

Their values live in the address bar (see :mod:`dashboard.urlstate`), so a copied link opens the
same view: ``?range=7d&campaign=a&country=BR``. They are drawn by the entry point (app.py), so
their state survives page switches.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from core.dashboard_queries import Slice
from dashboard import urlstate
from dashboard.catalog import country_name
from dashboard.i18n import Text

PRESETS = ("7d", "30d", "90d", "all", "custom")
DEFAULT_PRESET = "30d"
_PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}

# Slice field -> URL parameter (and widget key)
PARAMS: dict[str, str] = {
    "campaigns": "campaign",
    "templates": "template",
    "categories": "category",
    "countries": "country",
    "phone_number_ids": "number",
}


def preset_range(preset: str, last_day: date | None) -> tuple[date | None, date | None]:
    """The days a preset covers, ending at the newest day with data (``None``s: all time).

    Presets end at the newest day in the warehouse rather than today, so a workspace whose data
    stopped a while ago still opens on its latest activity; the range shown says which days.
    """
    days = _PRESET_DAYS.get(preset)
    if days is None or last_day is None:
        return None, None
    return last_day - timedelta(days=days - 1), last_day


def custom_range(picked: tuple[date, ...] | date | None, default: tuple[date, date]) -> tuple[date, date]:
    """A date-input value as an inclusive range (a half-picked range covers its one day)."""
    if isinstance(picked, date):
        return picked, picked
    if not picked:
        return default
    first, last = picked[0], picked[-1]
    return (first, last) if first <= last else (last, first)


def values(options: pl.DataFrame, field: str) -> list[str]:
    """The values of one filter, most messages first."""
    if options.is_empty():
        return []
    return options.filter(pl.col("filter") == field)["value"].cast(pl.String).to_list()


def day_bounds(options: pl.DataFrame) -> tuple[date | None, date | None]:
    """First and last day with messages."""
    if options.is_empty():
        return None, None
    first: date = options["first_day"].min()  # type: ignore[assignment]
    last: date = options["last_day"].max()  # type: ignore[assignment]
    return first, last


def render(t: Text, options: pl.DataFrame) -> tuple[str, Slice]:
    """Draw the filters in the sidebar; the chosen preset and the slice they select."""
    first, last = day_bounds(options)
    st.sidebar.subheader(t("filters.title"))
    urlstate.seed("range", PRESETS, DEFAULT_PRESET)
    preset = st.sidebar.selectbox(
        t("filters.range"), PRESETS, format_func=lambda key: t(f"filters.preset_{key}"), key="range"
    )
    urlstate.publish("range", preset, DEFAULT_PRESET)
    start, end = preset_range(preset, last)
    if preset == "custom" and first is not None and last is not None:
        start, end = _custom_dates(t, first, last)
    elif "dates" in st.query_params:
        del st.query_params["dates"]
    st.sidebar.caption(t.date_range(start, end))
    chosen = {field: tuple(_multiselect(t, options, field)) for field in PARAMS}
    return preset, Slice(start=start, end=end, **chosen)


def _custom_dates(t: Text, first: date, last: date) -> tuple[date, date]:
    default = (max(first, last - timedelta(days=29)), last)
    if "dates" not in st.session_state:
        st.session_state["dates"] = url_dates(st.query_params.get_all("dates"), first, last) or default
    picked = st.sidebar.date_input(t("filters.dates"), min_value=first, max_value=last, key="dates")
    start, end = custom_range(picked, default)
    urlstate.publish("dates", [start.isoformat(), end.isoformat()])
    return start, end


def url_dates(values: list[str], first: date, last: date) -> tuple[date, date] | None:
    """Two ISO days from the URL, clipped to the data's days; ``None`` if they are not two days."""
    try:
        days = sorted(date.fromisoformat(value) for value in values)
    except ValueError:
        return None
    if len(days) != 2:
        return None
    return max(days[0], first), min(days[1], last)


def _multiselect(t: Text, options: pl.DataFrame, field: str) -> list[str]:
    def label(value: str) -> str:
        if field == "countries":
            return f"{country_name(value, t.lang)} ({value})"
        if field == "categories" and t.has(f"category.{value}"):
            return t(f"category.{value}")
        return value

    key = PARAMS[field]
    allowed = values(options, field)
    urlstate.seed(key, allowed, [], many=True)
    chosen = st.sidebar.multiselect(
        t(f"filters.{field}"), allowed, format_func=label, placeholder=t("filters.all"), key=key
    )
    urlstate.publish(key, chosen)
    return chosen
