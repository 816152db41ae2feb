"""T003 variable-placement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import MappingProxyType

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.text import PLACEHOLDER, without_placeholders

_ADJACENT = re.compile(r"\}\}\s*\{\{")
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\d_]+(?:['’][^\W\d_]+)?|\d+")


def fixed_words(text: str) -> int:
    """Words of fixed text (each CJK character counts as a word)."""
    return len(_WORD.findall(without_placeholders(text)))


class VariablePlacement(Rule):
    """Variable placement is likely to be rejected by Meta review.

    What it does:
        Warns when the body starts or ends with a variable, when two variables touch with no
        text between them (``{{1}} {{2}}``), or when there is more than one variable per five
        words of fixed text (each CJK character counts as a word).

    Why it matters:
        Meta rejects templates with leading or trailing parameters (error 2388299), adjacent
        parameters (INVALID_FORMAT) and too many parameters for their length (2388293); the
        thresholds are not published, so these are warnings.

    Example:
        ``{{1}} {{2}}, your order ships {{3}}``

    Use instead:
        ``Hello {{1}}, your order {{2}} ships on {{3}}. Thank you for shopping with Acme.``

    Configuration:
        ``[lint.options.T003] words_per_variable = 5``.

    References:
        Meta template review guidelines (as reported by BSPs); whatsapp-platform.md §10.3.
    """

    code = "T003"
    name = "variable-placement"
    severity = Severity.WARNING
    applies_to = "draft"
    groups = ("template",)
    basis = "Meta template review guidelines as reported by BSPs (errors 2388299, 2388293)"
    options = MappingProxyType({"words_per_variable": 5})

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Leading/trailing, adjacent and crowded variables in the body."""
        body = draft.component("BODY")
        if draft.kind != "template" or body is None:
            return
        text = body.text.strip()
        found = list(PLACEHOLDER.finditer(text))
        if not found:
            return
        if found[0].start() == 0:
            yield self.draft_finding(
                draft, "The body starts with a variable; Meta rejects that.", body, found[0].group(0)
            )
        if found[-1].end() == len(text):
            yield self.draft_finding(
                draft, "The body ends with a variable; Meta rejects that.", body, found[-1].group(0)
            )
        adjacent = _ADJACENT.search(text)
        if adjacent:
            yield self.draft_finding(
                draft,
                "Two variables touch with no text between them; Meta rejects that.",
                body,
                adjacent.group(0),
            )
        per_variable = int(str(self.option(ctx, "words_per_variable")))
        words = fixed_words(text)
        if words < per_variable * len(found):
            yield self.draft_finding(
                draft,
                f"The body has {len(found)} variables for {words} words of fixed text (more than one per "
                f"{per_variable} words); Meta may reject it as too many parameters.",
                body,
            )
