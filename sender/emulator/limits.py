"""The limits the emulator enforces itself: throughput per phone number and the pair rate per recipient.

Throughput (130429) is a sliding one-second window over accepted messages: a message is refused
when ``mps`` messages were already accepted in the second before it. That is stricter than a
token bucket (which lets a full bucket plus its refill through in one second) and it is exactly
the property a client's pacing is judged by ("never more than N in any one-second window").
Refused requests do not use up capacity.

The pair rate (131056) is a generic cell rate algorithm per recipient: one message per
``interval`` seconds on average, with bursts of up to ``burst`` messages that borrow from the
future (after a burst of 20 the recipient's quota comes back after about 20 × 6 s).
"""

from __future__ import annotations

from collections import deque

PAIR_INTERVAL_SECONDS = 6.0
PAIR_BURST = 45


class Throughput:
    """At most ``mps`` accepted messages in any one-second window."""

    __slots__ = ("_accepted", "mps", "window")

    def __init__(self, mps: int, window: float = 1.0) -> None:
        self.mps = mps
        self.window = window
        self._accepted: deque[float] = deque()

    def allow(self, now: float) -> bool:
        """Whether a message at ``now`` fits; if it does it is counted."""
        accepted = self._accepted
        horizon = now - self.window
        while accepted and accepted[0] <= horizon:
            accepted.popleft()
        if len(accepted) >= self.mps:
            return False
        accepted.append(now)
        return True

    def retry_after(self, now: float) -> float:
        """Seconds until the next message would fit."""
        if len(self._accepted) < self.mps:
            return 0.0
        return max(0.0, self._accepted[0] + self.window - now)


class PairRate:
    """GCRA per recipient: theoretical arrival times, bursts borrowed from future quota."""

    __slots__ = ("_tat", "burst", "interval")

    def __init__(self, interval: float = PAIR_INTERVAL_SECONDS, burst: int = PAIR_BURST) -> None:
        self.interval = interval
        self.burst = burst
        self._tat: dict[str, float] = {}

    @property
    def tolerance(self) -> float:
        """How far ahead of now the theoretical arrival time may run: ``(burst - 1)`` intervals."""
        return (self.burst - 1) * self.interval

    def conforms(self, recipient: str, now: float) -> bool:
        """Whether a message to ``recipient`` at ``now`` would be allowed (nothing is counted)."""
        return self._tat.get(recipient, now) - now <= self.tolerance

    def take(self, recipient: str, now: float) -> None:
        """Count a message to ``recipient`` at ``now`` (after :meth:`conforms` said yes)."""
        self._tat[recipient] = max(self._tat.get(recipient, now), now) + self.interval
        if len(self._tat) > 200_000:
            self._forget(now)

    def allow(self, recipient: str, now: float) -> bool:
        """:meth:`conforms` and, if so, :meth:`take`."""
        if not self.conforms(recipient, now):
            return False
        self.take(recipient, now)
        return True

    def retry_after(self, recipient: str, now: float) -> float:
        """Seconds until a message to ``recipient`` would conform."""
        tat = self._tat.get(recipient, now)
        return max(0.0, tat - self.tolerance - now)

    def _forget(self, now: float) -> None:
        # recipients whose quota is back in full behave exactly as if never seen
        self._tat = {r: t for r, t in self._tat.items() if t > now}
