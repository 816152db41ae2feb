"""Admin actions (what a test or a demo does to the emulated world) and their HTTP routes.

The same functions serve the in-process handle (:mod:`sender.emulator.server`) and the
``/_emulator/...`` routes used when the emulator runs as its own process. The routes ask for the
same bearer token as the Graph API.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sender.emulator.config import WebhookStats
from sender.emulator.errors import GraphError
from sender.emulator.graph import graph_error, json_response
from sender.emulator.profile import ACCOUNT_STATES
from sender.emulator.state import Emulator
from sender.emulator.storyteller import Storyteller
from sender.emulator.templates import STATUSES

PREFIX = "/_emulator"
_DIGITS = re.compile(r"\+?[0-9]{6,15}")


def inject_inbound(
    emulator: Emulator,
    stories: Storyteller | None,
    to: str,
    *,
    text: str | None = None,
    button_payload: str | None = None,
    preference: str | None = None,
    reply_to: str | None = None,
) -> str | None:
    """A user writes to the business now; returns the inbound message id (None for a preference)."""
    if sum(v is not None for v in (text, button_payload, preference)) != 1:
        raise ValueError("give exactly one of text, button_payload or preference")
    if not _DIGITS.fullmatch(to):
        raise ValueError(f"{to!r} is not a phone number (digits with an optional +)")
    wa_id = to.lstrip("+")
    if preference is not None:
        if preference not in ("stop", "resume"):
            raise ValueError("preference must be 'stop' or 'resume'")
        set_preference(emulator, wa_id, preference)
        if stories is not None:
            stories.preference_now(wa_id, preference)
        return None
    emulator.last_inbound[wa_id] = time.time()
    context = (
        reply_to if reply_to is not None else (emulator.last_wamid.get(wa_id) if button_payload else None)
    )
    if stories is None:
        return None
    return stories.inbound_now(wa_id, text=text, button_payload=button_payload, context=context)


def set_preference(emulator: Emulator, wa_id: str, preference: str) -> None:
    """Record a marketing stop (later marketing sends fail 131050) or its resume."""
    if preference == "stop":
        emulator.opted_out.add(wa_id)
    else:
        emulator.opted_out.discard(wa_id)


def set_template_status(
    emulator: Emulator, stories: Storyteller | None, name: str, language: str, status: str
) -> None:
    """Change a template's status (e.g. PAUSED) as Meta would, with its status-update webhook."""
    status = status.upper()
    if status not in STATUSES:
        raise ValueError(f"unknown template status {status!r}")
    spec = emulator.registry.get(name, language)
    if spec is None:
        raise ValueError(f"no template {name} in {language}")
    if stories is not None:
        stories.template_status(spec, status, reason="NONE")
    else:
        emulator.registry.state[(name, language)].status = status


def messages_json(emulator: Emulator) -> list[dict[str, Any]]:
    """Accepted messages as JSON objects."""
    return [asdict(m) | {"accepted_at": m.accepted_at.isoformat()} for m in emulator.messages]


def arrivals_json(emulator: Emulator) -> list[dict[str, Any]]:
    """Arrivals as JSON objects."""
    return [asdict(a) for a in emulator.arrivals]


class AdminApi:
    """The ``/_emulator`` HTTP routes over one emulator."""

    def __init__(self, emulator: Emulator, stories: Storyteller | None) -> None:
        self.emulator = emulator
        self.stories = stories

    def routes(self) -> list[Route]:
        """The routes, each behind the bearer token."""
        table: tuple[tuple[str, str, Callable[[dict[str, Any]], Awaitable[Any]]], ...] = (
            ("messages", "GET", self.messages),
            ("arrivals", "GET", self.arrivals),
            ("webhook_stats", "GET", self.webhook_stats),
            ("inbound", "POST", self.inbound),
            ("account", "POST", self.account),
            ("template", "POST", self.template),
            ("drain", "POST", self.drain),
        )
        return [Route(f"/{name}", self._guarded(action), methods=[method]) for name, method, action in table]

    def _guarded(
        self, action: Callable[[dict[str, Any]], Awaitable[Any]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                self.emulator.check_token(
                    request.headers.get("authorization"), request.query_params.get("access_token"), admin=True
                )
                body = await _json(request) if request.method == "POST" else {}
                return json_response(200, await action(body))
            except GraphError as exc:
                return graph_error(exc)
            except (ValueError, TypeError) as exc:
                return json_response(400, {"error": {"message": str(exc)}})

        return endpoint

    async def messages(self, _: dict[str, Any]) -> Any:
        """GET messages: the accepted messages."""
        return messages_json(self.emulator)

    async def arrivals(self, _: dict[str, Any]) -> Any:
        """GET arrivals: every POST /messages."""
        return arrivals_json(self.emulator)

    async def webhook_stats(self, _: dict[str, Any]) -> Any:
        """GET webhook_stats: sent, retried, failed."""
        stats = self.stories.stats() if self.stories is not None else WebhookStats(0, 0, 0)
        return stats._asdict()

    async def inbound(self, body: dict[str, Any]) -> Any:
        """POST inbound {to, text | button_payload | preference, reply_to?}."""
        fields = {k: _optional_text(body, k) for k in ("text", "button_payload", "preference", "reply_to")}
        return {"id": inject_inbound(self.emulator, self.stories, str(body.get("to", "")), **fields)}

    async def account(self, body: dict[str, Any]) -> Any:
        """POST account {state}."""
        state = body.get("state")
        if state not in ACCOUNT_STATES:
            raise ValueError(f"state must be one of {', '.join(ACCOUNT_STATES)}")
        self.emulator.set_account_state(state)
        return {"state": state}

    async def template(self, body: dict[str, Any]) -> Any:
        """POST template {name, language, status}."""
        set_template_status(
            self.emulator,
            self.stories,
            str(body.get("name")),
            str(body.get("language")),
            str(body.get("status")),
        )
        return {"ok": True}

    async def drain(self, body: dict[str, Any]) -> Any:
        """POST drain {timeout}: wait for every scheduled webhook."""
        timeout = float(body.get("timeout", 30.0))
        drained = True if self.stories is None else await self.stories.drain(timeout)
        return {"drained": drained}


def routes(emulator: Emulator, stories: Storyteller | None) -> list[Route]:
    """The ``/_emulator`` routes."""
    return AdminApi(emulator, stories).routes()


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body
