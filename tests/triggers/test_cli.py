"""`wagate triggers send` and `replay` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from core.signatures import sign
from tests.sender.sendkit import TOKEN, emulator
from tests.triggers.kit import ANA, BEN, draft_files, event, workspace, write_inputs


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return {**env, "WAGATE_ACCESS_TOKEN": TOKEN}


def test_send_reads_ndjson_sends_each_event_once_and_quarantines_bad_lines(
    tmp_path: Path, wagate_cli: Any
) -> None:
    mapping = write_inputs(tmp_path / "in")
    events = tmp_path / "events.ndjson"
    lines = [json.dumps(event("evt-a", phone=ANA)), "{oops", json.dumps(event("evt-b", phone=BEN))]
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with emulator(draft_files(tmp_path / "in")) as emu:
        workspace(tmp_path, emu.base_url)
        first = wagate_cli("triggers", "send", str(events), "--mapping", str(mapping), env=_env())
        again = wagate_cli(
            "triggers", "send", str(events), "--mapping", str(mapping), "--format", "json", env=_env()
        )
        messages = emu.messages()
    assert first.code == 1  # one line was bad
    assert "evt-a  order.shipped  sent" in first.stdout
    assert "events.ndjson:2  rejected" in first.stdout
    assert ANA not in first.stdout  # numbers are masked
    report = json.loads(again.stdout)
    assert [(o["event_id"], o["status"]) for o in report["outcomes"]] == [
        ("evt-a", "duplicate"),
        ("evt-b", "duplicate"),
    ]
    assert sorted(m.to for m in messages) == [ANA, BEN]
    quarantine = (tmp_path / "ws" / "triggers" / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(quarantine) == 2 and json.loads(quarantine[0])["body"] == "{oops"


def test_without_an_access_token_nothing_is_read(tmp_path: Path, wagate_cli: Any) -> None:
    mapping = write_inputs(tmp_path / "in")
    events = tmp_path / "e.json"
    events.write_text(json.dumps(event()), encoding="utf-8")
    workspace(tmp_path, "http://127.0.0.1:9")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    result = wagate_cli("triggers", "send", str(events), "--mapping", str(mapping), env=env)
    assert result.code == 2
    assert "WAGATE_ACCESS_TOKEN" in result.stderr


def test_serve_accepts_a_signed_event_sends_it_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        workspace(tmp_path, emu.base_url)
        env = {**_env(), "WAGATE_TRIGGERS_SECRET": "s3cret"}
        command = [sys.executable, "-m", "wagate", "--workspace", str(tmp_path / "ws"), "triggers", "serve"]
        proc = subprocess.Popen(
            [*command, "--port", "0", "--mapping", str(mapping)], env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)/events", line)
            assert match, line
            body = json.dumps(event("evt-serve")).encode()
            answer = httpx.post(
                f"http://127.0.0.1:{match.group(1)}/events",
                content=body,
                headers={"X-Wagate-Signature": sign(body, b"s3cret")},
            )
            assert answer.status_code == 202
            deadline = time.monotonic() + 30
            while not emu.messages() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(30)
            if proc.stderr is not None:
                proc.stderr.close()
        messages = emu.messages()
    assert code == 0
    assert [m.to for m in messages] == [ANA]
    outcomes = (tmp_path / "ws" / "triggers" / "outcomes.jsonl").read_text(encoding="utf-8")
    assert '"status": "sent"' in outcomes
