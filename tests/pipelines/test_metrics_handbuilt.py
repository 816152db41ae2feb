"""Acceptance test of the metrics on a small hand-built dataset.

Every expected number below was worked out by hand from docs/metrics.md, message by message;
the comments show the arithmetic. The stories of the messages (m01..m26, u1) are told in
tests/fixtures/handbuilt/README.md. D1/D2/D3 are 2025-06-02/03/04 (UTC).

Everything runs through the real CLI (`python -m wagate`), as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "handbuilt"
INPUT_FILES = ("send_log.jsonl", "webhooks_a.ndjson", "webhooks_b.json", "user_prefs_stop.json")

COUNT_KEYS = (
    "attempted", "accepted", "rejected", "delivered", "read", "failed", "responded", "opted_out",
    "complained", "blocked_est", "holdout", "held", "sends_after_opt_out",
)  # fmt: skip
RATE_KEYS = (
    "delivery_rate", "read_rate", "failure_rate", "response_rate", "opt_out_rate", "complaint_rate",
    "block_rate_est",
)  # fmt: skip

# Rates are written as the fraction that defines them: delivery = delivered/accepted,
# read = read/delivered, failure = failed/accepted, response|opt_out|complaint = x/delivered,
# block = blocked_est/accepted. None = the denominator is 0.

# fmt: off
BY_CAMPAIGN: dict[str, dict[str, Any]] = {
    "summer_sale": {
        "attempted": 11,           # m01..m10 + m26, one row each
        "accepted": 10,            # 11 messages - m09 (holdout 130472)
        "rejected": 0,
        "delivered": 10,           # all but m09 (m02 only has `read`; m03's late `sent` does not downgrade)
        "read": 6,                 # m01 m02 m04 m06 m07 m26
        "failed": 0,               # m09 is a holdout, counted nowhere else
        "responded": 3,            # m01 (context), m03 (no context, 5 h later), m08 ("don't stop the deals")
        "opted_out": 4,            # m04 STOP, m05 STOP_PROMO button, m06 user_preferences stop, m26 退订
        "complained": 1,           # m07 "who gave you my number?"
        "blocked_est": 0, "holdout": 1, "held": 0, "sends_after_opt_out": 0,   # holdout: m09
        "delivery_rate": 10 / 10, "read_rate": 6 / 10, "failure_rate": 0 / 10, "response_rate": 3 / 10,
        "opt_out_rate": 4 / 10, "complaint_rate": 1 / 10, "block_rate_est": 0 / 10,
    },
    "order_updates": {
        "attempted": 6,            # m11 m12 m13 m14 (D1), m21 m19 (D3)
        "accepted": 6,
        "rejected": 0,
        "delivered": 5,            # all but m19 (only `sent`)
        "read": 2,                 # m13 m21
        "failed": 0,
        "responded": 1,            # m12 (👍 reaction); m13's reply names an unknown context -> nothing;
                                   # m14's removed reaction is no response
        "opted_out": 0, "complained": 0,
        "blocked_est": 0,          # m19 at `sent` only 10 h before the newest receipt
        "holdout": 0, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": 5 / 6, "read_rate": 2 / 5, "failure_rate": 0 / 6, "response_rate": 1 / 5,
        "opt_out_rate": 0 / 5, "complaint_rate": 0 / 5, "block_rate_est": 0 / 6,
    },
    "winback": {
        "attempted": 12,           # 3 rejected rows (P16, P17, P23) + 9 messages m15..m25, m17, m22
        "accepted": 9,             # m15 m16 m17 m18 m20 m22 m23 m24(held) m25(held)
        "rejected": 3,             # 130429 (retried as m23), 131009, 132001
        "delivered": 5,            # m18 (failed, then delivered on another device) m20 m22 m23 m24
        "read": 2,                 # m22 m23
        "failed": 3,               # m15 m16 (131026), m25 (held, dropped with 132015)
        "responded": 0,            # m23's "this is spam" is a complaint, not a response
        "opted_out": 0,
        "complained": 1,           # m23 (window)
        "blocked_est": 2,          # m15: 131026 after m11 was delivered to P11;
                                   # m17: 75 h at `sent` after m12 was delivered to P12
        "holdout": 0,
        "held": 2,                 # m24 m25
        "sends_after_opt_out": 1,  # m20: marketing to P04 after P04's STOP
        "delivery_rate": 5 / 9, "read_rate": 2 / 5, "failure_rate": 3 / 9, "response_rate": 0 / 5,
        "opt_out_rate": 0 / 5, "complaint_rate": 1 / 5, "block_rate_est": 2 / 9,
    },
    "(unattributed)": {
        "attempted": 0,            # u1 is in no send log
        "accepted": 1, "rejected": 0,
        "delivered": 1, "read": 0, "failed": 0, "responded": 0, "opted_out": 0, "complained": 0,
        "blocked_est": 0, "holdout": 0, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": 1 / 1, "read_rate": 0 / 1, "failure_rate": 0 / 1, "response_rate": 0 / 1,
        "opt_out_rate": 0 / 1, "complaint_rate": 0 / 1, "block_rate_est": 0 / 1,
    },
}

BY_COUNTRY: dict[str, dict[str, Any]] = {
    "GB": {
        "attempted": 9,            # m01 m02 m09 m12 m17 m21 m23 m25 + the rejected P16 row
        "accepted": 7,             # m01 m02 m12 m17 m21 m23 m25 (m09 holdout out)
        "rejected": 1,
        "delivered": 5,            # m01 m02 m12 m21 m23
        "read": 4,                 # m01 m02 m21 m23
        "failed": 1,               # m25
        "responded": 2,            # m01 m12
        "opted_out": 0,
        "complained": 1,           # m23
        "blocked_est": 1,          # m17
        "holdout": 1,              # m09
        "held": 1,                 # m25
        "sends_after_opt_out": 0,
        "delivery_rate": 5 / 7, "read_rate": 4 / 5, "failure_rate": 1 / 7, "response_rate": 2 / 5,
        "opt_out_rate": 0 / 5, "complaint_rate": 1 / 5, "block_rate_est": 1 / 7,
    },
    "DE": {
        "attempted": 6,            # m03 m04 m11 m15 m20 m24
        "accepted": 7,             # those 6 + u1 (unattributed, to P22)
        "rejected": 0,
        "delivered": 6,            # m03 m04 m11 m20 m24 u1
        "read": 1,                 # m04
        "failed": 1,               # m15
        "responded": 1,            # m03
        "opted_out": 1,            # m04
        "complained": 0,
        "blocked_est": 1,          # m15
        "holdout": 0,
        "held": 1,                 # m24
        "sends_after_opt_out": 1,  # m20
        "delivery_rate": 6 / 7, "read_rate": 1 / 6, "failure_rate": 1 / 7, "response_rate": 1 / 6,
        "opt_out_rate": 1 / 6, "complaint_rate": 0 / 6, "block_rate_est": 1 / 7,
    },
    "BR": {
        "attempted": 6,            # m05 m06 m10 m14 m18 m22
        "accepted": 6,
        "rejected": 0,
        "delivered": 6,            # all six (m18 despite its 131000 failure)
        "read": 2,                 # m06 m22
        "failed": 0,
        "responded": 0,            # m10's reply came 80 h later; m14's reaction was removed
        "opted_out": 2,            # m05 m06
        "complained": 0, "blocked_est": 0, "holdout": 0, "held": 0,
        "sends_after_opt_out": 0,  # m22 came after P06's resume
        "delivery_rate": 6 / 6, "read_rate": 2 / 6, "failure_rate": 0 / 6, "response_rate": 0 / 6,
        "opt_out_rate": 2 / 6, "complaint_rate": 0 / 6, "block_rate_est": 0 / 6,
    },
    "IN": {
        "attempted": 7,            # m07 m08 m13 m16 m19 m26 + the rejected P17 row
        "accepted": 6,
        "rejected": 1,
        "delivered": 4,            # m07 m08 m13 m26
        "read": 3,                 # m07 m13 m26
        "failed": 1,               # m16
        "responded": 1,            # m08
        "opted_out": 1,            # m26
        "complained": 1,           # m07
        "blocked_est": 0,          # m16 (P15 never had a delivery), m19 (only 10 h)
        "holdout": 0, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": 4 / 6, "read_rate": 3 / 4, "failure_rate": 1 / 6, "response_rate": 1 / 4,
        "opt_out_rate": 1 / 4, "complaint_rate": 1 / 4, "block_rate_est": 0 / 6,
    },
    "FR": {
        "attempted": 1,            # the rejected P23 row (132001) is France's only row
        "accepted": 0, "rejected": 1,
        "delivered": 0, "read": 0, "failed": 0, "responded": 0, "opted_out": 0, "complained": 0,
        "blocked_est": 0, "holdout": 0, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": None, "read_rate": None, "failure_rate": None, "response_rate": None,
        "opt_out_rate": None, "complaint_rate": None, "block_rate_est": None,
    },
}

BY_DAY: dict[str, dict[str, Any]] = {
    "2025-06-02": {
        "attempted": 16,           # summer_sale 11 (m10 written 06-01 22:00-03:00 is 06-02 01:00Z)
                                   # + m11 m12 m13 m14 + m17
        "accepted": 15,            # 16 - m09
        "rejected": 0,
        "delivered": 14,           # summer_sale 10 + m11 m12 m13 m14
        "read": 7,                 # summer_sale 6 + m13
        "failed": 0,
        "responded": 4,            # m01 m03 m08 m12
        "opted_out": 4,            # m04 m05 m06 m26
        "complained": 1,           # m07
        "blocked_est": 1,          # m17
        "holdout": 1, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": 14 / 15, "read_rate": 7 / 14, "failure_rate": 0 / 15, "response_rate": 4 / 14,
        "opt_out_rate": 4 / 14, "complaint_rate": 1 / 14, "block_rate_est": 1 / 15,
    },
    "2025-06-03": {
        "attempted": 10,           # winback: 3 rejected + m15 m16 m18 m20 m23 m24 m25
        "accepted": 8,             # m15 m16 m18 m20 m23 m24 m25 + u1 (first status D2 14:00)
        "rejected": 3,
        "delivered": 5,            # m18 m20 m23 m24 u1
        "read": 1,                 # m23
        "failed": 3,               # m15 m16 m25
        "responded": 0, "opted_out": 0,
        "complained": 1,           # m23
        "blocked_est": 1,          # m15
        "holdout": 0,
        "held": 2,                 # m24 m25
        "sends_after_opt_out": 1,  # m20
        "delivery_rate": 5 / 8, "read_rate": 1 / 5, "failure_rate": 3 / 8, "response_rate": 0 / 5,
        "opt_out_rate": 0 / 5, "complaint_rate": 1 / 5, "block_rate_est": 1 / 8,
    },
    "2025-06-04": {
        "attempted": 3,            # m22, m21 (written 06-05 04:00+08:00 = 06-04 20:00Z), m19
        "accepted": 3, "rejected": 0,
        "delivered": 2,            # m21 m22
        "read": 2,                 # m21 m22
        "failed": 0, "responded": 0, "opted_out": 0, "complained": 0,
        "blocked_est": 0,          # m19 only 10 h at `sent`
        "holdout": 0, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": 2 / 3, "read_rate": 2 / 2, "failure_rate": 0 / 3, "response_rate": 0 / 2,
        "opt_out_rate": 0 / 2, "complaint_rate": 0 / 2, "block_rate_est": 0 / 3,
    },
}

# Sends on D2 and D3 only (--from 2025-06-03 --to 2025-06-05; nothing was sent on 06-05, so the
# result is the same whether --to is inclusive or not). Per-message states still use every event:
# m15 stays blocked_est because of m11, delivered on D1.
BY_CAMPAIGN_D2_D3: dict[str, dict[str, Any]] = {
    "winback": {
        "attempted": 11,           # winback's 12 rows - m17 (D1)
        "accepted": 8, "rejected": 3,
        "delivered": 5, "read": 2, "failed": 3, "responded": 0, "opted_out": 0, "complained": 1,
        "blocked_est": 1,          # m15 (m17 is D1)
        "holdout": 0, "held": 2, "sends_after_opt_out": 1,
        "delivery_rate": 5 / 8, "read_rate": 2 / 5, "failure_rate": 3 / 8, "response_rate": 0 / 5,
        "opt_out_rate": 0 / 5, "complaint_rate": 1 / 5, "block_rate_est": 1 / 8,
    },
    "order_updates": {
        "attempted": 2,            # m19 m21
        "accepted": 2, "rejected": 0,
        "delivered": 1, "read": 1,  # m21
        "failed": 0, "responded": 0, "opted_out": 0, "complained": 0, "blocked_est": 0,
        "holdout": 0, "held": 0, "sends_after_opt_out": 0,
        "delivery_rate": 1 / 2, "read_rate": 1 / 1, "failure_rate": 0 / 2, "response_rate": 0 / 1,
        "opt_out_rate": 0 / 1, "complaint_rate": 0 / 1, "block_rate_est": 0 / 2,
    },
    "(unattributed)": BY_CAMPAIGN["(unattributed)"],   # u1 is a D2 message
}
# fmt: on


@dataclass(frozen=True, slots=True)
class Loaded:
    """A workspace into which the hand-built files were ingested once."""

    workspace: Path
    inputs: tuple[Path, ...]
    report: dict[str, Any]


def _clean_env() -> dict[str, str]:
    """The caller's environment without WAGATE_* settings, so defaults (72 h, UTC) apply."""
    return {name: value for name, value in os.environ.items() if not name.startswith("WAGATE_")}


