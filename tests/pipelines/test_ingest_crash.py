"""A load is all or nothing: SIGKILL in the middle leaves the warehouse as it was, and the next run completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.config import load_settings
from core.queries import metrics
from core.warehouse import Warehouse
from pipelines.run import ingest
from pipelines.synthetic import SyntheticSpec, generate

COUNTS = """
SELECT (SELECT count(*) FROM raw.status_events), (SELECT count(*) FROM raw.send_log),
       (SELECT count(*) FROM raw.inbound_messages), (SELECT count(*) FROM core.messages),
       (SELECT count(*) FROM meta.files), (SELECT count(*) FROM meta.runs)
"""


def counts(workspace: Path) -> tuple[int, ...]:
    with Warehouse.open_reader(workspace / "warehouse.duckdb") as wh:
        return tuple(wh.rows(COUNTS)[0])


def by_campaign(workspace: Path) -> list[dict[str, object]]:
    with Warehouse.open_reader(workspace / "warehouse.duckdb") as wh:
        return metrics(wh, "campaign")


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("traffic")
    generate(out, SyntheticSpec(seed=11, messages=25_000, json_array_file=False))
    return out


def start_ingest(workspace: Path, paths: list[Path]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wagate", "-v", "--workspace", str(workspace), "ingest", *map(str, paths)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def kill_when(proc: subprocess.Popen[str], marker: str, timeout: float = 120) -> bool:
    """SIGKILL the process once it logs ``marker``; False if it finished first."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    killed = False
    with proc.stderr:
        for line in proc.stderr:
            if marker in line:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            if time.monotonic() > deadline:
                break
    proc.wait()
    return killed


@pytest.mark.slow
@pytest.mark.parametrize("marker", ["stage:", "merge into raw:"])
def test_sigkill_mid_load_leaves_the_warehouse_as_it_was(traffic: Path, tmp_path: Path, marker: str) -> None:
    workspace = tmp_path / "ws"
    settings = load_settings(workspace, env={})
    ingest(settings, [traffic / "send_log.jsonl"])  # an earlier, committed load
    before = counts(workspace)

    proc = start_ingest(workspace, [traffic / "webhooks", traffic / "send_log.csv"])
    assert kill_when(proc, marker), "the load finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    assert counts(workspace) == before

    # the next run does the whole load, as if the killed one never happened
    report = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "wagate",
                "--workspace",
                str(workspace),
                "ingest",
                "--format",
                "json",
                str(traffic / "webhooks"),
                str(traffic / "send_log.csv"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert report["files_loaded"] == 5 and report["new_events"] > 0

    clean = tmp_path / "clean"
    ingest(load_settings(clean, env={}), [traffic])
    assert counts(workspace)[:4] == counts(clean)[:4]
    assert by_campaign(workspace) == by_campaign(clean)
