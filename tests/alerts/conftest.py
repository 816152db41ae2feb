"""A warehouse with a complaint wave, built once and copied into each test's workspace.

Story (UTC, June 2025):

- ``steady``: 1,200 messages from 2 June 08:00, one every 9.6 minutes (8 days), 6 complaints (0.5 %).
- ``late``: 300 messages on 7 June from 08:00, one a minute; 30 people complain, but 8 hours after
  the message, i.e. after the rules' 6-hour horizon.
- ``wave``: 600 messages on 10 June from 08:00, one every 12 s (08:00-10:00); 48 complain
  (every 12.5th message: indices round(12.5 j), j = 0..47) one hour after their message.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import load_settings
from pipelines.run import ingest
from tests.alerts.traffic import Batch, build

T0 = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)

BATCHES = (
    Batch("steady", T0 - timedelta(days=8), 1200, timedelta(minutes=9.6), complaints=6),
    Batch(
        "late",
        T0 - timedelta(days=3),
        300,
        timedelta(minutes=1),
        complaints=30,
        reply_after=timedelta(hours=8),
    ),
    Batch("wave", T0, 600, timedelta(seconds=12), complaints=48),
)


@pytest.fixture(scope="session")
def wave_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace folder holding the ingested story (do not change it: copy it)."""
    root = tmp_path_factory.mktemp("wave")
    inputs = build(root / "inputs", BATCHES)
    workspace = root / "ws"
    workspace.mkdir()
    report = ingest(load_settings(workspace, env={}), [inputs])
    assert report.quarantined == 0
    return workspace


@pytest.fixture
def wave(wave_warehouse: Path, workspace: Path) -> Path:
    """A private copy of the wave workspace (the ``workspace`` the CLI fixture uses)."""
    for item in wave_warehouse.iterdir():
        if item.is_file() and not item.name.endswith(".wal"):
            shutil.copy2(item, workspace / item.name)
    return workspace
