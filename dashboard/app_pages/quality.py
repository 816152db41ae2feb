"""Quality: phone-number quality and tier history, template status and quality events, pauses."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, components, data, login, shaping
from dashboard.filters import PARAMS
from dashboard.frame import View, current


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("quality.title"))
    st.caption(t("quality.history_note"))
    if not components.ready(view):
        return
    _numbers(view)
    _templates(view)
    _account(view)


def _names(view: View, values: list[str]) -> dict[str, str]:
    t = view.t
    return {v: t(f"event.{v}") if t.has(f"event.{v}") else v for v in values}


def _numbers(view: View) -> None:
    t = view.t
    st.subheader(t("quality.numbers"))
    components.scope(view, ignores=tuple(PARAMS), dates=False)
    events = shaping.masked_numbers(data.phone_events(view.src), reveal=_reveal(view))
    if events.is_empty():
        st.caption(t("overview.numbers_empty"))
        return
    tier_name = {name[5:]: t(name) for name in t.keys("tier.")}
    tier = pl.coalesce("current_limit", "max_daily_conversations", "max_daily_conversations_per_phone")
    events = events.with_columns(
        tier=tier.replace(tier_name), old_limit=pl.col("old_limit").replace(tier_name)
    )
    names = _names(view, events["event"].drop_nulls().unique().to_list())
    fig = charts.timeline(events, y="display_phone_number", event="event", names=names, hover="tier")
    components.chart(fig, "numbers")
    columns = ("ts", "display_phone_number", "field", "event", "old_limit", "tier")
    components.table(
        t,
        events.select(columns),
        key="number_events",
        labels={c: t(f"quality.col_{c}") for c in columns},
        formats={"ts": components.when(t)},
    )


def _reveal(view: View) -> bool:
    """Whether to show full numbers: only for a role that may, on request, and logged."""
    if not view.viewer.can_reveal:
        return False
    t = view.t
    return st.toggle(
        t("quality.reveal"),
        key="reveal_numbers",
        help=t("quality.reveal_help"),
        on_change=_log_reveal,
        args=(view,),
    )


def _log_reveal(view: View) -> None:
    # logged when switched on, not on every rerun while it stays on
    if st.session_state.get("reveal_numbers"):
        login.log_reveal(view.viewer, "quality")


def _templates(view: View) -> None:
    t = view.t
    st.subheader(t("quality.templates"))
    components.scope(view, ignores=("campaigns", "categories", "countries", "phone_number_ids"), dates=False)
    signals = shaping.template_signals(data.template_events(view.src))
    if view.slice.templates and len(signals):
        signals = signals.filter(pl.col("template").is_in(view.slice.templates))
    if signals.is_empty():
        st.caption(t("quality.no_template_events"))
        return
    names = _names(view, signals["value"].unique().to_list())
    fig = charts.timeline(signals, y="template", event="value", names=names, hover="detail")
    components.chart(fig, "templates")
    st.markdown(f"**{t('quality.pauses')}**")
    stops = shaping.pauses(data.template_events(view.src))
    if view.slice.templates and len(stops):
        stops = stops.filter(pl.col("template").is_in(view.slice.templates))
    columns = ("ts", "template", "language", "event", "pause_kind", "reason", "category")
    components.table(
        t,
        stops.select(columns) if len(stops) else stops,
        key="pauses",
        labels={c: t(f"quality.col_{c}") for c in columns},
        formats={"ts": components.when(t)},
    )
    st.markdown(f"**{t('quality.all_template_events')}**")
    labels = {c: t(f"quality.col_{c}") for c in signals.columns}
    components.table(t, signals, key="template_events", labels=labels, formats={"ts": components.when(t)})


def _account(view: View) -> None:
    t = view.t
    st.subheader(t("quality.account"))
    events = data.account_events(view.src)
    if events.is_empty():
        st.caption(t("quality.no_account_events"))
        return
    columns = ("ts", "field", "event", "severity", "status", "detail", "restrictions")
    components.table(
        t,
        events.select(columns),
        key="account_events",
        labels={c: t(f"quality.col_{c}") for c in columns},
        formats={"ts": components.when(t)},
    )


if __name__ == "__main__":
    render(current())
