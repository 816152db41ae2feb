"""T004 promotional-utility."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft


class PromotionalUtility(Rule):
    """Template labelled utility or authentication contains promotional content.

    What it does:
        Runs the promotional classifier (seed lexicon in English, Spanish, Portuguese, French,
        German, Arabic, Indonesian and Chinese, ``packs/promotional.toml``) over a template
        declared ``UTILITY`` or ``AUTHENTICATION`` and reports each component with promotional
        wording: discounts, offers, coupons, new arrivals, "buy now", 优惠, 限时 ...

    Why it matters:
        Content decides the category, not the label: Meta approves such templates as MARKETING
        (since April 2025) and charges them as marketing; the ICO treats promotion in a service
        message as direct marketing, and TRAI treats mixed content as promotional. Either way the
        message needs marketing consent, an opt-out and quiet hours.

    Example:
        UTILITY template: ``Your order {{1}} has shipped! Use code SAVE10 for 10% off your next order.``

    Use instead:
        Keep the utility message neutral (``Your order {{1}} has shipped.``) and send the offer as a
        MARKETING template to contacts with marketing consent. If legal review finds a false
        positive, record a waiver for this draft.

    Configuration:
        The lexicon is data: ``lint/packs/promotional.toml``.

    References:
        Meta "Template categorization" (re-categorisation); ICO direct marketing guidance; TRAI
        TCCCPR 2nd Amendment 2025; compliance-rules.md §11.5.
    """

    code = "T004"
    name = "promotional-utility"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("template", "category")
    basis = "Meta re-categorisation policy; ICO (disguised marketing); TRAI 2nd Amendment 2025 (mixed = promotional)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One finding per component with promotional wording."""
        if draft.category not in ("UTILITY", "AUTHENTICATION"):
            return
        seen: set[str] = set()
        for hit in ctx.category(draft).hits:
            if hit.component in seen:
                continue
            seen.add(hit.component)
            message = (
                f"Template labelled {draft.category} contains promotional content ('{hit.text}'); it is marketing "
                "and needs marketing consent."
            )
            component = next(c for c in draft.components if c.label == hit.component)
            yield self.draft_finding(draft, message, component, excerpt=hit.text)
