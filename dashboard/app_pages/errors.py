"""Errors: failed messages and rejected sends over time by class, and every code with what to do."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, data, shaping
from dashboard.catalog import error_classes
from dashboard.charts import CLASS_COLOURS
from dashboard.frame import View, current


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("errors.title"))
    if not components.ready(view):
        return
    components.scope(view)
    counts = data.error_counts(view.src, view.slice)
    if counts.is_empty():
        st.success(t("errors.none"), icon=":material/check_circle:")
        return
    by_class = shaping.errors_by_class(counts)
    names = {key: labels[t.lang] for key, labels in error_classes().items()}
    fig = charts.stacked(
        by_class,
        x="day",
        y="n",
        group="error_class",
        names=names,
        colours=CLASS_COLOURS,
        axis_date=t.axis_date,
    )
    components.chart(fig, "by_class")
    st.caption(t("errors.note"))
    st.subheader(t("errors.codes"))
    table = shaping.error_table(counts, t.lang)
    keys = ("error_code", "error_class", "meaning", "what_to_do", "failed", "rejected", "total")
    components.table(t, table, key="error_codes", labels={k: t(f"errors.col_{k}") for k in keys}, static=True)


if __name__ == "__main__":
    render(current())
