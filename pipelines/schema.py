"""Creating the warehouse schema and keeping the marts' parameters current."""

from __future__ import annotations

import hashlib

from core.config import Settings
from core.queries import COUNT_KEYS, GROUP_KEYS, MESSAGE_COUNTS, metrics_sql
from core.warehouse import Warehouse, snapshot_path
from pipelines.classify import Lexicon
from pipelines.sqlfiles import run_block, script, statements

SCHEMA_VERSION = 1

# settings that change derived rows: a change recomputes every contact
_DERIVATION_PARAMS = ("reporting_timezone", "attribution_window_hours", "lexicon_version")


def migrate(wh: Warehouse) -> None:
    """Create what is missing, (re)create the marts and republish the snapshot, unless this code already did."""
    wanted = _definition_hash()
    if _stored_hash(wh) == wanted:
        return  # a re-run on unchanged inputs should cost next to nothing
    wh.execute_script(script("schema"))
    if wh.scalar("SELECT count(*) FROM meta.schema_version") == 0:
        wh.execute("INSERT INTO meta.schema_version VALUES ($v)", {"v": SCHEMA_VERSION})
    wh.execute_script(script("marts"))
    rebuild_facts(wh)  # before the metrics views, which read it; and a changed definition applies now
    for key in GROUP_KEYS:
        # the same SQL `wagate metrics --by KEY` runs, without a date range
        wh.execute(f"CREATE OR REPLACE VIEW marts.metrics_by_{key} AS {metrics_sql(key, date_range=False)}")
    wh.execute("INSERT OR REPLACE INTO meta.params VALUES ('schema_hash', $h)", {"h": wanted})
    if wh.path is not None and snapshot_path(wh.path).exists():
        # readers open the snapshot: one published by older code may lack what this code reads
        # (marts.daily_facts), and a run with nothing new to load would not publish again
        wh.publish_snapshot()


def _definition_hash() -> str:
    text = (
        script("schema")
        + script("marts")
        + _facts_sql()
        + "".join(metrics_sql(key, date_range=False) for key in GROUP_KEYS)
    )
    return hashlib.sha256(f"{SCHEMA_VERSION}\0{text}".encode()).hexdigest()


def rebuild_facts(wh: Warehouse) -> None:
    """Rebuild ``marts.daily_facts`` and ``marts.breach_facts`` from core, whole.

    Call it after anything that changes core or meta.params (a load, an erasure), in the same
    transaction, so no reader ever sees the aggregate disagree with the row-level views.
    """
    run_block(wh, _facts_sql())


def _facts_sql() -> str:
    sums = ("messages", *COUNT_KEYS)
    fills = {
        "{group_keys}": ", ".join(f"{expr} AS {name}" for name, expr in GROUP_KEYS.items()),
        "{key_names}": ", ".join(GROUP_KEYS),
        # count_if: several times faster on DuckDB than count(*) FILTER (...) for this many conditions
        "{message_counts}": ", ".join(f"count_if({cond}) AS {name}" for name, cond in MESSAGE_COUNTS.items()),
        # every source lacks some columns (UNION ALL BY NAME fills NULL); sum() of BIGINT is HUGEINT
        "{sums}": ", ".join(f"coalesce(sum({name}), 0)::BIGINT AS {name}" for name in sums),
    }
    block = statements("daily_facts")["rebuild"]
    for placeholder, text in fills.items():
        block = block.replace(placeholder, text)
    return block


def _stored_hash(wh: Warehouse) -> str | None:
    exists = wh.scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'params'"
    )
    if not exists:
        return None
    value = wh.scalar("SELECT value FROM meta.params WHERE name = 'schema_hash'")
    return str(value) if value is not None else None


def _current(settings: Settings, lexicon: Lexicon) -> dict[str, str]:
    return {
        "reporting_timezone": settings.metrics.reporting_timezone,
        "attribution_window_hours": repr(float(settings.metrics.attribution_window_hours)),
        "lexicon_version": lexicon.version,
        "stale_sent_hours": repr(float(settings.metrics.stale_sent_hours)),
    }


def rebuild_reasons(wh: Warehouse, settings: Settings, lexicon: Lexicon) -> list[str]:
    """Why every contact must be recomputed (settings or lexicon changed since the last load)."""
    stored = dict(wh.rows("SELECT name, value FROM meta.params"))
    if not wh.scalar("SELECT count(*) FROM core.contacts"):
        return []
    current = _current(settings, lexicon)
    return [
        f"{name} changed from {stored[name]} to {current[name]}"
        for name in _DERIVATION_PARAMS
        if name in stored and stored[name] != current[name]
    ]


def store_params(wh: Warehouse, settings: Settings, lexicon: Lexicon) -> None:
    """Record the parameters the marts views read, and the newest receipt."""
    values = _current(settings, lexicon)
    newest = wh.scalar("SELECT max(ts) FROM raw.status_events")
    if newest is not None:
        values["newest_receipt"] = newest.isoformat()
    for name, value in values.items():
        wh.execute("INSERT OR REPLACE INTO meta.params VALUES ($n, $v)", {"n": name, "v": value})
