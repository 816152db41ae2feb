"""End to end against the emulator: events become gated utility messages, once each."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sender.run import send_log_root
from tests.sender.sendkit import emulator
from tests.triggers.kit import ANA, BEN, draft_files, event, intake, workspace, write_inputs
from triggers.events import parse_event


def _send_log_rows(settings_root: Path) -> list[dict[str, object]]:
    rows = []
    for path in sorted(settings_root.rglob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return rows


def test_a_shop_event_becomes_one_accepted_utility_message_and_a_duplicate_sends_nothing(
    tmp_path: Path,
) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        first = asyncio.run(intake(settings, mapping).run(parse_event(event("evt-1"))))
        # a second delivery of the same event, in a fresh process (new intake)
        again = asyncio.run(intake(settings, mapping).run(parse_event(event("evt-1"))))
        messages = emu.messages()
    assert first.status == "sent" and first.wamid is not None
    assert again.status == "duplicate" and again.wamid == first.wamid
    assert [(m.to, m.template, m.language) for m in messages] == [(ANA, "order_shipped", "en_US")]
    rows = _send_log_rows(send_log_root(settings))
    assert [(r["campaign"], r["to"]) for r in rows if r.get("outcome") == "accepted"] == [
        ("trigger:order.shipped", ANA)
    ]


def test_each_event_sends_its_own_message_in_the_customers_language(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        german = asyncio.run(runner.run(parse_event(event("evt-de", phone=ANA, language="de-AT"))))
        french = asyncio.run(runner.run(parse_event(event("evt-fr", phone=BEN, language="fr"))))
        messages = emu.messages()
    assert (german.status, german.language) == ("sent", "de")
    # no French draft: the mapping's fallback language
    assert (french.status, french.language) == ("sent", "en_US")
    assert sorted((m.to, m.language) for m in messages) == [(ANA, "de"), (BEN, "en_US")]


def test_an_opted_out_customer_gets_nothing_and_the_event_is_recorded_as_suppressed(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url, suppressed=(BEN,))
        runner = intake(settings, mapping)
        outcome = asyncio.run(runner.run(parse_event(event("evt-2", phone=BEN))))
        messages = emu.messages()
    assert outcome.status == "suppressed"
    assert "O003" in outcome.codes
    assert messages == []
    recorded = runner.journal.outcomes()
    assert [(r["event_id"], r["status"]) for r in recorded] == [("evt-2", "suppressed")]


def test_a_customer_who_refused_whatsapp_updates_is_excluded_for_missing_consent(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    data = event("evt-3")
    data["customer"]["consent"] = False
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        outcome = asyncio.run(intake(settings, mapping).run(parse_event(data)))
        messages = emu.messages()
    assert outcome.status == "excluded"
    assert "C001" in outcome.codes
    assert messages == []


def test_a_promotional_template_mapped_to_an_event_is_refused_and_kept_for_replay(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        outcome = asyncio.run(runner.run(parse_event(event("evt-4", kind="order.created"))))
        messages = emu.messages()
    assert outcome.status == "refused"
    assert "T004" in outcome.codes
    assert messages == []
    kept = runner.journal.quarantined()
    assert len(kept) == 1 and "T004" in kept[0].reason
    assert json.loads(kept[0].body)["id"] == "evt-4"


def test_an_explicit_whatsapp_opt_in_after_the_opt_out_lets_the_event_through(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    data = event("evt-5", phone=BEN)
    # the suppression entry is from 2025-02-01; the shop recorded a new opt-in after it
    data["customer"]["consent"] = {
        "at": "2025-03-01T09:00:00Z",
        "method": "checkbox_unticked",
        "source": "acme.example/checkout",
        "text_version": "checkout-2025-02",
    }
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url, suppressed=(BEN,))
        outcome = asyncio.run(intake(settings, mapping).run(parse_event(data)))
        messages = emu.messages()
    assert outcome.status == "sent", outcome.reason
    assert [m.to for m in messages] == [BEN]
