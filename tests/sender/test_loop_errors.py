"""The loop's error policy against the emulator: retries, stops, pauses, the reach tier, an unreachable API."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from core.config import Settings
from core.pauses import Pause, write_flag
from sender.emulator import EmulatorHandle, load_profile
from sender.emulator.profile import Account
from tests.sender.faults import Fail, Pass, fault_proxy
from tests.sender.sendkit import CampaignFiles, emulator, german_numbers, send_now, workspace, write_campaign

FAST_RETRIES = "backoff_base_seconds = 0.05\nbackoff_cap_seconds = 0.2\npair_interval_seconds = 0.5"


def send_log_rows(settings: Settings) -> list[dict[str, object]]:
    logs = sorted((settings.landing_path / "sendlogs").rglob("*.jsonl"))
    return [json.loads(line) for path in logs for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def files(tmp_path: Path) -> CampaignFiles:
    return write_campaign(tmp_path / "campaign", german_numbers(6))


@pytest.fixture
def emu(files: CampaignFiles) -> Iterator[EmulatorHandle]:
    with emulator(files.drafts) as handle:
        yield handle


def test_retryable_errors_are_retried_until_accepted_once_and_every_attempt_is_logged(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    transient, throttled, pair, undeliverable, *_ = files.numbers
    with fault_proxy(emu.base_url) as proxy:
        proxy.script(
            transient, Fail(131000, "Something went wrong", 500), Fail(131000, "Something went wrong", 500)
        )
        proxy.script(throttled, Fail(130429, "Rate limit hit"))
        proxy.script(pair, Fail(131056, "(Business Account, Consumer Account) pair rate limit hit"))
        proxy.script(undeliverable, Fail(131026, "Message undeliverable"))
        settings = workspace(tmp_path, api_url=proxy.base_url, send=FAST_RETRIES)
        summary = send_now(settings, files.plan)
        posts = {to: proxy.posts_to(to) for to in files.numbers}

    assert summary.result == "completed"
    assert (summary.tally.accepted, summary.tally.rejected, summary.tally.retries) == (5, 1, 4)
    accepted_to = [m.to for m in emu.messages()]
    assert sorted(accepted_to) == sorted(n for n in files.numbers if n != undeliverable)  # once each
    assert posts[transient] == ["Fail", "Fail", "Pass"]
    assert posts[undeliverable] == ["Fail"]  # 131026 is not retried

    rows = send_log_rows(settings)
    by_to: dict[object, list[tuple[object, object]]] = {}
    for row in rows:
        by_to.setdefault(row["to"], []).append((row["outcome"], row["error_code"]))
    assert by_to[transient] == [("rejected", 131000), ("rejected", 131000), ("accepted", None)]
    assert by_to[throttled] == [("rejected", 130429), ("accepted", None)]
    assert by_to[pair] == [("rejected", 131056), ("accepted", None)]
    assert by_to[undeliverable] == [("rejected", 131026)]
    assert len(rows) == 10  # one row per API answer
    assert summary.ledger["accepted"] == 5 and summary.ledger["rejected"] == 1


def test_a_pair_rate_error_waits_before_the_same_recipient_is_tried_again(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    target = files.numbers[0]
    with fault_proxy(emu.base_url) as proxy:
        proxy.script(target, Fail(131056, "pair rate limit hit"), Pass())
        settings = workspace(tmp_path, api_url=proxy.base_url, send=FAST_RETRIES)
        send_now(settings, files.plan)
        times = [at for at, to, _ in proxy.posts if to == target]
    # 4^0 = 1 s (more than the 0.5 s pair interval; later repeats wait 4, 16, ... s: test_pacing)
    assert len(times) == 2 and times[1] - times[0] >= 0.95


def test_a_limited_retry_gives_up_and_records_the_message_as_rejected(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    target = files.numbers[0]
    with fault_proxy(emu.base_url) as proxy:
        proxy.script(target, *[Fail(131000, "Something went wrong", 500)] * 5)
        settings = workspace(tmp_path, api_url=proxy.base_url, send=FAST_RETRIES)
        summary = send_now(settings, files.plan)
        assert proxy.posts_to(target) == ["Fail", "Fail", "Fail"]  # 131000: three attempts at most
    assert summary.tally.rejected == 1 and summary.tally.accepted == 5
    assert target not in {m.to for m in emu.messages()}


def test_an_account_level_error_stops_the_campaign_at_once(tmp_path: Path, files: CampaignFiles) -> None:
    restricted = dataclasses.replace(
        load_profile("fast"), account=Account(after_accepted=2, then="restricted")
    )
    with emulator(files.drafts, profile=restricted) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url, send="concurrency = 1")
        summary = send_now(settings, files.plan)
        arrivals = emu.arrivals()
    assert summary.result == "stopped" and summary.exit_code == 1
    assert summary.stop is not None and summary.stop.kind == "account" and summary.stop.error_code == 368
    assert "368" in summary.stop.message and "WhatsApp Manager" in summary.stop.message
    # two accepted, the third refused with 368, and nothing after it
    assert [a.error_code for a in arrivals] == [None, None, 368]
    assert summary.ledger["accepted"] == 2 and summary.ledger["pending"] == 4

    # once the account is fine again, the same command sends the rest and nobody twice
    with emulator(files.drafts) as emu:
        settings = workspace(tmp_path, api_url=emu.base_url, send="concurrency = 1")
        resumed = send_now(settings, files.plan)
        assert sorted(m.to for m in emu.messages()) == sorted(files.numbers[2:])
    assert resumed.result == "completed" and resumed.ledger["accepted"] == 6


def test_a_template_paused_by_meta_stops_the_campaign(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    emu.set_template_status("order_shipped", "en_US", "PAUSED")
    settings = workspace(tmp_path, api_url=emu.base_url, send="concurrency = 1")
    summary = send_now(settings, files.plan)
    assert summary.stop is not None and (summary.stop.kind, summary.stop.error_code) == ("template", 132015)
    assert len(emu.arrivals()) == 1 and emu.messages() == []


def test_a_pause_flag_stops_the_campaign_before_the_next_message(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    settings = workspace(tmp_path, api_url=emu.base_url)
    pause = Pause("campaign", "autumn-notice", "2026-03-02T09:00:00+00:00", "alerts", "complaint rate rising")
    write_flag(settings.workspace, pause)
    summary = send_now(settings, files.plan)
    assert summary.stop is not None and summary.stop.kind == "paused"
    assert summary.exit_code == 1
    assert emu.arrivals() == []
    assert summary.ledger["pending"] == 6


class ReachedHistory:
    """A warehouse that has already counted 248 recipients today (and knows nothing else)."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        return pl.DataFrame(
            schema={
                "e164": pl.String,
                "suppressed_at": pl.Datetime("us", "UTC"),
                "scope": pl.String,
                "reason": pl.String,
            }
        )

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        return pl.DataFrame(
            schema={
                "e164": pl.String,
                "sent_at": pl.Datetime("us", "UTC"),
                "category": pl.String,
                "template": pl.String,
            }
        )

    def reach(self, since: datetime) -> int:
        return 248

    def callbacks(self, keys: object) -> pl.DataFrame:
        return pl.DataFrame(schema={"key": pl.String, "wamid": pl.String})


