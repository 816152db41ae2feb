"""Throughput (130429) and pair rate (131056): the algorithms with a fake clock, then over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from sender.emulator import running_emulator
from sender.emulator.limits import PairRate, Throughput
from tests.sender.emulator.conftest import MESSAGES, TOKEN, config, template_body
from tests.sender.emulator.test_validation import assert_error


def test_throughput_allows_mps_in_any_one_second_window() -> None:
    limit = Throughput(3)
    assert [limit.allow(t) for t in (0.0, 0.1, 0.2, 0.3)] == [True, True, True, False]
    # the window slides: at 1.0 the message of 0.0 has left it, the others have not
    assert limit.allow(0.99) is False
    assert limit.allow(1.0) is True
    assert limit.allow(1.05) is False
    assert limit.allow(1.1) is True


def test_refused_messages_do_not_use_up_throughput() -> None:
    limit = Throughput(2)
    assert [limit.allow(0.0), limit.allow(0.0)] == [True, True]
    assert not any(limit.allow(0.5) for _ in range(100))
    assert limit.allow(1.0) and limit.allow(1.0)
    assert limit.retry_after(1.2) == 0.8


def test_pair_rate_bursts_45_then_one_per_6_seconds() -> None:
    pair = PairRate()
    assert all(pair.allow("a", 0.0) for _ in range(45))
    assert pair.allow("a", 0.0) is False
    assert pair.allow("b", 0.0) is True  # another recipient has its own quota
    # the 46th fits once one interval has passed, then one more every 6 s
    assert pair.allow("a", 5.9) is False
    assert pair.allow("a", 6.0) is True
    assert pair.allow("a", 6.0) is False
    assert pair.allow("a", 12.0) is True


def test_a_burst_borrows_from_future_quota() -> None:
    pair = PairRate()
    assert all(pair.allow("a", 0.0) for _ in range(20))
    # after a burst of 20 the full burst of 45 is back only after 20 × 6 s = 120 s
    assert pair.retry_after("a", 0.0) == 0.0
    assert all(pair.allow("a", 119.0) for _ in range(44))
    assert pair.allow("a", 119.0) is False
    fresh = PairRate()
    assert all(fresh.allow("a", 0.0) for _ in range(20))
    assert all(fresh.allow("a", 120.0) for _ in range(45))
    assert fresh.allow("a", 120.0) is False


def test_pair_rate_one_message_then_wait_six_seconds_with_no_burst() -> None:
    pair = PairRate(interval=6.0, burst=1)
    assert pair.allow("a", 0.0) is True
    assert pair.allow("a", 3.0) is False
    assert pair.retry_after("a", 3.0) == 3.0
    assert pair.allow("a", 6.0) is True


def test_over_http_a_burst_beyond_the_throughput_gets_130429(template_files: tuple[Path, ...]) -> None:
    with (
        running_emulator(config(template_files, throughput_mps=5)) as emulator,
        httpx.Client(base_url=emulator.base_url, headers={"authorization": f"Bearer {TOKEN}"}) as http,
    ):
        answers = [http.post(MESSAGES, json=template_body(to=f"+49151000000{i:02d}")) for i in range(12)]
        arrivals = emulator.arrivals()
    # expected from the definition and the recorded arrival times: a message is accepted when
    # fewer than 5 were accepted in the second before it
    accepted: list[float] = []
    expected = []
    for arrival in arrivals:
        if sum(1 for t in accepted if t > arrival.monotonic - 1.0) < 5:
            accepted.append(arrival.monotonic)
            expected.append(200)
        else:
            expected.append(400)
    assert [r.status_code for r in answers] == expected
    assert expected[:5] == [200] * 5
    if (
        arrivals[-1].monotonic - arrivals[0].monotonic < 1.0
    ):  # nearly always: twelve requests take milliseconds
        assert expected[5:] == [400] * 7
    for response in answers:
        if response.status_code == 400:
            assert_error(response, 130429, details="too many messages sent from this phone number")


def test_over_http_the_46th_message_to_one_recipient_gets_131056(template_files: tuple[Path, ...]) -> None:
    with (
        running_emulator(config(template_files, throughput_mps=1000)) as emulator,
        httpx.Client(base_url=emulator.base_url, headers={"authorization": f"Bearer {TOKEN}"}) as http,
    ):
        answers = [http.post(MESSAGES, json=template_body(to="+4915112345678")) for _ in range(46)]
        arrivals = emulator.arrivals()
        assert arrivals[45].monotonic - arrivals[0].monotonic < 6.0  # one interval: no quota came back
        assert [r.status_code for r in answers[:45]] == [200] * 45
        assert_error(answers[45], 131056, details="to the same phone number")
        # another recipient is not affected
        assert http.post(MESSAGES, json=template_body(to="+4915112345679")).status_code == 200
        assert len(emulator.messages()) == 46
