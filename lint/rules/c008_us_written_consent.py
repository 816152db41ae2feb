"""C008 us-written-consent."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts

PEWC = "prior_express_written"


class UsWrittenConsent(Rule):
    """US marketing without prior express written consent.

    What it does:
        For marketing drafts and contacts with a number or stated country in the US or its
        territories (PR, GU, VI, MP, AS), reports the marketing grant in force when its
        ``basis`` is not ``prior_express_written`` (an empty basis included). Contacts without
        any grant are left to C001.

    Why it matters:
        Marketing texts sent with an automatic system need the recipient's prior express
        written consent: a signed (E-SIGN counts) agreement naming the seller and the number,
        stating that consent is not a condition of purchase (47 CFR 64.1200(a)(2), (f)(9)).
        Florida, Oklahoma and Maryland copy the rule; each message without it risks USD 500 to
        1,500 in statutory damages.

    Example:
        ``basis`` = ``express`` (a verbal yes) for ``+1 415 555 0100``.

    Use instead:
        Collect a written opt-in (web form or keyword reply with the TCPA disclosure: seller
        name, automated messages, "consent is not a condition of purchase") and record
        ``basis`` = ``prior_express_written``.

    Configuration:
        Region sets in ``lint/packs/regions.toml``.

    Known gaps:
        The evidence itself (signature record, seller name, designated number, disclosure
        text) is not checked: consent records do not carry those fields yet.

    References:
        47 U.S.C. 227(b); 47 CFR 64.1200(a)(2), (f)(9); E-SIGN Act; Fla. Stat. 501.059; OK
        Telephone Solicitation Act; MD Stop the Spam Calls Act; compliance-rules.md §2.1.
    """

    code = "C008"
    name = "us-written-consent"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("consent", "us")
    basis = (
        "47 CFR 64.1200(a)(2), (f)(9); E-SIGN (Bradley v. Dentalplans.com, D. Md. 2024); Fla. Stat. 501.059, "
        "OK OTSA, MD Stop the Spam Calls Act"
    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """US marketing grants whose basis is not prior express written consent."""
        if ctx.consent is None or draft is None or not ctx.category(draft).marketing:
            return None
        frame = valid_contacts(contacts).filter(ctx.in_regions("US_TCPA"))
        not_written = pl.col("cs_basis").cast(pl.String).fill_null("") != PEWC
        flagged = ctx.consent_where(frame, "marketing", not_written, ("cs_basis",))
        message = pl.format(
            "US marketing to {} needs prior express written consent (signed, seller-named, not a purchase "
            "condition); the consent on record is {}.",
            pl.col("e164"),
            pl.col("cs_basis").cast(pl.String).fill_null("of unstated basis"),
        )
        return flagged.select("_row", message=message)
