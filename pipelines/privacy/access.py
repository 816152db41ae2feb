"""`wagate privacy export NUMBER`: everything the workspace holds about one person (GDPR Art. 15).

The warehouse part is found generically: every table of every schema with a ``contact_key``
column contributes its rows for the person's keyed pseudonym, so a table added later is never
forgotten. Statuses are joined by the person's message ids; the sender's ledgers and the audit
log are read as well.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import audit
from core.config import Settings
from core.phones import ContactKeyer
from core.warehouse import Warehouse
from pipelines.privacy.person import Person, people

ACCESS_FORMAT = "wagate-access-export"


def access_export(settings: Settings, number: str, *, default_region: str | None = None) -> dict[str, Any]:
    """The person's data as a JSON-ready dict (tables by ``schema.table``, ledgers, audit entries)."""
    keyer = ContactKeyer.for_workspace(settings.key_path)
    person = people([number], keyer, default_region)[0]
    result: dict[str, Any] = {
        "format": ACCESS_FORMAT,
        "version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "number": person.e164,
        "contact_key": person.key,
        "tables": {},
        "statuses": [],
        "ledgers": _ledgers(settings, person),
        "audit": [e.to_dict() for e in audit.read(settings) if _mentions(e.details, person.key)],
    }
    path = settings.warehouse_path
    if path.exists():
        with Warehouse.open_reader(path, retry_seconds=settings.warehouse.read_retry_seconds) as wh:
            result["tables"] = person_tables(wh, person)
            result["statuses"] = wh.dicts(
                """
                SELECT s.* EXCLUDE (raw) FROM raw.status_events s
                WHERE s.wamid IN (SELECT wamid FROM core.messages WHERE contact_key = $k)
                  AND (s.contact_key IS NULL OR s.contact_key <> $k)
                ORDER BY s.ts
                """,
                {"k": person.key},
            )
    audit.record(settings, "privacy.export", contact_keys=[person.key], tables=sorted(result["tables"]))
    return result


def person_tables(wh: Warehouse, person: Person) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table with a ``contact_key`` column that belong to the person."""
    tables = wh.rows(
        """
        SELECT DISTINCT c.schema_name, c.table_name
        FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
        WHERE c.column_name = 'contact_key' AND NOT t.temporary AND c.database_name = current_database()
        ORDER BY 1, 2
        """
    )
    found = {}
    for schema, table in tables:
        rows = wh.dicts(f'SELECT * FROM "{schema}"."{table}" WHERE contact_key = $k', {"k": person.key})
        if rows:
            found[f"{schema}.{table}"] = rows
    return found


def write_json(data: dict[str, Any], path: Path | None) -> str:
    """The export as JSON text; written to ``path`` (owner-only) when given."""
    text = json.dumps(data, ensure_ascii=False, indent=1, default=_plain) + "\n"
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def _ledgers(settings: Settings, person: Person) -> list[dict[str, Any]]:
    folder = settings.resolve(settings.send.ledger_dir)
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.sqlite")) if folder.is_dir() else []:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        try:
            found = con.execute("SELECT * FROM messages WHERE to_number IN (?, ?)", person.forms).fetchall()
        except sqlite3.Error:
            found = []
        finally:
            con.close()
        rows += [{"ledger": path.name, **dict(row)} for row in found]
    return rows


def _mentions(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return any(_mentions(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, key) for v in value)
    return bool(value == key)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
