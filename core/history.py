"""The warehouse as the linter's and the sender's memory: who is suppressed, who got what when.

Callers pass E.164 numbers; the numbers are keyed in SQL with the workspace secret (the same
keyed pseudonym the pipelines store), so a million contacts cost one query, and the results
come back with the caller's own numbers beside them. Reads use the published snapshot, so a
lint never waits for a load.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from core.config import Settings
from core.phones import ContactKeyer
from core.warehouse import Warehouse

SUPPRESSION_COLUMNS: dict[str, pl.DataType] = {
    "e164": pl.String(),
    "suppressed_at": pl.Datetime("us", "UTC"),
    "scope": pl.String(),
    "reason": pl.String(),
}
SENDS_COLUMNS: dict[str, pl.DataType] = {
    "e164": pl.String(),
    "sent_at": pl.Datetime("us", "UTC"),
    "category": pl.String(),
    "template": pl.String(),
}

_SUPPRESSED = """
SELECT n.e164, s.opted_out_at AS suppressed_at, s.scope,
       CASE s.status WHEN 'review' THEN 'review: ' || s.channel ELSE s.channel END AS reason
FROM numbers n
JOIN core.suppression s ON s.contact_key = {key}
WHERE s.lifted_at IS NULL
ORDER BY n.e164, s.opted_out_at
"""

_SENDS = """
SELECT n.e164, a.attempted_at AS sent_at, a.category, a.template
FROM numbers n
JOIN core.attempts a ON a.contact_key = {key}
WHERE a.outcome IN ('accepted', 'held') AND a.attempted_at >= $since
ORDER BY n.e164, a.attempted_at
"""


class WarehouseHistory:
    """Suppression list and send history read from a workspace's warehouse."""

    def __init__(self, settings: Settings) -> None:
        self._path = settings.warehouse_path
        self._retry = settings.warehouse.read_retry_seconds
        self._keyer = ContactKeyer.for_workspace(settings.key_path)

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """Active suppression entries (opt-outs, and review flags for marketing) of these numbers."""
        return self._query(_SUPPRESSED, numbers, {}, SUPPRESSION_COLUMNS)

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """Accepted sends to these numbers at or after ``since``."""
        return self._query(_SENDS, numbers, {"since": since}, SENDS_COLUMNS)

    def _query(
        self, sql: str, numbers: pl.Series, params: dict[str, object], schema: dict[str, pl.DataType]
    ) -> pl.DataFrame:
        wanted = pl.DataFrame({"e164": numbers.drop_nulls().unique()}, schema={"e164": pl.String})
        if wanted.is_empty():
            return pl.DataFrame(schema=schema)
        with Warehouse.open_snapshot(self._path, retry_seconds=self._retry) as wh:
            wh.register("numbers", wanted)
            frame = wh.frame(
                sql.replace("{key}", self._keyer.sql_expression("n.e164")),
                {**self._keyer.sql_params(), **params},
            )
        return frame.cast(pl.Schema(schema))
