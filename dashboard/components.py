"""Reusable pieces of the pages: empty states, the scope line, KPI cards, tables with CSV export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard.filters import PARAMS
from dashboard.frame import View
from dashboard.i18n import Text
from dashboard.shaping import Kpi

CSV_MIME = "text/csv"
# world map shapes come from the dashboard's own static folder, never from a CDN (see static/README.md)
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": "/app/static/"}


def ready(view: View) -> bool:
    """Show the empty state (no warehouse, no schema yet, no messages) and say whether to go on."""
    t = view.t
    if view.status == "missing":
        st.info(t("empty.missing", path=str(view.settings.warehouse_path)), icon=":material/inventory_2:")
    elif view.status == "unready":
        st.info(t("empty.unready"), icon=":material/hourglass_empty:")
    elif view.options.is_empty():
        st.info(t("empty.no_messages"), icon=":material/inbox:")
    else:
        return True
    st.code(t("empty.commands"), language="bash")
    return False


def scope(view: View, *, ignores: Sequence[str] = (), dates: bool = True) -> None:
    """One caption line: the days and filters this section covers, and filters it cannot apply."""
    t = view.t
    parts = [t.date_range(view.slice.start, view.slice.end) if dates else t("scope.all_days")]
    for field in PARAMS:
        chosen: tuple[str, ...] = getattr(view.slice, field)
        if chosen and field not in ignores:
            parts.append(f"{t(f'filters.{field}')}: {', '.join(chosen)}")
    ignored = [t(f"filters.{field}") for field in ignores if getattr(view.slice, field)]
    if ignored:
        parts.append(t("scope.not_applied", filters=", ".join(ignored)))
    st.caption(" · ".join(parts))


def kpi_cards(t: Text, cards: Sequence[Kpi], trends: Mapping[str, list[float]], per_row: int = 4) -> None:
    """The KPI cards: value, change against the previous period, a small daily trend."""
    columns = [column for _ in range(0, len(cards), per_row) for column in st.columns(per_row)]
    for column, card in zip(columns, cards, strict=False):
        if card.kind == "count":
            value = t.count(card.value)
            delta = None if card.delta is None else f"{card.delta:+,.0f}"
        else:
            digits = 1 if card.metric in ("delivery_rate", "read_rate", "response_rate") else 2
            value = t.pct(card.value, digits)
            delta = None if card.delta is None else t.points(card.delta)
        column.metric(
            t(f"metric.{card.metric}"),
            value,
            delta=delta,
            delta_color="normal" if card.rise_is_good else "inverse",
            help=t(f"definition.{card.metric}"),
            border=True,
            chart_data=trends.get(card.metric) or None,
            chart_type="bar" if card.kind == "count" else "line",
            delta_description=t("overview.vs_previous") if delta is not None else None,
        )


def table(
    t: Text,
    frame: pl.DataFrame,
    *,
    key: str,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, Any] | None = None,
    static: bool = False,
) -> None:
    """A sortable table with a CSV download of exactly its rows (column headers in the UI language).

    ``static`` draws a plain table that wraps long text (meanings, advice) instead of a grid.
    """
    if frame.is_empty():
        st.caption(t("empty.no_rows"))
        return
    shown = frame.rename({k: v for k, v in (labels or {}).items() if k in frame.columns})
    if static:
        st.table(shown, hide_index=True)
    else:
        config = {(labels or {}).get(k, k): v for k, v in (formats or {}).items()}
        st.dataframe(shown, hide_index=True, column_config=config, key=f"table_{key}")
    download(t, shown, key)


def download(t: Text, frame: pl.DataFrame, key: str) -> None:
    """A CSV download button; UTF-8 with a byte-order mark so Excel opens Chinese text correctly."""
    data = "\ufeff" + frame.write_csv(datetime_format="%Y-%m-%dT%H:%M:%S%z")
    st.download_button(
        t("table.download"),
        data=data.encode("utf-8"),
        file_name=f"wagate-{key}.csv",
        mime=CSV_MIME,
        icon=":material/download:",
        key=f"csv_{key}",
        on_click="ignore",
    )


def chart(fig: go.Figure, key: str) -> None:
    """A Plotly figure at full width."""
    st.plotly_chart(fig, key=f"chart_{key}", config=PLOTLY_CONFIG)


def percent() -> Any:
    """Column format for a rate (a fraction shown as a percentage)."""
    return st.column_config.NumberColumn(format="percent")


def when(t: Text, *, with_time: bool = True) -> Any:
    """Column format for a date or time in the UI language."""
    if with_time:
        return st.column_config.DatetimeColumn(format=t.moment_datetime)
    return st.column_config.DateColumn(format=t.moment_date)
