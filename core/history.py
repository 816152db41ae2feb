"""The warehouse as the linter's and the sender's memory: who is suppressed, who got what when.

Callers pass E.164 numbers; the numbers are keyed in SQL with the workspace secret (the same
keyed pseudonym the pipelines store), so a million contacts cost one query, and the results
come back with the caller's own numbers beside them. Reads use the published snapshot, so a
lint never waits for a load.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from core.config import Settings
from core.phones import ContactKeyer
from core.warehouse import Warehouse, snapshot_path

SUPPRESSION_COLUMNS: dict[str, pl.DataType] = {
    "e164": pl.String(),
    "suppressed_at": pl.Datetime("us", "UTC"),
    "scope": pl.String(),
    "reason": pl.String(),
}
CALLBACK_COLUMNS: dict[str, pl.DataType] = {
    "key": pl.String(),
    "wamid": pl.String(),
    "status": pl.String(),
    "status_at": pl.Datetime("us", "UTC"),
}
INBOUND_COLUMNS: dict[str, pl.DataType] = {
    "e164": pl.String(),
    "last_inbound_at": pl.Datetime("us", "UTC"),
}
# the columns of lint.history.REPLIES_SCHEMA (core cannot import lint)
REPLY_COLUMNS: dict[str, pl.DataType] = {
    "e164": pl.String(),
    "received_at": pl.Datetime("us", "UTC"),
    "text": pl.String(),
    "matched": pl.String(),
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

# is_response: a message the person wrote (text, media, button, a reaction with an emoji), not a
# system notice: only those open the 24-hour customer-service window
_LAST_INBOUND = """
SELECT n.e164, max(i.ts) AS last_inbound_at
FROM numbers n
JOIN core.inbound i ON i.contact_key = {key}
WHERE i.is_response
GROUP BY n.e164
ORDER BY n.e164
"""

# Replies the pipelines flagged for a person to review (an opt-out word inside a sentence) and
# that no later opt-in resolved: the ingest processed every other reply on its own. core.inbound
# keeps the matched word, not the text (texts stay in raw and are purged with it).
_UNREVIEWED = """
SELECT n.e164, s.opted_out_at AS received_at, coalesce(i.keyword, s.channel) AS text,
       'optout_contains' AS matched
FROM numbers n
JOIN core.suppression s ON s.contact_key = {key}
LEFT JOIN core.inbound i ON i.event_id = s.event_id
WHERE s.status = 'review' AND s.lifted_at IS NULL
ORDER BY n.e164, s.opted_out_at
"""

_REACH = """
SELECT count(DISTINCT contact_key) FROM core.attempts
WHERE outcome IN ('accepted', 'held') AND attempted_at >= $since
"""

# the first status of each message whose biz_opaque_callback_data is one of the keys; at equal
# times the earlier stage wins (a duplicate delivery and its read can share a second)
_CALLBACKS = """
SELECT s.biz_opaque_callback_data AS key, s.wamid, s.status, s.ts AS status_at
FROM raw.status_events s
JOIN wanted w ON w.key = s.biz_opaque_callback_data
QUALIFY row_number() OVER (
    PARTITION BY s.biz_opaque_callback_data, s.wamid
    ORDER BY s.ts, CASE s.status WHEN 'sent' THEN 0 WHEN 'delivered' THEN 1 WHEN 'read' THEN 2
                                 WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 5 END
) = 1
ORDER BY key, status_at, s.wamid
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

    def last_inbound(self, numbers: pl.Series) -> pl.DataFrame:
        """The time of each number's latest message to the business (columns :data:`INBOUND_COLUMNS`).

        Numbers that never wrote have no row. A message less than 24 hours before a send means
        the customer-service window is open: a free-form reply may be sent then.
        """
        if not self._exists():
            return pl.DataFrame(schema=INBOUND_COLUMNS)
        return self._query(_LAST_INBOUND, numbers, {}, INBOUND_COLUMNS)

    def unreviewed_replies(self, numbers: pl.Series) -> pl.DataFrame:
        """Replies from these numbers flagged for review and not resolved (the linter's O004)."""
        if not self._exists():
            return pl.DataFrame(schema=REPLY_COLUMNS)
        return self._query(_UNREVIEWED, numbers, {}, REPLY_COLUMNS)

    def reach(self, since: datetime) -> int:
        """Distinct contacts with an accepted or held send at or after ``since``, all campaigns.

        This is what Meta's messaging limit counts (unique recipients in a rolling 24 hours, for
        the whole business portfolio). 0 when the workspace has no warehouse yet.
        """
        if not self._exists():
            return 0
        with Warehouse.open_snapshot(self._path, retry_seconds=self._retry) as wh:
            return int(wh.scalar(_REACH, {"since": since}) or 0)

    def callbacks(self, keys: Sequence[str]) -> pl.DataFrame:
        """Receipts that echo these idempotency keys (``biz_opaque_callback_data``).

        One row per key and wamid (columns of :data:`CALLBACK_COLUMNS`): the message's first
        status and its time. The sender uses it to settle sends whose outcome a crash left
        unknown: a key with a row reached Meta; a key without one may not have.
        """
        wanted = pl.DataFrame({"key": list(dict.fromkeys(keys))}, schema={"key": pl.String})
        if wanted.is_empty() or not self._exists():
            return pl.DataFrame(schema=CALLBACK_COLUMNS)
        with Warehouse.open_snapshot(self._path, retry_seconds=self._retry) as wh:
            wh.register("wanted", wanted)
            frame = wh.frame(_CALLBACKS)
        return frame.cast(pl.Schema(CALLBACK_COLUMNS))

    def _exists(self) -> bool:
        return self._path.exists() or snapshot_path(self._path).exists()

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
