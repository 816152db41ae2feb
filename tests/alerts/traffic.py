"""Hand-built traffic for alert tests: send-log rows and webhook bodies with known complaint counts.

Every message goes to its own person (a UK mobile +4474000NNNNN), is sent, delivered 30 s later,
and, if chosen, answered "this is spam" (a complaint) ``reply_after`` later with context.id set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.pipelines.bodies import PHONE_ID, envelope, send_row, text_reply, write_lines


@dataclass(frozen=True)
class Batch:
    """``count`` messages of one campaign sent ``every`` apart from ``start``; ``complaints`` of them complain."""

    campaign: str
    start: datetime
    count: int
    every: timedelta
    complaints: int = 0
    reply_after: timedelta = timedelta(hours=1)
    template: str | None = None
    delivered: bool = True
    receipts: bool = True  # False: no status webhook at all (the receiver was down)
    fail_every: int = 0  # every n-th message fails with fail_code instead of being delivered
    fail_code: int = 131048


def _number(i: int) -> str:
    return f"4474000{i:05d}"


def build(folder: Path, batches: Iterable[Batch]) -> Path:
    """Write send_log.jsonl and webhooks.ndjson under ``folder``; return it."""
    rows: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    replies: list[dict[str, Any]] = []
    person = 0
    for batch in batches:
        # spread the complaints evenly over the batch: every k-th message complains
        chosen = (
            {round(j * batch.count / batch.complaints) for j in range(batch.complaints)}
            if batch.complaints
            else set()
        )
        for i in range(batch.count):
            person += 1
            wamid = f"wamid.{batch.campaign}.{i}"
            to = _number(person)
            sent = batch.start + batch.every * i
            row = send_row(wamid, f"+{to}", sent.isoformat(), campaign=batch.campaign)
            if batch.template:
                row["template"] = batch.template
            rows.append(row)
            ts = int(sent.timestamp())
            if batch.receipts:
                statuses.extend(_fate(batch, i, wamid, to, ts))
            if i in chosen:
                at = ts + int(batch.reply_after.total_seconds())
                replies.append(text_reply(f"in.{wamid}", to, at, "this is spam", context=wamid))
    bodies = [_statuses(statuses[i : i + 100]) for i in range(0, len(statuses), 100)]
    write_lines(folder / "send_log.jsonl", rows)
    write_lines(folder / "webhooks.ndjson", bodies + replies)
    return folder


def _fate(batch: Batch, i: int, wamid: str, to: str, ts: int) -> list[dict[str, Any]]:
    sent = {"id": wamid, "status": "sent", "timestamp": str(ts + 5), "recipient_id": to}
    if batch.fail_every and i % batch.fail_every == 0:
        error = {"code": batch.fail_code, "title": f"error {batch.fail_code}", "message": "test"}
        return [
            sent,
            {
                "id": wamid,
                "status": "failed",
                "timestamp": str(ts + 20),
                "recipient_id": to,
                "errors": [error],
            },
        ]
    if batch.delivered:
        return [sent, {"id": wamid, "status": "delivered", "timestamp": str(ts + 30), "recipient_id": to}]
    return [sent]


def _statuses(items: list[dict[str, Any]]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
        "statuses": items,
    }
    return envelope("messages", value)
