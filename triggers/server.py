"""`wagate triggers serve`: signed events in over HTTP, sent one at a time by a background worker.

Routes: ``POST /events`` (the documented event, ``X-Wagate-Signature``), ``POST /shopify``
(``X-Shopify-Hmac-Sha256``, ``X-Shopify-Topic``), ``POST /woocommerce``
(``X-WC-Webhook-Signature``, ``X-WC-Webhook-Topic``), ``GET /health``.

Answers: 202 accepted for sending (journalled first), 200 ignored (a topic wagate does not use),
401 no signature, 403 a wrong one, 413 too large, 422 a bad event (quarantined, with the reason).
The worker sends events in arrival order, one at a time: each event type's campaign ledger is
held by one run at a time, and pacing is the sender's.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.serving import bind, serve_until_signalled, serving_in_thread, url_of, uvicorn_server
from core.signatures import SignatureCheck
from triggers.dispatch import Outcome
from triggers.events import Event
from triggers.intake import Intake, Source, pending
from triggers.signatures import check_base64, check_hex

LOGGER = logging.getLogger("wagate.triggers")
MAX_BODY_BYTES = 1024 * 1024
_STOP = object()

# per route: the signature header, how it is checked, and the topic header
_ROUTES: Mapping[
    Source, tuple[str, Callable[[bytes, str | None, tuple[bytes, ...]], SignatureCheck], str | None]
] = {
    "native": ("x-wagate-signature", check_hex, None),
    "shopify": ("x-shopify-hmac-sha256", check_base64, "x-shopify-topic"),
    "woocommerce": ("x-wc-webhook-signature", check_base64, "x-wc-webhook-topic"),
}


@dataclass(frozen=True, slots=True)
class Secrets:
    """The secrets of each route; a route without secrets answers 503."""

    native: tuple[bytes, ...] = ()
    shopify: tuple[bytes, ...] = ()
    woocommerce: tuple[bytes, ...] = ()

    def of(self, source: Source) -> tuple[bytes, ...]:
        """The secrets that sign bodies of ``source``."""
        return {"native": self.native, "shopify": self.shopify, "woocommerce": self.woocommerce}[source]


@dataclass
class Worker:
    """Sends admitted events one at a time in a background thread."""

    intake: Intake
    on_outcome: Callable[[Outcome], None] | None = None
    _queue: queue.Queue[object] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None

    def submit(self, event: Event) -> None:
        """Queue an event for sending."""
        self._queue.put(event)

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="wagate-triggers-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the queued events, then stop."""
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)

    def idle(self) -> bool:
        """Whether every submitted event has been handled."""
        return self._queue.unfinished_tasks == 0

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                assert isinstance(item, Event)
                outcome = asyncio.run(self.intake.run(item))
                if self.on_outcome is not None:
                    self.on_outcome(outcome)
            except Exception:
                # one event's failure must not stop the others; the event stays in the journal
                LOGGER.exception("sending a triggered event failed")
            finally:
                self._queue.task_done()


def build_app(intake: Intake, secrets: Secrets, worker: Worker) -> Starlette:
    """The ASGI app."""

    def handler(source: Source) -> Callable[[Request], Awaitable[JSONResponse]]:
        header, check, topic_header = _ROUTES[source]

        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                return _answer(413, error=f"body larger than {MAX_BODY_BYTES} bytes")
            keys = secrets.of(source)
            if not keys:
                return _answer(503, error=f"no secret configured for {source} events")
            verdict = check(body, request.headers.get(header), keys)
            if not verdict.valid:
                status = 401 if verdict.verdict == "missing" else 403
                return _answer(status, error=f"signature {verdict.verdict.value} ({header})")
            topic = request.headers.get(topic_header) if topic_header else None
            admission = await asyncio.to_thread(intake.admit_body, body, source, topic)
            if admission.status == "ignored":
                return _answer(200, ignored=admission.reason)
            if admission.status == "rejected":
                return _answer(422, error=admission.reason, quarantined=admission.quarantine_id)
            assert admission.event is not None
            worker.submit(admission.event)
            return _answer(202, accepted=admission.event.id, type=admission.event.type)

        return receive

    async def health(request: Request) -> JSONResponse:
        return _answer(200, status="ok")

    routes = [
        Route("/events", handler("native"), methods=["POST"]),
        Route("/shopify", handler("shopify"), methods=["POST"]),
        Route("/woocommerce", handler("woocommerce"), methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _answer(code: int, **content: object) -> JSONResponse:
    return JSONResponse(content, status_code=code)


@contextmanager
def running_worker(intake: Intake, on_outcome: Callable[[Outcome], None] | None = None) -> Iterator[Worker]:
    """A started worker, stopped (after finishing its queue) when the block ends."""
    worker = Worker(intake, on_outcome)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def _uvicorn(app: Starlette) -> uvicorn.Server:
    return uvicorn_server(app, lifespan="off")


def serve(
    intake: Intake,
    secrets: Secrets,
    host: str,
    port: int,
    *,
    on_listening: Callable[[str, int], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM; queued events are sent before it returns."""
    sock = bind(host, port)
    if on_listening is not None:
        on_listening(host, int(sock.getsockname()[1]))
    with running_worker(intake, on_outcome) as worker:
        # events a previous run accepted but did not get to send go first
        for event in pending(intake.journal):
            worker.submit(event)
        serve_until_signalled(_uvicorn(build_app(intake, secrets, worker)), sock)


@dataclass(frozen=True, slots=True)
class ServerHandle:
    """A server running in a thread (tests): its URL and its worker."""

    base_url: str
    worker: Worker

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every accepted event has been sent; False on timeout."""
        deadline = time.monotonic() + timeout
        while not self.worker.idle():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


@contextmanager
def running_server(intake: Intake, secrets: Secrets, host: str = "127.0.0.1") -> Iterator[ServerHandle]:
    """The server on an ephemeral port in a background thread, until the block ends."""
    sock = bind(host, 0)
    port = int(sock.getsockname()[1])
    with running_worker(intake) as worker:
        server = _uvicorn(build_app(intake, secrets, worker))
        with serving_in_thread(server, sock, name="triggers server"):
            yield ServerHandle(url_of(host, port), worker)
