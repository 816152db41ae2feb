"""C010 bundled-consent."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts


class BundledConsent(Rule):
    """Consent was bundled with the terms or made a condition of purchase.

    What it does:
        Reports contacts whose consent grant in force is marked ``condition_of_purchase`` (the
        person had to agree to buy or to use the service) or ``bundled_with_terms`` (the
        agreement to messages was part of accepting the terms and conditions, not a separate
        choice). Both columns are yes/no values, on the contact list or in the consent file;
        Chinese headers such as 购买前提 and 捆绑条款 are recognised. Contacts without a grant
        are left to C001.

    Why it matters:
        Consent that cannot be refused without giving up the purchase is not freely given: GDPR
        Art. 7(2) (the request must be distinguishable from other matters) and 7(4) (bundling);
        the TCPA's written consent must say it is not a condition of purchase (47 CFR
        64.1200(f)(9)(i)); the CRTC wants consent sought separately from the terms; the DPDP Act
        s. 6(1) requires "unconditional" consent; Singapore PDPA s. 46 forbids requiring consent
        beyond what the supply needs; CTIA forbids making opt-in a purchase condition.

    Example:
        ``bundled_with_terms`` = ``yes``: the checkout page said "By accepting our Terms you agree
        to receive WhatsApp offers".

    Use instead:
        A separate, unticked opt-in box next to the terms ("Send me offers on WhatsApp"),
        recorded with ``bundled_with_terms`` = ``no`` and ``condition_of_purchase`` = ``no``.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]`` and
        ``[lint.consent_columns]``.

    Known gaps:
        The consent text itself is not read for bundling wording ("by accepting our terms ...");
        the record has to say so.

    References:
        GDPR Art. 7(2), 7(4); 47 CFR 64.1200(f)(9)(i); CRTC guidance on express consent; DPDP Act
        s. 6(1); Singapore PDPA s. 46; CTIA Messaging Principles; compliance-rules.md §9.3.
    """

    code = "C010"
    name = "bundled-consent"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent",)
    basis = (
        "GDPR Art. 7(2), 7(4); 64.1200(f)(9)(i) (not a condition of purchase); CRTC (separate from T&Cs); "
        "DPDP s. 6(1) 'unconditional'; SG PDPA s. 46; CTIA"
    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force that were a purchase condition or part of the terms."""
        if ctx.consent is None:
            return None
        purchase = pl.col("cs_condition_of_purchase").fill_null(False)
        terms = pl.col("cs_bundled_with_terms").fill_null(False)
        how = (
            pl.when(purchase & terms)
            .then(pl.lit("required for purchase and part of the terms"))
            .when(purchase)
            .then(pl.lit("required for purchase"))
            .otherwise(pl.lit("part of the terms and conditions"))
        )
        flagged = ctx.consent_where(
            valid_contacts(contacts), None, purchase | terms, ("cs_how",), extra={"cs_how": how}
        )
        message = pl.format(
            "Consent for {} was bundled with terms or required for purchase ({}); it is not freely given.",
            pl.col("e164"),
            pl.col("cs_how"),
        )
        return flagged.select("_row", message=message)
