"""SIGKILL `wagate send` at random points of a 5,000-recipient campaign, resume each time.

Between runs the receipts catch up as they would in production (emulator → signed webhooks →
receiver → `ingest`), so each resumed run can settle what the killed one left unknown. At the
end every recipient has exactly one accepted message at the emulator, and nobody has two.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pipelines.receiver import ReceiverOptions
from pipelines.receiver.server import serve_in_thread
from pipelines.run import ingest
from sender.emulator import EmulatorHandle
from sender.run import campaign_ledger_path
from tests.sender.sendkit import APP_SECRET, TOKEN, emulator, german_numbers, workspace, write_campaign

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 5000
KILLS = 4
SEED = 6

# every accepted message tells exactly one story: a "sent" status (with the key echoed), in
# webhook bodies of up to 50 statuses; no failures, no replies
PROFILE = """
extends = "fast"
name = "crash"
[webhooks]
batch_max = 50
[delivery]
delivered = 0.0
read = 0.0
in_chat = 0.0
duplicate = 0.0
reorder = 0.0
[failures]
unreachable = 0.0
marketing_limit = 0.0
holdout = 0.0
transient = 0.0
spam_limit = 0.0
[quality]
enabled = false
"""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return {**env, "WAGATE_ACCESS_TOKEN": TOKEN}


def ledger_states(path: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(path) as db:
        return {
            key: (state, wamid) for key, state, wamid in db.execute("SELECT key, state, wamid FROM messages")
        }


def settle(emu: EmulatorHandle) -> None:
    """Let the emulator finish what reached it, then deliver every webhook."""
    count, stable_since = -1, time.monotonic()
    while time.monotonic() - stable_since < 0.5:
        now = len(emu.arrivals())
        if now != count:
            count, stable_since = now, time.monotonic()
        time.sleep(0.05)
    assert emu.drain(60)


def test_killed_and_resumed_runs_send_every_message_exactly_once(tmp_path: Path) -> None:
    numbers = german_numbers(RECIPIENTS)
    files = write_campaign(tmp_path / "campaign", numbers)
    profile = tmp_path / "crash.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    probe = workspace(tmp_path)
    options = ReceiverOptions(landing_dir=probe.landing_path, app_secrets=(APP_SECRET,), access_log=False)
    rng = random.Random(SEED)
    with (
        serve_in_thread(options) as receiver,
        emulator(files.drafts, webhook_url=f"{receiver}/webhook", profile=str(profile)) as emu,
    ):
        settings = workspace(
            tmp_path,
            api_url=emu.base_url,
            send="rate_per_second = 1000\nconcurrency = 16\nread_timeout_seconds = 10",
        )
        command = [
            sys.executable,
            "-m",
            "wagate",
            "--workspace",
            str(settings.workspace),
            "send",
            str(files.plan),
        ]
        ledger = campaign_ledger_path(settings, "autumn-notice")
        kills = 0
        while kills < KILLS:
            before = len(emu.arrivals())
            proc = subprocess.Popen(
                command, cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            while len(emu.arrivals()) == before and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.05, 1.5))  # somewhere in the middle of sending
            if proc.poll() is not None:
                break  # it finished before the kill: nothing more to interrupt
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            kills += 1
            settle(emu)
            ingest(settings)  # receipts (and the send logs) into the warehouse

            # between runs: a message is accepted at the emulator, or it is not settled yet
            sent = {m.callback_data: m.wamid for m in emu.messages()}
            states = ledger_states(ledger)
            wrongly_done = [
                k for k, (state, _) in states.items() if state in ("accepted", "held") and k not in sent
            ]
            assert wrongly_done == []
            for key, (state, wamid) in states.items():
                if state == "accepted":
                    assert wamid == sent[key]

        final = subprocess.run(
            [*command, "--resend-unknown"],
            cwd=ROOT,
            env=environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert final.returncode == 0, final.stderr
        settle(emu)
        accepted = emu.messages()
        states = ledger_states(ledger)

    assert kills == KILLS
    per_recipient = Counter(m.to for m in accepted)
    assert set(per_recipient) == set(numbers)  # everyone got the message ...
    assert max(per_recipient.values()) == 1  # ... and nobody got it twice
    assert Counter(state for state, _ in states.values()) == {"accepted": RECIPIENTS}
    assert {key: wamid for key, (_, wamid) in states.items()} == {m.callback_data: m.wamid for m in accepted}
    with pytest.raises(AssertionError):  # the check above can fail: a duplicate would be caught
        assert max(Counter([*per_recipient.elements(), numbers[0]]).values()) == 1
