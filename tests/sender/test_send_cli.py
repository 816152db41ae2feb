"""`wagate send` as a real process against the emulator: output, exit codes, refusals, Ctrl-C."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sender.emulator import EmulatorHandle
from tests.conftest import CliResult
from tests.sender.sendkit import (
    TOKEN,
    UTILITY,
    CampaignFiles,
    emulator,
    german_numbers,
    workspace,
    write_campaign,
)

ROOT = Path(__file__).resolve().parents[2]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return {**env, "WAGATE_ACCESS_TOKEN": TOKEN, **extra}


@pytest.fixture
def files(tmp_path: Path) -> CampaignFiles:
    return write_campaign(tmp_path / "campaign", german_numbers(12))


@pytest.fixture
def emu(files: CampaignFiles) -> Iterator[EmulatorHandle]:
    with emulator(files.drafts) as handle:
        yield handle


@pytest.fixture
def ready(tmp_path: Path, emu: EmulatorHandle) -> Path:
    """The workspace, sending to the emulator, progress lines every 0.2 s."""
    settings = workspace(
        tmp_path, api_url=emu.base_url, send="rate_per_second = 40\nprogress_interval_seconds = 0.2"
    )
    return settings.workspace


def test_a_send_shows_progress_on_stderr_and_the_summary_on_stdout(
    wagate_cli: Any, ready: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    result: CliResult = wagate_cli("send", str(files.plan), env=environment())
    assert result.code == 0, result.stderr
    assert "campaign autumn-notice: completed" in result.stdout
    assert "accepted                12" in result.stdout
    assert "autumn-notice: 12/12  accepted 12" in result.stderr  # the last progress line
    for number in files.numbers:  # numbers never reach the terminal
        assert number not in result.stdout and number not in result.stderr
    log = next(line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.startswith("send log:"))
    assert Path(log).exists() and Path(log).parent.parent == ready / "landing" / "sendlogs"
    assert len(emu.messages()) == 12


def test_json_output_has_the_counts_and_a_later_dry_run_plans_nothing_already_sent(
    wagate_cli: Any, ready: Path, files: CampaignFiles
) -> None:
    result = wagate_cli("send", str(files.plan), "--format", "json", env=environment())
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["result"] == "completed"
    assert document["run"]["accepted"] == 12 and document["run"]["api_calls"] == 12
    assert document["campaign_totals"]["accepted"] == 12
    assert len(document["lint_report"]) == 64
    dry = wagate_cli("send", str(files.plan), "--dry-run", env=environment())
    assert dry.code == 0, dry.stderr
    assert "Planned messages (0)" in dry.stdout
    assert "already has 12 accepted (never sent again" in dry.stdout


def test_a_plan_the_linter_refuses_prints_the_findings_and_exits_1(
    wagate_cli: Any, tmp_path: Path, emu: EmulatorHandle
) -> None:
    draft = copy.deepcopy(UTILITY)
    draft["components"][0]["text"] = (
        "Hi {{1}}, your Acme order {{2}} has shipped. Buy now and save on your next order!"
    )
    refused = write_campaign(tmp_path / "refused", german_numbers(3), draft=draft)
    workspace(tmp_path, api_url=emu.base_url)
    result = wagate_cli("send", str(refused.plan), env=environment())
    assert result.code == 1
    assert "T004 [error]" in result.stdout  # the findings, as `wagate lint` prints them
    assert result.stderr.strip().startswith("error: refused: the linter found")
    assert emu.arrivals() == []


def test_a_dry_run_sends_nothing_and_masks_numbers(
    wagate_cli: Any, ready: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    result = wagate_cli("send", str(files.plan), "--dry-run", env=environment())
    assert result.code == 0, result.stderr
    assert "Dry run" in result.stdout and "Planned messages (12)" in result.stdout
    assert all(number not in result.stdout for number in files.numbers)
    assert emu.arrivals() == []


def test_an_account_level_error_exits_1_naming_the_code(
    wagate_cli: Any, ready: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    emu.set_account_state("restricted")
    result = wagate_cli("send", str(files.plan), "--concurrency", "1", env=environment())
    assert result.code == 1
    assert "error: stopped: the API answered error 368" in result.stderr
    assert len(emu.arrivals()) == 1 and emu.messages() == []


def test_without_a_token_it_is_a_one_line_error(wagate_cli: Any, ready: Path, files: CampaignFiles) -> None:
    env = environment()
    del env["WAGATE_ACCESS_TOKEN"]
    result = wagate_cli("send", str(files.plan), env=env)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "error: no access token: WAGATE_ACCESS_TOKEN is not set (export WAGATE_ACCESS_TOKEN=<system-user token> "
        "(for the emulator: the token it was started with))"
    ]


def test_a_rate_out_of_range_is_a_usage_error(wagate_cli: Any, ready: Path, files: CampaignFiles) -> None:
    result = wagate_cli("send", str(files.plan), "--rate", "5000", env=environment())
    assert result.code == 2
    assert result.stderr.startswith("error: --rate:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_excluded_contacts_are_listed_masked(wagate_cli: Any, tmp_path: Path, emu: EmulatorHandle) -> None:
    numbers = [*german_numbers(3), "+4915"]  # the last one is too short to be a number
    partial = write_campaign(tmp_path / "partial", numbers)
    workspace(tmp_path, api_url=emu.base_url)
    result = wagate_cli("send", str(partial.plan), env=environment())
    assert result.code == 0, result.stderr
    assert "excluded 1 contact:" in result.stdout
    assert "row 4" in result.stdout and "N001" in result.stdout
    assert len(emu.messages()) == 3


def test_ctrl_c_finishes_the_calls_in_flight_and_the_next_run_completes(
    tmp_path: Path, files: CampaignFiles, emu: EmulatorHandle
) -> None:
    settings = workspace(tmp_path, api_url=emu.base_url, send="rate_per_second = 4")
    command = [
        sys.executable,
        "-m",
        "wagate",
        "--workspace",
        str(settings.workspace),
        "send",
        str(files.plan),
    ]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while len(emu.messages()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stdout
    sent = len(emu.messages())
    assert 3 <= sent < 12
    again = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert sorted(m.to for m in emu.messages()) == sorted(files.numbers)  # the rest, nobody twice
