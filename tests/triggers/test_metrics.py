"""Triggered traffic in the metrics: one campaign per event type, next to the campaigns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.queries import metrics
from core.warehouse import Warehouse
from pipelines.run import ingest
from tests.sender.sendkit import emulator
from tests.triggers.kit import ANA, BEN, draft_files, event, intake, workspace, write_inputs
from tests.triggers.test_server import ADAPTER_MAPPING
from triggers.events import parse_event


def test_each_event_type_is_its_own_campaign_in_the_metrics(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in", ADAPTER_MAPPING)
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        for data in (
            event("evt-s1", "order.shipped", ANA),
            event("evt-s2", "order.shipped", BEN),
            event("evt-c1", "order.completed", ANA),
        ):
            assert asyncio.run(runner.run(parse_event(data))).status == "sent"
    ingest(settings)
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        rows = {row["campaign"]: row for row in metrics(wh, "campaign")}
    assert set(rows) == {"trigger:order.shipped", "trigger:woo-completed"}
    assert rows["trigger:order.shipped"]["accepted"] == 2
    assert rows["trigger:woo-completed"]["accepted"] == 1
