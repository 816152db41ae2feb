"""Pure reshaping for the pages, checked on small hand-made frames."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from dashboard import shaping


def period_rows(current: dict[str, object], previous: dict[str, object] | None) -> pl.DataFrame:
    base = {metric: None for metric, _, _ in shaping.KPIS}
    rows = [{**base, **current, "period": "current"}]
    if previous is not None:
        rows.append({**base, **previous, "period": "previous"})
    return pl.DataFrame(rows)


def test_kpi_deltas_are_differences_with_the_previous_period() -> None:
    cards = {
        k.metric: k
        for k in shaping.kpis(
            period_rows(
                {"accepted": 200, "delivery_rate": 0.90, "opt_out_rate": 0.02},
                {"accepted": 150, "delivery_rate": 0.95, "opt_out_rate": 0.01},
            )
        )
    }
    assert cards["accepted"].delta == 50
    assert cards["delivery_rate"].delta == pytest.approx(-0.05)
    assert cards["opt_out_rate"].delta == pytest.approx(0.01)
    assert not cards["opt_out_rate"].rise_is_good  # more opt-outs is bad news
    assert cards["delivery_rate"].rise_is_good


def test_no_delta_without_a_previous_period_or_when_it_had_no_messages() -> None:
    assert all(k.delta is None for k in shaping.kpis(period_rows({"accepted": 10}, None)))
    idle = shaping.kpis(period_rows({"accepted": 10, "delivery_rate": 0.5}, {"accepted": 0}))
    assert all(k.delta is None for k in idle)


def test_funnel_stages_in_order() -> None:
    frame = shaping.funnel({"accepted": 10, "delivered": 8, "read": 4, "responded": None})
    assert frame.to_dicts() == [
        {"stage": "accepted", "count": 10},
        {"stage": "delivered", "count": 8},
        {"stage": "read", "count": 4},
        {"stage": "responded", "count": 0},
    ]


def test_countries_get_iso3_and_names_in_the_ui_language() -> None:
    frame = shaping.with_countries(pl.DataFrame({"country": ["DE", "ZZ", "CN"]}), "zh")
    assert frame["iso3"].to_list() == ["DEU", None, "CHN"]
    assert frame["country_name"].to_list() == ["德国", "未知", "中国"]


COUNTS = pl.DataFrame(
    {
        "day": [date(2026, 10, 1), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 2)],
        "error_code": [131049, 130429, 131049, 999999],
        "source": ["failed", "rejected", "failed", "failed"],
        "n": [3, 2, 4, 1],
    }
)


def test_error_table_sums_per_code_with_meaning_and_advice() -> None:
    table = shaping.error_table(COUNTS, "en")
    assert table["error_code"].to_list() == [131049, 130429, 999999]  # most frequent first
    first = table.row(0, named=True)
    assert (first["failed"], first["rejected"], first["total"]) == (7, 0, 7)
    assert first["error_class"] == "Quality / engagement"
    assert "24 hours" in first["what_to_do"]
    assert table.row(2, named=True)["error_class"] == "Unknown code"


def test_errors_by_class_per_day() -> None:
    rows = shaping.errors_by_class(COUNTS).to_dicts()
    assert rows == [
        {"day": date(2026, 10, 1), "error_class": "quality", "n": 3},
        {"day": date(2026, 10, 1), "error_class": "throttle", "n": 2},
        {"day": date(2026, 10, 2), "error_class": "quality", "n": 4},
        {"day": date(2026, 10, 2), "error_class": "unknown", "n": 1},
    ]


def _ts(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


def test_number_status_takes_the_latest_signal_and_masks_the_number() -> None:
    events = pl.DataFrame(
        {
            "ts": [_ts(1), _ts(5), _ts(9), _ts(3)],
            "display_phone_number": ["4915112345634", "4915112345634", "4915112345634", "8613100000068"],
            "event": ["FLAGGED", "UNFLAGGED", "DOWNGRADE", "THROUGHPUT_UPGRADE"],
            "current_limit": [None, None, "TIER_2K", None],
            "max_daily_conversations": [None, None, None, "TIER_100K"],
            "max_daily_conversations_per_phone": [None, None, None, None],
        }
    )
    rows = {row["number"]: row for row in shaping.number_status(events).iter_rows(named=True)}
    german = rows["+49 151 ••• ••34"]
    assert (german["quality"], german["tier"], german["tier_at"]) == ("UNFLAGGED", "TIER_2K", _ts(9))
    chinese = rows["+86 131 ••• ••68"]
    assert (chinese["quality"], chinese["tier"]) == (None, "TIER_100K")
    assert not any("4915112345634" in str(value) for row in rows.values() for value in row.values())


def test_suppression_growth_is_cumulative_per_status() -> None:
    growth = pl.DataFrame(
        {
            "day": [date(2026, 10, 2), date(2026, 10, 1), date(2026, 10, 2)],
            "status": ["active", "active", "review"],
            "entries": [3, 2, 1],
        }
    )
    rows = shaping.cumulative(growth).sort("day", "status").to_dicts()
    assert [(r["status"], r["total"]) for r in rows] == [("active", 2), ("active", 5), ("review", 1)]


def test_message_state_is_the_furthest_step() -> None:
    frame = pl.DataFrame(
        {
            "holdout": [False, False, False, False, True],
            "read": [True, False, False, False, False],
            "delivered": [True, True, False, False, False],
            "failed": [False, False, True, False, True],
        }
    )
    assert shaping.message_state(frame)["state"].to_list() == [
        "read",
        "delivered",
        "failed",
        "sent",
        "holdout",
    ]


def test_template_signals_name_the_change() -> None:
    events = pl.DataFrame(
        {
            "ts": [_ts(2), _ts(1), _ts(3)],
            "template": ["promo", "promo", "invoice"],
            "language": ["en_US"] * 3,
            "field": [
                "message_template_status_update",
                "message_template_quality_update",
                "template_category_update",
            ],
            "event": ["PAUSED", None, None],
            "reason": ["NONE", None, None],
            "pause_kind": ["FIRST_PAUSE", None, None],
            "previous_quality": [None, "YELLOW", None],
            "new_quality": [None, "RED", None],
            "previous_category": [None, None, "UTILITY"],
            "new_category": [None, None, "MARKETING"],
            "correct_category": [None, None, None],
        }
    )
    rows = shaping.template_signals(events).to_dicts()
    assert [(r["kind"], r["value"], r["detail"]) for r in rows] == [
        ("quality", "RED", "YELLOW"),
        ("status", "PAUSED", "FIRST_PAUSE"),
        ("category", "MARKETING", "UTILITY"),
    ]
    assert len(shaping.pauses(events)) == 1


def test_query_rows_with_an_always_empty_column_stay_usable() -> None:
    from dashboard.data import frame_of

    frame = frame_of([{"tier": "TIER_2K", "old_limit": None}, {"tier": None, "old_limit": None}])
    assert frame.schema["old_limit"] == pl.String
    assert frame.with_columns(pl.col("old_limit").replace({"TIER_2K": "2,000"}))["old_limit"].to_list() == [
        None,
        None,
    ]
    assert frame_of([]).is_empty()
