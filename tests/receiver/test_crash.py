"""SIGKILL in the middle of a burst: every acknowledged receipt survives, byte for byte."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx

from core.config import Settings
from core.warehouse import Warehouse
from pipelines.receiver import sign
from pipelines.run import ingest
from tests.pipelines.bodies import status
from tests.receiver.conftest import SECRET, landing_files, start_cli

TOTAL = 3000
KILL_AFTER = 1000  # acknowledgements before the SIGKILL
CONNECTIONS = 64


def bodies() -> dict[str, bytes]:
    """One status per body, each with its own wamid: one body = one event."""
    out = {}
    for i in range(TOTAL):
        wamid = f"wamid.CRASH{i:05d}"
        raw = status(wamid, ("sent", "delivered", "read")[i % 3], 1_760_000_000 + i, f"49151{i:08d}")
        out[wamid] = json.dumps(raw, separators=(",", ":")).encode()
    return out


async def burst(url: str, todo: dict[str, bytes], kill_pid: int | None) -> set[str]:
    """Post everything over CONNECTIONS concurrent connections; SIGKILL ``kill_pid`` after KILL_AFTER 200s."""
    acked: set[str] = set()
    queue = list(todo.items())

    async def lane() -> None:
        # one client per connection: httpx's shared pool scans every connection for every queued
        # request, which made a shared client the bottleneck of this test
        async with httpx.AsyncClient(timeout=30) as http:
            while queue:
                wamid, raw = queue.pop()
                headers = {"content-type": "application/json", "x-hub-signature-256": sign(raw, SECRET)}
                try:
                    answer = await http.post(f"{url}/webhook", content=raw, headers=headers)
                except httpx.TransportError:
                    continue  # the server died under us: not acknowledged
                if answer.status_code == 200:
                    acked.add(wamid)
                    if kill_pid is not None and len(acked) == KILL_AFTER:
                        os.kill(kill_pid, signal.SIGKILL)

    await asyncio.gather(*(lane() for _ in range(CONNECTIONS)))
    return acked


def landed_records(landing: Path) -> tuple[list[dict[str, Any]], int]:
    """Complete valid records, and the number of lines that are not (torn by the kill)."""
    records, torn = [], 0
    for path in landing_files(landing):
        for line in path.read_bytes().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                torn += 1
    return records, torn


def status_wamids(settings: Settings) -> set[str]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return {row[0] for row in wh.rows("SELECT DISTINCT wamid FROM raw.status_events")}


def test_sigkill_mid_burst_loses_no_acknowledged_receipt(settings: Settings, workspace: Path) -> None:
    sent = bodies()
    landing = settings.landing_path
    first = start_cli(workspace, "--no-access-log")
    acked = asyncio.run(burst(first.url, sent, kill_pid=first.proc.pid))
    assert first.proc.wait(30) == -signal.SIGKILL
    assert KILL_AFTER <= len(acked) < TOTAL, "the kill should land mid-burst"
    assert any(p.name.endswith(".open") for p in landing_files(landing))

    # restart: the crashed file is closed (renamed) so ingest no longer waits for its torn tail
    second = start_cli(workspace, "--no-access-log")
    crashed_files = [p for p in landing_files(landing) if not p.name.endswith(".open")]
    records, torn = landed_records(landing)
    assert torn <= len(crashed_files)  # at most the one record being written when killed
    by_wamid = {wamid: raw for wamid, raw in sent.items()}
    landed_raw = {r["body"].encode("utf-8") for r in records}
    for wamid in acked:
        assert by_wamid[wamid] in landed_raw, f"acknowledged {wamid} is missing"
    landed_ids = {
        json.loads(r["body"])["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] for r in records
    }
    assert acked <= landed_ids <= set(sent)

    # ingest of exactly those files gives exactly those events, and quarantines only torn lines
    report = ingest(settings)
    assert status_wamids(settings) == landed_ids
    assert report.new_events == len(landed_ids) and report.quarantined == torn

    # Meta retries what was not acknowledged; afterwards every event is there exactly once
    retried = asyncio.run(burst(second.url, {w: b for w, b in sent.items() if w not in acked}, kill_pid=None))
    assert retried == set(sent) - acked
    assert second.stop() == 0
    again = ingest(settings)
    assert again.new_events == TOTAL - len(landed_ids)
    assert status_wamids(settings) == set(sent)
