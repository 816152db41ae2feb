"""Resuming a campaign: settle what a killed or timed-out run left unknown, before sending again.

A message is ``unknown`` when its API call may have gone through without the answer being
recorded (the process was killed between call and record, or the answer never came). Two
witnesses can settle it, tried in this order:

1. the campaign's own send logs: a row is written (one complete line) before the ledger records
   the outcome, so a run killed in between left the answer there;
2. receipts: the key was sent as ``biz_opaque_callback_data`` and Meta echoes it in every status
   webhook, so a status in the warehouse carrying the key proves the message was accepted (its
   wamid is recorded, and a send-log row is written so metrics can join its receipts).

What neither settles stays ``unknown`` and is not sent again unless the operator asks
(``--resend-unknown``) — best after the receiver and ``wagate ingest`` have caught up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import polars as pl

from sender.ledger import Ledger, State
from sender.model import Campaign
from sender.sendlog import SendLog, logged_sends, send_log_row

log = logging.getLogger(__name__)


class Receipts(Protocol):
    """Status receipts by callback key (``core.history.WarehouseHistory.callbacks``)."""

    def callbacks(self, keys: Sequence[str]) -> pl.DataFrame:
        """Columns key, wamid, status, at for statuses whose biz_opaque_callback_data is a key."""
        ...


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What reconciliation found."""

    from_send_log: int
    from_receipts: int
    still_unknown: int
    crashed: int  # intents a killed run left (now unknown or settled)


def reconcile(
    campaign: Campaign,
    ledger: Ledger,
    *,
    send_log_root: Path,
    send_log: SendLog,
    receipts: Receipts | None,
    phone_number_id: str,
    clock: Callable[[], datetime],
) -> Reconciled:
    """Turn a killed run's intents into ``unknown``, then settle the unknowns the witnesses prove."""
    crashed = ledger.recover_intents(clock())
    entries = ledger.entries()
    unknown = [key for key, entry in entries.items() if entry.state == "unknown"]
    if not unknown:
        return Reconciled(0, 0, 0, crashed)
    logged = logged_sends(send_log_root, campaign.name, unknown)
    for key, row in logged.items():
        state: State = "held" if row.outcome == "held" else "accepted"
        ledger.settle(key, state, clock(), wamid=row.wamid, reason="settled from the send log")
    rest = [key for key in unknown if key not in logged]
    from_receipts = 0
    if rest and receipts is not None:
        by_key = {m.key: m for m in campaign.messages}
        for key, wamid in _first_wamids(receipts.callbacks(rest)).items():
            entry = entries[key]
            ledger.settle(key, "accepted", clock(), wamid=wamid, reason="settled from a receipt")
            message = by_key.get(key)
            if message is not None:
                # the call's answer was lost, so its send-log row was never written: write it now,
                # at the time of the call, so metrics join this message's receipts
                send_log.write(
                    send_log_row(
                        message,
                        attempted_at=entry.intent_at or clock(),
                        phone_number_id=phone_number_id,
                        outcome="accepted",
                        wamid=wamid,
                        lint_report=entry.lint_report or campaign.report.digest,
                    )
                )
            from_receipts += 1
    still = len(unknown) - len(logged) - from_receipts
    if logged or from_receipts:
        log.info(
            "settled %d unknown outcomes from send logs and %d from receipts", len(logged), from_receipts
        )
    return Reconciled(len(logged), from_receipts, still, crashed)


def _first_wamids(frame: pl.DataFrame) -> dict[str, str]:
    """One wamid per key (a key has one message; several statuses name the same wamid)."""
    found: dict[str, str] = {}
    if frame.is_empty():
        return found
    for key, wamid in frame.select("key", "wamid").iter_rows():
        if key is not None and wamid and key not in found:
            found[str(key)] = str(wamid)
    return found
