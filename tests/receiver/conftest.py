"""Real receivers on loopback: in a thread of the test process, or as a `wagate receive` process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.config import Settings, load_settings
from pipelines.receiver import ReceiverOptions, sign
from pipelines.receiver.server import serve_in_thread as server_in_thread

SECRET = b"current-app-secret"
OLD_SECRET = b"previous-app-secret"
VERIFY_TOKEN = "verify-me-2026"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(workspace: Path) -> Settings:
    return load_settings(workspace, env={})


@pytest.fixture
def options(settings: Settings) -> ReceiverOptions:
    return ReceiverOptions(
        landing_dir=settings.landing_path,
        app_secrets=(SECRET,),
        verify_token=VERIFY_TOKEN.encode(),
        access_log=False,
    )


@dataclass
class Running:
    """A receiver serving in a thread of this process."""

    url: str
    options: ReceiverOptions


@contextmanager
def serve_in_thread(options: ReceiverOptions) -> Iterator[Running]:
    """Start uvicorn with the receiver app on a free loopback port; stop it gracefully on exit."""
    with server_in_thread(options) as url:
        yield Running(url, options)


@pytest.fixture
def receiver(options: ReceiverOptions) -> Iterator[Running]:
    with serve_in_thread(options) as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def post(
    http: httpx.Client,
    url: str,
    body: bytes,
    *,
    secret: bytes | None = SECRET,
    signature: str | None = None,
    content_type: str | None = "application/json",
) -> httpx.Response:
    """POST ``body`` to /webhook as Meta would: signed with ``secret`` unless a signature is given."""
    headers = {}
    if content_type is not None:
        headers["content-type"] = content_type
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    elif secret is not None:
        headers["x-hub-signature-256"] = sign(body, secret)
    return http.post(f"{url}/webhook", content=body, headers=headers)


def landing_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("receipts-*") if p.is_file())


def landed(landing: Path) -> list[dict[str, Any]]:
    """Every complete, valid record of every landing file."""
    records = []
    for path in landing_files(landing):
        for line in path.read_bytes().split(b"\n"):
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records


def landed_bodies(landing: Path) -> list[bytes]:
    return [r["body"].encode("utf-8") for r in landed(landing) if r.get("body") is not None]


def with_options(options: ReceiverOptions, **changes: Any) -> ReceiverOptions:
    return replace(options, **changes)


@dataclass
class CliReceiver:
    """`python -m wagate receive` running as its own process."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    return {**env, "WAGATE_APP_SECRET": SECRET.decode(), "WAGATE_VERIFY_TOKEN": VERIFY_TOKEN, **extra}


def start_cli(
    workspace: Path, *args: str, env: dict[str, str] | None = None, name: str = "receiver"
) -> CliReceiver:
    """Start `wagate receive --port 0` and wait until /healthz answers."""
    log = workspace.parent / f"{name}-{time.monotonic_ns()}.log"
    cmd = [sys.executable, "-m", "wagate", "--workspace", str(workspace), "receive", "--port", "0", *args]
    with log.open("wb") as handle:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env or cli_env(), stdout=handle, stderr=handle)
    deadline = time.monotonic() + 60
    port = 0
    while not port:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", log.read_text())
        if found:
            port = int(found.group(1))
        elif proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"receiver did not start:\n{log.read_text()}")
        else:
            time.sleep(0.05)
    running = CliReceiver(proc, port, log)
    wait_healthy(running.url)
    return running


def wait_healthy(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "receiver never became healthy"
        time.sleep(0.05)
