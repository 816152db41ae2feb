"""P003 prohibited-content."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.text import find_terms, fold, without_placeholders


class ProhibitedContent(Rule):
    """Content promotes a category WhatsApp prohibits.

    What it does:
        Searches the draft's texts, button labels and ``x-wagate.product_category`` for the
        categories the WhatsApp Business and Commerce policies prohibit: weapons, tobacco and
        e-cigarettes (电子烟), drugs including prescription drugs, adult products, real-money
        gambling, live animals, body parts, counterfeit goods (高仿), currency and crypto trading,
        multi-level marketing, payday loans and debt collection, dating services. The seed
        lexicon (``packs/prohibited.toml``) avoids words that hit ordinary export goods (glue
        guns, weed trimmers, scale-model replicas).

    Why it matters:
        Businesses that message about prohibited goods lose access to the WhatsApp Business
        Platform; template review rejects such content, and a single campaign can get the number
        restricted. E-cigarettes, supplements, replica goods and weapon accessories are the usual
        traps for exporters.

    Example:
        ``New disposable vape flavours in stock, 30% off for wholesale buyers!``

    Use instead:
        Do not market these goods over WhatsApp; use channels whose rules allow them.

    Configuration:
        The lexicon is data: ``lint/packs/prohibited.toml``.

    References:
        WhatsApp Business Messaging Policy; WhatsApp Commerce Policy; whatsapp-platform.md §11.3.
    """

    code = "P003"
    name = "prohibited-content"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("policy", "content")
    basis = "WhatsApp Business Messaging Policy; WhatsApp Commerce Policy"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One finding per prohibited category and component."""
        for component in draft.components:
            text = without_placeholders(component.text)
            for category, pattern in ctx.packs.prohibited.items():
                hit = next(find_terms(pattern, text), None)
                if hit is not None:
                    yield self.draft_finding(
                        draft,
                        f"Content promotes a category prohibited on WhatsApp ({category}: '{hit.text}').",
                        component,
                        excerpt=hit.text,
                    )
        declared = draft.meta.product_category
        if declared:
            folded = fold(declared)
            for category, pattern in ctx.packs.prohibited.items():
                if fold(category) == folded or next(find_terms(pattern, declared), None) is not None:
                    yield self.draft_finding(
                        draft,
                        f"Product category '{declared}' is prohibited on WhatsApp ({category}).",
                        "x-wagate.product_category",
                        excerpt=declared,
                    )
