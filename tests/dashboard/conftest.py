"""Workspaces for the dashboard tests: seeded (synthetic traffic, ingested), empty, and missing.

Built once per session in a temporary folder: the synthetic generator writes a small but
complete sample (campaigns, failures, opt-outs, breaches, template and number events) and the
real ingest loads it, so the pages read what a user's warehouse would hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.config import Settings, load_settings
from core.warehouse import Warehouse
from dashboard import data
from pipelines.run import ingest
from pipelines.schema import migrate
from pipelines.synthetic import SyntheticSpec, generate

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
PAGES = ("overview", "campaigns", "countries", "compliance", "quality", "errors", "definitions")
SPEC = SyntheticSpec(seed=3, messages=1500, days=14, webhook_files=2, malformed_lines=0)


@dataclass(frozen=True)
class Workspaces:
    """The three states a user can open the dashboard in."""

    seeded: Path
    empty: Path  # a warehouse with its schema but no messages
    missing: Path  # no warehouse at all

    def settings(self, kind: str) -> Settings:
        """Settings of one workspace, as the dashboard builds them."""
        return load_settings(getattr(self, kind), env={})


@pytest.fixture(scope="session")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> Workspaces:
    """Seeded, empty and missing workspaces (built once per test session)."""
    root = tmp_path_factory.mktemp("dashboard")
    seeded = root / "seeded"
    generate(seeded / "inputs", SPEC)
    ingest(load_settings(seeded, env={}), [seeded / "inputs"])
    empty = root / "empty"
    settings = load_settings(empty, env={})
    with Warehouse.open_writer(settings.warehouse_path) as wh:
        migrate(wh)
        wh.publish_snapshot()
    missing = root / "missing"
    missing.mkdir()
    return Workspaces(seeded, empty, missing)


@pytest.fixture
def use_workspace(monkeypatch: pytest.MonkeyPatch, workspaces: Workspaces) -> Iterator[object]:
    """Point the dashboard (in this process) at a workspace: ``use_workspace("seeded")``."""

    def choose(kind: str) -> Path:
        path: Path = getattr(workspaces, kind)
        monkeypatch.setenv("WAGATE_WORKSPACE", str(path))
        return path

    yield choose
    data.clear()
