"""Compliance: sends after opt-out, the suppression list, opt-outs, suppression latency, lint history."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, components, data, shaping
from dashboard.filters import PARAMS
from dashboard.frame import View, current
from dashboard.i18n import Text

CHANNELS = ("keyword", "button", "user_preferences", "error_131050", "complaint")


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("compliance.title"))
    if not components.ready(view):
        return
    _breaches(view)
    _suppression(view)
    _opt_outs(view)
    _latency(view)
    _lint_history(view)


def _lint_history(view: View) -> None:
    """Every lint run and every send's gate, from the audit trail: who checked what, with what result."""
    t = view.t
    st.subheader(t("compliance.lint"))
    rows = data.lint_history(view.src)
    if rows.is_empty():
        st.info(t("compliance.lint_empty"), icon=":material/fact_check:")
        return
    shown = rows.with_columns(
        pl.col("action").map_elements(
            lambda a: t(f"lint_run.kind_{a.replace('.', '_')}"), return_dtype=pl.String
        )
    )
    labels = {c: t(f"lint_run.{c}") for c in shown.columns}
    components.table(t, shown, key="lint_history", labels=labels, formats={"at": components.when(t)})
    st.caption(t("compliance.lint_note"))


def _breaches(view: View) -> None:
    t = view.t
    st.subheader(t("compliance.breaches"))
    components.scope(view)
    totals = data.metrics(view.src, "total", view.slice)
    count = int(totals["sends_after_opt_out"][0]) if len(totals) else 0
    if count == 0:
        st.success(t("compliance.no_breaches"), icon=":material/check_circle:")
        return
    st.error(t("compliance.breaches_found", count=t.count(count)), icon=":material/gpp_bad:")
    rows = data.breaches(view.src, view.slice)
    columns = ("attempted_at", "campaign", "template", "category", "country", "phone_number_id",
               "contact_key", "opted_out_at", "scope", "channel")  # fmt: skip
    components.table(
        t,
        rows.with_columns(
            pl.col("channel").map_elements(lambda c: t(f"channel.{c}"), return_dtype=pl.String)
        ),
        key="breaches",
        labels={c: t(f"breach.{c}") for c in columns},
        formats={"attempted_at": components.when(t), "opted_out_at": components.when(t)},
    )
    if len(rows) < count:
        st.caption(t("compliance.breaches_capped", shown=t.count(len(rows))))


def _suppression(view: View) -> None:
    t = view.t
    st.subheader(t("compliance.suppression"))
    components.scope(view, ignores=tuple(PARAMS), dates=False)
    summary = data.suppression(view.src)
    people = (
        {s: int(summary.filter(pl.col("status") == s)["contacts"].sum()) for s in ("active", "review")}
        if len(summary)
        else {"active": 0, "review": 0}
    )
    a, b, c = st.columns(3)
    a.metric(t("compliance.active"), t.count(people["active"]), border=True, help=t("compliance.active_help"))
    b.metric(t("compliance.review"), t.count(people["review"]), border=True, help=t("compliance.review_help"))
    entries = int(summary["entries"].sum()) if len(summary) else 0
    c.metric(t("compliance.entries"), t.count(entries), border=True, help=t("compliance.entries_help"))
    growth = shaping.cumulative(data.suppression_growth(view.src))
    if len(growth):
        names = {"active": t("compliance.active"), "review": t("compliance.review")}
        wide = (
            growth.pivot(on="status", index="day", values="total").sort("day").fill_null(strategy="forward")
        )
        present = {k: v for k, v in names.items() if k in wide.columns}
        components.chart(
            charts.lines(wide.fill_null(0), x="day", ys=present, axis_date=t.axis_date), "growth"
        )
        st.caption(t("compliance.growth_note"))


def _opt_outs(view: View) -> None:
    t = view.t
    st.subheader(t("compliance.opt_outs"))
    components.scope(view, ignores=tuple(PARAMS))
    rows = data.opt_outs(view.src, view.slice.start, view.slice.end)
    if rows.is_empty():
        st.caption(t("compliance.no_opt_outs"))
        return
    left, right = st.columns(2, gap="large")
    by_channel = shaping.totals_by(rows, "channel", kind="opt_out").with_columns(
        pl.col("channel").map_elements(lambda c: t(f"channel.{c}"), return_dtype=pl.String)
    )
    with left:
        st.markdown(f"**{t('compliance.by_channel')}**")
        chart = charts.bars(by_channel, x="channel", y="n", name=t("compliance.opt_outs"), horizontal=True)
        components.chart(chart, "by_channel")
    named = rows.with_columns(
        pl.col("language").map_elements(lambda code: _language(t, code), return_dtype=pl.String)
    )
    by_language = shaping.totals_by(named, "language", kind="opt_out")
    with right:
        st.markdown(f"**{t('compliance.by_language')}**")
        chart = charts.bars(by_language, x="language", y="n", name=t("compliance.opt_outs"), horizontal=True)
        components.chart(chart, "by_language")
    reviews = int(rows.filter(pl.col("kind") == "review")["n"].sum())
    st.caption(t("compliance.reviews", count=t.count(reviews)))
    table = rows.with_columns(
        pl.col("channel").map_elements(lambda c: t(f"channel.{c}"), return_dtype=pl.String),
        pl.col("kind").map_elements(lambda k: t(f"kind.{k}"), return_dtype=pl.String),
    )
    labels = {c: t(f"optout.{c}") for c in table.columns}
    components.table(
        t, table, key="opt_outs", labels=labels, formats={"day": components.when(t, with_time=False)}
    )


def _language(t: Text, code: str) -> str:
    if not code:
        return t("compliance.no_text")
    return t(f"language.{code}") if t.has(f"language.{code}") else code


def _latency(view: View) -> None:
    t = view.t
    st.subheader(t("compliance.latency"))
    components.scope(view, ignores=tuple(PARAMS))
    rows = data.latency(view.src, view.slice.start, view.slice.end)
    if rows.is_empty():
        st.caption(t("compliance.no_opt_outs"))
        return
    # hours for a pipeline that runs often, days for a backlog loaded at once
    backlog = rows.filter(pl.col("max_seconds") > 3 * 86400).height > 0
    unit, size = ("days", 86400) if backlog else ("hours", 3600)
    scaled = rows.with_columns(median=pl.col("median_seconds") / size, longest=pl.col("max_seconds") / size)
    ys = {"median": t("compliance.median"), "longest": t("compliance.max")}
    fig = charts.lines(scaled, x="day", ys=ys, y_title=t(f"compliance.{unit}"), axis_date=t.axis_date)
    components.chart(fig, "latency")
    table = rows.with_columns(
        pl.col("median_seconds").map_elements(t.duration, return_dtype=pl.String).alias("median"),
        pl.col("max_seconds").map_elements(t.duration, return_dtype=pl.String).alias("max"),
    ).select("day", "opt_outs", "median", "max", "median_seconds", "max_seconds")
    labels = {c: t(f"latency.{c}") for c in table.columns}
    components.table(
        t, table, key="latency", labels=labels, formats={"day": components.when(t, with_time=False)}
    )


if __name__ == "__main__":
    render(current())
