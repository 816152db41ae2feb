"""`wagate privacy forget`: the person is gone from every table, view, file and export; totals stay."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from core.history import WarehouseHistory
from core.phones import ContactKeyer, mask
from core.warehouse import Warehouse
from pipelines.export import export_parquet
from pipelines.run import ingest
from tests.conftest import CliResult
from tests.privacy.scan import file_hits, parquet_hits, warehouse_hits
from tests.privacy.seed import ANNA, ANNA_FORMS, ANNA_NAME, BOB, BOB_NAME, Seeded, run_cli, seed
from triggers.dispatch import Outcome
from triggers.events import parse_event
from triggers.journal import Journal

ANNA_NATIONAL = "15120000001"
BOB_NATIONAL = "15120000002"

TOTALS = """
SELECT (SELECT count(*) FROM core.contacts), (SELECT count(*) FROM core.attempts),
       (SELECT count(*) FROM core.messages), (SELECT count(*) FROM core.inbound),
       (SELECT count(*) FROM core.consent_signals), (SELECT count(*) FROM marts.suppression_list),
       (SELECT count(DISTINCT contact_key) FROM marts.suppression_list),
       (SELECT count(*) FROM raw.status_events), (SELECT count(*) FROM raw.inbound_messages),
       (SELECT count(*) FROM raw.send_log)
"""


def _metrics(path: Path) -> tuple[list[dict[str, Any]], tuple[Any, ...]]:
    with Warehouse.open_reader(path) as wh:
        by_campaign = wh.dicts("SELECT * FROM marts.metrics_by_campaign ORDER BY 1")
        by_country = wh.dicts("SELECT * FROM marts.metrics_by_country ORDER BY 1")
        return by_campaign + by_country, wh.rows(TOTALS)[0]


def _ledger(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE messages (key TEXT PRIMARY KEY, to_number TEXT NOT NULL)")
    con.executemany("INSERT INTO messages VALUES (?, ?)", [("a", ANNA), ("b", BOB)])
    con.commit()
    con.close()


# the shop knows Anna by another name than her WhatsApp profile: forget erases both
ANNA_SHOP_NAME = "Annegret Musterfrau"


def _journal(folder: Path) -> Journal:
    """A triggers journal as `wagate triggers` writes it: an event, its outcome, a bad body and an
    ignored webhook for each person (Anna's bad body spells her number the national way)."""
    journal = Journal(folder)
    for event_id, phone, name in (("evt-anna", ANNA, ANNA_SHOP_NAME), ("evt-bob", BOB, BOB_NAME)):
        event = {
            "id": event_id,
            "type": "order.shipped",
            "occurred_at": "2026-01-02T10:00:00Z",
            "order_id": f"A-{event_id}",
            "customer": {"phone": phone, "name": name, "language": "de"},
        }
        journal.accepted(parse_event(event), "native")
        journal.outcome(Outcome(event_id, "order.shipped", "trigger:order.shipped", "sent", to=mask(phone)))
    for event_id, phone in (("evt-anna-2", "0151 2000 0001"), ("evt-bob-2", "0151 2000 0002")):
        body = {"id": event_id, "type": "order.shipped", "customer": {"phone": phone, "country": "DE"}}
        journal.quarantine(json.dumps(body), "occurred_at is missing", "native")
        # a refused event has an outcome too
        outcome = Outcome(event_id, "order.shipped", "trigger:order.shipped", "refused", reason="T004")
        journal.outcome(outcome)
    journal.ignored("shopify", "products/update", "not an event wagate sends for")
    return journal


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    world = seed(tmp_path)
    with Warehouse.open_writer(world.settings.warehouse_path) as wh:
        export_parquet(wh, world.settings.workspace / "exports" / "all")
    _ledger(world.settings.workspace / "sends" / "promo.sqlite")
    (world.settings.workspace / "notes.txt").write_text(
        f"call {ANNA_NAME} on +49 151 2000 0001\n", encoding="utf-8"
    )
    _journal(world.settings.workspace / "triggers")
    return world


def _run(world: Seeded, *args: str) -> CliResult:
    return run_cli(world.settings.workspace, *args)


def test_before_forgetting_the_person_is_everywhere(seeded: Seeded) -> None:
    # the scan must be able to fail: it finds Anna in each kind of place before the erasure
    ws = seeded.settings.workspace
    assert warehouse_hits(seeded.settings.warehouse_path, ANNA_NATIONAL, ANNA_NAME)
    assert parquet_hits(ws / "exports" / "all", ANNA_NATIONAL, ANNA_NAME)
    hits = file_hits(ws, ANNA_NATIONAL, ANNA_NAME)
    assert any("receipts" in h for h in hits) and any("sendlogs" in h for h in hits)
    assert any(h.endswith(".sqlite") for h in hits) and any(h.endswith("notes.txt") for h in hits)
    assert any(ANNA_NAME in Path(h).read_text(errors="replace") for h in hits if "receipts" in h)
    journal = {Path(h).name for h in hits if "/triggers/" in h}
    assert journal == {"events.jsonl", "quarantine.jsonl"}
    assert ANNA_SHOP_NAME in (ws / "triggers" / "events.jsonl").read_text()


@pytest.mark.parametrize("form", ["0151 2000 0001", "+49 151 20000001"])
def test_forget_erases_every_format_and_the_name_and_keeps_totals(seeded: Seeded, form: str) -> None:
    ws = seeded.settings.workspace
    before = _metrics(seeded.settings.warehouse_path)
    result = _run(seeded, "privacy", "forget", form, "--region", "DE", "--reason", "ticket 17")
    assert result.code == 0, result.stderr
    assert "forgot 1 person(s) (1 found in the warehouse)" in result.stdout
    for path in (seeded.settings.warehouse_path, ws / "warehouse.snapshot.duckdb"):
        assert warehouse_hits(path, ANNA_NATIONAL, ANNA_NAME) == []
    assert parquet_hits(ws / "exports" / "all", ANNA_NATIONAL, ANNA_NAME) == []
    assert file_hits(ws, ANNA_NATIONAL, ANNA_NAME) == []
    for spelled in ANNA_FORMS:  # the literal spellings too, file by file
        assert not any(
            spelled in p.read_bytes().decode("utf-8", "replace")
            for p in ws.rglob("*")
            if p.is_file() and p.suffix not in (".duckdb", ".parquet")
        )
    assert _metrics(seeded.settings.warehouse_path) == before
    # the triggers journal: Anna's event, bad body and both outcomes are gone, Bob's records stay
    journal = Journal(ws / "triggers")
    assert [r["event"]["id"] for r in journal.events()] == ["evt-bob"]
    assert journal.events()[0]["event"]["customer"] == {"phone": BOB, "name": BOB_NAME, "language": "de"}
    assert [r["event_id"] for r in journal.outcomes()] == ["evt-bob", "evt-bob-2"]
    assert [json.loads(q.body)["id"] for q in journal.quarantined()] == ["evt-bob-2"]
    assert len((ws / "triggers" / "ignored.jsonl").read_text().splitlines()) == 1
    assert not any(ANNA_SHOP_NAME in p.read_text() for p in (ws / "triggers").glob("*.jsonl"))
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in (ws / "triggers").glob("*.jsonl"))
    # Bob is untouched
    assert warehouse_hits(seeded.settings.warehouse_path, BOB_NATIONAL, BOB_NAME)
    assert any(BOB_NAME in Path(h).read_text() for h in file_hits(ws, BOB_NATIONAL, BOB_NAME))


