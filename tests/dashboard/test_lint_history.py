"""The Compliance page lists the lint runs and send-time gates recorded in the audit trail."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from core import audit
from core.config import load_settings
from core.warehouse import Warehouse
from dashboard import data
from dashboard.i18n import Text
from pipelines.privacy.hooks import load_audit
from tests.dashboard.conftest import Workspaces
from tests.dashboard.test_pages_smoke import run_page

REPORT = "ab12" * 16


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lint_runs_from_the_audit_trail_are_listed(
    workspaces: Workspaces, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(workspaces.seeded, workspace)
    settings = load_settings(workspace, env={})
    audit.record(
        settings, "lint.run", operator="li.wei", report_sha256=REPORT, errors=3, warnings=5,
        contacts=120, contacts_blocked=2, waived=1, format="json",
    )  # fmt: skip
    audit.record(
        settings, "send.run", operator="li.wei", campaign="black_friday_2026", lint_report="cd34" * 16
    )
    audit.record(settings, "alerts.silence", operator="li.wei", rule="x")  # not a check: not listed
    with Warehouse.open_writer(settings.warehouse_path) as wh:
        assert load_audit(wh, settings) == 3
        wh.publish_snapshot()
    monkeypatch.setenv("WAGATE_WORKSPACE", str(workspace))
    data.clear()
    try:
        at = run_page("compliance", {"lang": lang, "range": "all"})
    finally:
        data.clear()
    t = Text(lang)  # type: ignore[arg-type]
    assert not at.exception, [e.message for e in at.exception]
    history = next(f.value for f in at.dataframe if t("lint_run.report") in f.value.columns)
    # newest first: the send's gate, then the lint run; the silence is not a compliance check
    assert list(history[t("lint_run.action")]) == [t("lint_run.kind_send_run"), t("lint_run.kind_lint_run")]
    assert list(history[t("lint_run.report")]) == ["cd34cd34cd34", REPORT[:12]]
    lint_row = history.iloc[1]
    assert (lint_row[t("lint_run.errors")], lint_row[t("lint_run.contacts_blocked")]) == (3, 2)
    assert t("compliance.lint_empty") not in [i.value for i in at.info]


def test_without_an_audit_trail_the_section_says_how_to_fill_it(
    use_workspace: Callable[[str], Path],
) -> None:
    use_workspace("seeded")
    at = run_page("compliance", {"lang": "en", "range": "all"})
    assert not at.exception
    assert Text("en")("compliance.lint_empty") in [i.value for i in at.info]
