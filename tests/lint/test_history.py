"""File-based history (lint.history): send log with subjects, and inbound replies nobody dealt with."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from core.errors import InputError
from lint.history import REPLIES_SCHEMA, FileHistory, NoHistory, ReplyLog

NUMBERS = pl.Series(["+4915123456789", "+4915123456780"])


def test_send_log_keeps_subject_keys(tmp_path: Path) -> None:
    log = tmp_path / "send_log.csv"
    log.write_text(
        "to,attempted_at,category,template,subject_key,outcome\n"
        "+4915123456789,2025-06-01T10:00:00Z,MARKETING,spring_sale,spring-2025,accepted\n"
        "+4915123456789,2025-06-02T10:00:00Z,marketing,spring_sale,,failed\n",
        encoding="utf-8",
    )
    sends = FileHistory(send_log=log).sends(NUMBERS, datetime(2025, 5, 1, tzinfo=UTC))
    assert sends.select("category", "template", "subject_key").rows() == [
        ("marketing", "spring_sale", "spring-2025")
    ]


def test_replies_after_the_last_handled_one_and_not_handled(tmp_path: Path) -> None:
    replies = tmp_path / "replies.csv"
    replies.write_text(
        "phone,received_at,text,reviewed,processed_at\n"
        "+4915123456789,2025-06-01T08:00:00Z,STOP,no,\n"  # older than the handled reply below
        "+4915123456789,2025-06-02T08:00:00Z,ok thanks,yes,\n"
        "+4915123456789,2025-06-03T08:00:00Z,who is this,,\n"  # newer, not handled
        "+4915123456780,2025-06-01T08:00:00Z,STOP,,2025-06-01T08:00:01Z\n"  # processed
        "+33612345678,2025-06-01T08:00:00Z,STOP,,\n",  # not asked for
        encoding="utf-8",
    )
    found = FileHistory(replies=replies).unreviewed_replies(NUMBERS)
    assert found.schema == REPLIES_SCHEMA
    assert found.select("e164", "text").rows() == [("+4915123456789", "who is this")]


def test_replies_as_jsonl_with_webhook_field_names(tmp_path: Path) -> None:
    replies = tmp_path / "replies.jsonl"
    rows = [
        {"from": "4915123456789", "timestamp": "2025-06-01T08:00:00Z", "body": "别再发了"},
        {"from": "4915123456780", "timestamp": "2025-06-01T08:00:00Z", "body": "STOP", "reviewed": True},
    ]
    replies.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    found = FileHistory(replies=replies).unreviewed_replies(NUMBERS)
    assert found.select("e164", "text").rows() == [("+4915123456789", "别再发了")]


def test_replies_file_without_phone_is_an_input_error(tmp_path: Path) -> None:
    replies = tmp_path / "replies.csv"
    replies.write_text("received_at,text\n2025-06-01T08:00:00Z,STOP\n", encoding="utf-8")
    with pytest.raises(InputError, match="phone"):
        FileHistory(replies=replies).unreviewed_replies(NUMBERS)


def test_both_file_and_empty_histories_answer_replies() -> None:
    assert isinstance(NoHistory(), ReplyLog)
    assert isinstance(FileHistory(), ReplyLog)
    assert NoHistory().unreviewed_replies(NUMBERS).height == 0
    assert FileHistory().unreviewed_replies(NUMBERS).height == 0
