"""Body and row shapes that the staging SQL treats specially must keep every record.

The common shapes (one entry with one `messages` change carrying statuses; a send-log number in
plain ASCII) take shortcuts in pipelines/sql; these tests pin down that the uncommon ones still
load, and that quarantined records keep their text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings, load_settings
from core.warehouse import Warehouse
from pipelines.run import ingest
from tests.pipelines.bodies import PHONE_ID, WABA, send_row, status, write_lines

DE = "4915123456789"


@pytest.fixture
def settings(workspace: Path) -> Settings:
    return load_settings(workspace, env={})


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return wh.rows(sql)


def _status_item(wamid: str, ts: int) -> dict[str, Any]:
    item: dict[str, Any] = status(wamid, "delivered", ts, DE)["entry"][0]["changes"][0]["value"]["statuses"][
        0
    ]
    return item


def _messages_change(statuses: list[Any]) -> dict[str, Any]:
    return {
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": PHONE_ID},
            "statuses": statuses,
        },
    }


def test_a_status_that_is_not_an_object_is_quarantined_and_its_siblings_load(
    settings: Settings, tmp_path: Path
) -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": WABA, "changes": [_messages_change(["oops", _status_item("wamid.ok", 1_760_000_000)])]}
        ],
    }
    path = write_lines(tmp_path / "odd.ndjson", [body])
    report = ingest(settings, [path])
    assert report.quarantined == 1
    assert query(settings, "SELECT line, reason, raw_text FROM meta.quarantine") == [
        (1, "status is not a JSON object", '"oops"')
    ]
    assert query(settings, "SELECT wamid, status FROM raw.status_events") == [("wamid.ok", "delivered")]


def test_bodies_with_several_entries_or_changes_keep_every_field(settings: Settings, tmp_path: Path) -> None:
    template_update = {
        "field": "message_template_status_update",
        "value": {"event": "APPROVED", "message_template_name": "promo"},
    }
    mixed = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "time": 1_760_000_005,
                "changes": [_messages_change([_status_item("wamid.1", 1_760_000_001)]), template_update],
            }
        ],
    }
    two_entries = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": WABA, "changes": [_messages_change([_status_item("wamid.2", 1_760_000_002)])]},
            {"id": WABA, "changes": [_messages_change([_status_item("wamid.3", 1_760_000_003)])]},
        ],
    }
    path = write_lines(tmp_path / "mixed.ndjson", [mixed, two_entries])
    report = ingest(settings, [path])
    assert report.quarantined == 0
    assert query(settings, "SELECT wamid FROM raw.status_events ORDER BY wamid") == [
        ("wamid.1",),
        ("wamid.2",),
        ("wamid.3",),
    ]
    # the statuses-only bodies add no business event; the template update is kept as landed
    assert query(settings, "SELECT field, value->>'$.event' FROM raw.business_events") == [
        ("message_template_status_update", "APPROVED")
    ]


def test_send_log_full_width_numbers_fold_and_rejected_lines_keep_their_text(
    settings: Settings, tmp_path: Path
) -> None:
    wide = send_row("wamid.w", "＋４９１５１２３４５６７８９", "2026-10-01T08:00:00+00:00")
    plain = send_row("wamid.p", "+4915123456780", "2026-10-01T08:00:01+00:00")
    bad = send_row("wamid.b", "+4915123456781", "2026-10-01T08:00:02+00:00", outcome="maybe")
    path = write_lines(tmp_path / "send.jsonl", [wide, plain, bad])
    report = ingest(settings, [path])
    assert report.quarantined == 1
    assert query(settings, "SELECT wamid, to_number FROM raw.send_log ORDER BY wamid") == [
        ("wamid.p", "+4915123456780"),
        ("wamid.w", "+4915123456789"),
    ]
    [(line, raw_text)] = query(settings, "SELECT line, raw_text FROM meta.quarantine")
    assert line == 3 and raw_text == json.dumps(bad, ensure_ascii=False)
