"""From POST to warehouse: what the receiver lands, `pipelines.run.ingest` loads unchanged."""

from __future__ import annotations

import json
from typing import Any

import httpx

from core.config import Settings
from core.warehouse import Warehouse
from pipelines.receiver import ReceiverOptions
from pipelines.run import ingest
from tests.pipelines.bodies import status, text_reply
from tests.receiver.conftest import post, serve_in_thread

DE = "4915123456789"


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return wh.rows(sql)


def test_a_body_delivered_three_times_gives_one_set_of_events(
    settings: Settings, options: ReceiverOptions, client: httpx.Client
) -> None:
    # one body with one status and one reply: two events
    body = status("wamid.OUT1", "read", 1_760_000_050, DE)
    reply = text_reply("wamid.IN1", DE, 1_760_000_060, "thanks", context="wamid.OUT1")
    body["entry"].append(reply["entry"][0])
    raw = json.dumps(body).encode()
    with serve_in_thread(options) as running:
        assert [post(client, running.url, raw).status_code for _ in range(3)] == [200, 200, 200]
    report = ingest(settings)
    assert report.records == 6 and report.new_events == 2 and report.duplicates == 4
    assert query(settings, "SELECT count(*) FROM raw.status_events") == [(1,)]
    assert query(settings, "SELECT count(*) FROM raw.inbound_messages") == [(1,)]


def test_open_file_is_loaded_while_written_and_again_after_close_without_doubles(
    settings: Settings, options: ReceiverOptions, client: httpx.Client
) -> None:
    def body(i: int) -> bytes:
        return json.dumps(status(f"wamid.O{i}", "sent", 1_760_000_000 + i, DE)).encode()

    with serve_in_thread(options) as running:
        for i in range(3):
            post(client, running.url, body(i))
        first = ingest(settings)  # the landing file is still .open
        assert first.new_events == 3 and first.sources[0].path.endswith(".ndjson.open")
        for i in range(3, 5):
            post(client, running.url, body(i))
        second = ingest(settings)
        assert second.new_events == 2 and second.sources[0].status == "appended"
    third = ingest(settings)  # renamed to .ndjson at shutdown: read again, nothing new
    assert third.new_events == 0 and third.quarantined == 0
    assert query(settings, "SELECT count(DISTINCT wamid) FROM raw.status_events") == [(5,)]


def test_invalid_json_and_non_utf8_bodies_are_quarantined_not_lost(
    settings: Settings, options: ReceiverOptions, client: httpx.Client
) -> None:
    with serve_in_thread(options) as running:
        assert post(client, running.url, b'{"object": "whatsapp_business_acc').status_code == 200
        assert post(client, running.url, b'{"x": "\xff"}').status_code == 200
        assert (
            post(
                client, running.url, json.dumps(status("wamid.G", "sent", 1_760_000_000, DE)).encode()
            ).status_code
            == 200
        )
    report = ingest(settings)
    assert report.new_events == 1 and report.quarantined == 2
    reasons = [r[0] for r in query(settings, "SELECT reason FROM meta.quarantine ORDER BY line")]
    assert reasons == ["webhook body is not valid JSON (landed as received)", "landing record has no body"]


def test_a_non_utf8_first_record_still_marks_the_file_as_landing(
    settings: Settings, options: ReceiverOptions, client: httpx.Client
) -> None:
    with serve_in_thread(options) as running:
        assert post(client, running.url, b"\xff\xfe").status_code == 200
        assert (
            post(
                client, running.url, json.dumps(status("wamid.B", "sent", 1_760_000_000, DE)).encode()
            ).status_code
            == 200
        )
    report = ingest(settings)
    assert report.sources[0].kind == "landing"
    assert report.new_events == 1 and report.quarantined == 1


def test_a_landing_file_whose_first_record_is_larger_than_64_kib_loads(
    settings: Settings, options: ReceiverOptions, client: httpx.Client
) -> None:
    big = status("wamid.BIG", "sent", 1_760_000_000, DE)
    big["entry"][0]["changes"][0]["value"]["padding"] = "x" * 100_000
    with serve_in_thread(options) as running:
        assert post(client, running.url, json.dumps(big).encode()).status_code == 200
    report = ingest(settings)
    assert report.new_events == 1 and report.quarantined == 0
