"""P001 sender-identification."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.text import compile_terms, find_terms, without_placeholders, without_urls


class SenderIdentification(Rule):
    """Marketing message does not name the sender.

    What it does:
        For drafts whose effective category is MARKETING, looks for the brand or legal name in the
        header, body, footer or free-form text: any of ``brand_names`` in ``[lint]`` or the
        draft's ``x-wagate.brand`` (case-insensitive, whole words; a brand that only appears
        inside a link does not count). When no brand is configured at all, it says so, because
        the check cannot be made.

    Why it matters:
        Marketing messages must identify the sender in the message itself, not only in the
        WhatsApp display name: CASL s. 6(2)(a), PECR reg. 23 / ePrivacy Art. 13(4), the Spam Act
        s. 17, Singapore PDPA s. 44, POPIA s. 69(4)(a), Saudi implementing regulations Arts.
        28-29, and CTIA guidance.

    Example:
        ``Spring sale! 20% off everything this week. Reply STOP to opt out.``

    Use instead:
        ``Acme spring sale! 20% off everything this week. Reply STOP to opt out.``

    Configuration:
        ``brand_names = ["Acme", "Acme Trading Co."]`` in ``[lint]``; ``x-wagate.brand`` per draft.

    References:
        CASL s. 6(2)(a); PECR reg. 23; Spam Act 2003 s. 17; SG PDPA s. 44; POPIA s. 69(4)(a).
    """

    code = "P001"
    name = "sender-identification"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("policy", "content")
    basis = (
        "CASL s. 6(2)(a); PECR reg. 23 / ePrivacy 13(4); Spam Act s. 17; SG PDPA s. 44; POPIA s. 69(4)(a); "
        "Saudi Impl. Reg. Arts. 28–29; CTIA"
    )

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """A finding when no configured brand appears in the text."""
        if not ctx.category(draft).marketing:
            return
        brands = [*ctx.config.brand_names, *([draft.meta.brand] if draft.meta.brand else [])]
        target = draft.component("BODY") or draft.component("TEXT")
        if not brands:
            yield self.draft_finding(
                draft,
                "Marketing message must identify the sender, but no brand is configured: set brand_names in "
                "[lint] or x-wagate.brand in the draft.",
                target,
            )
            return
        pattern = compile_terms(brands)
        for component in draft.texts:
            if (
                next(find_terms(pattern, without_urls(without_placeholders(component.text))), None)
                is not None
            ):
                return
        yield self.draft_finding(
            draft, f"Marketing message must identify the sender (brand '{brands[0]}') in the text.", target
        )
