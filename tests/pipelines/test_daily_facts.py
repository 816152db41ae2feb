"""marts.daily_facts gives the very numbers the row-level views give.

`wagate metrics` and the dashboard's slices sum the per-day aggregate the load keeps. Here a
small synthetic workspace goes through the real ingest (two loads, so the second one has to
rebuild the aggregate), and every metric of every group key, with and without dashboard filters,
is compared with a reference computed in this file from the row-level views
(marts.message_facts, attempt_facts, breaches) by the definitions of docs/metrics.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.config import load_settings
from core.dashboard_queries import Slice, slice_metrics, slice_options
from core.queries import metrics
from core.warehouse import Warehouse
from pipelines.privacy.forget import forget
from pipelines.run import ingest
from pipelines.synthetic import SyntheticSpec, generate

SPEC = SyntheticSpec(seed=11, messages=900, days=10, webhook_files=2, malformed_lines=0)
KEYS = ("campaign", "template", "category", "country", "phone_number_id", "day")
COUNTS = (
    "attempted", "accepted", "rejected", "delivered", "read", "failed", "responded", "opted_out",
    "complained", "blocked_est", "holdout", "held", "sends_after_opt_out",
)  # fmt: skip
# rate -> (numerator, denominator), from the table in docs/metrics.md
RATES = {
    "delivery_rate": ("delivered", "accepted"),
    "read_rate": ("read", "delivered"),
    "failure_rate": ("failed", "accepted"),
    "response_rate": ("responded", "delivered"),
    "opt_out_rate": ("opted_out", "delivered"),
    "complaint_rate": ("complained", "delivered"),
    "block_rate_est": ("blocked_est", "accepted"),
}
# the message states counted for a message that is not a holdout (a holdout counts only as one)
STATES = ("delivered", "read", "failed", "responded", "opted_out", "complained", "blocked_est")

Row = dict[str, Any]


@dataclass(frozen=True)
class Rows:
    """The row-level views, read once."""

    messages: list[Row]
    attempts: list[Row]
    breaches: list[Row]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic traffic, loaded in two ingests (webhooks of the first file, then everything)."""
    root = tmp_path_factory.mktemp("daily_facts")
    inputs = root / "inputs"
    generate(inputs, SPEC)
    _add_sends_without_number(inputs / "send_log.jsonl")
    settings = load_settings(root, env={})
    first = sorted((inputs / "webhooks").glob("part-*"))[0]
    ingest(settings, [inputs / "send_log.jsonl", first])
    ingest(settings, [inputs])
    return root


def _add_sends_without_number(send_log: Path) -> None:
    # send-log rows may lack the sending number; they group under "(unknown)". The synthetic
    # traffic always has one, so a few accepted and rejected rows are copied without it.
    lines = send_log.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    accepted = [r for r in rows if r["outcome"] == "accepted"]
    copies = accepted[:6] + [r for r in rows if r["outcome"] == "rejected"][:2]
    for n, row in enumerate(copies):
        row.update(phone_number_id=None, idempotency_key=f"no-number-{n}")
        if row["wamid"]:
            row["wamid"] = f"wamid.no-number-{n}"  # a message of its own, with no status yet
    send_log.write_text("\n".join([*lines, *map(json.dumps, copies)]) + "\n", encoding="utf-8")


@pytest.fixture
def wh(workspace: Path) -> Iterator[Warehouse]:
    with Warehouse.open_snapshot(load_settings(workspace, env={}).warehouse_path) as opened:
        yield opened


def _rows(wh: Warehouse) -> Rows:
    return Rows(
        wh.dicts("SELECT * FROM marts.message_facts"),
        wh.dicts("SELECT * FROM marts.attempt_facts"),
        wh.dicts("SELECT * FROM marts.breaches"),
    )


def _key(row: Row, by: str) -> Any:
    if by == "total":
        return "total"
    if by == "phone_number_id":
        return row["phone_number_id"] if row["phone_number_id"] is not None else "(unknown)"
    if by == "day":
        return row["day"].isoformat()
    return row[by]


