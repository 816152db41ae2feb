"""Chart builders are pure: a frame in, a figure out; checked on the traces they return."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from dashboard import charts


def test_funnel_keeps_stage_order_and_counts() -> None:
    stages = pl.DataFrame(
        {"stage": ["accepted", "delivered", "read", "responded"], "count": [100, 90, 60, 5]}
    )
    fig = charts.funnel(stages, {"accepted": "已提交", "delivered": "已送达"})
    (trace,) = fig.data
    assert trace.type == "funnel"
    assert list(trace.y) == ["已提交", "已送达", "read", "responded"]  # unlabelled stages keep their key
    assert list(trace.x) == [100, 90, 60, 5]


def test_daily_has_accepted_bars_and_rate_lines_on_the_right_axis() -> None:
    days = [date(2026, 10, 1), date(2026, 10, 2)]
    by_day = pl.DataFrame(
        {"day": days, "accepted": [10, 20], "delivery_rate": [0.9, None], "read_rate": [0.5, 0.6]}
    )
    labels = {"accepted": "Accepted", "delivery_rate": "Delivery", "read_rate": "Read"}
    fig = charts.daily(by_day, labels, ["delivery_rate", "read_rate"])
    bars, delivery, read = fig.data
    assert (bars.type, list(bars.y), bars.name) == ("bar", [10, 20], "Accepted")
    assert (delivery.type, delivery.yaxis, list(delivery.y)) == ("scatter", "y2", [0.9, None])
    assert read.name == "Read"
    assert fig.layout.yaxis2.tickformat == ".0%"


def test_world_map_uses_iso3_and_leaves_unplaced_numbers_out() -> None:
    rows = pl.DataFrame(
        {
            "iso3": ["BRA", None, "DEU"],
            "country_name": ["Brazil", "Unknown", "Germany"],
            "delivery_rate": [0.9, 0.5, 0.8],
        }
    )
    fig = charts.world_map(rows, "delivery_rate", "Delivery rate", is_rate=True, higher_is_better=True)
    (trace,) = fig.data
    assert trace.type == "choropleth"
    assert trace.locationmode == "ISO-3"
    assert list(trace.locations) == ["BRA", "DEU"]
    assert list(trace.z) == [0.9, 0.8]
    assert trace.colorbar.tickformat == ".0%"


def test_world_map_colours_bad_rates_red_when_high() -> None:
    rows = pl.DataFrame({"iso3": ["USA"], "country_name": ["United States"], "opt_out_rate": [0.1]})
    good = charts.world_map(rows, "opt_out_rate", "x", is_rate=True, higher_is_better=True).data[0]
    bad = charts.world_map(rows, "opt_out_rate", "x", is_rate=True, higher_is_better=False).data[0]
    red, green = "rgb(165,0,38)", "rgb(0,104,55)"
    assert good.colorscale[-1][1] == green  # the highest value is drawn green when high is good
    assert bad.colorscale[-1][1] == red  # ... and red when high is bad (opt-outs, complaints, blocks)


def test_stacked_bars_one_trace_per_group_in_catalogue_order() -> None:
    frame = pl.DataFrame(
        {
            "day": [date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 2)],
            "error_class": ["quality", "transient", "quality"],
            "n": [5, 2, 7],
        }
    )
    fig = charts.stacked(
        frame, x="day", y="n", group="error_class", names={"transient": "Transient", "quality": "Quality"},
        colours={"quality": "#cf222e"},
    )  # fmt: skip
    assert [trace.name for trace in fig.data] == ["Transient", "Quality"]
    quality = fig.data[1]
    assert list(quality.y) == [5, 7]
    assert quality.marker.color == "#cf222e"
    assert fig.layout.barmode == "stack"


def test_horizontal_bars_put_the_largest_on_top() -> None:
    frame = pl.DataFrame({"channel": ["keyword", "button"], "n": [9, 3]})
    (trace,) = charts.bars(frame, x="channel", y="n", name="Opt-outs", horizontal=True).data
    assert trace.orientation == "h"
    assert list(trace.y) == ["button", "keyword"]  # plotly draws the first category at the bottom
    assert list(trace.x) == [3, 9]


def test_lines_one_per_column() -> None:
    frame = pl.DataFrame({"day": [date(2026, 10, 1)], "median_hours": [0.5], "max_hours": [2.0]})
    fig = charts.lines(frame, x="day", ys={"median_hours": "Median", "max_hours": "Longest"})
    assert [(t.name, list(t.y)) for t in fig.data] == [("Median", [0.5]), ("Longest", [2.0])]


def test_timeline_one_trace_per_event_kind_with_bad_events_red() -> None:
    ts = datetime(2026, 10, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "ts": [ts, ts, ts],
            "template": ["a", "b", "a"],
            "value": ["PAUSED", "APPROVED", "PAUSED"],
            "detail": ["x", None, "y"],
        }
    )
    fig = charts.timeline(frame, y="template", event="value", names={"PAUSED": "Paused"}, hover="detail")
    by_name = {trace.name: trace for trace in fig.data}
    assert set(by_name) == {"Paused", "APPROVED"}
    assert list(by_name["Paused"].y) == ["a", "a"]
    assert by_name["Paused"].marker.color == "#cf222e"
    assert by_name["APPROVED"].marker.color == "#2da44e"
    assert list(by_name["APPROVED"].text) == [""]


def test_builders_accept_empty_frames() -> None:
    empty = pl.DataFrame(schema={"day": pl.Date, "error_class": pl.String, "n": pl.Int64})
    assert charts.stacked(empty, x="day", y="n", group="error_class", names={}).data == ()
    timeline = pl.DataFrame(
        schema={"ts": pl.Datetime, "template": pl.String, "value": pl.String, "detail": pl.String}
    )
    assert charts.timeline(timeline, y="template", event="value", names={}, hover="detail").data == ()
