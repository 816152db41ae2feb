"""Erase people from the warehouse, keeping every metric's totals.

A forgotten person's rows are not deleted: they move to a fresh random *tombstone* key that
nothing links back to the person (it is not derived from the number or the workspace secret),
their number, user id, raw JSON and texts are removed, and every text column of the warehouse is
swept for the number in any format and for their profile names. Counts, rates and breaches stay
the same; nobody can find the person in them again.

The opt-out proof stays under the keyed pseudonym (see docs/privacy.md, GDPR Art. 17(3)(b)/(e)).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.warehouse import Warehouse
from pipelines.privacy.person import Person
from pipelines.privacy.textmatch import ERASED, sql_name_pattern, sql_number_pattern
from pipelines.sqlfiles import run_block, statements

SWEPT_SCHEMAS = ("raw", "core", "meta")
_TEXT_TYPES = ("VARCHAR", "JSON")


@dataclass(slots=True)
class WarehouseErasure:
    """What the erasure changed in the warehouse."""

    people_found: int = 0
    swept_cells: dict[str, int] = field(default_factory=dict)  # "schema.table.column" -> cells rewritten


def erase_people(
    wh: Warehouse, people: Sequence[Person], names: Iterable[str], *, now: str
) -> WarehouseErasure:
    """Tombstone and sweep; call inside a transaction."""
    sql = statements("privacy")
    result = WarehouseErasure()
    for person in people:
        if _holds(wh, person.key):
            result.people_found += 1
        params = {"key": person.key, "tomb": secrets.token_hex(16), "now": now}
        for name in ("move_suppression", "tombstone_raw", "tombstone_core", "remember"):
            run_block(wh, sql[name], params)
    result.swept_cells = sweep(wh, [p.e164 for p in people], names)
    return result


def sweep(wh: Warehouse, numbers: Sequence[str], names: Iterable[str]) -> dict[str, int]:
    """Replace the numbers (any format) and names in every text column of raw, core and meta."""
    patterns = [(sql_number_pattern(numbers), f"\\1{ERASED}\\3")] if numbers else []
    name_pattern = sql_name_pattern(names)
    if name_pattern:
        patterns.append((name_pattern, ERASED))
    changed: dict[str, int] = {}
    for schema, table, column, kind in _text_columns(wh):
        target = f"{schema}.{table}"
        for pattern, replacement in patterns:
            text = f'"{column}"::VARCHAR'
            where = f"regexp_matches({text}, $p, 'i')"
            count = int(wh.scalar(f"SELECT count(*) FROM {schema}.{table} WHERE {where}", {"p": pattern}))
            if not count:
                continue
            # twice: neighbouring matches share a separator, so one pass can leave every other one
            new = f"regexp_replace(regexp_replace({text}, $p, $r, 'gi'), $p, $r, 'gi')"
            value = f"({new})::JSON" if kind == "JSON" else new
            wh.execute(
                f'UPDATE {target} SET "{column}" = {value} WHERE {where}', {"p": pattern, "r": replacement}
            )
            changed[f"{schema}.{table}.{column}"] = changed.get(f"{schema}.{table}.{column}", 0) + count
    return changed


def _text_columns(wh: Warehouse) -> list[tuple[str, str, str, str]]:
    rows = wh.rows(
        """
        SELECT c.schema_name, c.table_name, c.column_name, c.data_type
        FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
        WHERE c.database_name = current_database() AND c.schema_name IN ('raw', 'core', 'meta')
          AND c.data_type IN ('VARCHAR', 'JSON') AND NOT t.temporary
        ORDER BY 1, 2, 3
        """
    )
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows if str(d) in _TEXT_TYPES]


def _holds(wh: Warehouse, key: str) -> bool:
    return bool(wh.scalar("SELECT count(*) FROM core.contacts WHERE contact_key = $k", {"k": key}))