def reference(rows: Rows, by: str, keep: Callable[[Row], bool] = lambda row: True) -> dict[Any, Row]:
    """docs/metrics.md's counts and rates per group, counted row by row in Python."""
    groups: dict[Any, Row] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for row in filter(keep, rows.attempts):
        group = groups[_key(row, by)]
        group["attempted"] += 1
        group["rejected"] += row["outcome"] == "rejected"
    for row in filter(keep, rows.messages):
        group = groups[_key(row, by)]
        if row["holdout"]:  # counted only as a holdout
            group["holdout"] += 1
            continue
        group["accepted"] += 1
        group["held"] += row["outcome"] == "held"
        for state in STATES:
            group[state] += bool(row[state])
    for row in filter(keep, rows.breaches):
        groups[_key(row, by)]["sends_after_opt_out"] += 1
    for group in groups.values():
        for rate, (num, den) in RATES.items():
            group[rate] = group[num] / group[den] if group[den] else None
    return dict(groups)


def _by_group(found: list[Row], by: str) -> dict[Any, Row]:
    return {row[by]: {k: v for k, v in row.items() if k != by} for row in found}


def test_the_sample_exercises_every_count(wh: Warehouse) -> None:
    # the comparisons below could not fail on a count that is zero everywhere
    (total,) = reference(_rows(wh), "total").values()
    assert all(total[name] > 0 for name in COUNTS), total
    assert any(row["phone_number_id"] is None for row in _rows(wh).messages), "no message without a number"
    assert wh.scalar("SELECT count(*) FROM marts.daily_facts") < len(_rows(wh).messages)


@pytest.mark.parametrize("by", KEYS)
def test_wagate_metrics_equal_the_row_level_definitions(wh: Warehouse, by: str) -> None:
    rows = _rows(wh)
    found = metrics(wh, by)
    assert [row[by] for row in found] == sorted(row[by] for row in found)  # ordered by the key
    assert _by_group(found, by) == reference(rows, by)


@pytest.mark.parametrize("by", KEYS)
def test_a_date_range_selects_the_same_groups(wh: Warehouse, by: str) -> None:
    rows = _rows(wh)
    first = min(row["day"] for row in rows.messages)
    start, end = first + timedelta(days=2), first + timedelta(days=6)
    found = metrics(wh, by, start, end)
    assert _by_group(found, by) == reference(rows, by, lambda row: start <= row["day"] <= end)


def test_the_cli_prints_the_same_numbers(workspace: Path, wh: Warehouse) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wagate", "--workspace", str(workspace), "metrics", "--by", "country",
         "--format", "json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert _by_group(json.loads(done.stdout), "country") == reference(_rows(wh), "country")


def _busiest(rows: Rows, column: str, n: int) -> tuple[str, ...]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows.messages:
        counts[row[column]] += 1
    return tuple(sorted(counts, key=lambda value: (-counts[value], value))[:n])


@pytest.mark.parametrize("by", [*KEYS, "total"])
def test_dashboard_slices_with_filters_equal_the_row_level_definitions(wh: Warehouse, by: str) -> None:
    rows = _rows(wh)
    start, end = (min(row["day"] for row in rows.messages) + timedelta(days=n) for n in (1, 8))
    campaigns, countries = _busiest(rows, "campaign", 3), _busiest(rows, "country", 4)
    where = Slice(start, end, campaigns=campaigns, countries=countries)

    def keep(row: Row) -> bool:
        return start <= row["day"] <= end and row["campaign"] in campaigns and row["country"] in countries

    expected = reference(rows, by, keep)
    assert expected, "the filters left nothing to compare"
    assert _by_group(slice_metrics(wh, by, where), by) == expected


