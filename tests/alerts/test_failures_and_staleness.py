"""Failure spikes per error class and stale receipts, from a real warehouse.

Story (T = 1 July 2025 12:00 UTC):

- ``base``: 2,000 messages from T-8d, one every 5 minutes; every 100th fails with 131048 (quality).
- ``spike``: 400 messages from T-6h, one every 30 s; every 4th fails with 131048 20 s after sending.
- ``dark``: 50 messages from T-1h, one every 30 s, and no receipt at all (the receiver is down).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.engine import check
from core.config import load_settings
from core.pauses import list_pauses
from pipelines.run import ingest
from tests.alerts.traffic import Batch, build

T = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
BATCHES = (
    Batch("base", T - timedelta(days=8), 2000, timedelta(minutes=5), fail_every=100),
    Batch("spike", T - timedelta(hours=6), 400, timedelta(seconds=30), fail_every=4),
    Batch("dark", T - timedelta(hours=1), 50, timedelta(seconds=30), receipts=False),
)


def test_quality_failures_spike_and_stale_receipts_hold_back_the_clock(
    workspace: Path, tmp_path: Path
) -> None:
    settings = load_settings(workspace, env={})
    ingest(settings, [build(tmp_path / "in", BATCHES)])

    result = check(settings, now=T)
    assert result.errors == ()
    alerts = {a.rule: a for a in result.alerts}

    stale = alerts["receipts_stale"]
    # the newest receipt is spike message 399's delivery: T-6h + 399*30 s + 30 s = T-2h40m, 160 minutes ago;
    # the dark sends (T-1h .. T-35.5m) are older than 30 minutes and have none
    assert (stale.state, stale.value, stale.threshold) == ("firing", 160.0, 30.0)
    assert stale.detail["unanswered_sends"] == 50

    # while receipts are stale, ages are measured at the newest receipt (T-2h40m), so with the 1 h
    # horizon only spike messages sent by T-3h40m count: i*30 s <= 8400 s, i = 0..280 (281 messages),
    # of which i % 4 == 0 failed: 71
    spike = alerts["failure_spike_by_error_class"]
    assert spike.labels == (("error_class", "quality"),)
    assert spike.state == "pending"
    assert (spike.detail["n"], spike.detail["x"]) == (281, 71)
    assert result.as_of == T - timedelta(hours=2, minutes=40)

    later = {a.rule: a.state for a in check(settings, now=T + timedelta(minutes=31)).alerts}
    assert later["failure_spike_by_error_class"] == "firing"
    assert list_pauses(workspace) == []  # both rules only notify
