"""Group commit: many concurrent requests, one write and one fsync per batch.

A request hands its landing line to :meth:`LandingWriter.append` and waits. One flusher task
takes everything queued so far, writes it with a single ``write`` + ``fdatasync`` on a worker
thread, then wakes every request of the batch; the 200 is sent only after that. While one batch
is being synced the next one accumulates, so the number of fsyncs per second stays bounded by
the disk's latency, not by the request rate.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipelines.receiver.landing import LandingFiles

log = logging.getLogger(__name__)


class LandingUnavailable(Exception):
    """The record could not be made durable; the request must not be answered 200."""


class LandingWriter:
    """Appends landing records durably, batching concurrent appends into one fsync."""

    def __init__(self, directory: Path, *, fsync: bool, rotate_seconds: float, rotate_bytes: int) -> None:
        self.files = LandingFiles(
            directory, fsync=fsync, rotate_seconds=rotate_seconds, rotate_bytes=rotate_bytes
        )
        self.batches = 0
        self.failed_batches = 0
        self.last_error: str | None = None
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # one thread: file operations stay strictly ordered
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing")

    @property
    def healthy(self) -> bool:
        """Running, and the last batch reached the disk."""
        return self._task is not None and not self._task.done() and self.last_error is None

    def start(self) -> None:
        """Start the flusher on the running event loop."""
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="landing-flusher")

    async def append(self, record: bytes) -> None:
        """Return once ``record`` is on disk; raise :class:`LandingUnavailable` if it cannot be."""
        if self._closing or self._wake is None or self._task is None or self._task.done():
            raise LandingUnavailable("the landing writer is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((record, done))
        self._wake.set()
        await done

    async def close(self) -> None:
        """Write what is queued, then close and rename the current file."""
        self._closing = True
        if self._task is not None and self._wake is not None:
            self._wake.set()
            try:
                await self._task
            except Exception:  # the file stays .open and is recovered at the next start
                log.exception("the landing flusher failed")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self.files.close)
        finally:
            self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending and not self._closing:
                timer = self._rotation_timer(loop)
                await self._wake.wait()
                if timer is not None:
                    timer.cancel()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if batch:
                await self._commit(loop, batch)
            else:
                await self._rotate(loop)
            if self._closing and not self._pending:
                return

    def _rotation_timer(self, loop: asyncio.AbstractEventLoop) -> asyncio.TimerHandle | None:
        """Wake the flusher when the open file is due for rotation, even if nothing arrives."""
        assert self._wake is not None
        delay = self.files.seconds_until_rotation()
        return None if delay is None else loop.call_later(delay, self._wake.set)

    async def _commit(
        self, loop: asyncio.AbstractEventLoop, batch: list[tuple[bytes, asyncio.Future[None]]]
    ) -> None:
        data = b"".join(record for record, _ in batch)
        try:
            await loop.run_in_executor(self._executor, self.files.append, data)
        except Exception as exc:  # whatever went wrong, no request may wait forever or get a 200
            self.failed_batches += 1
            self.last_error = _describe(exc)
            log.error("landing write failed, %d request(s) answered 503: %s", len(batch), self.last_error)
            for _, done in batch:
                if not done.done():
                    done.set_exception(LandingUnavailable(self.last_error))
            return
        self.batches += 1
        self.last_error = None
        for _, done in batch:
            if not done.done():
                done.set_result(None)

    async def _rotate(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await loop.run_in_executor(self._executor, self.files.rotate_if_due)
        except Exception as exc:  # the flusher must survive: later batches may still succeed
            self.last_error = _describe(exc)
            log.error("closing a landing file failed: %s", self.last_error)


def _describe(exc: Exception) -> str:
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"{type(exc).__name__}: {detail}"
