"""The emulator's ASGI app: Graph API routes, admin routes, and the background work's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.routing import Mount, Route

from sender.emulator import admin, graph
from sender.emulator.config import EmulatorConfig
from sender.emulator.state import Emulator
from sender.emulator.storyteller import Storyteller

ARRIVAL_FLUSH_SECONDS = 0.5


@dataclass
class Parts:
    """The pieces of a running emulator, for the in-process handle."""

    emulator: Emulator
    stories: Storyteller | None
    loop: asyncio.AbstractEventLoop | None = None
    on_started: list[Callable[[asyncio.AbstractEventLoop], None]] = field(default_factory=list)


def build_parts(config: EmulatorConfig) -> Parts:
    """Emulator state and, when webhooks go somewhere, the storyteller that sends them."""
    emulator = Emulator(config)
    stories = None
    if config.webhook_url and config.profile.webhooks.enabled:
        stories = Storyteller(emulator, config.webhook_url)
        emulator.stories = stories
    return Parts(emulator, stories)


def app_for(parts: Parts) -> Starlette:
    """The Starlette app over already built parts."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        parts.loop = loop
        if parts.stories is not None:
            await parts.stories.start()
        flusher = asyncio.create_task(_flush_arrivals(parts.emulator)) if parts.emulator.log else None
        for callback in parts.on_started:
            callback(loop)
        try:
            yield
        finally:
            if flusher is not None:
                flusher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await flusher
            if parts.stories is not None:
                await parts.stories.stop()
            parts.emulator.flush_log()

    catch_all = Route("/{path:path}", graph.unknown_path, methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    send, *reads = graph.routes(parts.emulator)
    # the send route first: it is nearly every request; the admin mount before the Graph reads,
    # whose "/{version}/{node}" would otherwise take "/_emulator/messages"
    admin_mount = Mount(admin.PREFIX, routes=admin.routes(parts.emulator, parts.stories))
    return Starlette(routes=[send, admin_mount, *reads, catch_all], lifespan=lifespan)


def build_app(config: EmulatorConfig) -> Starlette:
    """The emulator as an ASGI app (serve it with uvicorn; the lifespan starts the webhooks)."""
    return app_for(build_parts(config))


async def _flush_arrivals(emulator: Emulator) -> None:
    while True:
        await asyncio.sleep(ARRIVAL_FLUSH_SECONDS)
        emulator.flush_log()
