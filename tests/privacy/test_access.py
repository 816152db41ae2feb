"""`wagate privacy export NUMBER`: everything held about one person, and nothing about others."""

from __future__ import annotations

import json
from pathlib import Path

from core.phones import ContactKeyer
from tests.privacy.seed import ANNA, ANNA_NAME, BOB, run_cli, seed


def test_export_holds_every_table_with_the_persons_rows(tmp_path: Path) -> None:
    world = seed(tmp_path)
    out = tmp_path / "anna.json"
    result = run_cli(world.settings.workspace, "privacy", "export", "+49 151 2000 0001", "-o", str(out))
    assert result.code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    key = ContactKeyer.for_workspace(world.settings.key_path).key(ANNA)
    assert data["number"] == ANNA and data["contact_key"] == key
    tables = {name: len(rows) for name, rows in data["tables"].items()}
    # worked out from the seed: 2 sends with 3 statuses each, a reply and a STOP, one
    # user-preference stop; the STOP and the preference are two opt-outs
    assert tables == {
        "core.attempts": 2,
        "core.consent_signals": 2,
        "core.contacts": 1,
        "core.inbound": 2,
        "core.messages": 2,
        "core.suppression": 2,
        "raw.inbound_messages": 2,
        "raw.send_log": 2,
        "raw.status_events": 6,
        "raw.user_preferences": 1,
    }
    texts = sorted(row["text"] for row in data["tables"]["raw.inbound_messages"])
    assert texts == ["Hi, Annegret Beispiel here, call me on +4915120000001", "STOP"]
    assert BOB.lstrip("+") not in out.read_text(encoding="utf-8")
    assert out.stat().st_mode & 0o077 == 0
    assert ANNA_NAME in out.read_text(encoding="utf-8")


def test_export_is_audited_and_listed_in_the_next_export(tmp_path: Path) -> None:
    world = seed(tmp_path)
    ws = world.settings.workspace
    assert run_cli(ws, "privacy", "export", ANNA, "-o", str(tmp_path / "1.json")).code == 0
    result = run_cli(ws, "privacy", "export", ANNA)
    data = json.loads(result.stdout)
    assert [entry["action"] for entry in data["audit"]] == ["privacy.export"]
