"""The customer-service window: may this event be answered with a free-form reply?

WhatsApp delivers a free-form (session) message only within 24 hours of the customer's last
message to the business; outside it only approved templates (Cloud API error 131047, lint T005).
The customer's last message is the later of the event's ``customer.last_inbound_at`` (what the
shop knows) and the warehouse's record of inbound messages (``wagate ingest`` of the receiver's
webhooks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import polars as pl

from core.config import Settings
from core.phones import to_e164
from sender.run import workspace_history
from triggers.events import Event
from triggers.mapping import EventRule, render

WINDOW = timedelta(hours=24)
# the send follows the check by the gate's lint and the pacing; a window about to close is left to
# the template rather than risking a 131047
MARGIN = timedelta(minutes=5)


@runtime_checkable
class InboundHistory(Protocol):
    """Anything that knows when numbers last wrote (``core.history.WarehouseHistory``)."""

    def last_inbound(self, numbers: pl.Series) -> pl.DataFrame:
        """e164, last_inbound_at of the numbers that wrote."""
        ...


@dataclass(frozen=True, slots=True)
class ServiceReply:
    """The free-form text an event sends, and the customer message that opened the window."""

    text: str
    last_inbound_at: datetime


def service_reply(
    rule: EventRule,
    event: Event,
    settings: Settings,
    history: object | None,
    now: datetime | None = None,
) -> ServiceReply | None:
    """The rendered free-form reply when the rule has one and the customer's window is open."""
    if rule.free_form is None:
        return None
    last = last_inbound_at(event, settings, history)
    at = now if now is not None else datetime.now(UTC)
    if last is None or last <= at - WINDOW + MARGIN:
        return None
    return ServiceReply(render(rule.free_form, event, "free_form"), last)


def last_inbound_at(event: Event, settings: Settings, history: object | None) -> datetime | None:
    """The customer's latest message to the business, from the event and the warehouse."""
    known = [event.customer.last_inbound_at] if event.customer.last_inbound_at is not None else []
    e164 = to_e164(event.customer.phone)
    source = history if history is not None else workspace_history(settings)
    if e164 is not None and isinstance(source, InboundHistory):
        frame = source.last_inbound(pl.Series("e164", [e164], dtype=pl.String))
        known.extend(at for at in frame["last_inbound_at"].to_list() if at is not None)
    return max((_utc(at) for at in known), default=None)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
