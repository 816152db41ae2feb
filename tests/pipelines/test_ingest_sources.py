"""Every source kind loads, and every kind of bad record is quarantined with file, line and reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings, load_settings
from core.warehouse import Warehouse
from pipelines.run import ingest
from tests.pipelines.bodies import envelope, preference, send_row, status, text_reply, write_lines

DE = "4915123456789"
BR = "5511987654321"


@pytest.fixture
def settings(workspace: Path) -> Settings:
    return load_settings(workspace, env={})


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        return wh.rows(sql)


def quarantine(settings: Settings) -> list[tuple[Any, ...]]:
    return query(settings, "SELECT source_file, line, reason FROM meta.quarantine ORDER BY source_file, line")


def test_webhook_ndjson_json_array_single_body_and_gzip_all_load(settings: Settings, tmp_path: Path) -> None:
    write_lines(tmp_path / "a.ndjson", [status("wamid.1", "sent", 1_760_000_000, DE)])
    (tmp_path / "b.json").write_text(json.dumps(status("wamid.2", "sent", 1_760_000_001, DE)))
    (tmp_path / "c.json").write_text(
        json.dumps(
            [status("wamid.3", "sent", 1_760_000_002, DE), status("wamid.3", "read", 1_760_000_050, DE)]
        )
    )
    with gzip.open(tmp_path / "d.jsonl.gz", "wt") as handle:
        handle.write(json.dumps(status("wamid.4", "delivered", 1_760_000_003, BR)) + "\n")
    report = ingest(settings, [tmp_path])
    assert report.files_loaded == 4 and report.quarantined == 0
    assert query(settings, "SELECT wamid, status FROM raw.status_events ORDER BY wamid, status") == [
        ("wamid.1", "sent"),
        ("wamid.2", "sent"),
        ("wamid.3", "read"),
        ("wamid.3", "sent"),
        ("wamid.4", "delivered"),
    ]


def test_unknown_fields_types_and_statuses_are_kept_raw(settings: Settings, tmp_path: Path) -> None:
    odd_message = envelope(
        "messages",
        {
            "metadata": {"phone_number_id": "1"},
            "messages": [
                {
                    "from": DE,
                    "id": "wamid.in9",
                    "timestamp": "1760000100",
                    "type": "hologram",
                    "hologram": {"x": 1},
                }
            ],
        },
    )
    write_lines(
        tmp_path / "odd.ndjson",
        [
            envelope(
                "security",
                {"event": "PIN_CHANGED", "display_phone_number": "15550783881"},
                time=1_760_000_000,
            ),
            envelope(
                "message_template_status_update",
                {"event": "PAUSED", "message_template_name": "promo", "other_info": {"title": "FIRST_PAUSE"}},
                time=1_760_000_001,
            ),
            odd_message,
            status("wamid.5", "deleted", 1_760_000_002, DE),
        ],
    )
    report = ingest(settings, [tmp_path / "odd.ndjson"])
    assert report.quarantined == 0
    fields = query(settings, "SELECT field, value->>'$.event' FROM raw.business_events ORDER BY field")
    assert fields == [("message_template_status_update", "PAUSED"), ("security", "PIN_CHANGED")]
    assert query(settings, "SELECT type, raw->>'$.hologram.x' FROM raw.inbound_messages") == [
        ("hologram", "1")
    ]
    assert query(settings, "SELECT status FROM raw.status_events") == [("deleted",)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a WhatsApp webhook body"),
        ('{"object": "page", "entry": []}', 'object is "page"'),
        (json.dumps(status("", "sent", 1_760_000_000, DE)), "status has no id"),
        (
            json.dumps(status("wamid.x", "sent", 1_760_000_000, DE)).replace('"1760000000"', '"yesterday"'),
            "timestamp is not unix seconds",
        ),
        (
            json.dumps(text_reply("wamid.in", DE, 1_760_000_000, "hi")).replace(f'"from": "{DE}", ', ""),
            "neither from nor from_user_id",
        ),
    ],
)
def test_bad_webhook_lines_are_quarantined_with_line_and_reason(
    settings: Settings, tmp_path: Path, line: str, reason: str
) -> None:
    good = json.dumps(status("wamid.ok", "sent", 1_760_000_000, DE))
    path = tmp_path / "mixed.ndjson"
    path.write_text(f"{good}\n\n{line}\n{good.replace('wamid.ok', 'wamid.ok2')}\n")
    report = ingest(settings, [path])
    rows = quarantine(settings)
    assert len(rows) == 1 and report.quarantined == 1
    assert rows[0][0] == str(path.resolve()) and rows[0][1] == 3  # the blank line 2 still counts
    assert reason in rows[0][2]
    assert query(settings, "SELECT count(*) FROM raw.status_events")[0][0] == 2  # the rest loaded


def test_malformed_json_document_names_line_and_column(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "object": "whatsapp_business_account",\n  "entry": [,]\n}\n')
    ingest(settings, [path])
    [(_, line, reason)] = quarantine(settings)
    assert line == 3 and "line 3 column" in reason


def test_truncated_gzip_keeps_complete_lines_and_reports_the_rest(settings: Settings, tmp_path: Path) -> None:
    bodies = "".join(
        json.dumps(status(f"wamid.{i}", "sent", 1_760_000_000 + i, DE)) + "\n" for i in range(200)
    )
    data = gzip.compress(bodies.encode())
    (tmp_path / "cut.ndjson.gz").write_bytes(data[: len(data) // 2])
    report = ingest(settings, [tmp_path / "cut.ndjson.gz"])
    reasons = [row[2] for row in quarantine(settings)]
    assert any("gzip file is truncated" in r for r in reasons)
    loaded = query(settings, "SELECT count(*) FROM raw.status_events")[0][0]
    assert 0 < loaded < 200 and report.quarantined >= 1


def test_send_log_jsonl_and_csv_load_and_bad_rows_are_quarantined(settings: Settings, tmp_path: Path) -> None:
    good = send_row("wamid.1", "+4915123456789", "2026-10-01T08:00:00+08:00")
    rows = [
        good,
        {**good, "attempted_at": "2026-10-01T08:00:00"},
        {**good, "to": "12"},
        {**good, "outcome": "maybe"},
        {**good, "wamid": ""},
        {**good, "category": "spam"},
        {**good, "error_code": "abc"},
        {**good, "attempted_at": None},
    ]
    write_lines(tmp_path / "send.jsonl", rows)
    header = "attempted_at,campaign,template,language,category,to,phone_number_id,outcome,wamid,error_code,error_title,idempotency_key,lint_report"
    (tmp_path / "send.csv").write_text(
        f"{header}\n2026-10-02T09:00:00Z,c2,t2,de,utility,+49 151 2345-6780,1,accepted,wamid.2,,,k,r\n"
        "2026-10-02T09:00:00Z,c2,t2,de,utility,+4915123456780,1,rejected,,132000,Param mismatch,k,r,EXTRA\n"
    )
    ingest(settings, [tmp_path])
    reasons = [(Path(f).name, line, reason) for f, line, reason in quarantine(settings)]
    expected = [
        ("send.csv", 3, "row has 14 fields, header has 13"),
        ("send.jsonl", 2, "attempted_at has no UTC offset"),
        ("send.jsonl", 3, "to is not an international phone number"),
        ("send.jsonl", 4, "outcome must be accepted, held or rejected"),
        ("send.jsonl", 5, "an accepted row needs a wamid"),
        ("send.jsonl", 6, "category must be marketing, utility, authentication or service"),
        ("send.jsonl", 7, "error_code is not an integer"),
        ("send.jsonl", 8, "attempted_at is missing"),
    ]
    assert [(f, line) for f, line, _ in reasons] == [(f, line) for f, line, _ in expected]
    for (_, _, got), (_, _, want) in zip(reasons, expected, strict=True):
        assert want in got
    assert query(settings, "SELECT wamid, to_number, attempted_at FROM raw.send_log ORDER BY wamid") == [
        ("wamid.1", "+4915123456789", query(settings, "SELECT TIMESTAMPTZ '2026-10-01 00:00:00+00'")[0][0]),
        ("wamid.2", "+4915123456780", query(settings, "SELECT TIMESTAMPTZ '2026-10-02 09:00:00+00'")[0][0]),
    ]


def test_csv_export_with_chinese_headers_in_gb18030_through_a_mapping(
    workspace: Path, tmp_path: Path
) -> None:
    (workspace / "wagate.toml").write_text(
        """
