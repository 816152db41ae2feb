"""C005 purpose-mismatch."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts


class PurposeMismatch(Rule):
    """Consent covers other purposes, not this message's category.

    What it does:
        For marketing and utility drafts (by effective category), reports contacts whose consent
        in force lists purposes (``purposes`` column or consent events) that do not include the
        category: ``order_updates`` consent for a marketing message, ``marketing`` consent for
        a utility message. Purposes may be written in Chinese (营销, 通知); a grant without
        purposes, or with ``all``, covers every category.

    Why it matters:
        Consent is specific (GDPR Art. 4(11)) and bound to its purpose (Art. 5(1)(b)); generic
        authorisations are void under LGPD Art. 8 §4; DPDP s. 6(1) requires consent for a
        specified purpose; WhatsApp recommends opt-in per message category.

    Example:
        ``purposes`` = ``order_updates`` and a MARKETING draft.

    Use instead:
        Ask for marketing consent separately and record it with ``purposes`` = ``marketing``.

    Configuration:
        None.

    Known gaps:
        Custom utility purposes (e.g. ``order_updates`` versus ``billing``) are not matched to
        utility drafts yet: any ``utility`` purpose covers every utility draft.

    References:
        GDPR Art. 4(11), 5(1)(b); LGPD Art. 8 §4; DPDP s. 6(1); WhatsApp opt-in best practices.
    """

    code = "C005"
    name = "purpose-mismatch"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("consent",)
    basis = "GDPR Art. 4(11) specific, Art. 5(1)(b) purpose limitation; LGPD Art. 8 §4; DPDP s. 6(1)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force whose purposes leave out the draft's category."""
        if draft is None:
            return None
        category = ctx.category(draft)
        if category.effective not in ("MARKETING", "UTILITY"):
            return None
        if ctx.consent is None:
            return None
        frame = ctx.consent_where(
            valid_contacts(contacts), category.purpose, ~pl.col("cs_covers"), ("cs_purposes",)
        )
        message = pl.format(
            f"{{}} agreed to '{{}}' only, not to {category.purpose}.",
            pl.col("e164"),
            pl.col("cs_purposes").list.join(", "),
        )
        return frame.select("_row", message=message)
