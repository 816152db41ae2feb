"""Chart builders: pure functions from a Polars frame (and display labels) to a Plotly figure.

No Streamlit here and no data access: every builder is tested on the traces it returns. Labels
come in as mappings so the same builder serves English and Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

FONT = "Inter, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
PALETTE = ("#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#0a7f86", "#e16f24", "#6e7781")
# error class -> colour (bad classes warm, benign ones cool/grey)
CLASS_COLOURS: dict[str, str] = {
    "transient": "#6e7781",
    "throttle": "#bf8700",
    "config": "#8250df",
    "policy": "#a40e26",
    "recipient": "#1f6feb",
    "opt_out": "#e16f24",
    "quality": "#cf222e",
    "window": "#0a7f86",
    "billing": "#953800",
    "auth": "#4d2d8c",
    "holdout": "#afb8c1",
    "unknown": "#d0d7de",
}


def _layout(fig: go.Figure, *, height: int = 360) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        font={"family": FONT},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="closest",
    )
    return fig


def funnel(stages: pl.DataFrame, labels: Mapping[str, str]) -> go.Figure:
    """Accepted -> delivered -> read -> responded, each with its share of accepted."""
    fig = go.Figure(
        go.Funnel(
            y=[labels.get(stage, stage) for stage in stages["stage"].to_list()],
            x=stages["count"].to_list(),
            texttemplate="%{value:,d}<br>%{percentInitial:.1%}",
            marker={"color": list(PALETTE[: len(stages)])},
        )
    )
    return _layout(fig, height=300)


def daily(
    by_day: pl.DataFrame, labels: Mapping[str, str], rates: Sequence[str], *, axis_date: str = "%d %b"
) -> go.Figure:
    """Accepted messages per day (bars) with chosen rates (lines, right axis, in percent)."""
    fig = go.Figure()
    days = by_day["day"].to_list()
    fig.add_bar(x=days, y=by_day["accepted"].to_list(), name=labels["accepted"], marker_color="#d0d7de")
    for index, rate in enumerate(rates):
        fig.add_scatter(
            x=days,
            y=by_day[rate].to_list(),
            name=labels[rate],
            mode="lines+markers",
            yaxis="y2",
            line={"color": PALETTE[index % len(PALETTE)], "width": 2},
        )
    fig.update_layout(
        xaxis={"tickformat": axis_date},
        yaxis={"title": labels["accepted"], "rangemode": "tozero"},
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero"},
    )
    return _layout(fig)


def world_map(
    by_country: pl.DataFrame, value: str, title: str, *, is_rate: bool, higher_is_better: bool = True
) -> go.Figure:
    """A choropleth of ``value`` per country (needs ``iso3`` and ``country_name`` columns)."""
    placed = by_country.filter(pl.col("iso3").is_not_null())
    scale = "Blues" if not is_rate else ("RdYlGn" if higher_is_better else "RdYlGn_r")
    fig = go.Figure(
        go.Choropleth(
            locations=placed["iso3"].to_list(),
            z=placed[value].to_list(),
            text=placed["country_name"].to_list(),
            locationmode="ISO-3",
            colorscale=scale,
            colorbar={"title": {"text": title}, "tickformat": ".0%" if is_rate else ",d"},
            hovertemplate="%{text}: %{z" + (":.1%" if is_rate else ":,d") + "}<extra></extra>",
            marker={"line": {"color": "white", "width": 0.5}},
        )
    )
    fig.update_geos(
        showframe=False,
        showcoastlines=False,
        showland=True,
        landcolor="#eef1f4",
        showcountries=True,
        countrycolor="#ffffff",
        projection_type="natural earth",
        projection_rotation={"lon": 10},
        lataxis_range=[-58, 84],
    )
    return _layout(fig, height=460)


def stacked(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    group: str,
    names: Mapping[str, str],
    colours: Mapping[str, str] | None = None,
    axis_date: str | None = None,
) -> go.Figure:
    """Stacked bars of ``y`` over ``x``, one trace per ``group`` value (in ``names`` order first)."""
    fig = go.Figure()
    present = frame[group].unique().to_list() if len(frame) else []
    order = [key for key in names if key in present] + sorted(k for k in present if k not in names)
    for index, key in enumerate(order):
        part = frame.filter(pl.col(group) == key).sort(x)
        colour = (colours or {}).get(key, PALETTE[index % len(PALETTE)])
        fig.add_bar(x=part[x].to_list(), y=part[y].to_list(), name=names.get(key, key), marker_color=colour)
    fig.update_layout(barmode="stack")
    if axis_date:
        fig.update_xaxes(tickformat=axis_date)
    return _layout(fig)


def bars(frame: pl.DataFrame, *, x: str, y: str, name: str, horizontal: bool = False) -> go.Figure:
    """One series of bars; horizontal bars list the largest value on top."""
    if horizontal:
        ordered = frame.reverse()
        bar = go.Bar(x=ordered[y].to_list(), y=ordered[x].to_list(), name=name, orientation="h")
    else:
        bar = go.Bar(x=frame[x].to_list(), y=frame[y].to_list(), name=name)
    fig = go.Figure(bar)
    fig.update_traces(marker_color=PALETTE[0])
    return _layout(fig, height=max(260, 28 * len(frame)) if horizontal else 320)


def lines(
    frame: pl.DataFrame, *, x: str, ys: Mapping[str, str], y_title: str = "", axis_date: str | None = None
) -> go.Figure:
    """One line per column of ``ys`` (column -> legend name) over ``x``."""
    fig = go.Figure()
    for index, (column, name) in enumerate(ys.items()):
        fig.add_scatter(
            x=frame[x].to_list(),
            y=frame[column].to_list(),
            name=name,
            mode="lines+markers",
            line={"color": PALETTE[index % len(PALETTE)]},
        )
    fig.update_layout(yaxis={"title": y_title, "rangemode": "tozero"})
    if axis_date:
        fig.update_xaxes(tickformat=axis_date)
    return _layout(fig)


def timeline(frame: pl.DataFrame, *, y: str, event: str, names: Mapping[str, str], hover: str) -> go.Figure:
    """Events as markers over time (``ts``), one row per ``y`` value, one trace per event kind."""
    fig = go.Figure()
    kinds = frame[event].fill_null("?").unique().sort().to_list() if len(frame) else []
    for index, kind in enumerate(kinds):
        part = frame.filter(pl.col(event).fill_null("?") == kind)
        fig.add_scatter(
            x=part["ts"].to_list(),
            y=part[y].to_list(),
            mode="markers",
            name=names.get(kind, kind),
            text=part[hover].cast(pl.String).fill_null("").to_list(),
            hovertemplate="%{x}<br>%{y}<br>%{text}<extra>" + names.get(kind, kind) + "</extra>",
            marker={"size": 12, "color": _event_colour(kind, index), "line": {"width": 1, "color": "white"}},
        )
    fig.update_yaxes(type="category")
    return _layout(fig, height=max(240, 60 + 40 * (frame[y].n_unique() if len(frame) else 1)))


def _event_colour(kind: str, index: int) -> str:
    bad = {"FLAGGED", "DOWNGRADE", "PAUSED", "DISABLED", "REJECTED", "RED", "LOCKED"}
    good = {"UNFLAGGED", "UPGRADE", "APPROVED", "GREEN", "REINSTATED", "THROUGHPUT_UPGRADE"}
    if kind in bad:
        return "#cf222e"
    if kind in good:
        return "#2da44e"
    return PALETTE[(index + 2) % len(PALETTE)]
