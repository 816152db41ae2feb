"""Running the receiver: recover what a crash left, bind the socket, serve until told to stop.

uvicorn does the HTTP; on SIGINT or SIGTERM it stops accepting connections, lets requests in
flight finish (up to ``shutdown_seconds``), and then the app's lifespan closes the landing file.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from core.errors import InputError
from pipelines.receiver.app import build_app
from pipelines.receiver.landing import DIR_MODE, recover_open_files
from pipelines.receiver.options import ReceiverOptions, check_exposure

log = logging.getLogger(__name__)

# Meta delivers concurrently; beyond this many open connections uvicorn answers 503 (Meta retries)
MAX_CONNECTIONS = 2048


def prepare_landing(directory: Path) -> list[Path]:
    """Create the landing zone if needed, check it is writable, and close files a crash left open."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the landing zone: {exc.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"{directory}: the landing zone is not writable", hint="check its permissions")
    return recover_open_files(directory)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 picks a free port)."""
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
            f"cannot listen on {host}:{port}: {exc.strerror}", hint="pick another --port"
        ) from None
    sock.listen(MAX_CONNECTIONS)
    return sock


def server_for(options: ReceiverOptions) -> uvicorn.Server:
    """A uvicorn server for the receiver app (its own access log is off: it would log query strings)."""
    config = uvicorn.Config(
        build_app(options),
        lifespan="on",
        ws="none",  # no websockets: nothing to import, nothing to upgrade to
        access_log=False,
        proxy_headers=False,  # client addresses are never logged, so X-Forwarded-For is not needed
        log_config=None,
        server_header=False,
        limit_concurrency=MAX_CONNECTIONS,
        backlog=MAX_CONNECTIONS,
        timeout_graceful_shutdown=options.shutdown_seconds,
        # Meta sends bodies up to ~3 MB; headers stay small
        h11_max_incomplete_event_size=64 * 1024,
    )
    return uvicorn.Server(config)


def serve(
    options: ReceiverOptions,
    host: str,
    port: int,
    *,
    on_listening: Callable[[str, int], None] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, then shut down gracefully; returns normally after a clean stop."""
    check_exposure(host, options)
    for path in prepare_landing(options.landing_dir):
        log.info("recovered %s", path)
    sock = bind(host, port)
    bound_port = int(sock.getsockname()[1])
    if on_listening is not None:
        on_listening(host, bound_port)
    server = server_for(options)
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
def serve_in_thread(options: ReceiverOptions, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a background thread of this process (the demo, tests); yields the base URL.

    On exit uvicorn stops gracefully, so every landed receipt is closed and readable.
    """
    prepare_landing(options.landing_dir)
    sock = bind(host, port)
    bound = int(sock.getsockname()[1])
    server = server_for(options)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise InputError(f"the receiver did not start on {host}:{bound}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
