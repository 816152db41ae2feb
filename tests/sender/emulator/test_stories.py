"""What happens after acceptance: delivery shapes, failures, replies, opt-outs, quality and pausing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from sender.emulator import running_emulator
from tests.sender.emulator.conftest import (
    MESSAGES,
    TOKEN,
    Sink,
    config,
    quiet,
    send_all,
    template_body,
    webhook_sink,
)
from tests.sender.emulator.test_validation import assert_error

GERMANS = [f"+4915100001{i:03d}" for i in range(10)]


def run(
    template_files: tuple[Path, ...], bodies: list[dict[str, Any]], **changes: Any
) -> tuple[Sink, list[httpx.Response]]:
    """Send the bodies to an emulator with a quiet profile changed as given; drain; return the sink."""
    with (
        webhook_sink() as sink,
        running_emulator(
            config(template_files, sink.url, profile=quiet(**changes), throughput_mps=1000)
        ) as emulator,
    ):
        answers = send_all(emulator.base_url, bodies)
        assert emulator.drain(20)
    assert all(sink.verdicts)
    return sink, answers


def by_wamid(sink: Sink) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for status in sink.statuses():
        found.setdefault(status["id"], []).append(status)
    return found


def test_marketing_to_us_numbers_always_fails_131049(template_files: tuple[Path, ...]) -> None:
    us = [f"+1202555{i:04d}" for i in range(8)]
    canada = "+14165550123"
    bodies = [template_body(to=to) for to in [*us, canada]]
    utility = template_body(
        to=us[0],
        name="order_update",
        language="es",
        components=[
            {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]},
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                    {"type": "text", "parameter_name": "order_id", "text": "A-1"},
                ],
            },
        ],
    )
    sink, answers = run(template_files, [*bodies, utility])
    assert all(a.status_code == 200 for a in answers)  # accepted: the failure comes by webhook
    statuses = by_wamid(sink)
    for answer in answers[: len(us)]:
        (only,) = statuses[answer.json()["messages"][0]["id"]]
        assert only["status"] == "failed"
        (error,) = only["errors"]
        assert error["code"] == 131049 and error["title"] == error["message"]
        assert error["error_data"]["details"] and error["href"].endswith("error-codes")
    for answer in answers[len(us) :]:  # Canada, and a utility message to a US number
        kinds = {s["status"] for s in statuses[answer.json()["messages"][0]["id"]]}
        assert "failed" not in kinds and "sent" in kinds


def test_failure_rates_give_failed_statuses_with_their_codes(template_files: tuple[Path, ...]) -> None:
    sink, answers = run(
        template_files, [template_body(to=to) for to in GERMANS], failures={"unreachable": 1.0}
    )
    for answer in answers:
        (only,) = by_wamid(sink)[answer.json()["messages"][0]["id"]]
        assert only["status"] == "failed" and only["errors"][0]["code"] == 131026
        assert "pricing" not in only


def test_a_user_in_the_chat_reads_at_once_and_delivered_is_skipped(template_files: tuple[Path, ...]) -> None:
    sink, answers = run(
        template_files,
        [template_body(to=to) for to in GERMANS],
        delivery={"delivered": 1.0, "read": 1.0, "in_chat": 1.0, "duplicate": 0.0},
    )
    for answer in answers:
        kinds = [s["status"] for s in by_wamid(sink)[answer.json()["messages"][0]["id"]]]
        assert sorted(kinds) == ["read", "sent"]


def test_reordered_delivered_arrives_after_read_with_its_own_earlier_timestamp(
    template_files: tuple[Path, ...],
) -> None:
    sink, answers = run(
        template_files,
        [template_body(to=to) for to in GERMANS],
        delivery={"delivered": 1.0, "read": 1.0, "in_chat": 0.0, "reorder": 1.0, "duplicate": 0.0},
        timing={"read": [0.05, 0.1], "in_chat_read": [0.05, 0.05]},
        webhooks={"concurrency": 1},  # one POST at a time: arrival order is emission order
    )
    order = [s for s in sink.statuses()]
    for answer in answers:
        wamid = answer.json()["messages"][0]["id"]
        mine = [s for s in order if s["id"] == wamid]
        assert [s["status"] for s in mine] == ["sent", "read", "delivered"]
        assert int(mine[2]["timestamp"]) <= int(mine[1]["timestamp"])


def test_duplicates_repeat_a_status_exactly(template_files: tuple[Path, ...]) -> None:
    sink, answers = run(template_files, [template_body(to=to) for to in GERMANS], delivery={"duplicate": 1.0})
    for answer in answers:
        mine = by_wamid(sink)[answer.json()["messages"][0]["id"]]
        assert len(mine) == len({s["status"] for s in mine}) + 1
        repeated = [s for s in mine if sum(t == s for t in mine) == 2]
        assert len(repeated) == 2


def test_readers_tap_quick_replies_with_the_payload_set_at_send_time(
    template_files: tuple[Path, ...],
) -> None:
    body = template_body(to=GERMANS[0])
    body["template"]["components"].append(
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "0",
            "parameters": [{"type": "payload", "payload": "SHOW_ME"}],
        }
    )
    sink, answers = run(template_files, [body], delivery={"read": 1.0}, engagement={"button": 1.0})
    (tap,) = sink.inbound()
    assert tap["type"] == "button" and tap["button"] == {"payload": "SHOW_ME", "text": "Show me"}
    assert tap["context"]["id"] == answers[0].json()["messages"][0]["id"]
    assert tap["from"] == GERMANS[0][1:]


def test_the_stop_button_is_tapped_by_those_who_opt_out(template_files: tuple[Path, ...]) -> None:
    sink, _ = run(
        template_files,
        [template_body(to=to) for to in GERMANS[:3]],
        delivery={"read": 1.0},
        engagement={"stop_button": 1.0},
    )
    taps = sink.inbound()
    assert len(taps) == 3 and {t["button"]["text"] for t in taps} == {"Stop promotions"}


def test_stop_and_complaint_replies_come_in_the_recipients_language(template_files: tuple[Path, ...]) -> None:
    order = [
        {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]},
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                {"type": "text", "parameter_name": "order_id", "text": "A-1"},
            ],
        },
    ]
    bodies = [
        template_body(to=to, name="order_update", language="es", components=order) for to in GERMANS[:4]
    ]
    sink, _ = run(template_files, bodies, delivery={"read": 1.0}, engagement={"stop_text": 1.0})
    from sender.emulator.replies import REPLIES

    texts = {m["text"]["body"] for m in sink.inbound()}
    assert texts and texts <= set(REPLIES["es"]["stop"])
    contacts = [v["contacts"][0] for _, v in sink.changes("messages") if "messages" in v]
    assert all(c["profile"]["name"] in REPLIES["es"]["names"] for c in contacts)


def test_preference_stop_webhook_then_marketing_fails_131050(template_files: tuple[Path, ...]) -> None:
    with (
        webhook_sink() as sink,
        running_emulator(config(template_files, sink.url, throughput_mps=1000)) as emulator,
    ):
        emulator.inject_inbound(GERMANS[0], preference="stop")
        (answer,) = send_all(emulator.base_url, [template_body(to=GERMANS[0])])
        assert answer.status_code == 200
        assert emulator.drain(10)
        emulator.inject_inbound(GERMANS[0], preference="resume")
        (later,) = send_all(emulator.base_url, [template_body(to=GERMANS[0])])
        assert emulator.drain(10)
    (stop, resume) = [v["user_preferences"][0] for _, v in sink.changes("user_preferences")]
    assert (
        stop["value"] == "stop"
        and stop["category"] == "marketing_messages"
        and isinstance(stop["timestamp"], int)
    )
    assert stop["wa_id"] == GERMANS[0][1:] and resume["value"] == "resume"
    statuses = by_wamid(sink)
    (failed,) = statuses[answer.json()["messages"][0]["id"]]
    assert failed["status"] == "failed" and failed["errors"][0]["code"] == 131050
    assert "failed" not in {s["status"] for s in statuses[later.json()["messages"][0]["id"]]}


def test_an_injected_button_tap_names_the_last_message_sent_to_that_user(
    template_files: tuple[Path, ...],
) -> None:
    with (
        webhook_sink() as sink,
        running_emulator(config(template_files, sink.url, throughput_mps=1000)) as emulator,
    ):
        (answer,) = send_all(emulator.base_url, [template_body(to=GERMANS[0])])
        emulator.inject_inbound(GERMANS[0], button_payload="STOP_PROMO")
        assert emulator.drain(10)
    (tap,) = sink.inbound()
    assert tap["button"]["payload"] == "STOP_PROMO"
    assert tap["context"] == {"from": "15550001234", "id": answer.json()["messages"][0]["id"]}


def test_complaints_turn_the_template_red_then_paused_then_sends_fail_132015(
    template_files: tuple[Path, ...],
) -> None:
    profile = quiet(
        delivery={"delivered": 1.0, "read": 1.0, "duplicate": 0.0},
        engagement={"complaint": 1.0},
        quality={"min_delivered": 4, "yellow": 0.2, "red": 0.5, "pause_hours": [0.0005]},
    )
    recipients = [f"+4915100002{i:03d}" for i in range(8)]
    with (
        webhook_sink() as sink,
        running_emulator(config(template_files, sink.url, profile=profile, throughput_mps=1000)) as emulator,
        httpx.Client(base_url=emulator.base_url, headers={"authorization": f"Bearer {TOKEN}"}) as http,
    ):
        assert all(
            r.status_code == 200
            for r in send_all(emulator.base_url, [template_body(to=to) for to in recipients])
        )
        assert emulator.drain(20)
        refused = http.post(MESSAGES, json=template_body(to="+4915100009999"))
        listed = http.get("/v25.0/102290129340398/message_templates", params={"name": "spring_sale"}).json()
        rating = http.get("/v25.0/106540352242922", params={"fields": "quality_rating"}).json()
        deadline = time.monotonic() + 15  # the pause lasts 0.0005 h = 1.8 s
        while (
            http.get("/v25.0/102290129340398/message_templates", params={"name": "spring_sale"}).json()[
                "data"
            ][0]["status"]
            != "APPROVED"
        ):
            assert time.monotonic() < deadline, "the template was never unpaused"
            time.sleep(0.1)
        after = http.post(MESSAGES, json=template_body(to="+4915100009998"))
        assert emulator.drain(20)
    assert_error(refused, 132015, details="paused")
    assert listed["data"][0]["status"] == "PAUSED" and listed["data"][0]["quality_score"] == {"score": "RED"}
    assert rating["quality_rating"] == "RED"
    quality = [v for _, v in sink.changes("message_template_quality_update")]
    assert quality[-1]["new_quality_score"] == "RED" and quality[-1]["message_template_name"] == "spring_sale"
    assert quality[-1]["message_template_language"] == "en-US"
    events = [v for _, v in sink.changes("message_template_status_update")]
    assert events[0]["event"] == "PAUSED" and events[0]["other_info"]["title"] == "FIRST_PAUSE"
    assert events[0]["message_template_id"] == int(listed["data"][0]["id"]) and events[0]["reason"] == "NONE"
    assert events[1]["event"] == "APPROVED" and events[1]["other_info"]["title"] == "UNPAUSE"
    assert after.status_code == 200
    (flag,) = [v for _, v in sink.changes("phone_number_quality_update")][:1]
    assert flag["event"] == "FLAGGED" and flag["display_phone_number"] == "15550001234"


def test_pacing_holds_messages_beyond_the_threshold(template_files: tuple[Path, ...]) -> None:
    sink, answers = run(
        template_files,
        [template_body(to=to) for to in GERMANS[:4]],
        pacing={"enabled": True, "release_after": 2, "hold_seconds": 0.3},
    )
    assert [a.json()["messages"][0]["message_status"] for a in answers] == [
        "accepted",
        "accepted",
        "held_for_quality_assessment",
        "held_for_quality_assessment",
    ]
    # held messages are released later and then told as usual
    for answer in answers[2:]:
        assert "sent" in {s["status"] for s in by_wamid(sink)[answer.json()["messages"][0]["id"]]}


def test_a_paused_template_drops_held_messages_as_132015(template_files: tuple[Path, ...]) -> None:
    profile = quiet(pacing={"enabled": True, "release_after": 0, "hold_seconds": 0.5})
    with (
        webhook_sink() as sink,
        running_emulator(config(template_files, sink.url, profile=profile)) as emulator,
    ):
        (held,) = send_all(emulator.base_url, [template_body(to=GERMANS[0])])
        emulator.set_template_status("spring_sale", "en_US", "PAUSED")
        assert emulator.drain(10)
    assert held.json()["messages"][0]["message_status"] == "held_for_quality_assessment"
    (only,) = by_wamid(sink)[held.json()["messages"][0]["id"]]
    assert only["status"] == "failed" and only["errors"][0]["code"] == 132015


def test_a_restriction_is_announced_by_account_update(template_files: tuple[Path, ...]) -> None:
    with webhook_sink() as sink, running_emulator(config(template_files, sink.url)) as emulator:
        emulator.set_account_state("restricted")
        assert emulator.drain(10)
    ((field, value),) = sink.changes()
    assert field == "account_update" and value["event"] == "ACCOUNT_RESTRICTION"
    assert value["restriction_info"][0]["restriction_type"] == "RESTRICTED_BIZ_INITIATED_MESSAGING"
