"""`wagate receive` and `wagate watch` as real processes: start-up checks, graceful stop, the ingest loop."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from pipelines.receiver import sign
from tests.conftest import CliResult
from tests.pipelines.bodies import status
from tests.receiver.conftest import ROOT, SECRET, cli_env, landed_bodies, landing_files, post, start_cli

BODY = json.dumps(status("wamid.P1", "sent", 1_760_000_000, "4915123456789")).encode()


def test_refuses_to_listen_beyond_loopback_without_an_app_secret(wagate_cli) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in cli_env().items() if k != "WAGATE_APP_SECRET"}
    result: CliResult = wagate_cli("receive", "--host", "0.0.0.0", "--port", "0", env=env, timeout=60)
    assert result.code == 2
    assert "refusing to listen on 0.0.0.0 without an app secret" in result.stderr
    assert "Traceback" not in result.stderr


def test_graceful_stop_finishes_the_request_in_flight(workspace: Path) -> None:
    running = start_cli(workspace)
    head = (
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: {sign(BODY, SECRET)}\r\nContent-Length: {len(BODY)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", running.port), timeout=30) as conn:
        conn.sendall(head + BODY[:50])  # the request is in flight: half its body has arrived
        time.sleep(0.3)
        running.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert running.proc.poll() is None, "the server must wait for the request in flight"
        conn.sendall(BODY[50:])
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert running.proc.wait(30) == 0
    log = running.log.read_text()
    assert "wagate receive: stopped" in log and "Traceback" not in log
    # the landing file was closed (renamed) on the way out
    assert [p.name.endswith(".ndjson") for p in landing_files(workspace / "landing")] == [True]
    assert landed_bodies(workspace / "landing") == [BODY]


def test_access_log_is_json_without_body_signature_or_token(workspace: Path) -> None:
    running = start_cli(workspace)
    with httpx.Client(timeout=30) as http:
        assert post(http, running.url, BODY).status_code == 200
        assert post(http, running.url, BODY, secret=b"wrong").status_code == 403
        params = {"hub.mode": "subscribe", "hub.verify_token": "guess-the-token", "hub.challenge": "c"}
        assert http.get(f"{running.url}/webhook", params=params).status_code == 403
    assert running.stop(signal.SIGINT) == 0
    text = running.log.read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert [(e["status"], e["outcome"]) for e in entries] == [
        (200, "landed"),
        (403, "signature_mismatch"),
        (403, "handshake_refused"),
    ]
    assert all(e["path"] == "/webhook" for e in entries)
    for secret_or_content in ("wamid.P1", "4915123456789", "guess-the-token", sign(BODY, SECRET)[7:]):
        assert secret_or_content not in text


def watch(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "wagate", "--workspace", str(workspace), "watch", *args]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env or cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def land_one(workspace: Path) -> None:
    record = {"received_at": "2026-10-01T08:00:00+00:00", "body": BODY.decode()}
    path = workspace / "landing" / "2026" / "10" / "01" / "receipts-20261001T080000Z-1-0001.ndjson"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record) + "\n")


def test_watch_ingests_the_landing_zone_until_stopped(workspace: Path) -> None:
    land_one(workspace)
    proc = watch(workspace, "--every", "0.2")
    deadline = time.monotonic() + 60
    while not (workspace / "warehouse.duckdb").exists() or proc.poll() is not None:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    time.sleep(1.0)  # a few more (idle) runs
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "loaded 1 file(s): 1 new, 0 duplicate(s), 0 quarantined" in out
    assert out.count("loaded") == 1  # later runs found nothing new and stayed quiet
    assert "stopped after" in err and "Traceback" not in err


def test_watch_reports_a_failing_run_and_retries(workspace: Path) -> None:
    land_one(workspace)
    (workspace / "warehouse.duckdb").mkdir()  # the warehouse cannot be opened
    proc = watch(workspace, "--every", "0.1", "--max-runs", "3")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.count("ingest failed") == 3 and "retrying in 0.1s" in err
    assert "Traceback" not in err
