"""Overview: KPIs against the previous period, funnel, daily series, freshness, numbers, alerts."""

from __future__ import annotations

from typing import Literal

import polars as pl
import streamlit as st

from dashboard import charts, components, data, shaping
from dashboard.frame import View, current

TREND_RATES = ("delivery_rate", "read_rate", "response_rate")
QUALITY_COLOURS: dict[str, Literal["red", "green", "gray"]] = {"FLAGGED": "red", "UNFLAGGED": "green"}


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("overview.title"))
    if not components.ready(view):
        return
    components.scope(view)
    _freshness(view)
    periods = data.periods(view.src, view.slice)
    by_day = data.metrics(view.src, "day", view.slice)
    trends = {m: by_day[m].drop_nulls().to_list() for m, _, _ in shaping.KPIS} if len(by_day) else {}
    components.kpi_cards(t, shaping.kpis(periods), trends)
    current_row = periods.filter(pl.col("period") == "current").row(0, named=True) if len(periods) else {}
    breaches = int(current_row.get("sends_after_opt_out") or 0)
    if breaches:
        st.error(t("overview.breaches", count=t.count(breaches)), icon=":material/block:")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("overview.funnel"))
        labels = {stage: t(f"metric.{stage}") for stage in shaping.FUNNEL}
        components.chart(charts.funnel(shaping.funnel(current_row), labels), "funnel")
    with right:
        _numbers(view)
    st.subheader(t("overview.daily"))
    names = {m: t(f"metric.{m}") for m in ("accepted", *TREND_RATES)}
    components.chart(charts.daily(by_day, names, TREND_RATES, axis_date=t.axis_date), "daily")
    with st.expander(t("overview.daily_table")):
        columns = ["day", "accepted", "delivered", "read", "responded", *TREND_RATES]
        components.table(
            t,
            by_day.select(columns) if len(by_day) else by_day,
            key="daily",
            labels={c: t(f"metric.{c}") for c in columns},
            formats={
                "day": components.when(t, with_time=False),
                **{r: components.percent() for r in TREND_RATES},
            },
        )
    _alerts(view)


def _alerts(view: View) -> None:
    t = view.t
    st.subheader(t("overview.alerts"))
    active = data.active_alerts(view.src)
    if active.is_empty():
        st.info(t("overview.alerts_empty"), icon=":material/notifications_off:")
        return
    firing = int((active["state"] == "firing").sum())
    st.error(t("overview.alerts_firing", count=firing), icon=":material/notifications_active:")
    columns = [
        "rule",
        "state",
        "severity",
        "labels",
        "value",
        "threshold",
        "fired_at",
        "acknowledged",
        "paused",
    ]
    components.table(
        t,
        active.select(columns),
        key="alerts",
        labels={c: t(f"alerts.{c}") for c in columns},
        formats={
            "fired_at": components.when(t),
            "value": components.percent(),
            "threshold": components.percent(),
        },
    )


def _freshness(view: View) -> None:
    t = view.t
    found = data.freshness(view.src)
    zone = str(found.get("reporting_timezone") or "UTC")
    newest = max(
        (found[k] for k in ("newest_status", "newest_inbound", "newest_send") if found.get(k)), default=None
    )
    st.caption(
        t("overview.as_of", newest=t.moment(newest, zone), load=t.moment(found.get("last_load"), zone)),
        help=t("overview.as_of_help"),
    )


def _numbers(view: View) -> None:
    t = view.t
    st.subheader(t("overview.numbers"))
    status = shaping.number_status(data.phone_events(view.src))
    if status.is_empty():
        st.caption(t("overview.numbers_empty"))
        return
    for row in status.iter_rows(named=True):
        quality = row["quality"] or "none"
        tier = row["tier"] or "–"
        with st.container(border=True):
            st.markdown(f"**{row['number']}**")
            left, right = st.columns(2)
            left.caption(t("overview.quality"), help=t("overview.quality_help"))
            left.badge(t(f"number_quality.{quality}"), color=QUALITY_COLOURS.get(quality, "gray"))
            right.caption(t("overview.tier"), help=t("overview.tier_help"))
            right.badge(t(f"tier.{tier}") if t.has(f"tier.{tier}") else tier, color="blue")
            since = max((x for x in (row["quality_at"], row["tier_at"]) if x is not None), default=None)
            st.caption(t("overview.number_since", time=t.moment(since)))
    st.caption(t("overview.numbers_note"))


if __name__ == "__main__":
    render(current())