def _wagate_json(workspace: Path, *args: str) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "wagate", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=_clean_env(),
        check=False,
    )
    assert proc.returncode == 0, f"wagate {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}"
    return json.loads(proc.stdout)


def _copy_inputs(target: Path) -> tuple[Path, ...]:
    target.mkdir(parents=True)
    return tuple(Path(shutil.copy2(FIXTURES / name, target / name)) for name in INPUT_FILES)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("handbuilt")
    inputs = _copy_inputs(root / "inputs")
    workspace = root / "ws"
    workspace.mkdir()
    report = _wagate_json(workspace, "ingest", *map(str, inputs), "--format", "json")
    return Loaded(workspace, inputs, report)


def _assert_groups(rows: list[dict[str, Any]], key: str, expected: dict[str, dict[str, Any]]) -> None:
    """Compare every key of every group, listing all differences at once."""
    for want in expected.values():
        assert set(want) == {*COUNT_KEYS, *RATE_KEYS}, "expected table is incomplete"
    got_groups = {str(row[key]): row for row in rows}
    assert sorted(got_groups) == sorted(expected), f"groups by {key}"
    problems: list[str] = []
    for group, want in expected.items():
        got = got_groups[group]
        for name in (*COUNT_KEYS, *RATE_KEYS):
            value = got.get(name, "<missing>")
            if name in RATE_KEYS and want[name] is not None:
                ok = type(value) in (int, float) and value == pytest.approx(want[name])
            else:
                ok = type(value) is type(want[name]) and value == want[name]
            if not ok:
                problems.append(f"{key}={group}: {name} expected {want[name]!r}, got {value!r}")
    assert not problems, "\n".join(problems)


