"""The Cloud API client: one POST per message, and an honest account of what happened.

The Cloud API has no idempotency key, so the client separates three situations a retry policy
must not confuse:

- the API answered (:attr:`Kind.ACCEPTED`, :attr:`Kind.HELD` or :attr:`Kind.ERROR` with Meta's code);
- the request never left (:attr:`Kind.NOT_SENT`: connection refused, connect timeout, no free
  connection in the pool) — safe to try again;
- the request was (or may have been) written but no answer came (:attr:`Kind.UNKNOWN`: read
  timeout, connection dropped) — the message may have been accepted; never retried automatically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from core.errors import InputError

USER_AGENT = "wagate-sender/1"


class Kind(StrEnum):
    """What a call came to."""

    ACCEPTED = "accepted"
    HELD = "held"  # message_status held_for_quality_assessment (template pacing)
    ERROR = "error"  # the API answered with an error body (or an unreadable non-2xx answer)
    NOT_SENT = "not-sent"  # the request never reached the API
    UNKNOWN = "unknown"  # the request may have been processed; there is no answer


@dataclass(frozen=True, slots=True)
class CallResult:
    """The outcome of one POST /messages."""

    kind: Kind
    http_status: int = 0
    wamid: str = ""
    error_code: int | None = None
    error_title: str = ""
    error_details: str = ""
    note: str = ""  # for NOT_SENT / UNKNOWN: what went wrong on the wire


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Where and how to call the API."""

    base_url: str
    version: str
    phone_number_id: str
    token: str
    concurrency: int
    connect_timeout: float
    read_timeout: float
    write_timeout: float
    pool_timeout: float


def missing_token() -> InputError:
    """The one-line error for a send without ``WAGATE_ACCESS_TOKEN``."""
    return InputError(
        "no access token: WAGATE_ACCESS_TOKEN is not set",
        hint="export WAGATE_ACCESS_TOKEN=<system-user token> (for the emulator: the token it was started with)",
    )


class CloudApiClient:
    """An ``httpx.AsyncClient`` with HTTP/1.1 keep-alive, explicit timeouts and a pool sized to the concurrency."""

    def __init__(self, options: ClientOptions, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not options.token:
            raise missing_token()
        self.node_url = f"{options.base_url.rstrip('/')}/{options.version}/{options.phone_number_id}"
        self.url = f"{self.node_url}/messages"
        timeout = httpx.Timeout(
            connect=options.connect_timeout,
            read=options.read_timeout,
            write=options.write_timeout,
            pool=options.pool_timeout,
        )
        limits = httpx.Limits(
            max_connections=options.concurrency,
            max_keepalive_connections=options.concurrency,
            keepalive_expiry=4.0,  # below common server idle timeouts (uvicorn: 5 s)
        )
        self._client = httpx.AsyncClient(
            http1=True,
            http2=False,
            timeout=timeout,
            limits=limits,
            transport=transport,
            headers={
                "Authorization": f"Bearer {options.token}",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )

    async def __aenter__(self) -> CloudApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()

    async def preflight(self) -> CallResult:
        """GET the sending number (``fields=id``): opens a warm connection and checks the token early.

        An error answer comes back as :attr:`Kind.ERROR` with Meta's code; success as ACCEPTED.
        """
        try:
            response = await self._client.get(self.node_url, params={"fields": "id"})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            return CallResult(Kind.NOT_SENT, note=_describe(exc))
        except httpx.TransportError as exc:
            return CallResult(Kind.UNKNOWN, note=_describe(exc))
        if 200 <= response.status_code < 300:
            return CallResult(Kind.ACCEPTED, response.status_code)
        return _error(response.status_code, _json_or_none(response.content))

    async def send(self, payload: dict[str, Any]) -> CallResult:
        """POST one message body (with ``biz_opaque_callback_data`` already set)."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            response = await self._client.post(self.url, content=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            return CallResult(Kind.NOT_SENT, note=_describe(exc))
        except (httpx.WriteError, httpx.WriteTimeout) as exc:
            # the body did not get out whole, and the API acts only on a complete request
            return CallResult(Kind.NOT_SENT, note=_describe(exc))
        except httpx.TransportError as exc:
            # read/write timeouts, a dropped connection, a malformed answer: the request may have
            # been processed, and Meta has no idempotency key to make a second try safe
            return CallResult(Kind.UNKNOWN, note=_describe(exc))
        return parse_response(response.status_code, response.content)


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def parse_response(status: int, content: bytes) -> CallResult:
    """Read a POST /messages answer: success (accepted/held) or a Meta error body."""
    data = _json_or_none(content)
    if 200 <= status < 300:
        return _success(status, data)
    return _error(status, data)


def _json_or_none(content: bytes) -> object:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _success(status: int, data: object) -> CallResult:
    messages = data.get("messages") if isinstance(data, dict) else None
    first = messages[0] if isinstance(messages, list) and messages else None
    wamid = first.get("id") if isinstance(first, dict) else None
    if not isinstance(wamid, str) or not wamid:
        # a 2xx without a message id cannot be joined to receipts: treat as unknown, not as sent
        return CallResult(Kind.UNKNOWN, status, note="2xx answer without messages[0].id")
    message_status = first.get("message_status") if isinstance(first, dict) else None
    kind = Kind.HELD if message_status == "held_for_quality_assessment" else Kind.ACCEPTED
    return CallResult(kind, status, wamid=wamid)


def _error(status: int, data: object) -> CallResult:
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return CallResult(Kind.ERROR, status, error_title=f"HTTP {status}")
    code = error.get("code")
    code = code if isinstance(code, int) and not isinstance(code, bool) else _int_or_none(code)
    title = error.get("error_user_title") or error.get("title") or error.get("message") or f"HTTP {status}"
    data_part = error.get("error_data")
    details = data_part.get("details") if isinstance(data_part, dict) else None
    return CallResult(
        Kind.ERROR,
        status,
        error_code=code,
        error_title=_strip_code(str(title)),
        error_details=str(details) if details else "",
    )


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _strip_code(title: str) -> str:
    # Meta's message is "(#131047) Re-engagement message": the code is kept in its own column
    if title.startswith("(#") and ") " in title:
        return title.split(") ", 1)[1].strip()
    return title.strip()
