"""Retention: each period removes what is one second older than it and keeps what is one second younger."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.config import load_settings
from core.errors import ConfigError
from core.warehouse import Warehouse
from pipelines.privacy.purge import purge, purge_if_due
from pipelines.run import ingest
from tests.pipelines.bodies import send_row, status, text_reply, write_lines
from tests.privacy.seed import run_cli

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
PERSON = "4915120000009"


def _record(body: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"received_at": at.isoformat(), "body": json.dumps(body)}


def _status(wamid: str, at: datetime) -> dict[str, Any]:
    return _record(status(wamid, "delivered", int(at.timestamp()), PERSON), at)


def _reply(message_id: str, text: str, at: datetime) -> dict[str, Any]:
    return _record(text_reply(message_id, PERSON, int(at.timestamp()), text), at)


def _age(path: Path, at: datetime) -> None:
    os.utime(path, (at.timestamp(), at.timestamp()))


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = load_settings(tmp_path / "ws", env={})
    land = settings.landing_path
    body_edge, text_edge = NOW - timedelta(days=90), NOW - timedelta(days=365)
    files = {
        "inside": write_lines(land / "a" / "inside.ndjson", [_status("w.in", body_edge + SECOND)]),
        "outside": write_lines(land / "a" / "outside.ndjson", [_status("w.out", body_edge - SECOND)]),
        "texts": write_lines(
            land / "b" / "texts.ndjson",
            [
                _reply("m.old", "see you at the fair", text_edge - SECOND),
                _reply("m.young", "thanks, that helps", text_edge + SECOND),
                _reply("m.stop", "STOP", NOW - timedelta(days=400)),
            ],
        ),
        "log_out": write_lines(
            land / "sendlogs" / "promo" / "old.jsonl",
            [send_row("w.out", "+" + PERSON, "2023-05-01T00:00:00+00:00")],
        ),
        "log_in": write_lines(
            land / "sendlogs" / "promo" / "young.jsonl",
            [send_row("w.in", "+" + PERSON, "2023-06-01T00:00:00+00:00")],
        ),
    }
    ingest(settings)
    _age(files["inside"], body_edge + SECOND)
    _age(files["outside"], body_edge - SECOND)
    _age(files["texts"], body_edge + SECOND)
    _age(files["log_out"], NOW - timedelta(days=1095) - SECOND)
    _age(files["log_in"], NOW - timedelta(days=1095) + SECOND)
    unloaded = write_lines(land / "c" / "later.ndjson", [_status("w.late", NOW)])
    _age(unloaded, body_edge - timedelta(days=30))  # old, but never ingested: must stay
    return settings, files, unloaded


def _raw(settings: Any) -> dict[str, Any]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        statuses = dict(wh.rows("SELECT wamid, raw IS NOT NULL FROM raw.status_events"))
        texts = dict(wh.rows("SELECT message_id, text FROM raw.inbound_messages"))
        raws = dict(wh.rows("SELECT message_id, raw IS NOT NULL FROM raw.inbound_messages"))
    return {"statuses": statuses, "texts": texts, "raws": raws}


def test_purge_boundaries(world: Any) -> None:
    settings, files, unloaded = world
    report = purge(settings, now=NOW)
    assert (report.landing_files, report.send_log_files) == (1, 1)
    assert not files["outside"].exists() and files["inside"].exists() and unloaded.exists()
    assert not files["log_out"].exists() and files["log_in"].exists()
    after = _raw(settings)
    assert after["statuses"] == {"w.out": False, "w.in": True}
    # texts: one second past 365 days goes, one second inside stays; the STOP is opt-out
    # evidence and stays (text and raw JSON) for the 1827 days of D007
    assert after["texts"] == {"m.old": None, "m.young": "thanks, that helps", "m.stop": "STOP"}
    assert after["raws"] == {"m.old": False, "m.young": False, "m.stop": True}
    assert (report.raw_bodies, report.inbound_texts) == (3, 1)


def test_dry_run_changes_nothing(world: Any) -> None:
    settings, files, _ = world
    before = _raw(settings)
    result = run_cli(settings.workspace, "privacy", "purge", "--dry-run", "--format", "json")
    assert result.code == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["dry_run"] is True and counts["raw_bodies"] >= 3
    assert files["outside"].exists() and _raw(settings) == before


def test_watch_purges_at_most_once_a_day(world: Any) -> None:
    settings = world[0]
    assert purge_if_due(settings, NOW) is not None
    assert purge_if_due(settings, NOW + timedelta(hours=23)) is None
    assert purge_if_due(settings, NOW + timedelta(hours=24)) is not None


def test_consent_evidence_shorter_than_the_law_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="legal minimum of 1827 days"):
        load_settings(tmp_path, env={"WAGATE_RETENTION__CONSENT_EVIDENCE_DAYS": "1095"})
    assert (
        load_settings(
            tmp_path, env={"WAGATE_RETENTION__CONSENT_EVIDENCE_DAYS": "1827"}
        ).retention.consent_evidence_days
        == 1827
    )


def _journal_lines(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    path.chmod(0o600)


def test_the_triggers_journal_keeps_records_younger_than_its_period(tmp_path: Path) -> None:
    # no warehouse: the journal is not ingested, so its period applies regardless
    settings = load_settings(tmp_path / "ws", env={"WAGATE_RETENTION__TRIGGERS_JOURNAL_DAYS": "30"})
    edge = NOW - timedelta(days=30)
    old, young = (edge - SECOND).isoformat(), (edge + SECOND).isoformat()
    folder = settings.workspace / "triggers"

    def event(event_id: str, at: str) -> dict[str, Any]:
        customer = {"phone": "+" + PERSON, "name": "Ana Lima"}
        return {"received_at": at, "source": "native", "event": {"id": event_id, "customer": customer}}

    _journal_lines(folder / "events.jsonl", [event("e-old", old), event("e-young", young)])
    _journal_lines(
        folder / "outcomes.jsonl",
        [
            {"at": old, "event_id": "e-old", "status": "sent"},
            {"at": young, "event_id": "e-young", "status": "sent"},
        ],
    )
    _journal_lines(
        folder / "quarantine.jsonl",
        [{"id": "q1", "received_at": old, "source": "shopify", "body": "{}", "reason": "bad"}],
    )
    _journal_lines(folder / "ignored.jsonl", [{"received_at": young, "source": "shopify", "reason": "topic"}])
    before = {p.name: p.read_text() for p in folder.glob("*.jsonl")}

    assert purge(settings, now=NOW, dry_run=True).trigger_records == 3
    assert {p.name: p.read_text() for p in folder.glob("*.jsonl")} == before

    assert purge(settings, now=NOW).trigger_records == 3
    events = [json.loads(line)["event"]["id"] for line in (folder / "events.jsonl").read_text().splitlines()]
    outcomes = [json.loads(line)["event_id"] for line in (folder / "outcomes.jsonl").read_text().splitlines()]
    assert (events, outcomes) == (["e-young"], ["e-young"])
    assert (folder / "quarantine.jsonl").read_text() == ""
    assert (folder / "ignored.jsonl").read_text() == before["ignored.jsonl"]
    assert (folder / "events.jsonl").stat().st_mode & 0o777 == 0o600
    assert settings.retention.triggers_journal_days == 30
