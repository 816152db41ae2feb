"""T007 utility-reference."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.text import find_terms, placeholders, without_placeholders


class UtilityReference(Rule):
    """Utility message lacks a specific transaction or account reference.

    What it does:
        For a draft whose effective category is UTILITY, looks for a reference to something the
        recipient did: a word such as order, booking, invoice, account, tracking, 订单, 发票
        (``packs/utility.toml``), a named variable such as ``{{order_id}}``, or a literal
        reference such as ``#A12345``. Warns when there is none.

    Why it matters:
        Meta only accepts utility templates that relate to a specific transaction or account the
        user started; a generic message is re-classified (and priced) as marketing, and then
        needs marketing consent.

    Example:
        UTILITY body: ``Thanks for being with us! We are here if you need anything.``

    Use instead:
        ``Your order {{1}} has shipped and will arrive on {{2}}.``

    Configuration:
        The reference words are data: ``lint/packs/utility.toml``.

    References:
        Meta utility template guidelines; 360dialog utility template documentation.
    """

    code = "T007"
    name = "utility-reference"
    severity = Severity.WARNING
    applies_to = "draft"
    groups = ("template", "category")
    basis = "Meta utility template guidelines (must relate to a specific transaction or account)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """A warning when no text or variable points at a transaction or account."""
        if ctx.category(draft).effective != "UTILITY":
            return
        packs = ctx.packs
        for component in draft.texts:
            text = without_placeholders(component.text)
            if next(find_terms(packs.utility_terms, text), None) is not None:
                return
            if any(p.search(text) for p in packs.utility_patterns):
                return
            names = [n.lower() for n in placeholders(component.text)]
            if any(fragment in name for name in names for fragment in packs.utility_fragments):
                return
        target = draft.component("BODY") or draft.component("TEXT")
        yield self.draft_finding(
            draft,
            "Utility message lacks a specific transaction reference (order, booking, invoice, account ...); "
            "Meta may re-classify it as marketing.",
            target,
        )
