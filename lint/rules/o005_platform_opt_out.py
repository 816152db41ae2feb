"""O005 platform-opt-out."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import parse_flags
from lint.rules._common import column, valid_contacts

# Cloud API error: the user has stopped marketing messages from businesses ("Stop promotions")
MARKETING_STOPPED_ERROR = "131050"
SIGNALS = ("wa_blocked", "wa_reported_spam", "wa_marketing_stopped", "last_error_code")


def _flag(frame: pl.DataFrame, name: str) -> pl.Series:
    """A yes/no column as booleans (false when the file lacks it or the cell is empty)."""
    if name not in frame.columns:
        return pl.Series(name, [False] * frame.height, dtype=pl.Boolean)
    return parse_flags(frame[name]).fill_null(False)


class PlatformOptOut(Rule):
    """Contact blocked or reported the business, or stopped promotions on WhatsApp.

    What it does:
        Reads the platform signals recorded for each contact: ``wa_blocked`` (the user blocked
        the business number), ``wa_reported_spam`` (the user reported it) and
        ``wa_marketing_stopped`` (the user tapped "Stop promotions"), or a last send error
        ``131050`` (the user has stopped marketing messages). A block or a report covers every
        category; a stopped-promotions signal covers marketing only, so it is reported when a
        marketing draft is in the run (or no draft is). This rule cannot be waived.

    Why it matters:
        The WhatsApp Business Messaging Policy requires businesses to respect blocks and opt-out
        requests, including removing the person from their lists. Messaging someone who blocked
        or reported the number lowers the quality rating and can get the number restricted;
        Meta does not deliver marketing to users who stopped promotions.

    Example:
        ``wa_blocked`` = ``yes``; or ``last_error_code`` = ``131050`` with a marketing draft.

    Use instead:
        Remove the contact from the list (for "Stop promotions": from marketing lists) and add
        the number to the suppression list.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        WhatsApp Business Messaging Policy; WhatsApp Cloud API error codes (131050);
        compliance-rules.md §9.4, §10.1.
    """

    code = "O005"
    name = "platform-opt-out"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("opt-out",)
    basis = "WhatsApp Business Messaging Policy (respect block/opt-out requests); Meta marketing-preference behaviour"
    waivable = False

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts with a block, a spam report, or (for marketing) a stopped-promotions signal."""
        if not any(contacts.has(name) for name in SIGNALS):
            return None
        frame = valid_contacts(contacts, *SIGNALS)
        error = frame.select(
            column(contacts, "last_error_code").cast(pl.String).str.strip_chars() == MARKETING_STOPPED_ERROR
        ).to_series()
        marketing_in_run = not ctx.drafts or bool(ctx.marketing_drafts)
        stopped = (_flag(frame, "wa_marketing_stopped") | error.fill_null(False)) & marketing_in_run
        reason = (
            pl.when(_flag(frame, "wa_blocked"))
            .then(pl.lit("blocked your number"))
            .when(_flag(frame, "wa_reported_spam"))
            .then(pl.lit("reported you as spam"))
            .when(stopped)
            .then(pl.lit("stopped promotions"))
        )
        flagged = frame.with_columns(reason=reason).filter(pl.col("reason").is_not_null())
        message = pl.format(
            "{} {} on WhatsApp; remove from marketing lists.", pl.col("e164"), pl.col("reason")
        )
        return flagged.select("_row", message=message)
