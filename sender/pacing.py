"""Pacing: messages per second, spacing per recipient, and the daily reach tier.

- :class:`RateLimiter` spaces sends evenly (no catch-up bursts after a stall) and slows the
  whole campaign down when the API answers 130429 (multiplicative decrease), then recovers
  additively.
- :class:`PairSpacing` keeps messages to one recipient at least the pair interval apart, and
  backs off 4^X seconds after a 131056.
- :class:`ReachCounter` counts unique recipients in the rolling 24 h against the portfolio's
  messaging limit, reserving a recipient while its message is in flight.

Times are ``time.monotonic()`` seconds unless a name says otherwise.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

HEADROOM = 0.98  # slots are spaced for 98 % of the rate: network jitter must not push a second over
DECREASE = 0.8  # rate multiplier after a throughput error
RECOVERY_FRACTION = 0.1  # of the configured rate, regained per second without throughput errors
MIN_RATE = 0.5  # messages per second: the floor the decrease stops at
_COOLDOWN = 1.0  # a burst of 130429 answers from one moment counts as one signal
ALLOWANCE = 0.001  # seconds a send may come before its slot (about one event-loop tick)


class RateLimiter:
    """Sends spaced at ``rate`` per second (a GCRA with a one-millisecond tolerance), adapting to 130429.

    Each send moves the theoretical arrival time (TAT) to ``max(TAT, now) + spacing``; the next
    send may go from ``TAT - ALLOWANCE`` on. So a send is at most a millisecond early, time lost
    to a stall or a late wake-up is never made up with a burst, and at 1,000 messages/s the loop
    does not pay a sleep (one event-loop tick, about a millisecond) for every message.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.configured = rate
        self.rate = rate
        self._clock = clock
        self._tat = 0.0
        self._last_decrease = float("-inf")
        self._last_recover = clock()
        self.decreases = 0

    @property
    def spacing(self) -> float:
        """Seconds between two sends at the current rate."""
        return 1.0 / (self.rate * HEADROOM)

    def ready_at(self) -> float:
        """The earliest monotonic time the next send may go."""
        self._recover(self._clock())
        return self._tat - ALLOWANCE

    def take(self) -> None:
        """A send goes now."""
        self._tat = max(self._tat, self._clock()) + self.spacing

    async def acquire(self) -> None:
        """Wait until the next send may go, and take it."""
        delay = self.ready_at() - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)
        self.take()

    def throttled(self) -> None:
        """The API said 130429 (or 4 / 80007): slow down at once."""
        now = self._clock()
        if now - self._last_decrease < _COOLDOWN:
            return
        self._last_decrease = now
        self._last_recover = now
        self.rate = max(MIN_RATE, self.rate * DECREASE)
        self.decreases += 1
        # push the schedule out so the new spacing starts now
        self._tat = max(self._tat, now + self.spacing)

    def _recover(self, now: float) -> None:
        if self.rate >= self.configured:
            self._last_recover = now
            return
        elapsed = now - self._last_recover
        if elapsed < 0.1:
            return
        self._last_recover = now
        self.rate = min(self.configured, self.rate + RECOVERY_FRACTION * self.configured * elapsed)


class PairSpacing:
    """At least ``interval`` seconds between two messages to the same recipient."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[str, float] = {}
        self._strikes: dict[str, int] = {}

    def ready_at(self, to: str) -> float:
        """Earliest monotonic time a message to ``to`` may go."""
        return self._next.get(to, 0.0)

    def sent(self, to: str) -> None:
        """A message to ``to`` is going out now."""
        self._next[to] = max(self._next.get(to, 0.0), self._clock() + self.interval)

    def pair_limited(self, to: str) -> float:
        """The API said 131056 for ``to``: wait 4^X seconds (X = 0, 1, 2, ... per repeat); returns the wait."""
        strikes = self._strikes.get(to, 0)
        self._strikes[to] = strikes + 1
        wait = max(float(4**strikes), self.interval)
        self._next[to] = max(self._next.get(to, 0.0), self._clock() + wait)
        return wait


class ReachCounter:
    """Unique recipients in the rolling 24 h against the messaging limit (None: unlimited)."""

    def __init__(self, limit: int | None, base: int, counted: Iterable[str] = ()) -> None:
        self.limit = limit
        self.base = base  # recipients counted before this run (all campaigns)
        self._counted = set(counted)  # numbers already inside ``base``
        self._reserved: set[str] = set()
        self._new: set[str] = set()

    @property
    def used(self) -> int:
        """Recipients counted so far, this run's included."""
        return self.base + len(self._new)

    def try_reserve(self, to: str) -> bool:
        """Whether a message to ``to`` fits; if it adds a recipient, hold its place while in flight."""
        if self.limit is None or to in self._counted or to in self._new or to in self._reserved:
            return True
        if self.used + len(self._reserved) >= self.limit:
            return False
        self._reserved.add(to)
        return True

    def confirm(self, to: str) -> None:
        """The message to ``to`` was accepted: the recipient now counts."""
        self._reserved.discard(to)
        if to not in self._counted:
            self._new.add(to)

    def release(self, to: str) -> None:
        """The message to ``to`` was not accepted: free its place."""
        self._reserved.discard(to)

    def exhausted(self) -> bool:
        """No new recipient fits any more."""
        return self.limit is not None and self.used + len(self._reserved) >= self.limit
