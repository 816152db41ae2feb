"""What every `wagate ingest` does for privacy and the audit trail (called from pipelines.run)."""

from __future__ import annotations

import json

from core import audit
from core.config import Settings
from core.phones import ContactKeyer
from core.warehouse import Warehouse
from pipelines.sqlfiles import run_block, statements


def before_merge(wh: Warehouse, keyer: ContactKeyer) -> None:
    """Remove staged records of forgotten people, so re-loading an old file never brings them back."""
    if not _exists(wh, "privacy", "forgotten") or not wh.scalar("SELECT count(*) FROM privacy.forgotten"):
        return
    block = statements("privacy")["drop_forgotten"]
    block = block.replace("{key_ident}", keyer.sql_expression("ident"))
    block = block.replace("{key_to}", keyer.sql_expression("to_number"))
    run_block(wh, block, keyer.sql_params())


def after_derive(wh: Warehouse, settings: Settings) -> None:
    """Keep opt-out proofs with the pseudonym only, and copy new audit entries into ``audit.log``."""
    if _exists(wh, "privacy", "tombstones"):
        run_block(wh, statements("privacy")["tombstone_suppression"])
    if _exists(wh, "audit", "log"):
        load_audit(wh, settings)


def load_audit(wh: Warehouse, settings: Settings) -> int:
    """Append audit entries the warehouse does not have yet; returns how many."""
    known = {str(h) for (h,) in wh.rows("SELECT hash FROM audit.log")}
    new = [e for e in audit.read(settings) if e.hash not in known]
    for entry in new:
        wh.execute(
            "INSERT INTO audit.log VALUES ($seq, $at::TIMESTAMPTZ, $action, $operator, $details::JSON, $prev, $hash)",
            {**entry.to_dict(), "details": json.dumps(entry.details, ensure_ascii=False)},
        )
    return len(new)


def _exists(wh: Warehouse, schema: str, table: str) -> bool:
    return bool(
        wh.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = $s AND table_name = $t AND NOT temporary",
            {"s": schema, "t": table},
        )
    )
