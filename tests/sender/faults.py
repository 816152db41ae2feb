"""A loopback HTTP proxy in front of the emulator that plays scripted faults for chosen recipients.

The emulator answers as Meta does; what it cannot be asked to do on cue (a transient 131000, a
throttling 130429 or a pair-rate 131056 followed by success, an answer slower than the sender's
read timeout, an answer held until the test has done something) this proxy does, per recipient and in order: each POST to a scripted recipient
takes the next step of its script; ``Pass()`` (or an exhausted script) forwards to the emulator.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sender.emulator.server import bind


@dataclass(frozen=True)
class Fail:
    """Answer with Meta's error body for ``code`` (the emulator is not asked)."""

    code: int
    title: str = "Scripted error"
    http_status: int = 400


@dataclass(frozen=True)
class Slow:
    """Forward to the emulator, then hold the answer for ``seconds`` (past the read timeout)."""

    seconds: float


@dataclass(frozen=True)
class Pass:
    """Forward to the emulator."""


@dataclass(frozen=True)
class Hold:
    """Forward to the emulator, and answer only once the test sets ``release``."""

    release: threading.Event
    reached: threading.Event


Step = Fail | Slow | Pass | Hold


class FaultProxy:
    """The proxy's state: scripts per recipient and every POST it saw."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.scripts: dict[str, deque[Step]] = defaultdict(deque)
        self.posts: list[tuple[float, str, str]] = []  # (monotonic, to, step name)
        self.base_url = ""

    def script(self, to: str, *steps: Step) -> None:
        """What the next POSTs to ``to`` get, in order."""
        self.scripts[to].extend(steps)

    def posts_to(self, to: str) -> list[str]:
        """Step names of the POSTs to ``to`` so far."""
        return [name for _, recipient, name in self.posts if recipient == to]

    def app(self) -> Starlette:
        client = httpx.AsyncClient(base_url=self.upstream, timeout=30)

        async def forward(request: Request) -> Response:
            body = await request.body()
            step: Step = Pass()
            to = ""
            if request.method == "POST":
                to = str(json.loads(body).get("to", ""))
                queue = self.scripts.get(to)
                step = queue.popleft() if queue else Pass()
                self.posts.append((time.monotonic(), to, type(step).__name__))
            if isinstance(step, Fail):
                return _meta_error(step)
            headers = {
                k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")
            }
            answer = await client.request(
                request.method, request.url.path, params=request.query_params, content=body, headers=headers
            )
            if isinstance(step, Slow):
                await asyncio.sleep(step.seconds)
            if isinstance(step, Hold):
                step.reached.set()
                await asyncio.to_thread(step.release.wait, 60)
            return Response(answer.content, answer.status_code, media_type="application/json")

        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            await client.aclose()

        return Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST"])], lifespan=lifespan)


def _meta_error(step: Fail) -> Response:
    body = {
        "error": {
            "message": f"(#{step.code}) {step.title}",
            "type": "OAuthException",
            "code": step.code,
            "error_data": {"messaging_product": "whatsapp", "details": f"scripted {step.code}"},
            "fbtrace_id": "AbCdEf123",
        }
    }
    return Response(json.dumps(body), step.http_status, media_type="application/json")


@contextmanager
def fault_proxy(upstream: str) -> Iterator[FaultProxy]:
    """Serve a :class:`FaultProxy` for ``upstream`` on an ephemeral loopback port."""
    proxy = FaultProxy(upstream)
    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(proxy.app(), log_config=None, access_log=False, lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fault proxy did not start")
        time.sleep(0.005)
    proxy.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield proxy
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
