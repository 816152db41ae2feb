"""Look for a person everywhere in a workspace: every table and view, every file, every export."""

from __future__ import annotations

import re
from pathlib import Path

from core.warehouse import Warehouse


def cells(wh: Warehouse) -> list[tuple[str, str]]:
    """(relation, text of a cell) for every cell of every table and view of the warehouse."""
    relations = wh.rows(
        """
        SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()
        UNION ALL
        SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()
        """
    )
    found = []
    for schema, name in relations:
        for row in wh.rows(f'SELECT * FROM "{schema}"."{name}"'):
            found += [(f"{schema}.{name}", str(value)) for value in row if value is not None]
    return found


def mentions(text: str, national_digits: str, name: str) -> bool:
    """Whether text holds the number in any format (its digits in a row) or the name."""
    digits_only = re.sub(r"\D", "", text)
    return national_digits in digits_only or name.lower() in text.lower()


def warehouse_hits(path: Path, national_digits: str, name: str) -> list[str]:
    """Relations of the warehouse (or snapshot) that mention the person."""
    with Warehouse.open_reader(path) as wh:
        return sorted({rel for rel, text in cells(wh) if mentions(text, national_digits, name)})


def parquet_hits(folder: Path, national_digits: str, name: str) -> list[str]:
    """Parquet files of an export that mention the person."""
    hits = []
    with Warehouse.in_memory() as wh:
        for file in sorted(folder.rglob("*.parquet")):
            rows = wh.rows(f"SELECT * FROM read_parquet('{file}')")
            if any(mentions(str(v), national_digits, name) for row in rows for v in row if v is not None):
                hits.append(str(file))
    return hits


def file_hits(root: Path, national_digits: str, name: str) -> list[str]:
    """Text-readable files (not DuckDB or Parquet, checked by query) whose bytes mention the person."""
    hits = []
    for file in sorted(root.rglob("*")):
        if not file.is_file() or file.suffix in (".duckdb", ".parquet"):
            continue
        text = file.read_bytes().decode("utf-8", errors="replace")
        if mentions(text, national_digits, name):
            hits.append(str(file))
    return hits
