"""Campaigns and templates: every rate per campaign (or template), and a drill-down into one."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from core.dashboard_queries import Slice
from dashboard import charts, components, data, shaping, urlstate
from dashboard.frame import View, current

RATES = (
    "delivery_rate",
    "read_rate",
    "response_rate",
    "opt_out_rate",
    "complaint_rate",
    "block_rate_est",
    "failure_rate",
)
# table columns after the group key: the rates managers read first, then the counts behind them
COLUMNS = (
    *RATES[:6],
    "accepted",
    "sends_after_opt_out",
    "failure_rate",
    "attempted",
    "delivered",
    "read",
    "responded",
    "failed",
    "rejected",
    "held",
    "holdout",
)
CONTACT_LIMIT = 500
GROUPS = ("campaign", "template")


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("campaigns.title"))
    if not components.ready(view):
        return
    components.scope(view)
    urlstate.seed("by", GROUPS, GROUPS[0])
    by = st.segmented_control(
        t("campaigns.group_by"), GROUPS, format_func=lambda key: t(f"metric.{key}"), key="by"
    )
    by = by or GROUPS[0]
    urlstate.publish("by", by, GROUPS[0])
    rows = data.metrics(view.src, by, view.slice)
    columns = [by, *COLUMNS]
    components.table(
        t,
        rows.select(columns) if len(rows) else rows,
        key=f"by_{by}",
        labels=_labels(view, columns),
        formats={rate: components.percent() for rate in RATES},
    )
    st.divider()
    st.subheader(t(f"campaigns.drill_{by}"))
    names = rows.sort("accepted", descending=True)[by].to_list() if len(rows) else []
    urlstate.seed("drill", names, names[0] if names else None)
    chosen = st.selectbox(t(f"campaigns.pick_{by}"), names, key="drill")
    urlstate.publish("drill", chosen, names[0] if names else None)
    if chosen:
        one = (chosen,)
        _drill(
            view,
            replace(view.slice, campaigns=one) if by == "campaign" else replace(view.slice, templates=one),
        )


def _labels(view: View, columns: list[str]) -> dict[str, str]:
    return {column: view.t(f"metric.{column}") for column in columns}


def _drill(view: View, where: Slice) -> None:
    t = view.t
    totals = data.metrics(view.src, "total", where)
    row = totals.row(0, named=True) if len(totals) else {}
    failures = shaping.error_table(data.error_counts(view.src, where), t.lang)
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('campaigns.funnel')}**")
        labels = {stage: t(f"metric.{stage}") for stage in shaping.FUNNEL}
        components.chart(charts.funnel(shaping.funnel(row), labels), "drill_funnel")
    with right:
        st.markdown(f"**{t('campaigns.failures')}**")
        if len(failures):
            codes = failures.with_columns(pl.col("error_code").cast(pl.String))
            chart = charts.bars(codes, x="error_code", y="total", name=t("errors.col_total"), horizontal=True)
            components.chart(chart, "drill_failures")
    components.table(t, failures, key="drill_failures", labels=_error_labels(view), static=True)
    st.markdown(f"**{t('campaigns.countries')}**")
    by_country = data.metrics(view.src, "country", where)
    if len(by_country):
        by_country = shaping.with_countries(by_country, t.lang).sort("accepted", descending=True)
        columns = ["country_name", "country", "accepted", *RATES]
        components.table(
            t,
            by_country.select(columns),
            key="drill_countries",
            labels={**_labels(view, columns), "country_name": t("countries.name"), "country": "ISO"},
            formats={rate: components.percent() for rate in RATES},
        )
    st.markdown(f"**{t('campaigns.contacts', limit=CONTACT_LIMIT)}**")
    st.caption(t("campaigns.contacts_note"))
    _contacts(view, where)


def _error_labels(view: View) -> dict[str, str]:
    t = view.t
    keys = ("error_code", "error_class", "meaning", "what_to_do", "failed", "rejected", "total")
    return {key: t(f"errors.col_{key}") for key in keys}


def _contacts(view: View, where: Slice) -> None:
    t = view.t
    messages = shaping.message_state(data.messages(view.src, where, CONTACT_LIMIT))
    if len(messages):
        states = {s: t(f"state.{s}") for s in ("read", "delivered", "failed", "holdout", "sent")}
        messages = messages.with_columns(pl.col("state").replace_strict(states, default=pl.col("state")))
        messages = messages.select(
            "sent_at", "contact_key", "country", "template", "language", "state", "error_code",
            "responded", "opted_out", "complained", "blocked_est",
        )  # fmt: skip
    labels = {c: t(f"contacts.{c}") for c in messages.columns}
    components.table(
        t, messages, key="drill_contacts", labels=labels, formats={"sent_at": components.when(t)}
    )


if __name__ == "__main__":
    render(current())
