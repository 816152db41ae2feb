"""Settling unknown outcomes before a resumed run: from the send log, from receipts, or not at all."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from sender.campaign import build_campaign
from sender.gate import open_gate
from sender.ledger import Ledger, Outcome
from sender.model import Campaign
from sender.resume import reconcile
from sender.run import campaign_ledger_path, send_log_root
from sender.sendlog import SendLog, send_log_row
from tests.sender.sendkit import emulator, german_numbers, send_now, workspace, write_campaign

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Receipts:
    """Statuses that echo some keys, as core.history.WarehouseHistory.callbacks answers."""

    def __init__(self, wamids: dict[str, str]) -> None:
        self.wamids = wamids
        self.asked: list[str] = []

    def callbacks(self, keys: Sequence[str]) -> pl.DataFrame:
        self.asked += list(keys)
        rows = [(k, self.wamids[k], "sent", T0) for k in keys if k in self.wamids]
        return pl.DataFrame(
            rows,
            schema={
                "key": pl.String,
                "wamid": pl.String,
                "status": pl.String,
                "status_at": pl.Datetime("us", "UTC"),
            },
            orient="row",
        )


@pytest.fixture
def campaign(tmp_path: Path) -> Iterator[tuple[Campaign, Path]]:
    files = write_campaign(tmp_path / "c", german_numbers(3))
    settings = workspace(tmp_path)
    gate = open_gate(files.plan, settings, accept_warnings=True)
    yield build_campaign(gate, settings), tmp_path


def test_a_killed_run_is_settled_from_the_send_log_then_from_receipts(
    campaign: tuple[Campaign, Path],
) -> None:
    built, tmp_path = campaign
    settings = workspace(tmp_path)
    logged, receipted, lost = built.messages
    root = send_log_root(settings)
    with Ledger(campaign_ledger_path(settings, built.name)) as ledger:
        ledger.add_messages(built.messages, T0)
        for message in built.messages:
            ledger.intent(message.key, T0, "old-digest")
        # the killed run wrote the answer of the first call to the send log, and nothing else
        earlier = SendLog(root, built.name, started=T0)
        earlier.write(
            send_log_row(
                logged,
                attempted_at=T0,
                phone_number_id="1",
                outcome="accepted",
                wamid="wamid.L",
                lint_report="d",
            )
        )

    receipts = Receipts({receipted.key: "wamid.R"})
    with Ledger(campaign_ledger_path(settings, built.name)) as ledger:
        now = SendLog(root, built.name, started=T0 + timedelta(hours=1))
        found = reconcile(
            built,
            ledger,
            send_log_root=root,
            send_log=now,
            receipts=receipts,
            phone_number_id="1",
            clock=lambda: T0 + timedelta(hours=1),
        )
        entries = ledger.entries()
        now.close()
    assert (found.crashed, found.from_send_log, found.from_receipts, found.still_unknown) == (3, 1, 1, 1)
    assert sorted(receipts.asked) == sorted([receipted.key, lost.key])  # the send log answered for the first
    assert (entries[logged.key].state, entries[logged.key].wamid) == ("accepted", "wamid.L")
    assert (entries[receipted.key].state, entries[receipted.key].wamid) == ("accepted", "wamid.R")
    assert entries[lost.key].state == "unknown"
    # the receipt-settled message gets the send-log row its lost answer never wrote
    written = now.final_path.read_text(encoding="utf-8")
    assert '"wamid":"wamid.R"' in written and '"lint_report":"old-digest"' in written
    assert T0.isoformat(timespec="microseconds") in written  # at the time of the call


def test_unknown_messages_are_resent_only_when_asked(campaign: tuple[Campaign, Path]) -> None:
    built, tmp_path = campaign
    with emulator([tmp_path / "c" / "draft.json"]) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url)
        with Ledger(campaign_ledger_path(settings, built.name)) as ledger:
            ledger.add_messages(built.messages, T0)
            ledger.record(Outcome(built.messages[0].key, "unknown", T0, reason="no answer"))
            ledger.flush()
        plain = send_now(settings, built.plan_path)
        assert plain.tally.calls == 2 and plain.ledger["unknown"] == 1
        assert built.messages[0].to not in {m.to for m in emu.messages()}
        asked = send_now(settings, built.plan_path, resend_unknown=True)
        assert asked.tally.calls == 1 and asked.ledger == {**asked.ledger, "unknown": 0, "accepted": 3}
        assert sorted(m.to for m in emu.messages()) == sorted(m.to for m in built.messages)
