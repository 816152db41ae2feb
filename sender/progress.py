"""Progress while sending: a live bar on a terminal, a line every few seconds elsewhere.

Shows accepted, rejected, deferred, skipped, unknown, the current rate and the ETA. Numbers of
recipients never appear here (the loop's log lines mask them too).
"""

from __future__ import annotations

import time
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from sender.tally import Tally


def _eta(tally: Tally) -> str:
    seconds = tally.eta_seconds()
    if seconds is None:
        return "?"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f}h"
    if seconds >= 60:
        return f"{seconds / 60:.1f}m"
    return f"{seconds:.0f}s"


def status_line(tally: Tally) -> str:
    """One line: counts, rate and ETA."""
    parts = [
        f"{tally.handled}/{tally.total}",
        f"accepted {tally.accepted + tally.held}",
        f"rejected {tally.rejected}",
        f"deferred {tally.deferred + tally.waiting}",
        f"skipped {tally.skipped}",
    ]
    if tally.unknown:
        parts.append(f"unknown {tally.unknown}")
    if tally.retries:
        parts.append(f"retries {tally.retries}")
    parts += [f"{tally.rate():.0f}/s", f"ETA {_eta(tally)}"]
    return "  ".join(parts)


class SendProgress:
    """Reports a :class:`Tally` as it changes; use as a context manager around the loop."""

    def __init__(self, stream: TextIO, *, campaign: str, interval: float, live: bool | None = None) -> None:
        self._stream = stream
        self._campaign = campaign
        self._interval = interval
        self._live_mode = stream.isatty() if live is None else live
        self._last_line = time.monotonic()
        self._live: Live | None = None
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            expand=True,
        )
        self._task = self._bar.add_task(campaign, total=None)
        self._counts = Text("starting")

    def __enter__(self) -> SendProgress:
        if self._live_mode:
            # two lines, so the counts fit an 80-column terminal: the bar, then the counts
            self._live = Live(
                Group(self._bar, self._counts),
                console=Console(file=self._stream),
                refresh_per_second=8,
                transient=False,
            )
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def update(self, tally: Tally) -> None:
        """Show the current counts (the live display redraws itself; line mode prints on a timer)."""
        if self._live_mode:
            self._bar.update(self._task, total=tally.total, completed=tally.handled)
            self._counts.plain = status_line(tally)
            return
        now = time.monotonic()
        if now - self._last_line >= self._interval:
            self._last_line = now
            self.line(tally)

    def line(self, tally: Tally) -> None:
        """Print one progress line now (line mode only; the live display shows it already)."""
        if not self._live_mode:
            self._stream.write(f"{self._campaign}: {status_line(tally)}\n")
            self._stream.flush()
