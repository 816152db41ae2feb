"""`wagate watch`: keep the warehouse current by ingesting the landing zone every N seconds."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import datetime
from types import FrameType

import click

from alerts.engine import run_after_ingest
from core.config import Settings
from core.errors import WagateError
from pipelines.privacy.purge import purge_if_due
from pipelines.report import RunReport
from pipelines.run import ingest
from wagate.context import Context

log = logging.getLogger(__name__)


class _Stop:
    """First Ctrl-C or SIGTERM: stop after the current run. A second Ctrl-C aborts at once."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set() and signum == signal.SIGINT:
            # ingest is transactional: aborting mid-run leaves the warehouse as it was
            raise KeyboardInterrupt
        self.event.set()
        click.echo("wagate watch: stopping after the current run (Ctrl-C again to abort)", err=True)


@click.command()
@click.option(
    "--every",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds from the start of one run to the start of the next.",
)
@click.option("--max-runs", type=click.IntRange(min=1), default=None, help="Stop after this many runs.")
@click.pass_obj
def watch(obj: Context, every: float, max_runs: int | None) -> None:
    """Ingest the landing zone every N seconds until stopped (Ctrl-C or SIGTERM).

    A failing run (warehouse busy, disk full, ...) is reported and retried at the next tick;
    only runs that loaded something print a line. Exit code 1 only when --max-runs ends on a
    failed run.
    """
    settings = obj.settings
    stop = _Stop()
    stop.install()
    click.echo(f"wagate watch: ingesting {settings.landing_path} every {every:g}s", err=True)
    runs, ok = 0, True
    while not stop.event.is_set():
        started = time.monotonic()
        ok = _run_once(settings, every)
        runs += 1
        if max_runs is not None and runs >= max_runs:
            break
        stop.event.wait(max(0.0, every - (time.monotonic() - started)))
    click.echo(f"wagate watch: stopped after {runs} run(s)", err=True)
    if not ok and max_runs is not None:
        raise SystemExit(1)


def _run_once(settings: Settings, every: float) -> bool:
    """One ingest of the landing zone; False when it failed (the next tick retries)."""
    stamp = f"{datetime.now().astimezone():%Y-%m-%d %H:%M:%S}"
    if not settings.landing_path.exists():
        log.info("no landing zone at %s yet", settings.landing_path)
        return True
    try:
        report = ingest(settings)
    except WagateError as exc:
        click.echo(f"{stamp} ingest failed: {exc.one_line()} (retrying in {every:g}s)", err=True)
        return False
    except Exception as exc:  # a daemon keeps going; the next run starts from a clean transaction
        log.exception("unexpected error during ingest")
        click.echo(f"{stamp} ingest failed: {type(exc).__name__}: {exc} (retrying in {every:g}s)", err=True)
        return False
    if report.files_loaded:
        click.echo(
            f"{stamp} loaded {report.files_loaded} file(s): {report.new_events:,} new, "
            f"{report.duplicates:,} duplicate(s), {report.quarantined:,} quarantined "
            f"in {report.duration_seconds:.2f}s"
        )
    _after_ingest(settings, report)
    purge_if_due(settings)  # retention, once a day (docs/privacy.md)
    return True


def _after_ingest(settings: Settings, report: RunReport) -> None:
    """Hook run after every successful ingest: evaluate the alerts, notify, set pause flags.

    ``run_after_ingest`` logs its own problems and never raises, so a failing channel or rule
    never stops the loop.
    """
    del report  # the alerts read the fresh warehouse itself
    run_after_ingest(settings, os.environ)
