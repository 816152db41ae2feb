"""Opt-outs that an order does not undo.

The linter lets a consent grant newer than an opt-out re-open messaging (O003). A triggered
message's grant is the order itself, which is always newer than any earlier STOP, so the linter
alone would let every new order override an opt-out. An order is not a new opt-in: a suppression
entry covering utility messages stops the event here, unless the event carries the shop's own
record of a WhatsApp opt-in (``customer.consent.at``) made after the opt-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import polars as pl

from core.config import Settings
from core.phones import to_e164
from lint import load_lint_config
from sender.suppressions import covers, workspace_history
from triggers.events import Event, EventError, parse_time


class Suppressions(Protocol):
    """Anything that answers suppression-list look-ups (the warehouse, or the [lint] files)."""

    def suppressed(self, numbers: pl.Series) -> pl.DataFrame:
        """Suppression entries of these numbers: e164, suppressed_at, scope, reason."""
        ...


@dataclass(frozen=True, slots=True)
class OptOut:
    """The opt-out that stops an event."""

    at: datetime | None
    scope: str | None
    reason: str | None

    def describe(self) -> str:
        """One line for the outcome."""
        when = self.at.date().isoformat() if self.at is not None else "an unknown date"
        return (
            f"the customer opted out on {when} ({self.reason or 'suppression list'}); "
            "an order is not a new opt-in"
        )


def standing_opt_out(settings: Settings, event: Event, history: Suppressions | None) -> OptOut | None:
    """The latest opt-out covering utility messages that the event does not supersede, if any."""
    e164 = to_e164(event.customer.phone)
    if e164 is None:
        return None  # the linter reports the number (N001)
    source = (
        history if history is not None else workspace_history(settings, load_lint_config(settings.workspace))
    )
    entries = source.suppressed(pl.Series("e164", [e164], dtype=pl.String))
    found = [
        OptOut(at, scope, reason)
        for at, scope, reason in entries.select("suppressed_at", "scope", "reason").iter_rows()
        if covers(scope, "utility")
    ]
    if not found:
        return None
    latest = max(found, key=lambda o: (o.at is not None, o.at or datetime.min))
    grant = _explicit_grant(event)
    if grant is not None and latest.at is not None and grant > latest.at:
        return None
    return latest


def _explicit_grant(event: Event) -> datetime | None:
    consent = event.customer.consent
    if not consent or not consent.get("at"):
        return None
    try:
        return parse_time(consent.get("at"), "customer.consent.at")
    except EventError:
        return None
