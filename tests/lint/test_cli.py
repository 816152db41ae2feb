"""`wagate lint`, `wagate rules` and `wagate explain` through a real process: exit codes, one-line errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from core import audit
from core.config import load_settings
from tests.conftest import CliResult
from tests.lint.helpers import CONFIGURED_TOML, GOOD_CONTACTS, MARKETING, write_draft, write_text

Cli = Callable[..., CliResult]
TUESDAY = "2025-06-03T10:00:00Z"


def _one_line_error(result: CliResult, *parts: str) -> None:
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0], lines[0]


def _lint_to_json(wagate_cli: Cli, draft: Path, contacts: Path, report: Path) -> CliResult:
    """`wagate lint DRAFT --contacts CONTACTS` on Tuesday noon, the JSON report written to ``report``."""
    return wagate_cli(
        "lint",
        str(draft),
        "--contacts",
        str(contacts),
        "--at",
        TUESDAY,
        "--format",
        "json",
        "-o",
        str(report),
    )


def test_clean_campaign_exits_zero(tmp_path: Path, workspace: Path, wagate_cli: Cli) -> None:
    (workspace / "wagate.toml").write_text(CONFIGURED_TOML, encoding="utf-8")
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", GOOD_CONTACTS)
    result = wagate_cli("lint", str(draft), "--contacts", str(contacts), "--at", TUESDAY)
    assert result.code == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout


def test_findings_exit_one_with_the_json_contract(tmp_path: Path, workspace: Path, wagate_cli: Cli) -> None:
    (workspace / "wagate.toml").write_text(CONFIGURED_TOML, encoding="utf-8")
    draft = write_draft(tmp_path)
    contacts = write_text(tmp_path, "contacts.csv", "phone\n+4915123456789\n8.61381E+12\n")
    report = tmp_path / "report.json"
    result = _lint_to_json(wagate_cli, draft, contacts, report)
    assert result.code == 1, result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert {(f["code"], f["target"]["row"]) for f in data["findings"]} == {("C001", 1), ("N001", 2)}


def test_missing_column_is_one_line_naming_the_aliases(tmp_path: Path, wagate_cli: Cli) -> None:
    contacts = write_text(tmp_path, "contacts.csv", "name\nAna\n")
    result = wagate_cli("lint", "--contacts", str(contacts))
    _one_line_error(result, "no phone column", "手机号", "whatsapp", "[lint.columns]")


def test_malformed_draft_is_one_line_with_line_and_column(tmp_path: Path, wagate_cli: Cli) -> None:
    draft = write_text(tmp_path, "draft.json", '{\n  "name": "x",\n  "category": MARKETING\n}\n')
    _one_line_error(wagate_cli("lint", str(draft)), "draft.json:3:15: invalid JSON")


def test_unknown_code_in_select_is_a_usage_error(tmp_path: Path, wagate_cli: Cli) -> None:
    draft = write_draft(tmp_path)
    _one_line_error(wagate_cli("lint", str(draft), "--select", "C001,X123"), "unknown rule selector 'X123'")


def test_empty_contact_file_is_an_input_error(tmp_path: Path, wagate_cli: Cli) -> None:
    contacts = write_text(tmp_path, "contacts.csv", "")
    _one_line_error(wagate_cli("lint", "--contacts", str(contacts)), "the file is empty")


def test_send_time_without_offset_is_rejected(tmp_path: Path, wagate_cli: Cli) -> None:
    draft = write_draft(tmp_path)
    _one_line_error(wagate_cli("lint", str(draft), "--at", "2025-06-03T10:00"), "has no UTC offset")


def test_rules_and_explain(wagate_cli: Cli) -> None:
    listed = wagate_cli("rules", "--format", "json")
    assert listed.code == 0
    codes = [rule["code"] for rule in json.loads(listed.stdout)]
    assert codes[:2] == ["C001", "C002"] and "T007" in codes
    explained = wagate_cli("explain", "C001")
    assert explained.code == 0 and explained.stdout.startswith("# C001 missing-consent")
    _one_line_error(wagate_cli("explain", "Z999"), "unknown rule code 'Z999'")


def test_workspace_config_and_audience_files(tmp_path: Path, workspace: Path, wagate_cli: Cli) -> None:
    document = dict(MARKETING)
    document.pop("x-wagate")
    draft = write_draft(tmp_path, document)  # the brand comes from the workspace settings only
    (workspace / "wagate.toml").write_text('[lint]\nbrand_names = ["Acme"]\n', encoding="utf-8")
    contacts = write_text(
        tmp_path, "contacts.csv", GOOD_CONTACTS + "+12025550143,2025-01-10,x,y,v1,Acme,marketing\n"
    )
    audience = tmp_path / "audience.csv"
    result = wagate_cli(
        "lint", str(draft), "--contacts", str(contacts), "--at", TUESDAY, "--write-audience", str(audience)
    )
    assert result.code == 1  # the US number is blocked (S001, Q001), nothing else
    assert "P001" not in result.stdout
    assert "wrote 1 passing contacts" in result.stderr
    assert "+4915123456789" in audience.read_text(encoding="utf-8-sig")
    assert "S001" in (tmp_path / "audience.excluded.csv").read_text(encoding="utf-8-sig")


def test_sarif_and_chinese_html(tmp_path: Path, wagate_cli: Cli) -> None:
    draft = write_draft(tmp_path)
    sarif = wagate_cli("lint", str(draft), "--format", "sarif", "--select", "T")
    assert sarif.code == 0 and json.loads(sarif.stdout)["version"] == "2.1.0"
    page = tmp_path / "report.html"
    html = wagate_cli("lint", str(draft), "--format", "html", "--lang", "zh", "-o", str(page))
    assert html.code == 0 and "发送前合规检查报告" in page.read_text(encoding="utf-8")


def test_audit_log_holds_the_hash_of_a_large_report_as_written(
    tmp_path: Path, workspace: Path, wagate_cli: Cli
) -> None:
    # 24,000 contacts without consent: a report of several chunks, written and hashed on threads
    draft = write_draft(tmp_path)
    rows = "\n".join(f"+49151{n:08d}" for n in range(24_000))
    contacts = write_text(tmp_path, "contacts.csv", f"phone\n{rows}\n")
    report = tmp_path / "report.json"
    result = _lint_to_json(wagate_cli, draft, contacts, report)
    assert result.code == 1, result.stderr
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert len(findings) > 20_000  # more than two chunks of the JSON writer
    entry = audit.read(load_settings(workspace, env={}), action="lint.run")[-1]
    assert entry.details["report_sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
