"""Running the emulator: ``serve`` for the CLI, ``running_emulator`` in a background thread for tests.

The in-process handle reaches the emulator's state only through its event loop
(``run_coroutine_threadsafe``), so a test thread never races the request handlers.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import uvicorn

from core.serving import bind, serve_until_signalled, serving_in_thread, url_of, uvicorn_server
from sender.emulator import admin
from sender.emulator.app import Parts, app_for, build_parts
from sender.emulator.config import AcceptedMessage, Arrival, EmulatorConfig, WebhookStats

T = TypeVar("T")


def _server(parts: Parts) -> uvicorn.Server:
    return uvicorn_server(
        app_for(parts),
        # httptools and uvloop cut the CPU per request by about a third when installed
        http="httptools" if _installed("httptools") else "h11",
        loop="uvloop" if _installed("uvloop") else "asyncio",
        date_header=False,
        # a client's idle keep-alive connection stays usable for a while, as Graph's do; uvicorn's
        # 5 s default makes pooled clients race the close and see spurious connection errors
        timeout_keep_alive=75,
    )


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def serve(
    config: EmulatorConfig,
    host: str,
    port: int,
    *,
    on_listening: Callable[[str, int], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (blocking; for ``wagate emulator``)."""
    parts = build_parts(config)
    sock = bind(host, port)
    if on_listening is not None:
        on_listening(host, int(sock.getsockname()[1]))
    serve_until_signalled(_server(parts), sock)


class EmulatorHandle:
    """A running in-process emulator: its URL, what it recorded, and the admin actions."""

    def __init__(self, base_url: str, parts: Parts, loop: asyncio.AbstractEventLoop) -> None:
        self.base_url = base_url
        self._parts = parts
        self._loop = loop

    def _call(self, fn: Callable[[], T], timeout: float = 30.0) -> T:
        async def run() -> T:
            return fn()

        return self._await(run(), timeout)

    def _await(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def messages(self) -> list[AcceptedMessage]:
        """Every accepted message, in acceptance order."""
        return self._call(lambda: list(self._parts.emulator.messages))

    def arrivals(self) -> list[Arrival]:
        """Every POST /messages, in arrival order."""
        return self._call(lambda: list(self._parts.emulator.arrivals))

    def inject_inbound(
        self,
        to: str,
        *,
        text: str | None = None,
        button_payload: str | None = None,
        preference: str | None = None,
        reply_to: str | None = None,
    ) -> str | None:
        """The user ``to`` writes to the business now (a webhook goes out); returns the inbound id."""
        parts = self._parts
        return self._call(
            lambda: admin.inject_inbound(
                parts.emulator,
                parts.stories,
                to,
                text=text,
                button_payload=button_payload,
                preference=preference,
                reply_to=reply_to,
            )
        )

    def set_account_state(self, state: str) -> None:
        """ok, restricted (368), locked (131031), token_expired (190) or payment (131042)."""
        self._call(lambda: self._parts.emulator.set_account_state(state))

    def set_template_status(self, name: str, language: str, status: str) -> None:
        """Change a template's status (PAUSED, DISABLED, APPROVED, ...) with its webhook."""
        parts = self._parts
        self._call(lambda: admin.set_template_status(parts.emulator, parts.stories, name, language, status))

    def drain(self, timeout: float) -> bool:
        """Wait until every scheduled webhook is delivered or given up; False if time ran out."""
        stories = self._parts.stories
        if stories is None:
            return True
        return self._await(stories.drain(timeout), timeout + 10.0)

    def webhook_stats(self) -> WebhookStats:
        """Webhook bodies delivered, retries, and give-ups so far."""
        stories = self._parts.stories
        if stories is None:
            return WebhookStats(0, 0, 0)
        return self._call(stories.stats)


@contextmanager
def running_emulator(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0
) -> Iterator[EmulatorHandle]:
    """Start the emulator on a background thread (port 0: an ephemeral port); stop it on exit."""
    parts = build_parts(config)
    sock = bind(host, port)
    bound = int(sock.getsockname()[1])
    with serving_in_thread(_server(parts), sock, name="emulator", ready=lambda: parts.loop is not None):
        assert parts.loop is not None
        yield EmulatorHandle(url_of(host, bound), parts, parts.loop)
