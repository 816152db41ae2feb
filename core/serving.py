"""HTTP serving plumbing shared by the webhook receiver and the Cloud API emulator.

Both run uvicorn on a socket they bind themselves (port 0 picks a free one, which tests and
the demo need), either in the foreground until SIGINT/SIGTERM or in a background thread.
"""

from __future__ import annotations

import gc
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from core.errors import InputError, InternalError

MAX_CONNECTIONS = 2048
START_SECONDS = 20.0


def uvicorn_server(app: Any, **options: Any) -> uvicorn.Server:
    """A uvicorn server with the settings every wagate server shares; ``options`` add or override.

    No websockets, no access log (it would log query strings and client addresses), no proxy
    headers (client addresses are never logged), no Server header, bounded connections.
    """
    settings: dict[str, Any] = {
        "lifespan": "on",
        "ws": "none",
        "access_log": False,
        "log_config": None,
        "server_header": False,
        "proxy_headers": False,
        "limit_concurrency": MAX_CONNECTIONS,
        "backlog": MAX_CONNECTIONS,
        "timeout_graceful_shutdown": 5,
        **options,
    }
    return uvicorn.Server(uvicorn.Config(app, **settings))


def bind(host: str, port: int, backlog: int = MAX_CONNECTIONS) -> socket.socket:
    """A listening TCP socket (port 0 picks a free port); a bad address is one-line InputError."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # Nagle + delayed ACKs add ~40 ms to every response
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except socket.gaierror as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}: {exc}", hint="give an IP address or localhost") from None
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint="pick another --port"
        ) from None
    sock.listen(backlog)
    return sock


def url_of(host: str, port: int) -> str:
    """``http://host:port``, with brackets around an IPv6 address."""
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve_until_signalled(server: uvicorn.Server, sock: socket.socket) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; returns normally after uvicorn's graceful stop."""
    # everything imported so far lives as long as the process: keep it out of the garbage
    # collector's way, which shortens the pauses that show up in the latency tail
    gc.collect()
    gc.freeze()
    # uvicorn re-raises the stop signal after its graceful shutdown; with these handlers in place
    # that re-raise is a no-op and the command ends with exit code 0
    previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


def _ignore(signum: int, frame: object) -> None:
    """Placeholder handler: uvicorn installs its own while serving."""


@contextmanager
def serving_in_thread(
    server: uvicorn.Server,
    sock: socket.socket,
    *,
    name: str,
    ready: Callable[[], bool] = lambda: True,
) -> Iterator[None]:
    """Run ``server`` on ``sock`` in a daemon thread until the block ends, then stop it gracefully.

    ``ready`` is polled with uvicorn's own start flag (e.g. until the app's event loop is known).
    """
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not (server.started and ready()):
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise InternalError(f"the {name} did not start")
        time.sleep(0.005)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
