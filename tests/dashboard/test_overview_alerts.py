"""The Overview lists the alerts that fire, once `wagate alerts` has evaluated them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alerts.store import DDL
from core.warehouse import Warehouse
from dashboard import data
from dashboard.i18n import Text
from tests.dashboard.conftest import Workspaces
from tests.dashboard.test_pages_smoke import run_page


def test_firing_alert_stands_out_on_the_overview(
    workspaces: Workspaces, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(workspaces.seeded, workspace)
    with Warehouse.open_writer(workspace / "warehouse.duckdb") as wh:
        wh.execute_script(DDL)
        wh.execute(
            """INSERT INTO alerts.state (fingerprint, rule, labels, state, severity, episode, paused, value,
                                         threshold, fired_at)
               VALUES ('f1', 'complaint_rate_campaign', '{"campaign": "black_friday_2026"}', 'firing',
                       'critical', 1, true, 0.021, 0.01, now()),
                      ('f2', 'opt_out_rate_template', '{"template": "x"}', 'resolved', 'warning', 1, false,
                       0.001, 0.02, now())"""
        )
        wh.publish_snapshot()
    monkeypatch.setenv("WAGATE_WORKSPACE", str(workspace))
    data.clear()
    try:
        at = run_page("overview", {"lang": "en", "range": "all"})
    finally:
        data.clear()
    t = Text("en")
    assert not at.exception, [e.message for e in at.exception]
    assert any(t("overview.alerts_firing", count=1) == e.value for e in at.error)
    shown = [frame.value for frame in at.dataframe]
    rules = {rule for frame in shown if "rule" in frame.columns for rule in frame["rule"]} | {
        rule
        for frame in shown
        for column in frame.columns
        if column == t("alerts.rule")
        for rule in frame[column]
    }
    assert rules == {"complaint_rate_campaign"}  # the resolved one is not listed
