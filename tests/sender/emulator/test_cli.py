"""`wagate emulator` as its own process: secrets from the environment, admin routes over HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import CliResult
from tests.sender.emulator.conftest import MESSAGES, TOKEN, template_body

ROOT = Path(__file__).resolve().parents[3]


def env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return {**clean, **extra}


def test_missing_secrets_are_one_line_errors_with_exit_2(wagate_cli) -> None:  # type: ignore[no-untyped-def]
    result: CliResult = wagate_cli("emulator", "--port", "0", env=env(WAGATE_APP_SECRET="s"))
    assert result.code == 2 and result.stderr.strip() == (
        "error: WAGATE_ACCESS_TOKEN is not set (the emulator accepts only that bearer token)"
    )
    result = wagate_cli("emulator", "--port", "0", env=env(WAGATE_ACCESS_TOKEN="t"))
    assert result.code == 2 and "WAGATE_APP_SECRET is not set" in result.stderr


def test_a_bad_profile_or_a_public_host_is_refused(wagate_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secrets = env(WAGATE_ACCESS_TOKEN="t", WAGATE_APP_SECRET="s")
    bad = tmp_path / "bad.toml"
    bad.write_text("[failures]\nunreachable = 2\n", encoding="utf-8")
    result = wagate_cli("emulator", "--profile", str(bad), env=secrets)
    assert result.code == 2 and "is a probability" in result.stderr and result.stderr.count("\n") == 1
    result = wagate_cli("emulator", "--host", "0.0.0.0", env=secrets)
    assert result.code == 2 and "--expose" in result.stderr


def test_the_process_serves_sends_and_admin_routes(template_files: tuple[Path, ...], tmp_path: Path) -> None:
    log = tmp_path / "emulator.log"
    arrivals = tmp_path / "arrivals.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "wagate",
        "emulator",
        "--port",
        "0",
        "--profile",
        "fast",
        "--seed",
        "3",
        "--arrival-log",
        str(arrivals),
        "--templates",
        str(template_files[0].parent),
    ]
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env(WAGATE_ACCESS_TOKEN=TOKEN, WAGATE_APP_SECRET="s1,s2"),
            stdout=handle,
            stderr=handle,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"listening on (http://127\.0\.0\.1:\d+)/", log.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        base = found.group(1)
        with httpx.Client(base_url=base, headers={"authorization": f"Bearer {TOKEN}"}) as http:
            sent = http.post(MESSAGES, json=template_body(to="+4915100000001"))
            assert sent.status_code == 200
            wamid = sent.json()["messages"][0]["id"]
            assert http.post(MESSAGES, json=template_body(to="x")).status_code == 400
            assert [m["wamid"] for m in http.get("/_emulator/messages").json()] == [wamid]
            assert [a["http_status"] for a in http.get("/_emulator/arrivals").json()] == [200, 400]
            assert (
                http.post("/_emulator/inbound", json={"to": "+4915100000001", "text": "hi"}).status_code
                == 200
            )
            assert http.post("/_emulator/drain", json={"timeout": 5}).json() == {"drained": True}
            assert http.get("/_emulator/webhook_stats").json() == {"sent": 0, "retried": 0, "failed": 0}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    assert "wagate emulator: stopped" in log.read_text()
    lines = arrivals.read_text().splitlines()
    assert len(lines) == 2 and '"http_status":400' in lines[1] and '"error_code":131009' in lines[1]
