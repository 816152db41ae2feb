"""The suppression list as the gate and the pre-send checks see it.

The linter judges every suppression entry it is shown (an opt-out followed by a newer consent
grant does not block, a ``marketing`` opt-out does not block a utility template). The gate
records which entries that were, so that just before each message the sender acts only on
entries the lint never saw: an opt-out that arrived after the lint.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from core.config import Settings
from core.history import WarehouseHistory
from core.schema import CATEGORIES
from core.warehouse import snapshot_path
from lint.config import LintConfig
from lint.history import FileHistory, History, NoHistory

# opt-out scopes the linter understands (O003); any other word is unclear and covers everything
_PURPOSES = frozenset(CATEGORIES)


def suppression_id(e164: str, suppressed_at: datetime | None, scope: str | None, reason: str | None) -> str:
    """A stable identity of one suppression entry (number, time, scope, reason)."""
    when = suppressed_at.isoformat() if suppressed_at is not None else ""
    return "\x1f".join((e164, when, scope or "", reason or ""))


def frame_ids(frame: pl.DataFrame) -> frozenset[str]:
    """Identities of the entries of a suppression frame (``lint.history.SUPPRESSION_SCHEMA``)."""
    return frozenset(
        suppression_id(e164, at, scope, reason)
        for e164, at, scope, reason in frame.select("e164", "suppressed_at", "scope", "reason").iter_rows()
        if e164 is not None
    )


def covers(scope: str | None, category: str) -> bool:
    """Whether an opt-out of this scope stops a message of this category.

    The linter's reading (O003): an empty scope, ``all`` or a word it does not know covers
    everything; otherwise a comma-separated list of purposes covers those purposes.
    """
    items = [item.strip() for item in (scope or "").lower().split(",")]
    if any(item in ("", "all") or item not in _PURPOSES for item in items):
        return True
    return category in items


def workspace_history(settings: Settings, config: LintConfig) -> History:
    """The history a lint of this workspace reads: the warehouse, else the files named in [lint]."""
    warehouse = settings.warehouse_path
    if warehouse.exists() or snapshot_path(warehouse).exists():
        return WarehouseHistory(settings)
    if config.suppression or config.send_log:
        return FileHistory(config.suppression, config.send_log)
    return NoHistory()


class RecordingHistory:
    """A history that remembers every suppression entry it handed out (the gate's witness)."""

    def __init__(self, inner: History) -> None:
        self._inner = inner
        self.seen: set[str] = set()

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """The inner history's answer, remembered."""
        frame = self._inner.suppressed(numbers)
        self.seen |= frame_ids(frame)
        return frame

    def sends(self, numbers: pl.Series, since: datetime) -> pl.DataFrame:
        """The inner history's answer."""
        return self._inner.sends(numbers, since)