def _instant(text: str) -> datetime:
    """A timestamp from the JSON output; one without an offset is read as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_first_ingest_reports_every_file_and_the_duplicate_bodies(loaded: Loaded) -> None:
    report = loaded.report
    assert report["files_loaded"] == 4
    assert report["files_unchanged"] == 0
    assert report["new_events"] > 0
    # m01's `delivered` body arrives three times: once new, twice a duplicate. Nothing else repeats.
    assert report["duplicates"] == 2
    assert sorted(Path(source["path"]).name for source in report["sources"]) == sorted(INPUT_FILES)
    for source in report["sources"]:
        assert {"path", "kind", "status", "records", "new_events", "quarantined"} <= set(source)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("campaign", BY_CAMPAIGN), ("country", BY_COUNTRY), ("day", BY_DAY)],
)
def test_metrics_match_the_hand_computed_tables(
    loaded: Loaded, key: str, expected: dict[str, dict[str, Any]]
) -> None:
    rows = _wagate_json(loaded.workspace, "metrics", "--by", key, "--format", "json")
    _assert_groups(rows, key, expected)


def test_date_range_selects_messages_by_send_day(loaded: Loaded) -> None:
    rows = _wagate_json(
        loaded.workspace,
        "metrics", "--by", "campaign", "--from", "2025-06-03", "--to", "2025-06-05", "--format", "json",
    )  # fmt: skip
    _assert_groups(rows, "campaign", BY_CAMPAIGN_D2_D3)


def test_breaches_list_the_one_marketing_send_after_stop(loaded: Loaded) -> None:
    breaches = _wagate_json(loaded.workspace, "metrics", "--breaches", "--format", "json")
    # Only m20 (winback, to P04, D2 11:00) follows an opt-out: P04's STOP of D1 09:30 (scope all).
    # m22 to P06 comes after P06's user_preferences resume, so it is not listed.
    assert len(breaches) == 1, breaches
    breach = breaches[0]
    assert breach["campaign"] == "winback"
    assert breach["template"] == "winback_offer"
    assert _instant(breach["attempted_at"]) == datetime(2025, 6, 3, 11, 0, tzinfo=UTC)
    assert _instant(breach["opted_out_at"]) == datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
    assert breach["scope"] == "all"


def test_reingest_and_renamed_copy_change_nothing(wagate_cli: Any, workspace: Path, tmp_path: Path) -> None:
    inputs = _copy_inputs(tmp_path / "inputs")
    env = _clean_env()

    def run_json(*args: str) -> Any:
        result = wagate_cli(*args, "--format", "json", env=env)
        assert result.code == 0, result.stderr
        return json.loads(result.stdout)

    first = run_json("ingest", *map(str, inputs))
    assert first["files_loaded"] == len(INPUT_FILES)

    def snapshot() -> dict[str, dict[str, Any]]:
        return {
            key: {str(row[key]): row for row in run_json("metrics", "--by", key)}
            for key in ("campaign", "day")
        }

    before = snapshot()
    _assert_groups(list(before["campaign"].values()), "campaign", BY_CAMPAIGN)

    again = run_json("ingest", *map(str, inputs))
    assert again["files_unchanged"] == len(INPUT_FILES)
    assert again["files_loaded"] == 0
    assert again["new_events"] == 0
    assert snapshot() == before

    # The same receipts under another name (e.g. a re-exported landing file) are all duplicates.
    copy = Path(shutil.copy2(inputs[1], tmp_path / "inputs" / "webhooks_a_copy.ndjson"))
    renamed = run_json("ingest", str(copy))
    assert renamed["files_loaded"] == 1
    assert renamed["new_events"] == 0
    assert renamed["duplicates"] > 0
    assert snapshot() == before
