"""`wagate receive`: the webhook receiver (signed deliveries in, durable landing files out)."""

from __future__ import annotations

import logging
import sys

import click

from core.redact import RedactingFilter, active
from pipelines.receiver import ReceiverOptions, serve
from pipelines.receiver.accesslog import ACCESS_LOGGER
from pipelines.receiver.options import DEFAULT_MAX_BODY_BYTES, DEFAULT_ROTATE_BYTES, DEFAULT_ROTATE_SECONDS
from wagate.context import Context

DEFAULT_PORT = 8080
_MB = 1024 * 1024


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(1),
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    help="Larger bodies get 413 (Meta's payloads are up to 3 MB).",
)
@click.option(
    "--rotate-seconds",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_ROTATE_SECONDS,
    show_default=True,
    help="Close the landing file after this long.",
)
@click.option(
    "--rotate-mb",
    type=click.FloatRange(min=0.001),
    default=DEFAULT_ROTATE_BYTES / _MB,
    show_default=True,
    help="Close the landing file once it is this large.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One JSON line per accepted request on stderr (rejections are always logged).",
)
@click.option(
    "--no-fsync",
    is_flag=True,
    help="For benchmarking only: answer 200 before the record is on disk (a crash can lose receipts).",
)
@click.pass_obj
def receive(
    obj: Context,
    host: str,
    port: int,
    max_body_bytes: int,
    rotate_seconds: float,
    rotate_mb: float,
    access_log: bool,
    no_fsync: bool,
) -> None:
    """Receive WhatsApp Cloud API webhooks at /webhook and land them durably for `wagate ingest`.

    Secrets come from the environment (or owner-only files named by *_FILE): WAGATE_APP_SECRET
    (several, comma-separated, during a rotation) checks X-Hub-Signature-256,
    WAGATE_VERIFY_TOKEN answers the verification handshake. Beyond loopback an app secret is
    required. Health checks: GET /healthz. Stop with Ctrl-C or SIGTERM: requests in flight
    finish and the landing file is closed. Run it behind an HTTPS reverse proxy (docs/receiver.md).
    """
    settings = obj.settings
    secrets = settings.secrets
    options = ReceiverOptions(
        landing_dir=settings.landing_path,
        app_secrets=tuple(s.get_secret_value().encode("utf-8") for s in secrets.app_secrets),
        verify_token=secrets.verify_token.get_secret_value().encode("utf-8")
        if secrets.verify_token
        else None,
        max_body_bytes=max_body_bytes,
        fsync=not no_fsync,
        rotate_seconds=rotate_seconds,
        rotate_bytes=max(1, int(rotate_mb * _MB)),
        access_log=access_log,
    )
    _configure_logging()

    def listening(bound_host: str, bound_port: int) -> None:
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        click.echo(f"wagate receive: listening on http://{shown}:{bound_port}/webhook", err=True)
        click.echo(
            f"  landing zone {options.landing_dir}  fsync {'on' if options.fsync else 'OFF'}", err=True
        )
        for warning in _warnings(options):
            click.echo(f"  warning: {warning}", err=True)

    serve(options, host, port, on_listening=listening)
    click.echo("wagate receive: stopped", err=True)


def _warnings(options: ReceiverOptions) -> list[str]:
    found = []
    if not options.app_secrets:
        found.append("WAGATE_APP_SECRET is not set: every POST is answered 503 (Meta keeps retrying)")
    if options.verify_token is None:
        found.append("WAGATE_VERIFY_TOKEN is not set: the verification handshake is refused")
    if not options.fsync:
        found.append("--no-fsync: receipts answered 200 may be lost in a crash (benchmarking only)")
    return found


def _configure_logging() -> None:
    """Access log: bare JSON lines on stderr, not prefixed by the CLI's log format."""
    access = logging.getLogger(ACCESS_LOGGER)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    # the access log never writes a query string; the filter is the second line of defence
    handler.addFilter(RedactingFilter(active()))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    receiver = logging.getLogger("pipelines.receiver")
    receiver.setLevel(min(receiver.getEffectiveLevel(), logging.INFO))
