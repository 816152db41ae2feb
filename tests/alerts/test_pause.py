"""Pause flags: what the sender and the linter read, and how they are written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from core.pauses import (
    Pause,
    PauseAlert,
    active_template_pauses,
    flag_path,
    is_paused,
    list_pauses,
    remove_flag,
    write_flag,
)


def pause(kind: str, name: str, *alerts: PauseAlert) -> Pause:
    return Pause(kind, name, "2026-10-09T16:00:00+00:00", "alerts", "complaints 8.00% above 2.57%", alerts)


def test_the_flag_file_is_named_by_kind_and_sha1_and_holds_who_why_when(workspace: Path) -> None:
    path = write_flag(
        workspace,
        pause("campaign", "双十一", PauseAlert("674c25cd5b", "complaint_rate_by_campaign", "firing")),
    )
    assert path == workspace / "pauses" / f"campaign-{hashlib.sha1('双十一'.encode()).hexdigest()}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["name"] == "双十一" and data["by"] == "alerts" and data["reason"].startswith("complaints")
    assert data["alerts"] == [
        {"id": "674c25cd5b", "rule": "complaint_rate_by_campaign", "state": "firing", "acknowledged": False}
    ]
    assert list(path.parent.glob(".pause-*")) == []  # no temporary file left behind


def test_is_paused_checks_campaign_template_and_number(workspace: Path) -> None:
    assert is_paused(workspace, campaign="spring", template="spring_tpl", phone_number_id="1065") is None
    write_flag(workspace, pause("template", "spring_tpl"))
    found = is_paused(workspace, campaign="spring", template="spring_tpl", phone_number_id="1065")
    assert found is not None and (found.kind, found.name) == ("template", "spring_tpl")
    assert is_paused(workspace, campaign="spring", template="other") is None
    write_flag(workspace, pause("phone_number_id", "1065"))
    number = is_paused(workspace, campaign="x", template="y", phone_number_id="1065")
    assert number is not None and number.kind == "phone_number_id"
    assert remove_flag(workspace, "template", "spring_tpl")
    assert not remove_flag(workspace, "template", "spring_tpl")


def test_an_unreadable_flag_still_pauses(workspace: Path) -> None:
    path = flag_path(workspace, "campaign", "spring")
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    found = is_paused(workspace, campaign="spring")
    assert found is not None and "could not be read" in found.reason


def test_the_linter_sees_only_templates_whose_alert_fires_unacknowledged(workspace: Path) -> None:
    write_flag(
        workspace, pause("template", "firing_tpl", PauseAlert("a1", "complaint_rate_by_template", "firing"))
    )
    write_flag(
        workspace,
        pause("template", "acked_tpl", PauseAlert("a2", "complaint_rate_by_template", "firing", True)),
    )
    write_flag(
        workspace,
        pause("template", "resolved_tpl", PauseAlert("a3", "complaint_rate_by_template", "resolved")),
    )
    write_flag(
        workspace, pause("campaign", "spring", PauseAlert("a4", "complaint_rate_by_campaign", "firing"))
    )
    assert [p.name for p in active_template_pauses(workspace)] == ["firing_tpl"]
    assert len(list_pauses(workspace)) == 4


def test_is_paused_does_not_import_duckdb() -> None:
    # the sender calls is_paused before every message: it must stay a few file reads
    code = "import sys; import core.pauses; print('duckdb' in sys.modules, 'pydantic' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert out.stdout.split() == ["False", "False"]


def test_pause_targets_come_from_the_labels_and_for_numbers_from_the_receipts() -> None:
    from alerts.config import RuleConfig
    from alerts.model import AlertRecord, make_labels
    from alerts.pausing import targets
    from alerts.rules import build_rule

    both = build_rule(
        RuleConfig(name="r", metric="complaint_rate", group_by=("campaign", "template"), action="pause")
    )
    record = AlertRecord(
        "f" * 16, "r", make_labels({"campaign": "c1", "template": "t1"}), "firing", "critical"
    )
    assert targets(record, both) == [("campaign", "c1"), ("template", "t1")]
    number = build_rule(
        RuleConfig(name="n", metric="phone_quality", group_by=("phone_number",), action="pause")
    )
    flagged = AlertRecord(
        "e" * 16,
        "n",
        make_labels({"phone_number": "85251202963"}),
        "firing",
        "critical",
        detail={"phone_number_id": "1099"},
    )
    assert targets(flagged, number) == [("phone_number_id", "1099")]
