"""O001 missing-opt-out."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import Packs
from lint.rules._common import valid_contacts
from lint.text import fold

# How long the opt-out must keep working after the send, by recipient country.
VALID_DAYS = {"CA": 60, "AU": 30, "SG": 30}


def has_opt_out(draft: Draft, packs: Packs) -> bool:
    """An opt-out instruction in the text, or a quick-reply button named like an opt-out."""
    for component in draft.components:
        if component.kind in ("BODY", "FOOTER", "TEXT", "HEADER"):
            text = fold(component.text)
            if any(pattern.search(text) for pattern in packs.optout_patterns):
                return True
        if component.button_type == "QUICK_REPLY" and fold(component.text).strip() in packs.optout_buttons:
            return True
    return False


class MissingOptOut(Rule):
    """Marketing message has no working opt-out instruction.

    What it does:
        For a draft whose effective category is MARKETING, looks for an opt-out instruction in
        the body or footer ("Reply STOP to unsubscribe", "回复TD退订", "Responde BAJA" ...; the
        patterns of ``packs/optout.toml``) or a quick-reply button labelled as an opt-out ("Stop
        promotions", "Unsubscribe", "退订"). For contacts in Canada, Australia and Singapore it
        also needs ``x-wagate.unsubscribe_valid_days`` of at least 60, 30 and 30 days.

    Why it matters:
        Nearly every regime requires a free, easy opt-out in every marketing message: GDPR Art.
        21(4), PECR reg. 22(3)(c), CASL s. 6(2)(c) and s. 11 (valid 60 days), the Spam Act s. 18
        (30 days), POPIA s. 69(3)-(4), Saudi PDPL Art. 25(2), Singapore's Spam Control Act, and
        WhatsApp's own opt-out guidance.

    Example:
        ``Spring sale: 20% off everything until Sunday!`` with no footer and no buttons.

    Use instead:
        Add a footer ``Reply STOP to opt out`` or a quick-reply button ``Stop promotions``.

    Configuration:
        Patterns and button words are data: ``lint/packs/optout.toml``.

    References:
        GDPR Art. 21(4); PECR reg. 22(3)(c); CASL s. 6(2)(c), s. 11; Spam Act 2003 s. 18; POPIA
        s. 69; WhatsApp opt-out best practices; compliance-rules.md §11.4.
    """

    code = "O001"
    name = "missing-opt-out"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("opt-out",)
    basis = "GDPR Art. 21(4); PECR reg. 22(3)(c); CASL s. 6(2)(c), s. 11; Spam Act s. 18; POPIA s. 69(3)-(4)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """The draft-level check: no opt-out mechanism at all."""
        if ctx.category(draft).marketing and not has_opt_out(draft, ctx.packs):
            target = draft.component("FOOTER") or draft.component("BODY") or draft.component("TEXT")
            yield self.draft_finding(
                draft,
                "Marketing message has no working opt-out instruction (e.g. 'Reply STOP to opt out').",
                target,
            )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Recipients in CA/AU/SG need the opt-out to keep working long enough."""
        if draft is None or not ctx.category(draft).marketing or not has_opt_out(draft, ctx.packs):
            return None
        declared = draft.meta.unsubscribe_valid_days or 0
        short = {country: days for country, days in VALID_DAYS.items() if declared < days}
        if not short:
            return None
        place = pl.coalesce(pl.col("region"), pl.col("country_iso"))
        needed = place.replace_strict(short, default=None, return_dtype=pl.Int64)
        frame = (
            valid_contacts(contacts)
            .with_columns(needed=needed, place=place)
            .filter(pl.col("needed").is_not_null())
        )
        message = pl.format(
            "The opt-out for {} must keep working for {} days after the send in {}; declare "
            "x-wagate.unsubscribe_valid_days of at least {}.",
            pl.col("e164"),
            pl.col("needed"),
            pl.col("place"),
            pl.col("needed"),
        )
        return frame.select("_row", message=message)
