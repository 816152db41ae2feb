"""The send log: metrics.md columns, written as it goes, picked up by `wagate ingest` exactly once."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.config import Settings, load_settings
from core.warehouse import Warehouse
from pipelines.run import ingest
from sender.model import Message, idempotency_key
from sender.run import send_log_root
from sender.sendlog import SendLog, campaign_dir, logged_sends, recover_open_logs, send_log_row
from tests.contract import SEND_LOG_COLUMNS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def message(to: str) -> Message:
    return Message(
        key=idempotency_key("autumn", to, "order_shipped", "en_US"),
        row=1,
        to=to,
        region="DE",
        time_zones=(),
        campaign="autumn",
        template="order_shipped",
        language="en_US",
        category="utility",
        payload={},
    )


def accepted(to: str, n: int, at: datetime = T0) -> dict[str, object]:
    return send_log_row(
        message(to),
        attempted_at=at,
        phone_number_id="1065",
        outcome="accepted",
        wamid=f"wamid.{n}",
        lint_report="abc",
    )


def test_a_row_has_exactly_the_metrics_columns() -> None:
    row = send_log_row(
        message("+4915120000001"),
        attempted_at=T0,
        phone_number_id="1065",
        outcome="rejected",
        error_code=131026,
        error_title="Message undeliverable",
        lint_report="abc",
    )
    assert list(row) == SEND_LOG_COLUMNS
    assert row["attempted_at"] == "2026-03-02T09:00:00.000000+00:00"
    assert row["wamid"] == ""
    assert row["error_code"] == 131026
    assert row["idempotency_key"] == idempotency_key("autumn", "+4915120000001", "order_shipped", "en_US")


def test_rows_are_on_disk_as_they_are_written_and_the_file_is_renamed_when_closed(tmp_path: Path) -> None:
    log = SendLog(tmp_path, "autumn", started=T0)
    assert log.path is None  # no call, no file
    log.write(accepted("+4915120000001", 1))
    assert log.path == log.open_path and log.open_path.name.endswith(".jsonl.open")
    lines = log.open_path.read_text(encoding="utf-8").splitlines()  # no flush needed: one write per row
    assert json.loads(lines[0])["wamid"] == "wamid.1"
    log.close()
    assert not log.open_path.exists()
    assert log.path == log.final_path and log.final_path.suffix == ".jsonl"
    assert log.final_path.stat().st_mode & 0o777 == 0o600  # it holds phone numbers


def test_a_log_a_killed_run_left_open_is_closed_by_the_next_run_but_not_one_in_use(tmp_path: Path) -> None:
    folder = campaign_dir(tmp_path, "autumn")
    folder.mkdir(parents=True)
    stale = folder / "20260302T090000000000Z-1.jsonl.open"
    stale.write_text(json.dumps(accepted("+4915120000001", 1)) + "\n", encoding="utf-8")
    busy = folder / "20260302T090000000000Z-2.jsonl.open"
    busy.write_text(json.dumps(accepted("+4915120000002", 2)) + "\n", encoding="utf-8")
    fd = os.open(busy, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        closed = recover_open_logs(tmp_path, "autumn")
    finally:
        os.close(fd)
    assert closed == [folder / "20260302T090000000000Z-1.jsonl"]
    assert busy.exists()


def test_accepted_rows_are_found_by_key_for_reconciliation(tmp_path: Path) -> None:
    log = SendLog(tmp_path, "autumn", started=T0)
    log.write(accepted("+4915120000001", 1))
    rejected = send_log_row(
        message("+4915120000002"), attempted_at=T0, phone_number_id="1", outcome="rejected", lint_report="a"
    )
    log.write(rejected)
    with log.open_path.open("ab") as handle:
        handle.write(b'{"attempted_at": "2026-03-0')  # a torn last line (power loss) is skipped
    keys = [message("+4915120000001").key, message("+4915120000002").key]
    found = logged_sends(tmp_path, "autumn", keys)
    assert set(found) == {keys[0]}
    assert found[keys[0]].wamid == "wamid.1"


def _attempts(settings: Settings) -> list[tuple[str, str]]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return [(r[0], r[1]) for r in wh.rows("SELECT wamid, outcome FROM raw.send_log ORDER BY wamid")]


def test_ingest_reads_the_growing_log_from_the_landing_zone_once(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    settings = load_settings(workspace, env={})
    root = send_log_root(settings)
    assert root == settings.landing_path / "sendlogs"
    log = SendLog(root, "autumn", started=T0)
    log.write(accepted("+4915120000001", 1))
    ingest(settings)  # no path: the landing zone, send logs included
    assert _attempts(settings) == [("wamid.1", "accepted")]
    log.write(accepted("+4915120000002", 2, T0 + timedelta(seconds=1)))
    ingest(settings)  # the file grew while open: only its new tail is read
    assert _attempts(settings) == [("wamid.1", "accepted"), ("wamid.2", "accepted")]
    log.close()
    ingest(settings)  # renamed on close: read again under its new name, nothing counted twice
    assert _attempts(settings) == [("wamid.1", "accepted"), ("wamid.2", "accepted")]
