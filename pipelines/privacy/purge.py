"""`wagate privacy purge`: apply the retention periods of ``[retention]``.

A record is purged when it is *older* than its period: at ``now - N days`` exactly it is kept,
one second before it goes. Files are deleted only once the warehouse has loaded them whole, so
purge never loses data that was not ingested. Consent and opt-out evidence (opt-out, opt-in and
review replies, user-preference changes) keeps its texts and raw JSON for at least
``consent_evidence_days`` (D007), whatever the shorter periods say.

The triggers journal is not ingested: its records go ``triggers_journal_days`` after they were
written, warehouse or not (:mod:`pipelines.privacy.journal`).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core import audit
from core.config import Settings
from core.warehouse import Warehouse
from pipelines.privacy.journal import journal_folder, purge_journal
from pipelines.privacy.person import send_log_root

log = logging.getLogger(__name__)

_EVIDENCE = "SELECT event_id FROM core.inbound WHERE opt_out OR opt_in OR review"


@dataclass(slots=True)
class PurgeReport:
    """How much each period removed (or would remove, with ``dry_run``)."""

    dry_run: bool
    landing_files: int = 0
    send_log_files: int = 0
    raw_bodies: int = 0
    inbound_texts: int = 0
    trigger_records: int = 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return asdict(self)


def purge(
    settings: Settings, *, now: datetime | None = None, dry_run: bool = False, operator: str | None = None
) -> PurgeReport:
    """Delete or redact what is older than its retention period."""
    now = now or datetime.now(UTC)
    days = settings.retention
    report = PurgeReport(dry_run=dry_run)
    report.trigger_records = purge_journal(
        journal_folder(settings), now - timedelta(days=days.triggers_journal_days), dry_run=dry_run
    )
    path = settings.warehouse_path
    if not path.exists():
        # nothing was ingested, so no landing or send-log file may go either
        if report.trigger_records and not dry_run:
            audit.record(settings, "privacy.purge", operator=operator, at=None, **report.to_dict())
        return report
    logs = send_log_root(settings).resolve()
    with Warehouse.open_writer(path, memory_limit=settings.warehouse.memory_limit) as wh:
        loaded = _fully_loaded(wh)
        with wh.transaction():
            report.raw_bodies = _clear_raw(
                wh, now - timedelta(days=days.raw_body_days), now, settings, dry_run
            )
            report.inbound_texts = _redact_texts(
                wh, now - timedelta(days=days.inbound_text_days), now, settings, dry_run
            )
        if not dry_run and (report.raw_bodies or report.inbound_texts) and settings.warehouse.snapshot:
            wh.publish_snapshot()
    for file in _old_files(settings.landing_path, now - timedelta(days=days.landing_days), loaded):
        if not file.resolve().is_relative_to(logs):
            report.landing_files += _delete(file, dry_run)
    for file in _old_files(logs, now - timedelta(days=days.send_log_days), loaded):
        report.send_log_files += _delete(file, dry_run)
    if not dry_run:
        audit.record(settings, "privacy.purge", operator=operator, at=None, **report.to_dict())
    return report


def _evidence_cutoff(now: datetime, settings: Settings, cutoff: datetime) -> datetime:
    return min(cutoff, now - timedelta(days=settings.retention.consent_evidence_days))


def _clear_raw(wh: Warehouse, cutoff: datetime, now: datetime, settings: Settings, dry_run: bool) -> int:
    evidence_cutoff = _evidence_cutoff(now, settings, cutoff)
    total = 0
    for table, evidence in (
        ("raw.status_events", "FALSE"),
        ("raw.inbound_messages", f"event_id IN ({_EVIDENCE})"),
        ("raw.user_preferences", "TRUE"),
    ):
        where = (
            f"raw IS NOT NULL AND coalesce(received_at, ts) < "
            f"CASE WHEN {evidence} THEN $evidence::TIMESTAMPTZ ELSE $cutoff::TIMESTAMPTZ END"
        )
        total += _apply(wh, table, "raw = NULL", where, cutoff, evidence_cutoff, dry_run)
    return total


def _redact_texts(wh: Warehouse, cutoff: datetime, now: datetime, settings: Settings, dry_run: bool) -> int:
    where = (
        f"text IS NOT NULL AND coalesce(received_at, ts) < "
        f"CASE WHEN event_id IN ({_EVIDENCE}) THEN $evidence::TIMESTAMPTZ ELSE $cutoff::TIMESTAMPTZ END"
    )
    evidence_cutoff = _evidence_cutoff(now, settings, cutoff)
    return _apply(wh, "raw.inbound_messages", "text = NULL", where, cutoff, evidence_cutoff, dry_run)


def _apply(
    wh: Warehouse,
    table: str,
    assignment: str,
    where: str,
    cutoff: datetime,
    evidence: datetime,
    dry_run: bool,
) -> int:
    params = {"cutoff": cutoff.isoformat(), "evidence": evidence.isoformat()}
    count = int(wh.scalar(f"SELECT count(*) FROM {table} WHERE {where}", params))
    if count and not dry_run:
        wh.execute(f"UPDATE {table} SET {assignment} WHERE {where}", params)
    return count


def _fully_loaded(wh: Warehouse) -> set[Path]:
    rows = wh.rows("SELECT path, size, bytes_done FROM meta.files")
    return {Path(str(path)).resolve() for path, size, done in rows if int(done) >= int(size)}


def _old_files(folder: Path, cutoff: datetime, loaded: set[Path]) -> list[Path]:
    if not folder.is_dir():
        return []
    limit = cutoff.timestamp()
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.stat().st_mtime < limit and path.resolve() in loaded
    ]


def _delete(path: Path, dry_run: bool) -> int:
    if not dry_run:
        path.unlink(missing_ok=True)
    return 1


PURGE_MARKER = ".wagate-purged-at"
PURGE_EVERY = timedelta(days=1)


def purge_if_due(settings: Settings, now: datetime | None = None) -> PurgeReport | None:
    """Run :func:`purge` when the last one is a day old (for `wagate watch`); never raises."""
    now = now or datetime.now(UTC)
    marker = settings.workspace / PURGE_MARKER
    try:
        last = datetime.fromisoformat(marker.read_text(encoding="utf-8").strip()) if marker.exists() else None
        if last is not None and now - last < PURGE_EVERY:
            return None
        report = purge(settings, now=now, operator="wagate-watch")
        marker.write_text(now.isoformat() + "\n", encoding="utf-8")
        return report
    except Exception:  # a daemon keeps going; the next tick tries again
        log.exception("retention purge failed")
        return None
