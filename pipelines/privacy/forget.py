"""`wagate privacy forget`: erase people from every table, view, file and export of a workspace.

Order matters: the files are read first (they hold the profile names the warehouse sweep must
also erase) and rewritten before the warehouse, whose change is one transaction; running the
command again after a failure finishes the job.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core import audit
from core.config import Settings
from core.phones import ContactKeyer
from core.warehouse import Warehouse, snapshot_path
from pipelines.export import export_parquet, sql_literal
from pipelines.privacy.erase import erase_people
from pipelines.privacy.files import (
    FileErasure,
    collect_names,
    erase_landing,
    erase_ledgers,
    sweep_files,
)
from pipelines.privacy.journal import erase_journal, journal_folder, journal_names
from pipelines.privacy.person import Person, people, send_log_root
from pipelines.privacy.textmatch import python_pattern
from pipelines.schema import migrate, rebuild_facts
from pipelines.sources.files import EXPORT_MARKER


@dataclass(slots=True)
class ForgetReport:
    """What one erasure did (no numbers, no names: it is printed and audited)."""

    contact_keys: list[str]
    found_in_warehouse: int = 0
    warehouse_cells_swept: dict[str, int] = field(default_factory=dict)
    files: FileErasure = field(default_factory=FileErasure)
    exports_rewritten: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "contact_keys": self.contact_keys,
            "found_in_warehouse": self.found_in_warehouse,
            "warehouse_cells_swept": self.warehouse_cells_swept,
            "landing_files_rewritten": len(self.files.landing),
            "records_removed_from_files": self.files.records_removed,
            "ledgers_changed": len(self.files.ledgers),
            "trigger_journal_files_rewritten": len(self.files.journal),
            "other_files_scrubbed": self.files.other,
            "exports_rewritten": self.exports_rewritten,
        }


def forget(
    settings: Settings,
    numbers: Sequence[str],
    *,
    default_region: str | None = None,
    reason: str | None = None,
    operator: str | None = None,
) -> ForgetReport:
    """Erase the people with these numbers (any format) everywhere in the workspace."""
    keyer = ContactKeyer.for_workspace(settings.key_path)
    who = people(numbers, keyer, default_region)
    digits = {p.digits for p in who}
    folders = _landing_folders(settings)
    journal = journal_folder(settings)
    # the names the shop gave in trigger events are the person's too (like webhook profile names)
    names = collect_names(folders, digits) | journal_names(journal, digits)
    pattern = python_pattern([p.e164 for p in who], names)
    report = ForgetReport(contact_keys=[p.key for p in who])
    erase_landing(folders, digits, pattern, report.files)
    erase_ledgers(
        settings.resolve(settings.send.ledger_dir), {f for p in who for f in (p.e164, p.digits)}, report.files
    )
    erase_journal(journal, pattern, report.files)
    exports = _erase_warehouse(settings, who, names, report)
    skip = _protected(settings, [*folders, journal], exports)
    sweep_files(settings.workspace, pattern, skip, report.files)
    audit.record(
        settings,
        "privacy.forget",
        operator=operator,
        contact_keys=report.contact_keys,
        reason=reason or "",
        found_in_warehouse=report.found_in_warehouse,
        files_rewritten=len(report.files.landing) + len(report.files.other) + len(report.files.journal),
        exports_rewritten=len(report.exports_rewritten),
    )
    return report


def _erase_warehouse(
    settings: Settings, who: list[Person], names: set[str], report: ForgetReport
) -> list[Path]:
    path = settings.warehouse_path
    if not path.exists():
        return _export_folders(settings, None)
    compacted = path.with_name(path.name + ".compacting")
    compacted.unlink(missing_ok=True)
    with _writer(settings) as wh:
        migrate(wh)
        with wh.transaction():
            erased = erase_people(wh, who, names, now=datetime.now(UTC).isoformat())
            rebuild_facts(wh)  # the materialised marts hold contact keys and the swept names too
        report.found_in_warehouse = erased.people_found
        report.warehouse_cells_swept = erased.swept_cells
        exports = _export_folders(settings, wh)
        for folder in exports:
            export_parquet(wh, folder)  # from the erased warehouse: replaces the old files whole
            report.exports_rewritten.append(str(folder))
        # deleted and overwritten values survive in free blocks of a DuckDB file until they are
        # reused: copying into a fresh file leaves nothing of the old values behind
        wh.checkpoint()
        wh.execute(f"ATTACH {sql_literal(str(compacted))} AS wagate_compact")
        wh.execute(
            f"COPY FROM DATABASE {_quoted(str(wh.scalar('SELECT current_database()')))} TO wagate_compact"
        )
        wh.execute("DETACH wagate_compact")
    os.replace(compacted, path)
    snapshot_path(path).unlink(missing_ok=True)  # the old copy still holds them
    if settings.warehouse.snapshot:
        with _writer(settings) as wh:
            wh.publish_snapshot()
    return exports


def _writer(settings: Settings) -> Warehouse:
    return Warehouse.open_writer(
        settings.warehouse_path,
        memory_limit=settings.warehouse.memory_limit,
        threads=settings.warehouse.threads,
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _export_folders(settings: Settings, wh: Warehouse | None) -> list[Path]:
    """`wagate export parquet` folders: inside the workspace, and any the warehouse has loaded."""
    found = {marker.parent for marker in settings.workspace.rglob(EXPORT_MARKER)}
    if wh is not None:
        for (text,) in wh.rows("SELECT path FROM meta.files WHERE kind = 'parquet_export'"):
            folder = Path(str(text))
            if (folder / EXPORT_MARKER).exists():
                found.add(folder)
    return sorted(found)


def _landing_folders(settings: Settings) -> list[Path]:
    folders = [settings.landing_path]
    logs = send_log_root(settings)
    if not logs.resolve().is_relative_to(settings.landing_path.resolve()):
        folders.append(logs)
    return folders


def _protected(settings: Settings, folders: list[Path], exports: list[Path]) -> _Skip:
    done = [f.resolve() for f in (*folders, *exports)]
    keep = {audit.log_path(settings).resolve(), settings.key_path.resolve()}
    return _Skip(done, keep)


@dataclass(frozen=True, slots=True)
class _Skip:
    """Files the final sweep leaves alone: already handled, the audit chain, the key."""

    handled: list[Path]
    keep: set[Path]

    def __call__(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved in self.keep or any(resolved.is_relative_to(folder) for folder in self.handled)
