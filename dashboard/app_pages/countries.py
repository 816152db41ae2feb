"""Countries: a world map of one metric and the table of every country."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, data, shaping, urlstate
from dashboard.frame import View, current

# metric -> (is a rate, higher is better)
MAP_METRICS: dict[str, tuple[bool, bool]] = {
    "accepted": (False, True),
    "delivery_rate": (True, True),
    "read_rate": (True, True),
    "response_rate": (True, True),
    "opt_out_rate": (True, False),
    "complaint_rate": (True, False),
    "block_rate_est": (True, False),
    "failure_rate": (True, False),
}


def render(view: View) -> None:
    """Draw the page."""
    t = view.t
    st.title(t("countries.title"))
    if not components.ready(view):
        return
    components.scope(view)
    urlstate.seed("map", list(MAP_METRICS), "accepted")
    metric = st.selectbox(
        t("countries.metric"), list(MAP_METRICS), format_func=lambda key: t(f"metric.{key}"), key="map"
    )
    metric = metric or "accepted"
    urlstate.publish("map", metric, "accepted")
    rows = data.metrics(view.src, "country", view.slice)
    if rows.is_empty():
        st.caption(t("empty.no_rows"))
        return
    rows = shaping.with_countries(rows, t.lang).sort("accepted", descending=True)
    is_rate, better = MAP_METRICS[metric]
    title = t(f"metric.{metric}")
    components.chart(charts.world_map(rows, metric, title, is_rate=is_rate, higher_is_better=better), "map")
    if rows["iso3"].null_count():
        st.caption(t("countries.unplaced"))
    columns = [
        "country_name",
        "country",
        *MAP_METRICS,
        "delivered",
        "read",
        "responded",
        "sends_after_opt_out",
    ]
    components.table(
        t,
        rows.select(columns),
        key="countries",
        labels={
            **{c: t(f"metric.{c}") for c in columns},
            "country_name": t("countries.name"),
            "country": "ISO",
        },
        formats={m: components.percent() for m, (rate, _) in MAP_METRICS.items() if rate},
    )


if __name__ == "__main__":
    render(current())
