"""The webhook dispatcher: a timer heap of jobs, batching of statuses, signed POSTs, Meta's retries.

Jobs run on the event loop when due and put webhook pieces in an outbox; after each tick the
outbox becomes bodies (statuses batched up to the profile's ``batch_max`` per body, everything
else one per body), each signed over its exact bytes and POSTed with bounded concurrency. Any
answer but 200 (or no answer) is retried with capped exponential backoff and jitter; after
``max_attempts`` the body is given up and recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from core.signatures import sign
from sender.emulator.config import EmulatorConfig, WebhookStats
from sender.emulator.profile import Webhooks
from sender.emulator.webhooks import encode, envelope, messages_value

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GiveUp:
    """A body the receiver never answered 200 for."""

    body: bytes
    attempts: int
    last_status: int | None  # None: no answer (connection refused, timeout)


class Dispatcher:
    """Timers and webhook delivery for one emulator (all on its event loop)."""

    def __init__(
        self, config: EmulatorConfig, url: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self.url = url
        self.hooks: Webhooks = config.profile.webhooks
        self.clock = clock
        self.give_ups: list[GiveUp] = []
        self._heap: list[tuple[float, int, Callable[[], None], bool]] = []
        self._seq = itertools.count()
        self._counted = 0  # heap jobs that drain() waits for
        self._inflight = 0
        self._statuses: list[dict[str, Any]] = []
        self._others: list[dict[str, Any]] = []
        self._sent = self._retried = self._failed = 0
        self._jitter = random.Random(config.seed)
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake: asyncio.Event | None = None
        self._idle: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._gate: asyncio.Semaphore | None = None

    async def start(self) -> None:
        """Start the timer loop and the HTTP client (inside the running loop)."""
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._gate = asyncio.Semaphore(self.hooks.concurrency)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.hooks.timeout_seconds),
            limits=httpx.Limits(
                max_connections=self.hooks.concurrency, max_keepalive_connections=self.hooks.concurrency
            ),
        )
        self._runner = asyncio.create_task(self._run())
        self._update_idle()

    async def stop(self) -> None:
        """Stop: pending timers are dropped, deliveries in flight are cancelled."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    # -- timers --------------------------------------------------------------------------------

    def at(self, due: float, job: Callable[[], None], *, counts: bool = True) -> None:
        """Run ``job`` on the loop at monotonic time ``due``; ``counts``: drain() waits for it."""
        seq = next(self._seq)
        heapq.heappush(self._heap, (due, seq, job, counts))
        if counts:
            self._counted += 1
            self._update_idle()
        if self._wake is not None and self._heap[0][1] == seq:
            self._wake.set()  # the new job is the earliest: the loop must wake sooner than planned

    # -- outbox --------------------------------------------------------------------------------

    def status(self, item: dict[str, Any]) -> None:
        """Queue one ``statuses[]`` item (batched with others due in the same tick)."""
        self._statuses.append(item)

    def body(self, body: dict[str, Any]) -> None:
        """Queue a whole webhook body."""
        self._others.append(body)

    def flush(self) -> None:
        """Turn the outbox into bodies and start sending them."""
        statuses, self._statuses = self._statuses, []
        others, self._others = self._others, []
        size = self.hooks.batch_max
        for start in range(0, len(statuses), size):
            value = messages_value(self.config, statuses=statuses[start : start + size])
            self._send(encode(envelope(self.config, "messages", value)), 1)
        for body in others:
            self._send(encode(body), 1)
        self._update_idle()

    # -- delivery ------------------------------------------------------------------------------

    def _send(self, raw: bytes, attempt: int) -> None:
        self._inflight += 1
        task = asyncio.create_task(self._post(raw, attempt))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, raw: bytes, attempt: int) -> None:
        assert self._client is not None and self._gate is not None
        status: int | None = None
        try:
            async with self._gate:
                headers = {
                    "content-type": "application/json",
                    "x-hub-signature-256": sign(raw, self.config.app_secret),
                    "user-agent": "facebookexternalua",
                }
                response = await self._client.post(self.url, content=raw, headers=headers)
                status = response.status_code
        except httpx.HTTPError as exc:
            log.debug("webhook attempt %d failed: %s", attempt, exc)
        finally:
            self._inflight -= 1
        if status == 200:
            self._sent += 1
        elif attempt < self.hooks.max_attempts:
            self._retried += 1
            self.at(self.clock() + self._backoff(attempt), lambda: self._send(raw, attempt + 1))
        else:
            self._failed += 1
            self.give_ups.append(GiveUp(raw, attempt, status))
            log.warning("webhook given up after %d attempts (last answer %s)", attempt, status)
        self._update_idle()

    def _backoff(self, attempt: int) -> float:
        base = min(self.hooks.retry_cap_seconds, self.hooks.retry_base_seconds * 2.0 ** (attempt - 1))
        return base * (0.5 + self._jitter.random() / 2)  # "equal jitter": never less than half

    # -- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            now = self.clock()
            heap = self._heap
            horizon = now
            if heap and heap[0][0] <= now and self.hooks.batch_max > 1:
                # something is due: what falls due shortly after rides along in the same bodies
                horizon = now + self.hooks.batch_window_seconds
            while heap and heap[0][0] <= horizon:
                _, _, job, counts = heapq.heappop(heap)
                if counts:
                    self._counted -= 1
                try:
                    job()
                except Exception:  # a bug in one story must not stop every other webhook
                    log.exception("emulator job failed")
            self.flush()
            self._wake.clear()
            timeout = heap[0][0] - self.clock() if heap else None
            if timeout is not None and timeout <= 0:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _update_idle(self) -> None:
        if self._idle is None:
            return
        busy = self._counted or self._inflight or self._statuses or self._others
        if busy:
            self._idle.clear()
        else:
            self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Wait until no counted job is pending and nothing is in flight; False on timeout."""
        assert self._idle is not None
        self._update_idle()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def stats(self) -> WebhookStats:
        """Bodies answered 200, retries, give-ups."""
        return WebhookStats(self._sent, self._retried, self._failed)
