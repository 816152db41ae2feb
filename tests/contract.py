"""Contracts written out from the shared design documents, for tests to hold the code to.

Restated here rather than imported from the code: a test that read the columns from
``core.schema`` would pass whatever the code says.
"""

from __future__ import annotations

# docs/metrics.md (from ../shared/design/metrics.md), "Send log": the columns, in that order
SEND_LOG_COLUMNS = [
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
]