def test_dashboard_filters_on_category_and_sending_number(wh: Warehouse) -> None:
    rows = _rows(wh)
    category = next(row["category"] for row in rows.messages if row["phone_number_id"] is None)
    numbers = {row["phone_number_id"] for row in rows.messages if row["category"] == category}
    number = min(numbers - {None})
    where = Slice(categories=(category,), phone_number_ids=("(unknown)", number))

    def keep(row: Row) -> bool:
        return row["category"] == category and row["phone_number_id"] in (None, number)

    expected = reference(rows, "phone_number_id", keep)
    assert set(expected) == {"(unknown)", number}
    assert _by_group(slice_metrics(wh, "phone_number_id", where), "phone_number_id") == expected


def test_period_comparison_equals_the_row_level_definitions(wh: Warehouse) -> None:
    rows = _rows(wh)
    first: date = min(row["day"] for row in rows.messages)
    current = Slice(first + timedelta(days=5), first + timedelta(days=8))
    both = current.with_previous()  # days 1..4 are the previous period
    assert both is not None

    def in_period(name: str) -> Callable[[Row], bool]:
        start, end = (1, 4) if name == "previous" else (5, 8)
        return lambda row: first + timedelta(days=start) <= row["day"] <= first + timedelta(days=end)

    expected = {name: reference(rows, "total", in_period(name))["total"] for name in ("current", "previous")}
    assert _by_group(slice_metrics(wh, "period", both), "period") == expected


def test_filter_options_count_every_message(wh: Warehouse) -> None:
    rows = _rows(wh)
    found = {(row["filter"], row["value"]): row for row in slice_options(wh)}
    columns = {"campaigns": "campaign", "countries": "country", "phone_number_ids": "phone_number_id"}
    for name, column in columns.items():
        expected: dict[str, list[date]] = defaultdict(list)
        for row in rows.messages:
            expected[_key(row, column)].append(row["day"])
        got = {value: row for (kind, value), row in found.items() if kind == name}
        assert set(got) == set(expected)
        for value, days in expected.items():
            assert (got[value]["messages"], got[value]["first_day"], got[value]["last_day"]) == (
                len(days),
                min(days),
                max(days),
            )


def test_forgetting_a_person_keeps_the_aggregate_in_step(tmp_path: Path) -> None:
    generate(tmp_path / "inputs", SPEC)
    settings = load_settings(tmp_path, env={})
    ingest(settings, [tmp_path / "inputs"])
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        key = wh.scalar("SELECT contact_key FROM marts.breaches LIMIT 1")
        assert key is not None, "the sample has no breach"
        number = wh.scalar("SELECT to_number FROM raw.send_log WHERE contact_key = $k LIMIT 1", {"k": key})
        before = metrics(wh, "campaign")
    forget(settings, [str(number)])
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        assert metrics(wh, "campaign") == before  # erasure keeps every count
        assert _by_group(metrics(wh, "campaign"), "campaign") == reference(_rows(wh), "campaign")
        # the materialised breaches moved to the tombstone with the row-level ones
        assert not wh.scalar("SELECT count(*) FROM marts.breach_facts WHERE contact_key = $k", {"k": key})
        assert sorted(map(str, wh.rows("SELECT * FROM marts.breach_facts"))) == sorted(
            map(str, wh.rows("SELECT * FROM marts.breaches"))
        )


def test_an_upgraded_warehouse_gets_the_aggregate_without_new_data(tmp_path: Path) -> None:
    # a warehouse (and the snapshot readers open) written by code that had no daily_facts
    generate(tmp_path / "inputs", SPEC)
    settings = load_settings(tmp_path, env={})
    ingest(settings, [tmp_path / "inputs"])
    with Warehouse.open_writer(settings.warehouse_path) as wh:
        for key in KEYS:
            wh.execute(f"DROP VIEW marts.metrics_by_{key}")
        wh.execute("DROP TABLE marts.daily_facts")
        wh.execute("UPDATE meta.params SET value = 'older code' WHERE name = 'schema_hash'")
        wh.publish_snapshot()
    ingest(settings, [tmp_path / "inputs"])  # nothing new to load
    with Warehouse.open_snapshot(settings.warehouse_path) as wh:
        assert _by_group(metrics(wh, "campaign"), "campaign") == reference(_rows(wh), "campaign")
