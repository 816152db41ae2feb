"""Definitions: what every number on the dashboard means (docs/metrics.md, for managers)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core.queries import COUNT_KEYS, RATES
from dashboard import components
from dashboard.frame import View, current

COUNTS = COUNT_KEYS


def rate_rows(view: View) -> pl.DataFrame:
    """One row per rate: name, formula (from core.queries.RATES) and meaning."""
    t = view.t
    return pl.DataFrame(
        {
            "metric": [t(f"metric.{rate}") for rate in RATES],
            "formula": [f"{t(f'metric.{num}')} ÷ {t(f'metric.{den}')}" for num, den in RATES.values()],
            "meaning": [t(f"definition.{rate}") for rate in RATES],
        }
    )


def count_rows(view: View) -> pl.DataFrame:
    """One row per count: name and meaning."""
    t = view.t
    return pl.DataFrame(
        {"metric": [t(f"metric.{c}") for c in COUNTS], "meaning": [t(f"definition.{c}") for c in COUNTS]}
    )


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("definitions.title"))
    st.markdown(t("definitions.intro"))
    st.warning(t("definitions.block_estimate"), icon=":material/info:")
    labels = {"metric": t("definitions.col_metric"), "formula": t("definitions.col_formula"),
              "meaning": t("definitions.col_meaning")}  # fmt: skip
    st.subheader(t("definitions.rates"))
    components.table(t, rate_rows(view), key="rates", labels=labels, static=True)
    st.subheader(t("definitions.counts"))
    components.table(t, count_rows(view), key="counts", labels=labels, static=True)
    st.subheader(t("definitions.rules"))
    for key in ("attribution", "day", "holdout", "filters", "presets", "privacy"):
        st.markdown(f"- {t(f'definitions.rule_{key}')}")


if __name__ == "__main__":
    render(current())
