"""Output formats: the JSON contract and SARIF against golden files, GitHub annotations, text, HTML, audience."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from lint import LintReport, LintRequest, lint
from lint.audience import write_audience
from lint.formats import json_format, render
from lint.formats.html import highlight
from lint.formats.sarif import render_sarif
from tests.lint.conftest import GOLDEN
from tests.lint.helpers import write_draft, write_text

AT = datetime(2025, 6, 3, 10, 0, tzinfo=UTC)
DRAFT = {
    "name": "spring_sale",
    "language": "en_US",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Spring sale"},
        {
            "type": "BODY",
            "text": "Hi {{1}}, 20% off everything: https://bit.ly/acme",
            "example": {"body_text": [["Ana"]]},
        },
    ],
    "x-wagate": {"brand": "Acme"},
}
CONTACTS = """手机号,国家,同意时间,consent_method,consent_source,consent_text_version,business_name_shown,purposes
+49 151 23456789,DE,2025-01-10,keyword_reply,wa-JOIN,v2,Acme,marketing
8.61381E+12,,,,,,,
+1 202 555 0143,US,2025-01-10,keyword_reply,wa-JOIN,v2,Acme,marketing
+4915123456780,DE,2025-01-10,checkbox,web,v2,Acme,order_updates
"""


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintReport:
    """A small run with draft, contact and consent findings; paths relative to tmp_path."""
    monkeypatch.chdir(tmp_path)
    write_draft(tmp_path, DRAFT, "spring_sale.json")
    write_text(tmp_path, "contacts.csv", CONTACTS)
    return lint(LintRequest(drafts=(Path("spring_sale.json"),), contacts=Path("contacts.csv"), at=AT, now=AT))


def _golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update or not path.exists():
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"wrote {path}")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; review and rerun with --update-golden"


def test_json_matches_golden_file(report: LintReport, update_golden: bool) -> None:
    _golden("report.json", render(report, "json"), update_golden)


def test_sarif_matches_golden_file(report: LintReport, update_golden: bool) -> None:
    _golden("report.sarif", render_sarif(report, version="0.0.0-test"), update_golden)


def test_json_follows_the_documented_contract(report: LintReport) -> None:
    data = json.loads(render(report, "json"))
    assert data["version"] == 1
    assert data["summary"]["errors"] == report.summary.errors > 0
    for finding in data["findings"]:
        assert list(finding) == ["code", "severity", "rule", "message", "target", "basis"]
        assert list(finding["target"]) == ["kind", "file", "row", "component"]
        assert finding["severity"] in ("error", "warning", "info")
        if finding["target"]["kind"] == "contact":
            assert finding["target"]["file"] == "contacts.csv" and finding["target"]["row"] >= 1
    rows = {f["target"]["row"] for f in data["findings"] if f["code"] == "N001"}
    assert rows == {2}  # the Excel-damaged number is the second data row


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_json_written_in_small_chunks_is_the_same_document(
    report: LintReport, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # large reports are serialised in chunks on worker threads; every chunk boundary must
    # give the same findings, in the same order, as one piece
    whole = render(report, "json")
    monkeypatch.setattr(json_format, "_CHUNK", chunk)
    assert report.findings.height > chunk * 2
    assert render(report, "json") == whole


def test_json_keeps_quotes_new_lines_and_chinese_in_messages(report: LintReport) -> None:
    awkward = ['Say "STOP" \\ or\nreply\t退订', "control \u0001 char", "plain"]
    findings = report.findings.head(3).with_columns(message=pl.Series(awkward))
    data = json.loads(render(replace(report, findings=findings), "json"))
    assert [f["message"] for f in data["findings"]] == awkward


def test_sarif_has_what_github_code_scanning_needs(report: LintReport) -> None:
    log = json.loads(render_sarif(report, version="1.2.3"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert run["tool"]["driver"]["name"] == "wagate" and run["tool"]["driver"]["version"] == "1.2.3"
    assert all(
        r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning", "note")
        for r in rules
    )
    assert len(run["results"]) == report.findings.height
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] in ("contacts.csv", "spring_sale.json")
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["wagateFinding/v1"]


def test_github_annotations_escape_and_point_at_lines(report: LintReport) -> None:
    lines = render(report, "github").splitlines()
    assert len(lines) == report.findings.height
    excel = next(line for line in lines if line.startswith("::error file=contacts.csv,line=3,title=N001"))
    assert "damaged by Excel" in excel and "(row 2)" in excel
    assert all("\n" not in line for line in lines)


def test_text_format_ends_with_the_verdict(report: LintReport) -> None:
    text = render(report, "text")
    assert "contacts.csv:3 (row 2): N001 [error] Phone number 8.61381E+12 was damaged by Excel" in text
    assert f"{report.summary.errors} errors" in text and "blocked: fix the errors" in text
    assert "4 contacts: " in text


def test_html_report_in_chinese_highlights_the_offending_text(report: LintReport) -> None:
    page = render(report, "html", "zh")
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-Hans"' in page
    for term in ("发送前合规检查报告", "被拦截的联系人", "草稿问题", "错误"):
        assert term in page
    assert "<mark>https://bit.ly/acme</mark>" in page
    assert "<script" not in page and "http-equiv" not in page  # self-contained, nothing fetched


def test_html_escapes_user_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    draft = dict(DRAFT, name="x<script>alert(1)</script>")
    write_draft(tmp_path, draft, "d.json")
    page = render(lint(LintRequest(drafts=(Path("d.json"),), at=AT)), "html", "en")
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_highlight_marks_every_occurrence_case_insensitively() -> None:
    parts = highlight("Sale! Big SALE today", ["sale"])
    assert [(p.text, p.marked) for p in parts] == [
        ("Sale", True),
        ("! Big ", False),
        ("SALE", True),
        (" today", False),
    ]


def test_write_audience_splits_passing_and_excluded(report: LintReport, tmp_path: Path) -> None:
    files = write_audience(report, tmp_path / "out" / "audience.csv")
    with files.audience.open(encoding="utf-8-sig") as handle:
        passing = list(csv.DictReader(handle))
    with files.excluded.open(encoding="utf-8-sig") as handle:
        excluded = list(csv.DictReader(handle))
    # row 1 clean; row 2 invalid (N001); row 3 US at 06:00 local (Q001, S001), consent of no
    # stated basis rather than written (C008), never checked against the DNC registry (R001);
    # row 4: a checkbox consent without ip or form_url (C002) that covers order updates only (C005)
    assert [p["e164"] for p in passing] == ["+4915123456789"]
    assert passing[0]["手机号"] == "+49 151 23456789"
    assert [(e["row"], e["codes"]) for e in excluded] == [
        ("2", "N001"),
        ("3", "C008 Q001 R001 S001"),
        ("4", "C002 C005"),
    ]


def test_sarif_groups_contact_findings_above_the_github_limit(report: LintReport) -> None:
    log = json.loads(render_sarif(report, version="1", limit=3))
    results = log["runs"][0]["results"]
    contact = [r for r in results if r["properties"]["kind"] == "contact"]
    # one result per contact rule and severity; the draft findings stay one each
    assert len(contact) == len(
        {(f.code, f.severity) for f in report.iter_findings() if f.target.kind == "contact"}
    )
    n005 = next(r for r in contact if r["ruleId"] == "N005")
    assert n005["message"]["text"].startswith("1 contacts, rows 3. First: Consent for +12025550143")
