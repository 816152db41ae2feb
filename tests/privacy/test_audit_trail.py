"""Audit entries for each action (run through the CLI), tamper detection, and the evidence pack."""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from core import audit
from core.config import load_settings
from core.pauses import Pause, write_flag
from tests.privacy.seed import run_cli, seed
from tests.sender.sendkit import TOKEN, emulator, german_numbers, send_now, workspace, write_campaign


def _actions(ws: Path) -> list[str]:
    return [entry.action for entry in audit.read(load_settings(ws, env={}))]


def test_lint_run_records_report_and_input_hashes(tmp_path: Path) -> None:
    files = write_campaign(tmp_path / "c", german_numbers(2))
    ws = tmp_path / "ws"
    contacts = files.plan.parent / "contacts.csv"
    result = run_cli(ws, "lint", str(files.drafts[0]), "--contacts", str(contacts), "--format", "json")
    summary = json.loads(result.stdout)["summary"]
    entry = audit.read(load_settings(ws, env={}), action="lint.run")[0]
    assert entry.details["inputs"] == {
        str(files.drafts[0]): hashlib.sha256(files.drafts[0].read_bytes()).hexdigest(),
        str(contacts): hashlib.sha256(contacts.read_bytes()).hexdigest(),
    }
    assert entry.details["errors"] == summary["errors"] and entry.details["warnings"] == summary["warnings"]
    # the hash is of the report exactly as the user received it
    assert entry.details["report_sha256"] == hashlib.sha256(result.stdout.encode()).hexdigest()
    assert entry.operator == getpass.getuser()
    assert "4915120000000" not in audit.log_path(load_settings(ws, env={})).read_text()


def test_alert_silence_and_unpause_are_audited(tmp_path: Path) -> None:
    ws = seed(tmp_path).settings.workspace  # alerts keep their state in the warehouse
    silence = run_cli(
        ws,
        "alerts",
        "silence",
        "complaint_rate_by_campaign",
        "--for",
        "2h",
        "--by",
        "dora",
        "--comment",
        "known",
    )
    assert silence.code == 0, silence.stderr
    write_flag(ws, Pause("campaign", "spring", datetime.now(UTC).isoformat(), "alerts", "complaints"))
    unpause = run_cli(ws, "alerts", "unpause", "--campaign", "spring", "--by", "dora")
    assert unpause.code == 0, unpause.stderr
    entries = audit.read(load_settings(ws, env={}), action="alerts")
    assert [(e.action, e.operator) for e in entries] == [
        ("alerts.silence", "dora"),
        ("alerts.unpause", "dora"),
    ]
    assert entries[0].details["rule"] == "complaint_rate_by_campaign"
    assert entries[1].details == {"kind": "campaign", "name": "spring"}


def test_verify_command_detects_an_edited_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    settings = load_settings(ws, env={})
    for n in range(3):
        audit.record(settings, "send.run", campaign=f"c{n}")
    assert run_cli(ws, "audit", "verify").code == 0
    path = audit.log_path(settings)
    path.write_text(path.read_text().replace('"c1"', '"c9"'), encoding="utf-8")
    result = run_cli(ws, "audit", "verify")
    assert result.code == 1
    assert "BROKEN at line 2" in result.stdout


def test_send_is_audited_and_the_evidence_pack_holds_its_proofs(tmp_path: Path) -> None:
    numbers = german_numbers(3)
    files = write_campaign(tmp_path / "campaign", numbers)
    with emulator(files.drafts) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url)
        summary = send_now(settings, files.plan)
    ws = settings.workspace
    send = audit.read(settings, action="send.run")[0]
    assert send.details["campaign"] == "autumn-notice"
    assert send.details["lint_report"] == summary.lint_report
    assert send.operator == getpass.getuser()
    assert not any(n.lstrip("+") in json.dumps(send.to_dict()) for n in numbers)

    today = datetime.now(UTC).date().isoformat()
    pack = tmp_path / "pack"
    result = run_cli(
        ws, "audit", "export", "--from", today, "--to", today, "--campaign", "autumn-notice", "-o", str(pack)
    )
    assert result.code == 0, result.stderr
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    files_in_pack = {str(p.relative_to(pack)) for p in pack.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files_in_pack
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((pack / name).read_bytes()).hexdigest() == digest
    assert manifest["verification"]["ok"] and manifest["missing"] == []
    report = json.loads((pack / "lint-reports" / f"{summary.lint_report}.json").read_text(encoding="utf-8"))
    assert report["version"] == 1
    contacts = (files.plan.parent / "contacts.csv").read_bytes()
    consent = [p for p in (pack / "consent" / "autumn-notice").iterdir() if p.name.startswith("contacts-")]
    assert [p.read_bytes() for p in consent] == [contacts]
    logged = [
        json.loads(line)
        for p in (pack / "send-logs" / "autumn-notice").glob("*.jsonl")
        for line in p.read_text().splitlines()
    ]
    assert sorted(row["to"] for row in logged) == sorted(numbers)
    assert {row["lint_report"] for row in logged} == {summary.lint_report}
    with (pack / "opt-out-handling.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["day", "opt_outs", "median_seconds", "max_seconds"]
    readme = (pack / "README.txt").read_text(encoding="utf-8")
    assert "consent proofs" in readme and "同意证明" in readme
    actions = [json.loads(line)["action"] for line in (pack / "audit.jsonl").read_text().splitlines()]
    assert "send.run" in actions
    assert "audit.export" in _actions(ws)


def test_ingest_copies_new_audit_entries_into_the_warehouse(tmp_path: Path) -> None:
    from core.warehouse import Warehouse
    from pipelines.run import ingest
    from tests.pipelines.bodies import send_row, write_lines

    world = seed(tmp_path)
    first = audit.record(world.settings, "alerts.unpause", operator="dora", kind="campaign", name="x")
    write_lines(
        world.landing / "sendlogs" / "promo" / "run-2.jsonl",
        [send_row("wamid.9", "+4915120000003", "2026-01-02T00:00:00+00:00")],
    )
    ingest(world.settings)
    audit.record(world.settings, "alerts.unpause", operator="dora", kind="campaign", name="y")
    ingest(world.settings)  # nothing new to load: the second entry waits for the next load
    with Warehouse.open_reader(world.settings.warehouse_path) as wh:
        rows = wh.rows("SELECT seq, action, operator, hash FROM audit.log ORDER BY seq")
    assert rows == [(1, "alerts.unpause", "dora", first.hash)]


def test_warnings_accepted_for_a_send_are_an_audited_override(tmp_path: Path) -> None:
    files = write_campaign(tmp_path / "campaign", german_numbers(2))
    with emulator(files.drafts) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url)
        # without the business's own country, S002 warns that EU recipients need a representative
        config = settings.workspace / "wagate.toml"
        config.write_text(config.read_text().replace('controller_country = "DE"\n', ""), encoding="utf-8")
        settings = load_settings(settings.workspace, env={"WAGATE_ACCESS_TOKEN": TOKEN})
        summary = send_now(settings, files.plan, accept_warnings=True)
    assert summary.tally.accepted == 2
    overrides = audit.read(settings, action="override.accept_warnings")
    assert [(o.details["campaign"], o.details["lint_report"]) for o in overrides] == [
        ("autumn-notice", summary.lint_report)
    ]
    assert audit.read(settings, action="send.run")[0].details["warnings_accepted"] is True
