"""`wagate export parquet DIR`: the canonical event tables as Hive-partitioned Parquet by day."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import InputError
from core.warehouse import Warehouse
from pipelines.sources.files import EXPORT_MARKER
from pipelines.sqlfiles import statements

EXPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ExportReport:
    """Rows written per table."""

    directory: str
    tables: dict[str, int]


def export_parquet(wh: Warehouse, out_dir: Path) -> ExportReport:
    """Write every raw event table under ``out_dir/<table>/day=YYYY-MM-DD/``; replaces an earlier export."""
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / EXPORT_MARKER).exists():
        raise InputError(
            f"{out_dir} is not empty and is not a wagate export", hint="choose an empty or new folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table, statement in statements("export").items():
        target = out_dir / table
        shutil.rmtree(target, ignore_errors=True)
        counts[table] = int(wh.scalar(f"SELECT count(*) FROM raw.{table}"))
        if counts[table]:
            wh.execute(statement.replace("{dir}", sql_literal(str(target))))
    marker = {
        "format": "wagate-export",
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "partitioning": "hive: day=YYYY-MM-DD (UTC date of the event)",
        "tables": counts,
    }
    (out_dir / EXPORT_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return ExportReport(str(out_dir), counts)


def stage_export(wh: Warehouse, folder: Path, file_id: int) -> None:
    """Put an export's rows into the staging tables (the merge then skips known event ids)."""
    for table, statement in statements("import").items():
        if not any((folder / table).glob("*/*.parquet")):
            continue
        wh.execute(statement.replace("{dir}", sql_literal(str(folder))), {"file_id": file_id})


def sql_literal(text: str) -> str:
    """A string as an SQL literal (for statements that cannot take bound parameters)."""
    return "'" + text.replace("'", "''") + "'"
