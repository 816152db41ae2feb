"""Names shared by every part: the send-log contract (docs/metrics.md) and warehouse objects."""

from __future__ import annotations

# The send-log columns, in order: the sender writes them, ingest reads them, tools exchange them.
SEND_LOG_COLUMNS: tuple[str, ...] = (
    "attempted_at",
    "campaign",
    "template",
    "language",
    "category",
    "to",
    "phone_number_id",
    "outcome",
    "wamid",
    "error_code",
    "error_title",
    "idempotency_key",
    "lint_report",
)

# Optional columns ingest also understands (BSP exports): a per-message status and marks.
SEND_LOG_EXTRA_COLUMNS: tuple[str, ...] = ("complaint", "blocked", "status", "status_at")

CATEGORIES: tuple[str, ...] = ("marketing", "utility", "authentication", "service")