def test_the_reach_tier_stops_cleanly_and_the_rest_stays_pending(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    settings = workspace(tmp_path, api_url=emu.base_url, send="reach_tier = 250")
    summary = send_now(settings, files.plan, history=ReachedHistory())
    assert summary.stop is not None and summary.stop.kind == "reach"
    assert "250" in summary.stop.message
    assert len(emu.messages()) == 2  # 248 + 2 = the tier
    assert summary.ledger["accepted"] == 2 and summary.ledger["pending"] == 4


def test_an_unreachable_api_stops_with_the_address_and_sends_nothing(
    tmp_path: Path, files: CampaignFiles
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = workspace(tmp_path, api_url=f"http://127.0.0.1:{port}")
    summary = send_now(settings, files.plan)
    assert summary.stop is not None and summary.stop.kind == "unreachable"
    assert f"127.0.0.1:{port}" in summary.stop.message
    assert summary.ledger["pending"] == 6 and summary.tally.calls == 0


def test_a_run_of_identical_rejections_before_any_acceptance_stops_as_a_configuration_problem(
    tmp_path: Path,
) -> None:
    files = write_campaign(tmp_path / "many", german_numbers(25))
    with emulator(files.drafts) as emu:
        wrong = workspace(tmp_path, api_url=emu.base_url, send="concurrency = 1")
        wrong = wrong.model_copy(update={"send": wrong.send.model_copy(update={"phone_number_id": "999999"})})
        summary = send_now(wrong, files.plan)
        assert summary.stop is not None and summary.stop.kind == "rejections"
        assert "error 100" in summary.stop.message and "--retry-rejected" in summary.stop.message
        assert len(emu.arrivals()) == 20 and emu.messages() == []
        assert (summary.ledger["rejected"], summary.ledger["pending"]) == (20, 5)

        fixed = workspace(tmp_path, api_url=emu.base_url)
        plain = send_now(fixed, files.plan)
        assert (plain.tally.accepted, plain.ledger["rejected"]) == (5, 20)  # rejected ones wait to be asked
        retried = send_now(fixed, files.plan, retry_rejected=True)
        assert retried.ledger["accepted"] == 25
        assert sorted(m.to for m in emu.messages()) == sorted(files.numbers)