def test_the_opt_out_proof_keeps_the_person_suppressed(seeded: Seeded) -> None:
    assert _run(seeded, "privacy", "forget", ANNA).code == 0
    key = ContactKeyer.for_workspace(seeded.settings.key_path).key(ANNA)
    with Warehouse.open_reader(seeded.settings.warehouse_path) as wh:
        proof = wh.dicts("SELECT * FROM core.suppression WHERE contact_key = $k", {"k": key})
        assert proof and all(row["event_id"].startswith("erased:") for row in proof)
        assert {row["channel"] for row in proof} == {"keyword", "user_preferences"}
        assert wh.scalar("SELECT count(*) FROM core.contacts WHERE contact_key = $k", {"k": key}) == 0
    suppressed = WarehouseHistory(seeded.settings).suppressed(pl.Series([ANNA]))
    assert suppressed.height >= 1  # the sender and the linter still refuse to message her


def test_reingesting_an_old_file_does_not_bring_the_person_back(seeded: Seeded, tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    shutil.copytree(seeded.landing, saved)
    assert _run(seeded, "privacy", "forget", "4915120000001").code == 0
    after = _metrics(seeded.settings.warehouse_path)
    ingest(seeded.settings, [saved])
    assert warehouse_hits(seeded.settings.warehouse_path, ANNA_NATIONAL, ANNA_NAME) == []
    assert _metrics(seeded.settings.warehouse_path) == after


def test_forget_is_audited_by_pseudonym_only(seeded: Seeded) -> None:
    assert _run(seeded, "privacy", "forget", ANNA, "--reason", "email of 2 Feb").code == 0
    listed = _run(seeded, "audit", "list", "--action", "privacy.forget", "--format", "json")
    assert listed.code == 0
    key = ContactKeyer.for_workspace(seeded.settings.key_path).key(ANNA)
    assert key in listed.stdout and "email of 2 Feb" in listed.stdout
    assert ANNA_NATIONAL not in listed.stdout


def test_a_number_that_is_not_one_is_a_clear_error(seeded: Seeded) -> None:
    result = _run(seeded, "privacy", "forget", "hello")
    assert result.code == 2
    assert "'hello' is not a phone number" in result.stderr


def test_forgetting_twice_changes_nothing_more(seeded: Seeded) -> None:
    assert _run(seeded, "privacy", "forget", ANNA).code == 0
    once = _metrics(seeded.settings.warehouse_path)
    second = _run(seeded, "privacy", "forget", "+49 151 2000 0001")
    assert second.code == 0 and "(0 found in the warehouse)" in second.stdout
    assert _metrics(seeded.settings.warehouse_path) == once
