"""Stories depend on (seed, recipient, template, language) and the profile, never on send order."""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from sender.emulator import load_profile, running_emulator
from sender.emulator.planner import Subject, plan
from tests.sender.emulator.conftest import MESSAGES, TOKEN, config, fast, template_body, webhook_sink

RECIPIENTS = [f"+4915100003{i:03d}" for i in range(40)]
# lively: every kind of outcome shows up among 40 recipients
LIVELY = fast(
    failures={"unreachable": 0.1, "marketing_limit": 0.1, "holdout": 0.05},
    delivery={"read": 0.7, "in_chat": 0.2, "duplicate": 0.2, "reorder": 0.2},
    engagement={"reply": 0.2, "stop_text": 0.1, "complaint": 0.1, "button": 0.2, "stop_button": 0.1},
    quality={"enabled": False},
)


def outcomes(
    template_files: tuple[Path, ...], order: Sequence[str], seed: int, workers: int
) -> dict[str, Any]:
    """Per recipient: the statuses (with codes) and what they wrote back, without ids and times."""
    with (
        webhook_sink() as sink,
        running_emulator(
            config(template_files, sink.url, profile=LIVELY, seed=seed, throughput_mps=1000)
        ) as emulator,
    ):
        headers = {"authorization": f"Bearer {TOKEN}"}
        with (
            httpx.Client(base_url=emulator.base_url, headers=headers) as http,
            ThreadPoolExecutor(workers) as pool,
        ):
            answers = list(pool.map(lambda to: http.post(MESSAGES, json=template_body(to=to)), order))
        assert all(a.status_code == 200 for a in answers)
        assert emulator.drain(20)
    found: dict[str, Any] = {to[1:]: {"statuses": [], "inbound": []} for to in order}
    for status in sink.statuses():
        code = status["errors"][0]["code"] if "errors" in status else None
        found[status["recipient_id"]]["statuses"].append((status["status"], code))
    for message in sink.inbound():
        what = message["text"]["body"] if message["type"] == "text" else message["button"]["payload"]
        found[message["from"]]["inbound"].append((message["type"], what, "context" in message))
    return {
        k: {"statuses": sorted(v["statuses"], key=str), "inbound": v["inbound"]} for k, v in found.items()
    }


def test_same_seed_same_stories_whatever_the_order_and_concurrency(template_files: tuple[Path, ...]) -> None:
    shuffled = RECIPIENTS[:]
    random.Random(7).shuffle(shuffled)
    first = outcomes(template_files, RECIPIENTS, seed=42, workers=1)
    second = outcomes(template_files, shuffled, seed=42, workers=8)
    assert first == second
    kinds = {s for v in first.values() for s in v["statuses"]}
    # the comparison is not vacuous: failures, reads and replies all happened
    assert ("failed", 131026) in kinds and ("read", None) in kinds
    assert any(v["inbound"] for v in first.values())
    other = outcomes(template_files, RECIPIENTS, seed=43, workers=4)
    assert other != first


def test_the_planner_is_a_function_of_its_inputs() -> None:
    profile = load_profile("default")
    subject = Subject(
        "4915100003001", "spring_sale", "en_US", "MARKETING", (("Show me", "SHOW"),), ("Stop", "STOP")
    )
    stories = [plan(1, subject, profile) for _ in range(3)]
    assert stories[0] == stories[1] == stories[2]
    others = {
        plan(1, Subject(f"49151000030{i:02d}", "spring_sale", "en_US", "MARKETING"), profile)
        for i in range(30)
    }
    assert len(others) == 30  # recipients get different stories
    assert plan(1, subject, profile) != plan(2, subject, profile)
    assert plan(1, subject, profile) != plan(
        1, Subject(*("4915100003001", "spring_sale", "de", "MARKETING")), profile
    )


def test_story_steps_are_in_emission_order_and_timestamps_never_precede_sent() -> None:
    profile = load_profile("default")
    for i in range(300):
        story = plan(5, Subject(f"4915100004{i:03d}", "t", "en_US", "MARKETING"), profile)
        emits = [s.emit for s in story.steps]
        assert emits == sorted(emits)
        statuses = [s for s in story.steps if s.kind == "status"]
        if statuses[0].status != "failed":
            assert statuses[0].status == "sent"
            assert all(s.at >= statuses[0].at for s in story.steps)
