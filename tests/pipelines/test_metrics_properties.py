"""Property: the metrics do not depend on how the receipts arrive.

Meta delivers webhooks concurrently, out of order and more than once, and a user may load the
send log before or after the receipts, in one `ingest` or in several. Whatever the arrival, the
metrics by campaign and by day must equal those of one clean ingest of the original files
(the hand-built dataset of tests/fixtures/handbuilt, whose numbers test_metrics_handbuilt.py
checks by hand).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.config import load_settings
from core.queries import metrics
from core.warehouse import Warehouse
from pipelines.run import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "handbuilt"
SEND_LOG = "send_log.jsonl"
WEBHOOK_FILES = ("webhooks_a.ndjson", "webhooks_b.json", "user_prefs_stop.json")
GROUPINGS = ("campaign", "day")

Snapshot = dict[str, dict[str, dict[str, Any]]]


def _fixture_bodies() -> list[dict[str, Any]]:
    """Every webhook body of the hand-built files, in file order (m01's duplicate included)."""
    text_a = (FIXTURES / "webhooks_a.ndjson").read_text(encoding="utf-8")
    bodies: list[dict[str, Any]] = [json.loads(line) for line in text_a.splitlines() if line.strip()]
    bodies += json.loads((FIXTURES / "webhooks_b.json").read_text(encoding="utf-8"))
    bodies.append(json.loads((FIXTURES / "user_prefs_stop.json").read_text(encoding="utf-8")))
    return bodies


BODIES = _fixture_bodies()


@dataclass(frozen=True, slots=True)
class Arrival:
    """One way the receipts can arrive.

    ``files`` holds, per webhook file, the indexes into BODIES it contains (with repeats) and
    its format; ``calls`` splits the files (index ``len(files)`` = the send log) into
    successive `ingest` calls.
    """

    files: tuple[tuple[str, tuple[int, ...]], ...]
    calls: tuple[tuple[int, ...], ...]


@st.composite
def arrivals(draw: st.DrawFn) -> Arrival:
    """Shuffle the bodies, repeat some 1-3 times, spread them over 1-4 files and 1+ ingest calls."""
    count = len(BODIES)
    extra = draw(st.dictionaries(st.integers(0, count - 1), st.integers(1, 3), max_size=8))
    stream = [*range(count), *(index for index, copies in extra.items() for _ in range(copies))]
    stream = draw(st.permutations(stream))
    file_count = draw(st.integers(1, 4))
    owners = draw(st.lists(st.integers(0, file_count - 1), min_size=len(stream), max_size=len(stream)))
    formats = draw(st.lists(st.sampled_from(("ndjson", "array")), min_size=file_count, max_size=file_count))
    files = [
        (formats[slot], tuple(body for body, owner in zip(stream, owners, strict=True) if owner == slot))
        for slot in range(file_count)
    ]
    files = [(fmt, members) for fmt, members in files if members]  # an empty file says nothing
    order = draw(st.permutations(range(len(files) + 1)))
    cuts = sorted(draw(st.sets(st.integers(1, len(order) - 1), max_size=len(order) - 1)))
    bounds = [0, *cuts, len(order)]
    calls = tuple(tuple(order[start:end]) for start, end in pairwise(bounds))
    return Arrival(files=tuple(files), calls=calls)


def _write_files(arrival: Arrival, folder: Path) -> list[Path]:
    """Write the webhook files of an arrival, plus the send log as the last path."""
    folder.mkdir(parents=True)
    paths: list[Path] = []
    for number, (fmt, members) in enumerate(arrival.files):
        bodies = [BODIES[index] for index in members]
        if fmt == "ndjson":
            path = folder / f"receipts_{number}.ndjson"
            path.write_text("".join(json.dumps(body) + "\n" for body in bodies), encoding="utf-8")
        else:
            path = folder / f"receipts_{number}.json"
            path.write_text(json.dumps(bodies), encoding="utf-8")
        paths.append(path)
    paths.append(Path(shutil.copy2(FIXTURES / SEND_LOG, folder / SEND_LOG)))
    return paths


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(workspace: Path) -> Snapshot:
    """Metrics by campaign and by day, keyed by group, with plain values."""
    settings = load_settings(workspace, env={})
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return {
            key: {
                str(_plain(row[key])): {name: _plain(value) for name, value in row.items()}
                for row in metrics(wh, by=key)
            }
            for key in GROUPINGS
        }


@pytest.fixture(scope="module")
def one_shot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The metrics after one clean ingest of the original files."""
    root = tmp_path_factory.mktemp("one_shot")
    workspace = root / "ws"
    workspace.mkdir()
    inputs = root / "inputs"
    inputs.mkdir()
    paths = [Path(shutil.copy2(FIXTURES / name, inputs / name)) for name in (SEND_LOG, *WEBHOOK_FILES)]
    ingest(load_settings(workspace, env={}), paths)
    snapshot = _snapshot(workspace)
    # Guard against a vacuous comparison: the baseline must hold the hand-built campaigns.
    assert set(snapshot["campaign"]) == {"summer_sale", "order_updates", "winback", "(unattributed)"}
    return snapshot


@hypothesis_settings(max_examples=25, deadline=None)
@given(arrival=arrivals())
def test_metrics_do_not_depend_on_arrival(one_shot: Snapshot, arrival: Arrival) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workspace = root / "ws"
        workspace.mkdir()
        paths = _write_files(arrival, root / "inputs")
        settings = load_settings(workspace, env={})
        for call in arrival.calls:
            ingest(settings, [paths[index] for index in call])
        got = _snapshot(workspace)
    assert got == one_shot
