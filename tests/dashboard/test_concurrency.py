"""The dashboard keeps reading while `wagate ingest` loads: no errors, no waiting, no half loads.

A subprocess runs `wagate ingest` over several batches, one after another, while this process
calls the dashboard's data functions in a loop. Each load holds the warehouse's write lock and
then publishes a snapshot; the readers only ever open the snapshot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import load_settings
from core.dashboard_queries import Slice
from dashboard import data
from pipelines.run import ingest
from pipelines.synthetic import generate
from tests.dashboard.conftest import ROOT, SPEC

BATCHES = 3
WRITER = """
import subprocess, sys
for batch in sys.argv[2:]:
    subprocess.run([sys.executable, "-m", "wagate", "--workspace", sys.argv[1], "ingest", batch], check=True)
"""


@pytest.fixture
def batches(tmp_path: Path) -> list[Path]:
    folders = []
    for index in range(BATCHES + 1):
        spec = replace(
            SPEC, seed=100 + index, messages=800, days=3, start=SPEC.start + timedelta(days=3 * index)
        )
        folders.append(tmp_path / f"batch{index}")
        generate(folders[-1], spec)
    return folders


def read_everything(src: data.Source) -> int:
    """What the Overview and the other pages read; returns the accepted total."""
    assert data.status(src) == "ready"
    data.options(src)
    totals = data.metrics(src, "total", Slice())
    data.metrics(src, "campaign", Slice())
    data.error_counts(src, Slice())
    data.freshness(src)
    data.suppression(src)
    return int(totals["accepted"][0])


def test_reads_never_fail_or_wait_while_loads_run(tmp_path: Path, batches: list[Path]) -> None:
    workspace = tmp_path / "ws"
    settings = load_settings(workspace, env={})
    ingest(settings, [batches[0]])  # the first load publishes the first snapshot
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAGATE_")}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(workspace), *map(str, batches[1:])],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    seen: list[tuple[tuple[int, int], int]] = []
    try:
        while writer.poll() is None:
            data.clear()  # every round really opens the warehouse and runs the queries
            src = data.source(settings)
            seen.append((src.version, read_everything(src)))
    finally:
        _, errors = writer.communicate(timeout=300)
    assert writer.returncode == 0, errors.decode()[-2000:]  # readers never made a load fail either
    versions = [version for version, _ in seen]
    totals = [total for _, total in seen]
    assert len(seen) >= 10
    assert len(set(versions)) >= 2, "no read happened while a load published a new snapshot"
    assert totals == sorted(totals), "a read saw data disappear: it must have seen half a load"
    final = read_everything(data.source(settings))
    assert final > totals[0]  # every batch arrived
    data.clear()
