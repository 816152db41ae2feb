"""Counters and the structured access log: what happened to each request, never what it said.

One JSON object per request on the ``pipelines.receiver.access`` logger: time, request id,
method, path (never the query string, which carries the verify token during a handshake),
status, outcome, body size and duration. No body, no signature value, no client address.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

ACCESS_LOGGER = "pipelines.receiver.access"
_MAX_PATH = 120


class Outcome(StrEnum):
    """Why a request got the answer it got; rejections are counted by outcome."""

    LANDED = "landed"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_MALFORMED = "signature_malformed"
    SIGNATURE_MISMATCH = "signature_mismatch"
    NO_SECRET = "no_secret_configured"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    BAD_REQUEST = "bad_request"
    LANDING_UNAVAILABLE = "landing_unavailable"
    HANDSHAKE_OK = "handshake_ok"
    HANDSHAKE_REFUSED = "handshake_refused"


@dataclass(slots=True)
class Counters:
    """Totals since start, shown by ``/healthz``."""

    started: float = field(default_factory=time.monotonic)
    by_outcome: Counter[str] = field(default_factory=Counter)

    def count(self, outcome: Outcome) -> None:
        """Add one request with this outcome."""
        self.by_outcome[outcome.value] += 1

    def snapshot(self) -> dict[str, object]:
        """Counts for the health endpoint."""
        landed = self.by_outcome.get(Outcome.LANDED.value, 0)
        rejected = {
            name: count
            for name, count in sorted(self.by_outcome.items())
            if name not in (Outcome.LANDED.value, Outcome.HANDSHAKE_OK.value)
        }
        return {
            "uptime_seconds": round(time.monotonic() - self.started, 1),
            "landed": landed,
            "rejected": rejected,
        }


class RequestIds:
    """Short ids unique to this process run: a random prefix and a counter (cheaper than uuid4)."""

    def __init__(self) -> None:
        self._prefix = f"{os.getpid():x}{secrets.token_hex(3)}"
        self._next = 0

    def new(self) -> str:
        """The next id."""
        self._next += 1
        return f"{self._prefix}-{self._next}"


class AccessLog:
    """Counts every outcome and logs one JSON line per request (accepted ones only when enabled)."""

    def __init__(self, counters: Counters, *, enabled: bool) -> None:
        self.counters = counters
        self._enabled = enabled
        self._log = logging.getLogger(ACCESS_LOGGER)

    def record(
        self,
        *,
        request_id: str,
        method: str,
        path: str,
        status: int,
        outcome: Outcome,
        size: int | None,
        started: float,
        secret_index: int | None = None,
    ) -> None:
        """Count the outcome and log the request (without its content); rejections are always logged."""
        self.counters.count(outcome)
        level = logging.INFO if status < 400 else logging.WARNING
        if (level == logging.INFO and not self._enabled) or not self._log.isEnabledFor(level):
            return
        # every field is a number or a string wagate chose (the path is one of the routes), so the
        # JSON line is built directly: json.dumps per request cost more than the rest of this
        extra = "" if secret_index is None else f',"secret_index":{int(secret_index)}'
        size_text = "null" if size is None else str(int(size))
        line = (
            f'{{"ts":"{datetime.now(UTC).isoformat(timespec="milliseconds")}","request_id":"{request_id}",'
            f'"method":{json.dumps(method[:16])},"path":{json.dumps(path[:_MAX_PATH])},"status":{int(status)},'
            f'"outcome":"{outcome.value}","bytes":{size_text},'
            f'"ms":{(time.perf_counter() - started) * 1000:.2f}{extra}}}'
        )
        self._log.log(level, line)
