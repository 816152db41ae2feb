"""A campaign end to end: sender → emulator → signed webhooks → receiver → ingest → the warehouse.

Also: a second run sends nothing again, and an outcome left unknown is settled from receipts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.config import Settings
from core.history import WarehouseHistory
from core.warehouse import Warehouse
from pipelines.receiver import ReceiverOptions
from pipelines.receiver.server import serve_in_thread
from pipelines.run import ingest
from sender.emulator import EmulatorHandle
from sender.ledger import Ledger
from sender.run import SendSummary, campaign_ledger_path
from tests.sender.faults import Slow, fault_proxy
from tests.sender.sendkit import (
    APP_SECRET,
    CampaignFiles,
    emulator,
    german_numbers,
    send_now,
    workspace,
    write_campaign,
)


@dataclass
class World:
    """A workspace, its campaign, an emulator and a receiver wired together."""

    settings: Settings
    files: CampaignFiles
    emu: EmulatorHandle
    receiver_options: ReceiverOptions

    def rows(self) -> list[dict[str, object]]:
        logs = sorted((self.settings.landing_path / "sendlogs").rglob("*.jsonl"))
        return [json.loads(line) for path in logs for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    numbers = german_numbers(24)
    files = write_campaign(tmp_path / "campaign", numbers)
    probe = workspace(tmp_path)
    options = ReceiverOptions(landing_dir=probe.landing_path, app_secrets=(APP_SECRET,), access_log=False)
    with (
        serve_in_thread(options) as receiver_url,
        emulator(files.drafts, webhook_url=f"{receiver_url}/webhook") as emu,
    ):
        settings = workspace(tmp_path, api_url=emu.base_url, send="rate_per_second = 200\nconcurrency = 8")
        yield World(settings, files, emu, options)


def test_a_campaign_end_to_end(world: World) -> None:
    summary = send_now(world.settings, world.files.plan)
    assert summary.result == "completed"
    assert (summary.tally.accepted, summary.tally.rejected, summary.tally.calls) == (24, 0, 24)

    rows = world.rows()
    accepted = {m.wamid: m for m in world.emu.messages()}
    assert len(rows) == 24  # one row per attempt, one attempt per message
    assert {row["wamid"] for row in rows} == set(accepted)
    assert {row["to"] for row in rows} == set(world.files.numbers)
    for row in rows:
        assert row["outcome"] == "accepted"
        assert row["lint_report"] == summary.lint_report  # the report that allowed the send, in every row
        assert accepted[str(row["wamid"])].callback_data == row["idempotency_key"]  # echoed for receipts
        assert row["campaign"] == "autumn-notice" and row["template"] == "order_shipped"

    assert world.emu.drain(20)
    report = ingest(world.settings)  # the landing zone: receipts and the send log in one go
    assert report.quarantined == 0
    with Warehouse.open_reader(world.settings.warehouse_path) as wh:
        logged = wh.scalar(
            "SELECT count(*) FROM raw.send_log WHERE outcome = 'accepted' AND campaign = 'autumn-notice'"
        )
        joined = wh.scalar(
            "SELECT count(DISTINCT s.wamid) FROM raw.status_events s JOIN raw.send_log l ON l.wamid = s.wamid"
        )
    assert logged == 24
    assert joined == 24  # every message's receipts join its send-log row by wamid


def test_running_the_same_command_again_sends_nothing_twice(world: World) -> None:
    first = send_now(world.settings, world.files.plan)
    assert first.tally.accepted == 24
    arrivals = len(world.emu.arrivals())
    again = send_now(world.settings, world.files.plan)
    assert again.result == "completed"
    assert (again.tally.total, again.tally.calls) == (0, 0)
    assert len(world.emu.arrivals()) == arrivals
    assert again.ledger["accepted"] == 24


def test_an_unknown_outcome_is_not_resent_and_is_settled_by_its_receipt(world: World, tmp_path: Path) -> None:
    slow = world.files.numbers[5]
    settings = world.settings
    with fault_proxy(world.emu.base_url) as proxy:
        proxy.script(slow, Slow(1.5))
        first = _send_through(settings, world.files.plan, proxy.base_url)
    assert first.tally.unknown == 1 and first.tally.accepted == 23
    assert first.ledger["unknown"] == 1
    wamid = next(m.wamid for m in world.emu.messages() if m.to == slow)  # the emulator did accept it

    # a second run before any receipt: the unknown message is not sent again
    again = send_now(settings, world.files.plan)
    assert (again.tally.calls, again.ledger["unknown"]) == (0, 1)
    assert [m.to for m in world.emu.messages()].count(slow) == 1

    # receipts arrive and are ingested: the next run settles it from the status carrying its key
    assert world.emu.drain(20)
    ingest(settings)
    settled = send_now(settings, world.files.plan, history=WarehouseHistory(settings))
    assert settled.reconciled.from_receipts == 1
    assert settled.tally.calls == 0
    assert settled.ledger["unknown"] == 0 and settled.ledger["accepted"] == 24
    with Ledger(campaign_ledger_path(settings, "autumn-notice")) as ledger:
        entry = next(e for e in ledger.entries().values() if e.to == slow)
    assert (entry.state, entry.wamid) == ("accepted", wamid)
    # and the send log now has the row the lost answer never wrote, so metrics join its receipts
    rows = [row for row in world.rows() if row["to"] == slow]
    assert [(row["outcome"], row["wamid"]) for row in rows] == [("accepted", wamid)]
    assert [m.to for m in world.emu.messages()].count(slow) == 1


def _send_through(settings: Settings, plan: Path, url: str) -> SendSummary:
    """Send through ``url`` with a read timeout the proxy's slow answer exceeds."""
    tight = settings.model_copy(
        update={"send": settings.send.model_copy(update={"api_base_url": url, "read_timeout_seconds": 0.5})}
    )
    return send_now(tight, plan)
