"""The dashboard's reads in core.queries: same definitions as `wagate metrics`, sliced by filters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from core.dashboard_queries import (
    Slice,
    error_counts,
    message_list,
    opt_out_breakdown,
    slice_metrics,
    slice_options,
)
from core.errors import UsageError
from core.queries import GROUP_KEYS, metrics
from core.warehouse import Warehouse
from tests.dashboard.conftest import Workspaces


@pytest.fixture
def wh(workspaces: Workspaces) -> Iterator[Warehouse]:
    with Warehouse.open_snapshot(workspaces.settings("seeded").warehouse_path) as opened:
        yield opened


def _days(wh: Warehouse) -> tuple[date, date]:
    first, last = wh.rows("SELECT min(day), max(day) FROM marts.message_facts")[0]
    return first, last


@pytest.mark.parametrize("by", list(GROUP_KEYS))
def test_unfiltered_slices_equal_wagate_metrics(wh: Warehouse, by: str) -> None:
    assert slice_metrics(wh, by, Slice()) == metrics(wh, by)
    first, last = _days(wh)
    start, end = first + timedelta(days=2), last - timedelta(days=3)
    assert slice_metrics(wh, by, Slice(start, end)) == metrics(wh, by, start, end)


def test_a_dimension_filter_keeps_only_its_rows(wh: Warehouse) -> None:
    by_country = {row["country"]: row for row in metrics(wh, "country")}
    (total,) = slice_metrics(wh, "total", Slice(countries=("BR", "IN")))
    assert total["accepted"] == by_country["BR"]["accepted"] + by_country["IN"]["accepted"]
    assert (
        total["sends_after_opt_out"]
        == by_country["BR"]["sends_after_opt_out"] + by_country["IN"]["sends_after_opt_out"]
    )


def test_filters_combine(wh: Warehouse) -> None:
    campaign = max(metrics(wh, "campaign"), key=lambda row: int(row["accepted"]))["campaign"]
    (total,) = slice_metrics(wh, "total", Slice(campaigns=(campaign,), countries=("BR",)))
    expected = wh.scalar(
        "SELECT count(*) FROM marts.message_facts WHERE campaign = $c AND country = 'BR' AND NOT holdout",
        {"c": campaign},
    )
    assert total["accepted"] == expected


def test_period_rows_are_the_two_halves(wh: Warehouse) -> None:
    _, last = _days(wh)
    week = Slice(last - timedelta(days=6), last)
    rows = {row["period"]: row for row in slice_metrics(wh, "period", week.with_previous() or week)}
    assert rows["current"]["accepted"] == slice_metrics(wh, "total", week)[0]["accepted"]
    assert rows["previous"]["accepted"] == slice_metrics(wh, "total", week.previous() or week)[0]["accepted"]
    with pytest.raises(UsageError):
        slice_metrics(wh, "period", Slice())


def test_filter_values_are_bound_never_pasted_into_sql(wh: Warehouse) -> None:
    hostile = "x'); DROP TABLE core.messages; --"
    assert slice_metrics(wh, "total", Slice(campaigns=(hostile,))) == []  # nothing matched
    assert wh.scalar("SELECT count(*) FROM core.messages") > 0
    with pytest.raises(UsageError):
        slice_metrics(wh, "campaign; DROP TABLE x", Slice())


def test_error_counts_add_up_to_failed_and_rejected(wh: Warehouse) -> None:
    rows = error_counts(wh, Slice())
    (total,) = slice_metrics(wh, "total", Slice())
    assert sum(r["n"] for r in rows if r["source"] == "failed") == total["failed"]
    assert sum(r["n"] for r in rows if r["source"] == "rejected") == total["rejected"]
    assert not [r for r in rows if r["error_code"] == 130472]  # holdouts are not failures


def test_message_list_is_newest_first_and_shows_no_phone_number(wh: Warehouse) -> None:
    rows = message_list(wh, Slice(), limit=25)
    assert len(rows) == 25
    times = [row["sent_at"] for row in rows]
    assert times == sorted(times, reverse=True)
    assert all(re.fullmatch(r"[0-9a-f]{32}", row["contact_key"]) for row in rows)
    # the business's phone_number_id is an account id; nothing else may look like a number
    hidden = ("phone_number_id", "contact_key")
    shown = [v for row in rows for k, v in row.items() if k not in hidden and isinstance(v, str)]
    assert not [v for v in shown if re.search(r"\+?\d{7,}", v)]


def test_each_filter_offers_every_value_once(wh: Warehouse) -> None:
    options = slice_options(wh)
    messages = wh.scalar("SELECT count(*) FROM marts.message_facts")
    for field in ("campaigns", "templates", "categories", "countries", "phone_number_ids"):
        values = [row for row in options if row["filter"] == field]
        assert len({row["value"] for row in values}) == len(values)
        assert sum(row["messages"] for row in values) == messages


def test_opt_out_breakdown_counts_every_opt_out_and_review_flag(wh: Warehouse) -> None:
    rows = opt_out_breakdown(wh, None, None)
    assert sum(row["n"] for row in rows) == wh.scalar("SELECT count(*) FROM marts.opt_outs")
    assert {row["kind"] for row in rows} <= {"opt_out", "review"}