[[ingest.csv_mappings]]
name = "bsp-export"
match = "bsp_*.csv"
timestamp_format = "%Y/%m/%d %H:%M"
timezone = "Asia/Shanghai"
columns = { attempted_at = "发送时间", to = "手机号", campaign = "活动", template = "模板", wamid = "消息ID", outcome = "结果", status = "状态" }
defaults = { category = "marketing", phone_number_id = "1" }
""",
        encoding="utf-8",
    )
    settings = load_settings(workspace, env={})
    csv_text = "发送时间,手机号,活动,模板,消息ID,结果,状态\n2026/10/01 16:00,+8613800138000,双十一,promo,wamid.cn1,accepted,read\n"
    (tmp_path / "bsp_oct.csv").write_bytes(csv_text.encode("gb18030"))
    report = ingest(settings, [tmp_path / "bsp_oct.csv"])
    assert report.sources[0].kind == "csv:bsp-export" and report.quarantined == 0
    [(campaign, at)] = query(
        settings, "SELECT campaign, strftime(attempted_at, '%Y-%m-%d %H:%M') FROM raw.send_log"
    )
    assert campaign == "双十一" and at == "2026-10-01 08:00"  # 16:00 in Shanghai is 08:00 UTC
    # the export's per-message status became a status event, so the message counts as read
    assert query(settings, "SELECT read, delivered FROM core.messages") == [(True, True)]


def test_csv_without_send_log_columns_is_quarantined_whole(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "other.csv").write_text("name,phone\nAna,+5511987654321\n")
    report = ingest(settings, [tmp_path / "other.csv"])
    [(_, line, reason)] = quarantine(settings)
    assert line is None and "lacks column(s) attempted_at, to, outcome" in reason
    assert report.sources[0].status == "quarantined"


def test_landing_files_take_complete_records_and_resume_on_append(settings: Settings, tmp_path: Path) -> None:
    landing = settings.landing_path / "receipts-1.ndjson.open"
    landing.parent.mkdir(parents=True)

    def record(i: int) -> str:
        body = json.dumps(status(f"wamid.{i}", "sent", 1_760_000_000 + i, DE))
        return json.dumps({"received_at": "2026-10-01T08:00:00+00:00", "body": body})

    landing.write_text(record(1) + "\n" + record(2) + "\n" + record(3)[:40])  # the receiver is mid-write
    first = ingest(settings)  # no paths: the landing zone
    assert first.new_events == 2 and first.quarantined == 0
    with landing.open("a") as handle:
        handle.write(record(3)[40:] + "\n" + "{torn" + "\n" + record(4) + "\n")
    second = ingest(settings)
    assert second.sources[0].status == "appended" and second.new_events == 2
    [(_, line, reason)] = quarantine(settings)
    assert line == 4 and reason == "torn or invalid landing record"
    assert query(
        settings, "SELECT count(DISTINCT wamid), min(received_at) IS NOT NULL FROM raw.status_events"
    ) == [(4, True)]


def test_landing_record_with_invalid_body_is_kept_in_quarantine(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "landing.ndjson"
    write_lines(
        path,
        [
            {"received_at": "2026-10-01T08:00:00+00:00", "body": "{oops"},
            {"received_at": "2026-10-01T08:00:00+00:00"},
        ],
    )
    ingest(settings, [path])
    assert [r[2] for r in quarantine(settings)] == [
        "webhook body is not valid JSON (landed as received)",
        "landing record has no body",
    ]


def test_reingest_is_idempotent_and_incremental(settings: Settings, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.ndjson",
        [status("wamid.1", "sent", 1_760_000_000, DE), preference(DE, "stop", 1_760_000_100)],
    )
    first = ingest(settings, [path])
    again = ingest(settings, [path])
    assert first.new_events == 2 and again.files_unchanged == 1 and again.records == 0
    copy = tmp_path / "copy" / "a-again.ndjson"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    third = ingest(settings, [copy])
    assert third.files_loaded == 1 and third.new_events == 0 and third.duplicates == 2


def test_parquet_export_round_trip_adds_nothing_twice(
    settings: Settings, tmp_path: Path, workspace: Path
) -> None:
    from pipelines.export import export_parquet

    write_lines(
        tmp_path / "in" / "hooks.ndjson",
        [
            status("wamid.1", "read", 1_760_000_000, DE),
            text_reply("wamid.in1", DE, 1_760_000_500, "STOP", context="wamid.1"),
        ],
    )
    write_lines(tmp_path / "in" / "send.jsonl", [send_row("wamid.1", "+" + DE, "2026-10-09T08:00:00+00:00")])
    ingest(settings, [tmp_path / "in"])
    with Warehouse.open_reader(settings.warehouse_path) as wh:
        export_parquet(wh, tmp_path / "export")
    assert (tmp_path / "export" / "status_events" / "day=2025-10-09").is_dir()
    again = ingest(settings, [tmp_path / "export"])
    assert again.new_events == 0 and again.duplicates == 3  # one status, one reply, one send-log row
    other = load_settings(tmp_path / "other-ws", env={})
    fresh = ingest(other, [tmp_path / "export"])
    assert fresh.new_events == 3
    for target in (settings, other):
        assert query(target, "SELECT campaign, opted_out FROM core.messages") == [("promo", True)]
