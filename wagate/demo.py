"""The demo: a sample workspace built from seeded synthetic traffic, ingested and summarised."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any

from core.config import Settings
from core.queries import metrics, opt_out_latency
from core.warehouse import Warehouse
from pipelines.report import RunReport
from pipelines.run import ingest
from pipelines.synthetic import SyntheticSpec, SyntheticSummary, generate


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo built and measured."""

    synthetic: SyntheticSummary
    load: RunReport
    by_campaign: list[dict[str, Any]]
    by_country: list[dict[str, Any]]
    suppression: dict[str, int]
    latency: list[dict[str, Any]]


def run_demo(settings: Settings, *, messages: int, seed: int, reset: bool) -> DemoResult:
    """Generate inputs under <workspace>/demo, ingest them and read back the metrics."""
    inputs = settings.workspace / "demo"
    if reset:
        shutil.rmtree(inputs, ignore_errors=True)
        settings.warehouse_path.unlink(missing_ok=True)
        settings.warehouse_path.with_suffix(settings.warehouse_path.suffix + ".wal").unlink(missing_ok=True)
    synthetic = generate(inputs, SyntheticSpec(seed=seed, messages=messages, malformed_lines=3))
    load = ingest(settings, [inputs])
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        by_campaign = metrics(wh, "campaign")
        by_country = sorted(metrics(wh, "country"), key=lambda row: -int(row["accepted"]))
        suppression = {
            str(status): int(count)
            for status, count in wh.rows(
                "SELECT status, count(DISTINCT contact_key) FROM marts.suppression_list GROUP BY 1"
            )
        }
        latency = opt_out_latency(wh)
    return DemoResult(synthetic, load, by_campaign, by_country, suppression, latency)
