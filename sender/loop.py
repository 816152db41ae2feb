"""The sending loop: for each message, check, pace, record the intent, call, record the outcome.

:func:`send_campaign` takes the :class:`~sender.model.PassingReport` the gate made and verifies it
before anything else, so there is no way to reach the API without a lint run that passed.

Per message: the ledger says whether it still needs sending; the pre-send checks (suppression,
pause flags, quiet hours, frequency caps) say send, skip or defer; pacing spaces calls at the
configured rate, per recipient and within the reach tier; the intent is committed to the ledger;
the API is called; the send log gets one row per answer and the ledger the outcome. Errors follow
:mod:`sender.errors`. The loop stops early on a pause flag, an account- or template-level error,
the reach tier, an unreachable API, or an interrupt, and always lets calls in flight finish and
be recorded first.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from core.errors import InternalError
from core.phones import mask
from sender import gate
from sender.answers import Answers, LoopOptions, unreachable_message
from sender.client import CallResult, Kind
from sender.errors import rule_for, stop_message
from sender.ledger import Entry, Ledger, Outcome, State
from sender.model import Campaign, Message, PassingReport, Verdict
from sender.pacing import PairSpacing, RateLimiter, ReachCounter
from sender.sendlog import SendLog
from sender.tally import RunResult, Stop, Tally

log = logging.getLogger(__name__)
__all__ = ["ApiClient", "Checks", "LoopOptions", "LoopParts", "send_campaign", "todo_states"]

# ledger states a run picks up: never accepted/held; unknown and rejected only on request
ALWAYS_TODO: frozenset[str] = frozenset({"pending", "deferred", "skipped"})


class ApiClient(Protocol):
    """What the loop needs from :class:`sender.client.CloudApiClient`."""

    url: str

    async def preflight(self) -> CallResult:
        """A harmless GET that warms a connection and checks the token."""
        ...

    async def send(self, payload: dict[str, Any]) -> CallResult:
        """POST one message."""
        ...


class Checks(Protocol):
    """What the loop needs from :class:`sender.checks.PreSendChecks`."""

    def check(self, message: Message, now: datetime) -> Verdict:
        """Send, skip or defer ``message`` at ``now``."""
        ...

    def record_sent(self, message: Message, at: datetime) -> None:
        """``message`` was accepted at ``at`` (frequency caps count it)."""
        ...


@dataclass(slots=True)
class LoopParts:
    """The collaborators of a run (built by :mod:`sender.run`, or by a test)."""

    client: ApiClient
    checks: Checks
    ledger: Ledger
    send_log: SendLog
    reach: ReachCounter
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    on_tick: Callable[[Tally], None] | None = None


def todo_states(*, resend_unknown: bool, retry_rejected: bool) -> frozenset[str]:
    """Ledger states whose messages a run sends (after its checks)."""
    states = set(ALWAYS_TODO)
    if resend_unknown:
        states.add("unknown")
    if retry_rejected:
        states.add("rejected")
    return frozenset(states)


async def send_campaign(
    campaign: Campaign,
    passing: PassingReport,
    parts: LoopParts,
    options: LoopOptions,
    *,
    stop_event: asyncio.Event | None = None,
) -> RunResult:
    """Send what the ledger says is still to do; returns the counts and why it stopped, if it did."""
    gate.verify(passing)
    if campaign.report is not passing:
        raise InternalError("the campaign was built under a different lint report than the one passed")
    entries = parts.ledger.entries()
    wanted = todo_states(resend_unknown=options.resend_unknown, retry_rejected=options.retry_rejected)
    todo = [m for m in campaign.messages if _state(entries, m) in wanted]
    run = _Run(campaign, passing, parts, options, todo, stop_event or asyncio.Event())
    return await run.execute()


def _state(entries: dict[str, Entry], message: Message) -> State:
    entry = entries.get(message.key)
    if entry is None:
        raise InternalError(f"message row {message.row} has no ledger row (call Ledger.add_messages first)")
    return entry.state


@dataclass(order=True, slots=True)
class _Delayed:
    ready: float  # monotonic
    seq: int
    message: Message = field(compare=False)
    deferral: str | None = field(default=None, compare=False)  # the check's code when waiting out a deferral


class _Run:
    """The state of one run; :meth:`execute` drives it."""

    def __init__(
        self,
        campaign: Campaign,
        passing: PassingReport,
        parts: LoopParts,
        options: LoopOptions,
        todo: list[Message],
        stop_event: asyncio.Event,
    ) -> None:
        self.campaign = campaign
        self.digest = passing.digest
        self.parts = parts
        self.options = options
        self.queue = list(reversed(todo))  # pop() from the end = campaign order
        self.delayed: list[_Delayed] = []
        self.seq = 0
        self.tally = Tally(total=len(todo))
        self.limiter = RateLimiter(options.rate)
        self.pairs = PairSpacing(options.pair_interval)
        self.answers = Answers(
            ledger=parts.ledger,
            send_log=parts.send_log,
            reach=parts.reach,
            record_sent=parts.checks.record_sent,
            clock=parts.clock,
            tally=self.tally,
            options=options,
            limiter=self.limiter,
            pairs=self.pairs,
            digest=passing.digest,
            url=parts.client.url,
            random=random.Random(options.seed),
        )
        self.permits = asyncio.Semaphore(options.concurrency)
        self.in_flight: set[asyncio.Task[None]] = set()
        self.attempts: dict[str, int] = {}
        self.wakeup = asyncio.Event()
        self.stop_event = stop_event
        self.stop: Stop | None = None
        self.failure: BaseException | None = None

    # -- driving --------------------------------------------------------------------------------

    async def execute(self) -> RunResult:
        ticker = asyncio.create_task(self._tick())
        try:
            if self.queue and await self._preflight():
                await self._dispatch()
        finally:
            if self.in_flight:
                await asyncio.gather(*self.in_flight, return_exceptions=True)
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            self._leave_delayed()
            self.parts.ledger.flush()
            self._report()
        if self.failure is not None:
            raise self.failure
        return RunResult(self.tally, self.stop)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.options.flush_seconds)
            self.parts.ledger.flush()
            self._report()

    def _report(self) -> None:
        if self.parts.on_tick is not None:
            self.parts.on_tick(self.tally)

    def _halt(self, stop: Stop) -> None:
        if self.stop is None:
            self.stop = stop
            log.warning("%s", stop.message)
        self.wakeup.set()

    async def _dispatch(self) -> None:
        while True:
            message = await self._next()
            if message is None:
                return
            await self.permits.acquire()
            if self._stopping():
                self._put_back(message)
                self.permits.release()
                return
            if not await self._admit(message):
                self.permits.release()
                continue
            await self.limiter.acquire()
            self._launch(message)

    async def _preflight(self) -> bool:
        """Check the token and warm a connection before the first message; False stops the run."""
        result = await self.parts.client.preflight()
        if result.kind is Kind.NOT_SENT:
            self._halt(Stop("unreachable", unreachable_message(self.parts.client.url, result.note)))
            return False
        if result.kind is Kind.ERROR and result.error_code in (0, 190):
            rule = rule_for(result.error_code, result.http_status)
            self._halt(
                Stop("account", stop_message(rule, result.error_code, result.error_title), result.error_code)
            )
            return False
        if result.kind is Kind.ERROR:
            # the number's GET may need a permission sending does not: let the sends decide
            log.info(
                "pre-flight GET answered error %s (%s); sending anyway", result.error_code, result.error_title
            )
        return True

    def _stopping(self) -> bool:
        if self.stop is None and self.stop_event.is_set():
            self._halt(Stop("interrupted", "interrupted: calls in flight were finished and recorded"))
        return self.stop is not None or self.failure is not None

    async def _next(self) -> Message | None:
        """The next message to try: a due retry or deferral first, then the campaign's next."""
        while not self._stopping():
            now = time.monotonic()
            if self.delayed and self.delayed[0].ready <= now:
                item = heapq.heappop(self.delayed)
                if item.deferral is not None:
                    self.tally.waiting -= 1
                return item.message
            if self.queue:
                return self.queue.pop()
            if not self.delayed and not self.in_flight:
                return None
            timeout = self.delayed[0].ready - now if self.delayed else None
            self.wakeup.clear()
            waits = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(self.stop_event.wait())]
            try:
                await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waits:
                    waiter.cancel()
        return None

    def _delay(self, message: Message, seconds: float, deferral: str | None = None) -> None:
        self.seq += 1
        ready = time.monotonic() + max(seconds, 0.0)
        heapq.heappush(self.delayed, _Delayed(ready, self.seq, message, deferral))
        if deferral is not None:
            self.tally.waiting += 1
        self.wakeup.set()

    def _put_back(self, message: Message) -> None:
        self.queue.append(message)

    def _leave_delayed(self) -> None:
        """Retries and deferrals still waiting when a run stops early stay in the ledger (pending or
        deferred, as already recorded) for the next run."""
        for item in self.delayed:
            if item.deferral is not None:
                self.tally.deferred += 1
                self.tally.defer_reasons[item.deferral] += 1
        self.tally.waiting = 0
        self.delayed.clear()

    # -- before the call ------------------------------------------------------------------------

    async def _admit(self, message: Message) -> bool:
        """Run the pre-send checks and the pacing rules; True when the message may go now."""
        now = self.parts.clock()
        verdict = self.parts.checks.check(message, now)
        if verdict.kind == "skip":
            self._skip(message, verdict, now)
            return False
        if verdict.kind == "defer":
            self._defer(message, verdict, now)
            return False
        ready = self.pairs.ready_at(message.to)
        if ready > time.monotonic():
            self._delay(message, ready - time.monotonic())
            return False
        if not self.parts.reach.try_reserve(message.to):
            return await self._reach_full(message)
        return True

    def _skip(self, message: Message, verdict: Verdict, now: datetime) -> None:
        reason = verdict.reason or verdict.code or "skipped by a pre-send check"
        self.tally.skipped += 1
        self.tally.skip_reasons[verdict.code or "other"] += 1
        self.parts.ledger.record(Outcome(message.key, "skipped", now, reason=reason))
        log.info("skipped row %d (%s): %s", message.row, mask(message.to), verdict.code)

    def _defer(self, message: Message, verdict: Verdict, now: datetime) -> None:
        if verdict.until is None:
            # a pause flag (or any open-ended deferral) stops the campaign; the message stays to do
            self._put_back(message)
            self._halt(Stop("paused", f"stopped: {verdict.reason or 'the campaign is paused'}"))
            return
        wait = (verdict.until - now).total_seconds()
        code = verdict.code or "deferred"
        self.parts.ledger.record(
            Outcome(message.key, "deferred", now, reason=verdict.reason or code, not_before=verdict.until)
        )
        if self.options.wait_for_deferred and wait <= self.options.max_wait:
            # at least a second: a check that keeps deferring to "now" must not spin
            self._delay(message, max(wait, 1.0), deferral=code)
            return
        self.tally.deferred += 1
        self.tally.defer_reasons[code] += 1

    async def _reach_full(self, message: Message) -> bool:
        if self.in_flight:
            # calls in flight hold places; one of them may yet be rejected and free its place
            self._put_back(message)
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), timeout=1.0)
            return False
        self._put_back(message)
        reach = self.parts.reach
        self._halt(
            Stop(
                "reach",
                f"stopped: the reach tier is reached ({reach.used} of {reach.limit} unique recipients in 24 h); "
                "the remaining messages stay pending — run the same command later to continue",
            )
        )
        return False

    # -- the call -------------------------------------------------------------------------------

    def _launch(self, message: Message) -> None:
        at = self.parts.clock()
        self.parts.ledger.intent(message.key, at, self.digest)
        self.pairs.sent(message.to)
        self.attempts[message.key] = self.attempts.get(message.key, 0) + 1
        task = asyncio.create_task(self._call(message, at))
        self.in_flight.add(task)

    async def _call(self, message: Message, attempted_at: datetime) -> None:
        try:
            payload = dict(message.payload)
            payload["biz_opaque_callback_data"] = message.key
            result = await self.parts.client.send(payload)
            self.tally.calls += 1
            after = self.answers.settle(message, attempted_at, result, self.attempts[message.key])
            if after.stop is not None:
                self._put_back(message)
                self._halt(after.stop)
            elif after.retry_in is not None:
                self._delay(message, after.retry_in)
        except BaseException as exc:  # recorded and raised by execute(), after the others finish
            if self.failure is None:
                self.failure = exc
            self._halt(Stop("interrupted", f"stopped by an internal error: {type(exc).__name__}: {exc}"))
        finally:
            task = asyncio.current_task()
            if task is not None:
                self.in_flight.discard(task)
            self.permits.release()
            self.wakeup.set()
