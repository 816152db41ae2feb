"""What a sending run counts as it goes, and how it ended.

:class:`Tally` is the live counter the loop updates and the progress display reads;
:class:`RunResult` is the loop's answer; :class:`Stop` says why a campaign stopped early.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

StopKind = Literal["account", "template", "paused", "reach", "unreachable", "rejections", "interrupted"]


@dataclass(frozen=True, slots=True)
class Stop:
    """Why the campaign stopped before every message was handled."""

    kind: StopKind
    message: str  # one line: what happened and what to do
    error_code: int | None = None


@dataclass(slots=True)
class Tally:
    """Counts of this run, updated by the loop."""

    total: int = 0  # messages this run set out to handle
    accepted: int = 0
    held: int = 0
    rejected: int = 0
    skipped: int = 0
    deferred: int = 0  # left for a later run
    waiting: int = 0  # deferred and waited for within this run (not yet handled)
    unknown: int = 0
    calls: int = 0  # API calls made (send-log rows, plus calls without an answer)
    retries: int = 0
    errors: Counter[int | None] = field(default_factory=Counter)  # error code -> answers
    error_titles: dict[int | None, str] = field(default_factory=dict)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    defer_reasons: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    _recent: list[float] = field(default_factory=list)  # monotonic times of recent acceptances

    @property
    def handled(self) -> int:
        """Messages whose fate in this run is settled."""
        return self.accepted + self.held + self.rejected + self.skipped + self.deferred + self.unknown

    def note_accepted(self, held: bool) -> None:
        """A message was accepted (or held) now."""
        if held:
            self.held += 1
        else:
            self.accepted += 1
        now = time.monotonic()
        self._recent.append(now)
        if len(self._recent) > 4096:
            del self._recent[:2048]

    def rate(self, window: float = 5.0) -> float:
        """Accepted messages per second over the last ``window`` seconds."""
        now = time.monotonic()
        span = min(window, max(now - self.started, 1e-6))
        recent = sum(1 for at in self._recent if at >= now - span)
        return recent / span

    def eta_seconds(self) -> float | None:
        """Seconds until every message is handled at the current rate (None when unknown)."""
        remaining = self.total - self.handled
        if remaining <= 0:
            return 0.0
        rate = self.rate()
        return remaining / rate if rate > 0 else None


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a sending run ended."""

    tally: Tally
    stop: Stop | None

    @property
    def completed(self) -> bool:
        """Every message this run set out to handle was handled."""
        return self.stop is None
