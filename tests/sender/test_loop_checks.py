"""The checks just before each message, as the loop acts on them: quiet hours and a late opt-out."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.receiver import ReceiverOptions
from pipelines.receiver.server import serve_in_thread
from sender.run import SendSummary
from tests.sender.faults import Hold, fault_proxy
from tests.sender.sendkit import (
    APP_SECRET,
    MARKETING,
    emulator,
    german_numbers,
    send_now,
    workspace,
    write_campaign,
)

BERLIN = ZoneInfo("Europe/Berlin")


def next_weekday_at(hour: int, minute: int, second: int) -> datetime:
    """A coming Monday-to-Saturday (the default quiet-hour window is 09:00-20:00 on those days)."""
    day = datetime.now(BERLIN).date() + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BERLIN)


def clock_from(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at ``start`` and runs at real speed."""
    origin = time.monotonic()
    return lambda: (start + timedelta(seconds=time.monotonic() - origin)).astimezone(UTC)


def test_a_message_in_quiet_hours_waits_for_the_window_to_open(tmp_path: Path) -> None:
    opening = next_weekday_at(9, 0, 0)
    files = write_campaign(tmp_path / "c", german_numbers(2), draft=MARKETING, send_at=opening)
    with emulator(files.drafts) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url)
        started = time.time()
        summary = send_now(settings, files.plan, clock=clock_from(opening - timedelta(seconds=2)))
        arrivals = emu.arrivals()
    assert summary.result == "completed"
    assert (summary.tally.accepted, summary.tally.deferred) == (2, 0)
    assert len(arrivals) == 2
    # 08:59:58 in Berlin: nothing went out before 09:00, two seconds later
    assert all(a.wall - started >= 1.9 for a in arrivals)


def test_with_no_wait_a_deferred_message_is_left_for_a_later_run(tmp_path: Path) -> None:
    opening = next_weekday_at(9, 0, 0)
    files = write_campaign(tmp_path / "c", german_numbers(2), draft=MARKETING, send_at=opening)
    with emulator(files.drafts) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url)
        early = send_now(settings, files.plan, wait=False, clock=clock_from(opening - timedelta(hours=1)))
        assert early.tally.deferred == 2 and early.ledger["deferred"] == 2
        assert early.tally.defer_reasons == {"quiet-hours": 2}
        assert emu.arrivals() == []
        later = send_now(settings, files.plan, wait=False, clock=clock_from(opening + timedelta(minutes=5)))
        assert later.tally.accepted == 2 and later.ledger["accepted"] == 2
        assert len(emu.messages()) == 2


def test_an_opt_out_that_lands_mid_campaign_stops_the_later_message(tmp_path: Path) -> None:
    numbers = german_numbers(6)
    before, late = numbers[-2], numbers[-1]
    files = write_campaign(tmp_path / "c", numbers)
    probe = workspace(tmp_path)
    options = ReceiverOptions(landing_dir=probe.landing_path, app_secrets=(APP_SECRET,), access_log=False)
    with (
        serve_in_thread(options) as receiver,
        emulator(files.drafts, webhook_url=f"{receiver}/webhook") as emu,
        fault_proxy(emu.base_url) as proxy,
    ):
        # one call at a time, and the answer to the last-but-one message is held: the last
        # message's check cannot run before the opt-out is in the warehouse
        held = Hold(threading.Event(), threading.Event())
        proxy.script(before, held)
        settings = workspace(
            tmp_path, api_url=proxy.base_url, send="concurrency = 1\nsuppression_refresh_seconds = 0.2"
        )
        result: list[SendSummary] = []
        sender = threading.Thread(target=lambda: result.append(send_now(settings, files.plan)))
        sender.start()
        assert held.reached.wait(30)
        # the last recipient writes STOP while the campaign runs; `wagate ingest` (its own
        # process, as in production) loads the receipt and publishes a new snapshot
        emu.inject_inbound(late, text="STOP")
        assert emu.drain(10)
        ingested = subprocess.run(
            [sys.executable, "-m", "wagate", "--workspace", str(settings.workspace), "ingest"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ingested.returncode == 0, ingested.stderr
        held.release.set()
        sender.join(60)
        accepted = {m.to for m in emu.messages()}
        called = {to for _, to, _ in proxy.posts}
    summary = result[0]
    assert late not in accepted
    assert called == set(numbers[:-1])  # no call for the opted-out recipient
    assert summary.tally.skipped == 1 and summary.tally.skip_reasons == {"suppressed": 1}
    assert (summary.tally.accepted, summary.ledger["skipped"]) == (5, 1)
