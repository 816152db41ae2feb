"""The typed result of a load: what `wagate ingest` prints, tests assert and alerts can read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class SourceReport:
    """What happened to one input file."""

    path: str
    kind: str
    status: str  # loaded | appended | unchanged | quarantined
    records: int = 0  # records staged from the file (events, rows)
    new_events: int = 0  # records that were new to the warehouse
    quarantined: int = 0


@dataclass(slots=True)
class RunReport:
    """Counts of one `wagate ingest` run."""

    run_id: str
    started_at: str
    finished_at: str = ""
    duration_seconds: float = 0.0
    files_loaded: int = 0
    files_unchanged: int = 0
    records: int = 0
    new_events: int = 0
    duplicates: int = 0
    quarantined: int = 0
    new_by_table: dict[str, int] = field(default_factory=dict)
    contacts_recomputed: int = 0
    suppression_active: int = 0
    ignored_files: list[str] = field(default_factory=list)
    sources: list[SourceReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)

    def summary_lines(self) -> list[str]:
        """A short human summary for the terminal."""
        lines = [
            f"run {self.run_id}: {self.files_loaded} file(s) loaded, {self.files_unchanged} unchanged"
            f" in {self.duration_seconds:.2f}s",
            f"  records {self.records:,}  new {self.new_events:,}  duplicates {self.duplicates:,}"
            f"  quarantined {self.quarantined:,}",
        ]
        if self.new_by_table:
            parts = "  ".join(f"{name} {count:,}" for name, count in self.new_by_table.items())
            lines.append(f"  new rows: {parts}")
        lines.append(
            f"  contacts recomputed {self.contacts_recomputed:,}  on suppression list {self.suppression_active:,}"
        )
        if self.quarantined:
            lines.append("  see quarantined records with: wagate quarantine")
        if self.ignored_files:
            lines.append(
                f"  ignored {len(self.ignored_files)} file(s) of unsupported types, e.g. {self.ignored_files[0]}"
            )
        return lines
