"""N003 unreachable-number."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import column, valid_contacts

_NOT_MOBILE = {
    "FIXED_LINE": "a fixed line",
    "TOLL_FREE": "a toll-free number",
    "PREMIUM_RATE": "a premium-rate number",
    "SHARED_COST": "a shared-cost number",
    "UAN": "a universal access number",
    "VOICEMAIL": "a voicemail number",
    "PAGER": "a pager number",
}
_NOT_ON_WHATSAPP = "131026"


class UnreachableNumber(Rule):
    """Number is unlikely to be a reachable WhatsApp mobile number.

    What it does:
        Reports numbers whose type (from the phonenumbers metadata) is fixed line, toll free,
        premium rate, shared cost, UAN, voicemail or pager, and numbers the last delivery
        showed are not on WhatsApp: ``wa_reachable`` false or ``last_error_code`` 131026.
        Numbers that may be mobile (``FIXED_LINE_OR_MOBILE``, as in the US) are not reported.

    Why it matters:
        Messages to numbers that are not WhatsApp users fail and count against the sender's
        quality rating and messaging limits; sending to addresses known not to exist is also
        what the Australian Spam Act treats as harvesting behaviour (s. 16(6) analogue).

    Example:
        ``+49 30 1234567`` (a Berlin landline), or a row with ``last_error_code`` = ``131026``.

    Use instead:
        Ask the customer for their WhatsApp mobile number.

    Configuration:
        ``wa_reachable`` and ``last_error_code`` columns (aliases in ``packs/columns.toml``).

    References:
        WhatsApp Cloud API error 131026 (message undeliverable); WhatsApp quality rating docs.
    """

    code = "N003"
    name = "unreachable-number"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("numbers",)
    basis = "WhatsApp quality rating and messaging limits; Spam Act s. 16(6) analogue"

    def check_contacts(self, contacts: ContactSet, ctx: RunContext, draft: Draft | None) -> pl.DataFrame:
        """Non-mobile number types and numbers known not to be on WhatsApp."""
        unreachable = (~column(contacts, "wa_reachable", pl.Boolean())).fill_null(False)
        failed = (column(contacts, "last_error_code").str.strip_chars() == _NOT_ON_WHATSAPP).fill_null(False)
        not_on_whatsapp = unreachable | failed
        kind = pl.col("number_type").replace_strict(_NOT_MOBILE, default=None, return_dtype=pl.String)
        reason = (
            pl.when(not_on_whatsapp)
            .then(pl.lit("not on WhatsApp according to the last delivery (131026)"))
            .otherwise(kind)
        )
        flagged = (
            valid_contacts(contacts, "wa_reachable", "last_error_code")
            .with_columns(reason=reason)
            .filter(pl.col("reason").is_not_null())
        )
        message = pl.format(
            "{} is unlikely to be a reachable WhatsApp mobile number ({}); excluded to protect sender quality.",
            pl.col("e164"),
            pl.col("reason"),
        )
        return flagged.select("_row", message=message)
