"""The whole loop, live: a complaint wave in the emulator's webhooks pauses the running campaign.

Sender -> emulator (a world where many recipients complain) -> signed webhooks -> receiver ->
ingest -> alert rule with ``action = "pause"`` -> pause flag -> the sender stops before its next
message. Everything runs for real on loopback, the watcher in its own process as in
production; only the emulator stands in for Meta.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from core.config import load_settings
from core.pauses import is_paused
from pipelines.receiver import ReceiverOptions
from pipelines.receiver.server import serve_in_thread
from sender.emulator import load_profile
from tests.sender.sendkit import (
    APP_SECRET,
    TOKEN,
    emulator,
    german_numbers,
    send_now,
    workspace,
    write_campaign,
)

ROOT = Path(__file__).resolve().parents[2]
CONTACTS = 400
RATE = 15  # messages/s: the whole list would take ~27 s, the wave must stop it well before
# every third delivered message draws a complaint within a second; Meta's own quality pause is
# off so that the pause under test is wagate's
PROFILE = """
extends = "fast"
name = "complaint-wave"
[quality]
enabled = false
[failures]
unreachable = 0.0
marketing_limit = 0.0
holdout = 0.0
transient = 0.0
[delivery]
delivered = 1.0
[engagement]
complaint = 0.3
reply_context = 1.0
"""
ALERTS = """
[alerts]
default_rules = false

[[alerts.rules]]
name = "complaint_wave"
metric = "complaint_rate"
group_by = ["campaign"]
action = "pause"
age = "3s"
window = "1h"
baseline = "1h"
bucket = "1m"
threshold = 0.05
factor = 1
min_volume = 30
for = "0s"
methods = ["wilson"]
confidence = 0.95
"""


@contextmanager
def watching(root: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`wagate watch` in its own process, as in production: ingest the landing zone and evaluate
    the alerts every half second (its output goes to ``log``)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wagate", "--workspace", str(root), "watch", "--every", "0.5"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)


def test_a_complaint_wave_pauses_the_running_campaign(tmp_path: Path) -> None:
    settings = workspace(tmp_path, send=f"rate_per_second = {RATE}\n")
    with (settings.workspace / "wagate.toml").open("a", encoding="utf-8") as out:
        out.write(ALERTS)
    settings = load_settings(settings.workspace, env={"WAGATE_ACCESS_TOKEN": TOKEN})
    files = write_campaign(tmp_path / "campaign", german_numbers(CONTACTS), name="autumn-notice")
    profile_path = tmp_path / "complaint-wave.toml"
    profile_path.write_text(PROFILE, encoding="utf-8")

    receiver = ReceiverOptions(landing_dir=settings.landing_path, app_secrets=(APP_SECRET,), access_log=False)
    profile = load_profile(str(profile_path))
    with (
        serve_in_thread(receiver) as receiver_url,
        emulator(files.drafts, webhook_url=f"{receiver_url}/webhook", profile=profile) as emu,
        watching(settings.workspace, tmp_path / "watch.log") as watcher,
    ):
        summary = send_now(settings, files.plan, api_url=emu.base_url)
        arrivals = emu.arrivals()
    assert watcher.returncode == 0, (tmp_path / "watch.log").read_text(encoding="utf-8")

    pause = is_paused(settings.workspace, campaign="autumn-notice")
    assert pause is not None, "the alert set no pause flag"
    assert any(alert.rule == "complaint_wave" for alert in pause.alerts)
    # the sender stopped on the flag, long before the end of the list
    assert summary.result == "stopped"
    assert summary.stop is not None and summary.stop.kind == "paused"
    accepted = summary.tally.accepted
    assert 30 <= accepted < CONTACTS - 100, accepted
    # nothing reached the API once the flag had been there for a second (in-flight calls aside)
    flagged = datetime.fromisoformat(pause.paused_at).timestamp()
    late = [a for a in arrivals if a.wall > flagged + 1.0]
    assert late == []
