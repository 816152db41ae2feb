"""Running the receiver: recover what a crash left, bind the socket, serve until told to stop.

uvicorn does the HTTP; on SIGINT or SIGTERM it stops accepting connections, lets requests in
flight finish (up to ``shutdown_seconds``), and then the app's lifespan closes the landing file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from core.errors import InputError
from core.serving import bind, serve_until_signalled, serving_in_thread, url_of, uvicorn_server
from pipelines.receiver.app import build_app
from pipelines.receiver.landing import DIR_MODE, recover_open_files
from pipelines.receiver.options import ReceiverOptions, check_exposure

log = logging.getLogger(__name__)


def prepare_landing(directory: Path) -> list[Path]:
    """Create the landing zone if needed, check it is writable, and close files a crash left open."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create the landing zone: {exc.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"{directory}: the landing zone is not writable", hint="check its permissions")
    return recover_open_files(directory)


def server_for(options: ReceiverOptions) -> uvicorn.Server:
    """A uvicorn server for the receiver app (its own access log is off: it would log query strings)."""
    return uvicorn_server(
        build_app(options),
        timeout_graceful_shutdown=options.shutdown_seconds,
        # Meta sends bodies up to ~3 MB; headers stay small
        h11_max_incomplete_event_size=64 * 1024,
    )


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
    serve_until_signalled(server_for(options), sock)


@contextmanager
def serve_in_thread(options: ReceiverOptions, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve in a background thread of this process (the demo, tests); yields the base URL.

    On exit uvicorn stops gracefully, so every landed receipt is closed and readable.
    """
    prepare_landing(options.landing_dir)
    sock = bind(host, port)
    bound = int(sock.getsockname()[1])
    with serving_in_thread(server_for(options), sock, name="receiver"):
        yield url_of(host, bound)
