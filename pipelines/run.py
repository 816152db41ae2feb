"""`wagate ingest`: one transactional, idempotent, incremental load.

A load either commits everything it read (raw rows, quarantine, derived core rows, the manifest)
or nothing: a crash or SIGKILL mid-load leaves the warehouse as it was, and the next run does the
whole load again.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.config import Settings
from core.errors import InputError
from core.phones import ContactKeyer
from core.warehouse import Warehouse
from pipelines.classify import Lexicon, load_lexicon
from pipelines.derive import derive
from pipelines.load import merge
from pipelines.manifest import Action, Planned, plan, record
from pipelines.privacy import hooks as privacy_hooks
from pipelines.report import RunReport, SourceReport
from pipelines.schema import migrate, rebuild_facts, rebuild_reasons, store_params
from pipelines.sources.files import discover
from pipelines.stage import Staged, Stager

log = logging.getLogger(__name__)


def ingest(settings: Settings, paths: Sequence[Path] = (), *, lexicon: Lexicon | None = None) -> RunReport:
    """Load the given files and folders (default: the landing zone) into the warehouse."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    report = RunReport(run_id=f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}", started_at=now.isoformat())
    targets = list(paths) or [_landing(settings)]
    found = discover(targets, settings)
    report.ignored_files = [str(p) for p in found.ignored]
    keyer = ContactKeyer.for_workspace(settings.key_path)
    lexicon = lexicon or load_lexicon(compile_now=False)
    wh = Warehouse.open_writer(
        settings.warehouse_path,
        memory_limit=settings.warehouse.memory_limit,
        threads=settings.warehouse.threads,
    )
    with wh:
        migrate(wh)
        planned = plan(wh, list(found.inputs))
        todo = {fid: item for fid, item in enumerate(p for p in planned if p.action is not Action.SKIP)}
        for item in planned:
            if item.action is Action.SKIP:
                report.files_unchanged += 1
                report.sources.append(
                    SourceReport(str(item.source.path), item.source.kind_label, "unchanged")
                )
        reasons = rebuild_reasons(wh, settings, lexicon)
        if todo or reasons:
            # staging fills TEMP tables only, so it runs before the transaction: a fast-path read
            # that fails would otherwise abort the transaction it is retried in
            with _phase("stage"):
                staged = Stager(wh, todo).stage()
            with wh.transaction():
                _load(wh, settings, keyer, lexicon, todo, staged, reasons, report, now.isoformat())
            if settings.warehouse.snapshot:
                with _phase("publish snapshot"):
                    wh.publish_snapshot()
            else:
                wh.checkpoint()
        report.suppression_active = int(
            wh.scalar(
                "SELECT count(DISTINCT contact_key) FROM marts.suppression_list WHERE status = 'active'"
            )
        )
    finished = datetime.now(UTC)
    report.finished_at = finished.isoformat()
    report.duration_seconds = round(time.perf_counter() - started, 3)
    return report


def _landing(settings: Settings) -> Path:
    path = settings.landing_path
    if not path.exists():
        raise InputError(
            f"nothing to ingest: no paths given and no landing zone at {path}",
            hint="pass files or folders, e.g. `wagate ingest receipts/`",
        )
    return path


def _load(
    wh: Warehouse,
    settings: Settings,
    keyer: ContactKeyer,
    lexicon: Lexicon,
    todo: dict[int, Planned],
    staged: Staged,
    rebuild: list[str],
    report: RunReport,
    now: str,
) -> None:
    privacy_hooks.before_merge(wh, keyer)  # forgotten people stay forgotten
    with _phase("merge into raw"):
        merged = merge(wh, keyer, run_id=report.run_id, now=now)
    if rebuild:
        log.info("recomputing every contact: %s", "; ".join(rebuild))
        wh.execute("CREATE OR REPLACE TEMP TABLE affected AS SELECT contact_key FROM core.contacts")
    report.contacts_recomputed = int(wh.scalar("SELECT count(*) FROM affected"))
    everyone = report.contacts_recomputed == int(wh.scalar("SELECT count(*) FROM core.contacts"))
    with _phase("derive core"):
        derive(wh, settings, lexicon, now=now, everyone=everyone)
    privacy_hooks.after_derive(wh, settings)
    store_params(wh, settings, lexicon)
    rebuild_facts(wh)  # the aggregates the dashboard and `wagate metrics` read
    for fid, item in todo.items():
        records, new, quarantined = merged.per_file.get(fid, (0, 0, 0))
        bytes_done, lines_done = staged.progress.get(fid, (item.stat.size, -1))
        record(wh, item, bytes_done=bytes_done, lines_done=lines_done, run_id=report.run_id, now=now)
        status = "appended" if item.action is Action.APPEND else "loaded"
        if quarantined and not records:
            status = "quarantined"
        report.sources.append(
            SourceReport(str(item.source.path), item.source.kind_label, status, records, new, quarantined)
        )
        report.files_loaded += 1
    report.records = sum(merged.staged.values())
    report.new_events = sum(merged.new.values())
    report.duplicates = report.records - report.new_events
    report.quarantined = merged.quarantined
    report.new_by_table = {k: v for k, v in merged.new.items() if v}
    wh.execute(
        "INSERT INTO meta.runs VALUES ($id, $start, $now::TIMESTAMPTZ, $report::JSON)",
        {"id": report.run_id, "start": report.started_at, "now": now, "report": json.dumps(report.to_dict())},
    )


@contextmanager
def _phase(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log.info("%s: %.2fs", name, time.perf_counter() - started)
