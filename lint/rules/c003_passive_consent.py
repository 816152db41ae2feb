"""C003 passive-consent."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts

PASSIVE_METHODS = (
    "prechecked_box",
    "implied_by_terms",
    "silence",
    "inactivity",
    "number_provided_only",
    "import_unknown",
)


class PassiveConsent(Rule):
    """Consent came from a pre-ticked box or a passive action.

    What it does:
        Reports contacts whose consent grant in force is marked ``prechecked`` (预勾选) or was
        collected by a passive method: ``prechecked_box``, ``implied_by_terms``, ``silence``,
        ``inactivity``, ``number_provided_only`` or ``import_unknown``.

    Why it matters:
        Consent must be a clear affirmative act. Pre-ticked boxes are not consent (GDPR Art.
        4(11) and recital 32; CJEU C-673/17 Planet49; CRTC Bulletin 2012-549), nor is giving a
        phone number (CTIA: number entry is not opt-in), nor silence or inactivity (DPDP s.
        6(1)).

    Example:
        ``consent_method`` = ``checkbox``, ``prechecked`` = ``true``.

    Use instead:
        An unticked box the person ticks, a keyword reply, or a WhatsApp button tap; recorded with
        ``prechecked`` = ``false``.

    Configuration:
        None.

    References:
        GDPR Art. 4(11), recital 32; CJEU C-673/17 Planet49; CRTC Bulletin 2012-549; DPDP s. 6(1);
        CTIA Messaging Principles.
    """

    code = "C003"
    name = "passive-consent"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent",)
    basis = "GDPR Art. 4(11), recital 32; CJEU C-673/17 Planet49; CRTC Bulletin 2012-549; DPDP s. 6(1); CTIA"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force that are pre-ticked or passive."""
        if ctx.consent is None:
            return None
        passive = pl.col("cs_prechecked").fill_null(False) | pl.col("cs_consent_method").is_in(
            PASSIVE_METHODS
        )
        frame = ctx.consent_where(
            valid_contacts(contacts), None, passive, ("cs_prechecked", "cs_consent_method")
        )
        message = pl.format(
            "Consent for {} came from a pre-ticked box or passive action ({}); that is not valid opt-in.",
            pl.col("e164"),
            pl.when(pl.col("cs_prechecked").fill_null(False))
            .then(pl.lit("pre-ticked"))
            .otherwise(pl.col("cs_consent_method").cast(pl.String)),
        )
        return frame.select("_row", message=message)
