"""Pacing: evenly spaced slots, slowing down on 130429, pair spacing, the reach tier; and the error table."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import time
from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError
from core.send_config import SendSettings
from sender.errors import Action, is_stop, rule_for
from sender.pacing import ALLOWANCE, HEADROOM, PairSpacing, RateLimiter, ReachCounter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sends(limiter: RateLimiter, clock: FakeClock, count: int) -> list[float]:
    """Send as early as the limiter allows, ``count`` times; the send times."""
    out = []
    for _ in range(count):
        clock.now = max(clock.now, limiter.ready_at())
        limiter.take()
        out.append(clock.now)
    return out


def test_sends_are_evenly_spaced_at_the_rate_with_a_little_headroom() -> None:
    clock = FakeClock()
    spacing = 1 / (80 * 0.98)
    times = sends(RateLimiter(80, clock=clock), clock, 5)
    # the first goes at once; each later one may be up to a millisecond early
    assert times == pytest.approx([100.0] + [100.0 + i * spacing - ALLOWANCE for i in range(1, 5)])


def test_time_lost_in_a_stall_is_not_made_up_with_a_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock)
    sends(limiter, clock, 1)  # 100.0
    clock.now = 105.0  # nobody asked for five seconds
    assert sends(limiter, clock, 2) == pytest.approx([105.0, 105.0 + 1 / (10 * HEADROOM) - ALLOWANCE])


def test_a_throughput_error_cuts_the_rate_once_per_burst_then_it_recovers_additively() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock)
    limiter.throttled()
    limiter.throttled()  # the same burst of 130429 answers: one signal
    assert limiter.rate == pytest.approx(80.0)
    clock.now += 2.0
    limiter.throttled()
    assert limiter.rate == pytest.approx(64.0)
    clock.now += 1.5  # 10 % of 100 per second regained: 64 + 15
    limiter.ready_at()
    assert limiter.rate == pytest.approx(79.0)
    clock.now += 100.0
    limiter.ready_at()
    assert limiter.rate == 100.0  # never above the configured rate


def test_real_time_pacing_at_80_per_second_never_puts_more_than_80_in_a_second() -> None:
    limiter = RateLimiter(80)
    times: list[float] = []

    async def run() -> None:
        for _ in range(200):
            await limiter.acquire()
            times.append(time.monotonic())

    asyncio.run(run())
    densest = max(bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times))
    assert densest <= 80
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 1 / (80 * HEADROOM) - ALLOWANCE  # a late wake-up is not made up by a closer send
    spaced = 199 / (80 * HEADROOM)
    # never faster than the spacing; slower only by what a busy machine steals (no catch-up bursts)
    assert spaced * 0.99 <= times[-1] - times[0] < spaced * 1.5


def test_pair_spacing_keeps_messages_to_one_recipient_apart_and_backs_off_4_to_the_x() -> None:
    clock = FakeClock()
    pairs = PairSpacing(6.0, clock=clock)
    assert pairs.ready_at("+491") == 0.0
    pairs.sent("+491")
    assert pairs.ready_at("+491") == 106.0
    assert pairs.ready_at("+492") == 0.0
    clock.now = 200.0
    assert pairs.pair_limited("+492") == 6.0  # 4^0 = 1 s, but never less than the pair interval
    assert pairs.pair_limited("+492") == 6.0  # 4^1
    assert pairs.pair_limited("+492") == 16.0  # 4^2
    assert pairs.pair_limited("+492") == 64.0  # 4^3
    assert pairs.ready_at("+492") == 264.0


def test_the_reach_tier_counts_new_recipients_and_holds_places_in_flight() -> None:
    reach = ReachCounter(3, base=1, counted={"+49old"})
    assert reach.try_reserve("+49old")  # already counted: costs nothing
    assert reach.try_reserve("+49a")
    assert reach.try_reserve("+49b")
    assert not reach.try_reserve("+49c")  # 1 + 2 in flight = 3
    reach.release("+49b")  # rejected: its place is free again
    assert reach.try_reserve("+49c")
    reach.confirm("+49a")
    reach.confirm("+49c")
    assert reach.used == 3
    assert reach.exhausted()
    assert reach.try_reserve("+49a")  # a recipient already counted may get another message


def test_unlimited_reach_never_stops() -> None:
    reach = ReachCounter(None, base=10**9)
    assert reach.try_reserve("+491")
    assert not reach.exhausted()


@pytest.mark.parametrize(
    ("code", "http_status", "action"),
    [
        (130429, 400, Action.THROTTLE),
        (80007, 400, Action.THROTTLE),
        (4, 400, Action.THROTTLE),
        (131056, 400, Action.PAIR_WAIT),
        (131000, 500, Action.RETRY),
        (131016, 503, Action.RETRY),
        (2, 503, Action.RETRY),
        (1, 400, Action.RETRY),
        (131057, 503, Action.RETRY),
        (368, 403, Action.STOP_ACCOUNT),
        (131031, 403, Action.STOP_ACCOUNT),
        (131042, 400, Action.STOP_ACCOUNT),
        (190, 401, Action.STOP_ACCOUNT),
        (0, 401, Action.STOP_ACCOUNT),
        (10, 403, Action.STOP_ACCOUNT),
        (250, 403, Action.STOP_ACCOUNT),  # inside 200-299
        (133010, 400, Action.STOP_ACCOUNT),
        (132001, 404, Action.STOP_TEMPLATE),
        (132015, 400, Action.STOP_TEMPLATE),
        (132016, 400, Action.STOP_TEMPLATE),
        (131026, 400, Action.REJECT),
        (132000, 400, Action.REJECT),
        (131050, 400, Action.REJECT),
        (100, 400, Action.REJECT),
        (None, 502, Action.RETRY),  # a bare 5xx
        (None, 418, Action.REJECT),
        (999999, 500, Action.RETRY),  # an unlisted code with a server error
    ],
)
def test_the_error_table_follows_the_platform_reference(
    code: int | None, http_status: int, action: Action
) -> None:
    assert rule_for(code, http_status).action is action


def test_only_account_and_template_errors_stop_and_limited_codes_retry_less() -> None:
    assert is_stop(rule_for(368, 403))
    assert not is_stop(rule_for(131000, 500))
    assert rule_for(1, 400).max_attempts == 2  # retried once
    assert rule_for(131000, 500).max_attempts == 3  # retried, but a limited number of times
    assert rule_for(131057, 503).min_wait > 0  # maintenance: wait before trying again


@pytest.mark.parametrize(
    ("given", "limit"), [(250, 250), ("2000", 2000), ("10,000", 10000), ("unlimited", None)]
)
def test_the_reach_tier_setting_takes_meta_levels(given: object, limit: int | None) -> None:
    assert SendSettings(reach_tier=given).reach_limit == limit  # type: ignore[arg-type]


def test_a_reach_tier_meta_does_not_have_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "wagate.toml").write_text("[send]\nreach_tier = 300\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid setting send\.reach_tier"):
        load_settings(tmp_path, env={})
    with pytest.raises(ConfigError, match=r"invalid setting send\.rate_per_second"):
        load_settings(tmp_path / "none", env={"WAGATE_SEND__RATE_PER_SECOND": "5000"})
