"""Webhooks reach a real loopback endpoint, signed over their exact bytes, shaped as Meta's, retried."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sender.emulator import running_emulator
from tests.sender.emulator.conftest import (
    DISPLAY,
    PHONE_ID,
    WABA_ID,
    config,
    quiet,
    send_all,
    template_body,
    webhook_sink,
)

RECIPIENTS = [f"+4915100000{i:03d}" for i in range(12)]


def test_statuses_are_signed_shaped_as_meta_and_echo_the_callback_data(
    template_files: tuple[Path, ...],
) -> None:
    with webhook_sink() as sink:
        with running_emulator(config(template_files, sink.url)) as emulator:
            answers = send_all(
                emulator.base_url,
                [template_body(to=to, biz_opaque_callback_data=f"k-{to}") for to in RECIPIENTS],
            )
            assert emulator.drain(20)
            assert emulator.webhook_stats() == (len(sink.bodies), 0, 0)
        wamids = {r.json()["messages"][0]["id"]: r.json()["contacts"][0]["wa_id"] for r in answers}
    assert sink.verdicts and all(sink.verdicts)
    for raw in sink.raw:
        assert raw.isascii()  # non-ASCII travels as \uXXXX escapes, as Meta sends it
    for body in sink.bodies:
        assert body["object"] == "whatsapp_business_account"
        (entry,) = body["entry"]
        assert entry["id"] == WABA_ID
        (change,) = entry["changes"]
        assert change["field"] == "messages"
        value = change["value"]
        assert value["messaging_product"] == "whatsapp"
        assert value["metadata"] == {"display_phone_number": DISPLAY, "phone_number_id": PHONE_ID}
    statuses = sink.statuses()
    # the quiet profile: every message is sent and delivered (read or not), nothing fails
    for wamid, wa_id in wamids.items():
        mine = [s for s in statuses if s["id"] == wamid]
        kinds = {s["status"] for s in mine}
        assert "sent" in kinds and kinds & {"delivered", "read"}, mine
        for status in mine:
            assert status["recipient_id"] == wa_id
            assert status["biz_opaque_callback_data"] == f"k-+{wa_id}"
            assert re.fullmatch(r"\d{10}", status["timestamp"])
            assert "errors" not in status
        (sent,) = [s for s in mine if s["status"] == "sent"]
        assert sent["pricing"] == {
            "billable": True,
            "pricing_model": "PMP",
            "type": "regular",
            "category": "marketing",
        }


def test_non_200_answers_are_retried_until_accepted(template_files: tuple[Path, ...]) -> None:
    with webhook_sink(fail_first=3) as sink, running_emulator(config(template_files, sink.url)) as emulator:
        send_all(emulator.base_url, [template_body(to=RECIPIENTS[0])])
        assert emulator.drain(20)
        stats = emulator.webhook_stats()
    assert sink.answers[:3] == [500, 500, 500]
    assert stats.retried == 3 and stats.failed == 0 and stats.sent == len(sink.bodies) >= 2
    assert all(sink.verdicts)


def test_bodies_are_given_up_after_max_attempts_and_counted(template_files: tuple[Path, ...]) -> None:
    profile = quiet(webhooks={"max_attempts": 3, "retry_base_seconds": 0.01, "retry_cap_seconds": 0.02})
    with (
        webhook_sink(always=503) as sink,
        running_emulator(config(template_files, sink.url, profile=profile)) as emulator,
    ):
        send_all(emulator.base_url, [template_body(to=RECIPIENTS[0])])
        assert emulator.drain(20)
        stats = emulator.webhook_stats()
    # each body is tried three times: two retries, then given up
    assert stats.sent == 0 and stats.failed >= 2 and stats.retried == 2 * stats.failed
    assert len(sink.answers) == 3 * stats.failed


def test_an_unreachable_webhook_url_is_given_up_too(template_files: tuple[Path, ...]) -> None:
    profile = quiet(webhooks={"max_attempts": 2, "retry_base_seconds": 0.01, "timeout_seconds": 1.0})
    with running_emulator(config(template_files, "http://127.0.0.1:9/webhook", profile=profile)) as emulator:
        send_all(emulator.base_url, [template_body(to=RECIPIENTS[0])])
        assert emulator.drain(20)
        stats = emulator.webhook_stats()
    assert stats.sent == 0 and stats.failed >= 2 and stats.retried == stats.failed


def test_batching_puts_several_statuses_in_one_body(template_files: tuple[Path, ...]) -> None:
    # every story's sent step in the same instant: all due together, batched by up to 5
    profile = quiet(
        webhooks={"batch_max": 5, "batch_window_seconds": 5.0},
        timing={"sent": [0.2, 0.2], "delivered": [0.2, 0.2]},
        delivery={"read": 0.0, "duplicate": 0.0},
    )
    with (
        webhook_sink() as sink,
        running_emulator(config(template_files, sink.url, profile=profile)) as emulator,
    ):
        send_all(emulator.base_url, [template_body(to=to) for to in RECIPIENTS])
        assert emulator.drain(20)
    sizes = [len(value["statuses"]) for _, value in sink.changes("messages")]
    assert sum(sizes) == 2 * len(RECIPIENTS)
    assert max(sizes) <= 5 and max(sizes) > 1
    assert all(sink.verdicts)


def test_the_signature_covers_the_exact_bytes_including_escaped_non_ascii(
    template_files: tuple[Path, ...],
) -> None:
    with webhook_sink() as sink, running_emulator(config(template_files, sink.url)) as emulator:
        emulator.inject_inbound("+8613800138000", text="退订 ❌")
        assert emulator.drain(10)
    (raw,) = sink.raw
    assert b"\\u9000\\u8ba2" in raw and all(sink.verdicts)
    (message,) = sink.inbound()
    assert message["text"] == {"body": "退订 ❌"} and message["from"] == "8613800138000"
    assert json.loads(raw)["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] == "8613800138000"
