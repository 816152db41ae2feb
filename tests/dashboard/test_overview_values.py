"""The Overview's numbers are the metric definitions: same values as `wagate metrics`, right deltas."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.queries import metrics
from core.warehouse import Warehouse
from tests.dashboard.test_pages_smoke import run_page


def totals(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Overall counts and rates from per-campaign rows, by the definitions in docs/metrics.md."""
    keys = ("accepted", "delivered", "read", "responded", "opted_out", "complained", "blocked_est")
    sums = {key: sum(int(row[key]) for row in rows) for key in (*keys, "sends_after_opt_out")}
    return {
        **sums,
        "delivery_rate": sums["delivered"] / sums["accepted"],
        "read_rate": sums["read"] / sums["delivered"],
        "response_rate": sums["responded"] / sums["delivered"],
        "opt_out_rate": sums["opted_out"] / sums["delivered"],
        "complaint_rate": sums["complained"] / sums["delivered"],
        "block_rate_est": sums["blocked_est"] / sums["accepted"],
    }


def cards(at: AppTest) -> dict[str, tuple[str, str | None]]:
    """KPI label -> (value, delta) as displayed."""
    return {m.label: (m.value, m.delta) for m in at.metric}


def per_campaign(workspace: Path, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    settings = load_settings(workspace, env={})
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        return metrics(wh, "campaign", start, end)


def test_all_time_kpis_equal_wagate_metrics(use_workspace: Callable[[str], Path]) -> None:
    workspace = use_workspace("seeded")
    expected = totals(per_campaign(workspace))
    shown = cards(run_page("overview", {"range": "all"}))
    assert shown["Accepted"][0] == f"{int(expected['accepted'] or 0):,}"
    assert shown["Delivery rate"][0] == f"{(expected['delivery_rate'] or 0) * 100:.1f}%"
    assert shown["Read rate"][0] == f"{(expected['read_rate'] or 0) * 100:.1f}%"
    assert shown["Response rate"][0] == f"{(expected['response_rate'] or 0) * 100:.1f}%"
    assert shown["Opt-out rate"][0] == f"{(expected['opt_out_rate'] or 0) * 100:.2f}%"
    assert shown["Complaint rate"][0] == f"{(expected['complaint_rate'] or 0) * 100:.2f}%"
    assert shown["Block rate (estimated)"][0] == f"{(expected['block_rate_est'] or 0) * 100:.2f}%"
    assert shown["Sends after opt-out"][0] == f"{int(expected['sends_after_opt_out'] or 0):,}"
    # all time has no previous period to compare with
    assert all(not delta for _, delta in shown.values())


def test_last_7_days_compare_with_the_7_days_before(use_workspace: Callable[[str], Path]) -> None:
    workspace = use_workspace("seeded")
    every_day = [row["day"] for row in _by_day(workspace)]
    last = date.fromisoformat(max(every_day))
    now = totals(per_campaign(workspace, last - timedelta(days=6), last))
    before = totals(per_campaign(workspace, last - timedelta(days=13), last - timedelta(days=7)))
    shown = cards(run_page("overview", {"range": "7d"}))
    accepted_change = int(now["accepted"] or 0) - int(before["accepted"] or 0)
    assert shown["Accepted"] == (f"{int(now['accepted'] or 0):,}", f"{accepted_change:+,}")
    points = ((now["delivery_rate"] or 0) - (before["delivery_rate"] or 0)) * 100
    assert shown["Delivery rate"] == (f"{(now['delivery_rate'] or 0) * 100:.1f}%", f"{points:+.1f} pp")


def test_chinese_overview_formats_dates_and_labels(use_workspace: Callable[[str], Path]) -> None:
    use_workspace("seeded")
    at = run_page("overview", {"range": "all", "lang": "zh"})
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["已提交", "送达率"]
    assert "屏蔽率（估算）" in labels  # the block rate is always marked as an estimate
    assert any("数据截至" in c.value and "年" in c.value and "月" in c.value for c in at.caption)


def test_filters_from_the_url_narrow_every_number(use_workspace: Callable[[str], Path]) -> None:
    workspace = use_workspace("seeded")
    rows = per_campaign(workspace)
    campaign = max(rows, key=lambda row: int(row["accepted"]))
    at = run_page("overview", {"range": "all", "campaign": campaign["campaign"]})
    assert cards(at)["Accepted"][0] == f"{int(campaign['accepted']):,}"
    assert at.sidebar.multiselect(key="campaign").value == [campaign["campaign"]]


def test_choosing_a_filter_puts_it_in_the_url(use_workspace: Callable[[str], Path]) -> None:
    use_workspace("seeded")
    at = run_page("overview", {"lang": "zh"})
    at.sidebar.selectbox(key="range").set_value("7d").run()
    at.sidebar.multiselect(key="country").select("BR").run()
    assert at.query_params.get("range") == "7d"
    assert at.query_params.get("country") in ("BR", ["BR"])
    assert at.query_params.get("lang") == "zh"


def test_unknown_url_values_are_ignored(use_workspace: Callable[[str], Path]) -> None:
    use_workspace("seeded")
    at = run_page("overview", {"lang": "xx", "range": "forever", "campaign": "no-such-campaign"})
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert at.sidebar.selectbox(key="range").value == "30d"
    assert at.sidebar.multiselect(key="campaign").value == []


def _by_day(workspace: Path) -> list[dict[str, Any]]:
    settings = load_settings(workspace, env={})
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        return metrics(wh, "day")
