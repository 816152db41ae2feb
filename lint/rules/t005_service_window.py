"""T005 service-window."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import UTC_DATETIME
from lint.rules._common import column, utc, valid_contacts

WINDOW = timedelta(hours=24)


class ServiceWindow(Rule):
    """Free-form message outside the 24-hour customer-service window.

    What it does:
        For a free-form (session) draft, reports contacts whose last message to the business
        (``last_inbound_at``) is missing or at least 24 hours before the send time (the end of
        the send window, for a window).

    Why it matters:
        Outside the customer-service window WhatsApp only delivers approved templates; a
        free-form message fails (Twilio 63016, Cloud API 131047) and repeated attempts hurt the
        number's quality.

    Example:
        A free-form draft sent at 2025-06-02 10:00 to a contact whose ``last_inbound_at`` is
        2025-06-01 09:00.

    Use instead:
        An approved template for contacts outside the window.

    Configuration:
        ``last_inbound_at`` column (aliases in ``packs/columns.toml``).

    References:
        WhatsApp customer service window (Meta "Service messages"); Cloud API error 131047.
    """

    code = "T005"
    name = "service-window"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("template", "window")
    basis = "WhatsApp customer-service window rule (free-form only within 24 h of the user's last message)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts without an open window at the send time."""
        if draft is None or draft.kind != "free_form":
            return None
        last = column(contacts, "last_inbound_at", UTC_DATETIME)
        latest_send = max(ctx.send_times)
        closed = last.is_null() | (last <= utc(latest_send - WINDOW))
        message = (
            pl.when(last.is_null())
            .then(
                pl.format(
                    "No open 24-hour customer-service window for {} (no last inbound message on record); "
                    "use an approved template.",
                    pl.col("e164"),
                )
            )
            .otherwise(
                pl.format(
                    "No open 24-hour customer-service window for {} (last message {}); use an approved template.",
                    pl.col("e164"),
                    last.dt.strftime("%Y-%m-%d %H:%M UTC"),
                )
            )
        )
        return valid_contacts(contacts, "last_inbound_at").filter(closed).select("_row", message=message)
