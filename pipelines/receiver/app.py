"""The ASGI application: ``/webhook`` (GET handshake, POST deliveries) and ``/healthz``.

A POST is answered 200 only after its record is on disk. Checks run in this order, each
answer a non-200 so that Meta retries whatever was not landed:

1. an app secret is configured (else 503: nothing can be verified, so nothing is accepted);
2. the body fits the size limit (413; the declared Content-Length is checked before reading);
3. ``X-Hub-Signature-256`` matches the raw bytes (401 when missing, 403 when wrong);
4. the content type is JSON (415);
5. the record is appended and synced (503 if the disk fails).

A valid signature over a body that is not valid JSON is landed all the same: the pipelines
quarantine it, and a receipt Meta signed is never thrown away here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from core.signatures import Verdict, check_signature, token_matches
from pipelines.receiver.accesslog import AccessLog, Counters, Outcome, RequestIds
from pipelines.receiver.landing import RequestFacts, encode_record
from pipelines.receiver.options import ReceiverOptions
from pipelines.receiver.writer import LandingUnavailable, LandingWriter

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook"
HEALTH_PATH = "/healthz"
_JSON_TYPES = frozenset({"application/json"})
_MAX_HEADER_KEPT = 200
_OFFLOAD_BYTES = 256 * 1024
_REJECTIONS = {
    Verdict.MISSING: (401, Outcome.SIGNATURE_MISSING),
    Verdict.MALFORMED: (403, Outcome.SIGNATURE_MALFORMED),
    Verdict.MISMATCH: (403, Outcome.SIGNATURE_MISMATCH),
}


class _TooLarge(Exception):
    pass


class Receiver:
    """The endpoints, sharing one landing writer and one set of counters."""

    def __init__(self, options: ReceiverOptions) -> None:
        self.options = options
        self.writer = LandingWriter(
            options.landing_dir,
            fsync=options.fsync,
            rotate_seconds=options.rotate_seconds,
            rotate_bytes=options.rotate_bytes,
        )
        self.counters = Counters()
        self.access = AccessLog(self.counters, enabled=options.access_log)
        self._ids = RequestIds()

    async def webhook(self, request: Request) -> Response:
        """``/webhook``: deliveries by POST, the verification handshake by GET."""
        if request.method == "POST":
            return await self._deliver(request)
        return self._handshake(request)

    async def health(self, request: Request) -> Response:
        """``/healthz``: 200 while records can be landed, 503 once the landing writer fails."""
        healthy = self.writer.healthy
        body: dict[str, object] = {
            "status": "ok" if healthy else "failing",
            "signatures": "configured" if self.options.app_secrets else "not configured",
            "fsync": self.options.fsync,
            **self.counters.snapshot(),
            "batches": self.writer.batches,
            "failed_batches": self.writer.failed_batches,
            "files_closed": self.writer.files.closed_files,
        }
        if self.writer.last_error:
            body["last_error"] = self.writer.last_error
        return JSONResponse(body, status_code=200 if healthy else 503)

    def _handshake(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = self._ids.new()
        params = request.query_params
        challenge = params.get("hub.challenge")
        accepted = (
            params.get("hub.mode") == "subscribe"
            and challenge is not None
            and token_matches(params.get("hub.verify_token"), self.options.verify_token)
        )
        status, outcome = (200, Outcome.HANDSHAKE_OK) if accepted else (403, Outcome.HANDSHAKE_REFUSED)
        self.access.record(
            request_id=request_id,
            method=request.method,
            path=WEBHOOK_PATH,
            status=status,
            outcome=outcome,
            size=None,
            started=started,
        )
        headers = {"x-request-id": request_id}
        if accepted and challenge is not None:
            return PlainTextResponse(challenge, headers=headers)
        return PlainTextResponse("forbidden", status_code=403, headers=headers)

    async def _deliver(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = self._ids.new()
        size: int | None = None

        def answer(status: int, outcome: Outcome, text: str, secret_index: int | None = None) -> Response:
            # the 200 has an empty body: Meta reads only the status, and headers plus body then
            # leave in one socket write instead of two
            self.access.record(
                request_id=request_id,
                method="POST",
                path=WEBHOOK_PATH,
                status=status,
                outcome=outcome,
                size=size,
                started=started,
                secret_index=secret_index,
            )
            if status == 200:
                return Response(headers={"x-request-id": request_id})
            return PlainTextResponse(text, status_code=status, headers={"x-request-id": request_id})

        if not self.options.app_secrets:
            return answer(503, Outcome.NO_SECRET, "no app secret configured")
        try:
            body = await self._read_body(request)
        except _TooLarge:
            return answer(413, Outcome.TOO_LARGE, "body too large")
        except (ClientDisconnect, ValueError):
            return answer(400, Outcome.BAD_REQUEST, "bad request")
        size = len(body)
        # hashing and encoding a body of megabytes takes milliseconds: off the event loop, so
        # small deliveries are not held up behind it (hashlib releases the GIL for large inputs)
        offload = size > _OFFLOAD_BYTES
        header = request.headers.get("x-hub-signature-256")
        if offload:
            check = await asyncio.to_thread(check_signature, body, header, self.options.app_secrets)
        else:
            check = check_signature(body, header, self.options.app_secrets)
        if not check.valid:
            status, outcome = _REJECTIONS[check.verdict]
            return answer(status, outcome, "invalid signature" if status == 403 else "signature required")
        content_type = request.headers.get("content-type")
        if _media_type(content_type) not in _JSON_TYPES:
            return answer(415, Outcome.UNSUPPORTED_MEDIA_TYPE, "expected application/json")
        assert check.secret_index is not None
        facts = RequestFacts(
            received_at=datetime.now(UTC),
            request_id=request_id,
            secret_index=check.secret_index,
            content_type=_kept(content_type),
            user_agent=_kept(request.headers.get("user-agent")),
        )
        record = (
            await asyncio.to_thread(encode_record, body, facts) if offload else encode_record(body, facts)
        )
        try:
            await self.writer.append(record)
        except LandingUnavailable:
            return answer(503, Outcome.LANDING_UNAVAILABLE, "cannot store the receipt, retry later")
        return answer(200, Outcome.LANDED, "", check.secret_index)

    async def _read_body(self, request: Request) -> bytes:
        limit = self.options.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and int(declared) > limit:  # h11 has already checked it is a number
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Run the landing writer for as long as the server runs; close its file on the way out."""
        self.writer.start()
        try:
            yield
        finally:
            await self.writer.close()
            log.info("receiver stopped: %s", self.counters.snapshot())


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _kept(value: str | None) -> str | None:
    return None if value is None else value[:_MAX_HEADER_KEPT]


def build_app(options: ReceiverOptions) -> Starlette:
    """The ASGI app for ``options``; the landing writer starts and stops with the app's lifespan."""
    receiver = Receiver(options)
    routes = [
        Route(WEBHOOK_PATH, receiver.webhook, methods=["GET", "POST"]),
        Route(HEALTH_PATH, receiver.health, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=receiver.lifespan)
    app.state.receiver = receiver
    return app
