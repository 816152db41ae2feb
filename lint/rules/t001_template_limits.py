"""T001 template-limits."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Component, Draft
from lint.text import placeholders, without_placeholders

NAME = re.compile(r"^[a-z0-9_]{1,512}$")
HEADER_MAX, BODY_MAX, FOOTER_MAX, FREE_FORM_MAX = 60, 1024, 60, 4096
BUTTONS_MAX, LABEL_MAX, URL_MAX = 10, 25, 2000
PER_TYPE_MAX = {"URL": 2, "PHONE_NUMBER": 1, "COPY_CODE": 1}
TEMPLATE_CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")


class TemplateLimits(Rule):
    """Template or message exceeds WhatsApp's structural limits.

    What it does:
        Checks a template draft against Meta's limits: a name of lowercase letters, digits and
        underscores (at most 512), a language and a category, one header of at most 60
        characters with at most one variable, exactly one body of at most 1,024 characters, a
        footer of at most 60, at most 10 buttons (2 URL, 1 phone number, 1 copy code) with
        labels of at most 25 characters, URLs of at most 2,000 characters, quick replies grouped
        together. A free-form message may have at most 4,096 characters. With a plan, the header
        and body are also measured per contact with the rendered parameters.

    Why it matters:
        Meta rejects templates that break these limits at submission, and the Cloud API rejects
        messages whose rendered text is too long (error 132005), after the campaign has started.

    Example:
        A body of 1,100 characters, or a header ``Hello {{1}}, {{2}} has news``.

    Use instead:
        Shorten the text, keep one header variable, move detail to a link.

    Configuration:
        None.

    References:
        Meta template components documentation; Cloud API error 132005; whatsapp-platform.md §10.2.
    """

    code = "T001"
    name = "template-limits"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("template",)
    basis = "Meta message template components documentation; Cloud API limits"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Structural limits of the draft."""
        if draft.kind == "free_form":
            text = draft.components[0]
            if not text.text.strip():
                yield self.draft_finding(draft, "Free-form message has no text.", text)
            elif len(text.text) > FREE_FORM_MAX:
                yield self.draft_finding(
                    draft,
                    f"Free-form message is {len(text.text)} characters; the limit is {FREE_FORM_MAX}.",
                    text,
                )
            return
        yield from self._identity(draft)
        yield from self._texts(draft)
        yield from self._buttons(draft)

    def _identity(self, draft: Draft) -> Iterator[Finding]:
        if not draft.name:
            yield self.draft_finding(draft, "Template has no name.", "name")
        elif not NAME.match(draft.name):
            yield self.draft_finding(
                draft,
                f"Template name '{draft.name}' must be lowercase letters, digits and underscores (at most 512).",
                "name",
                excerpt=draft.name,
            )
        if not draft.language:
            yield self.draft_finding(draft, "Template has no language code (e.g. en_US).", "language")
        if draft.declared_category not in TEMPLATE_CATEGORIES:
            shown = draft.declared_category or "missing"
            yield self.draft_finding(
                draft,
                f"Template category must be MARKETING, UTILITY or AUTHENTICATION (found: {shown}).",
                "category",
            )

    def _texts(self, draft: Draft) -> Iterator[Finding]:
        for kind in ("HEADER", "BODY", "FOOTER"):
            found = [c for c in draft.components if c.kind == kind]
            if len(found) > 1:
                yield self.draft_finding(
                    draft, f"Template has {len(found)} {kind} components; only one is allowed.", found[1]
                )
        body = draft.component("BODY")
        if body is None or not body.text.strip():
            yield self.draft_finding(
                draft, "Template has no BODY text; the body is required.", body or "BODY"
            )
        limits = {"HEADER": HEADER_MAX, "BODY": BODY_MAX, "FOOTER": FOOTER_MAX}
        for component in draft.texts:
            limit = limits[component.kind]
            if len(component.text) > limit:
                yield self.draft_finding(
                    draft,
                    f"Template component {component.label} exceeds WhatsApp limits ({len(component.text)} "
                    f"characters; at most {limit}).",
                    component,
                )
        header = draft.component("HEADER")
        if header is not None and len(placeholders(header.text)) > 1:
            yield self.draft_finding(draft, "Header text may have at most one variable.", header)

    def _buttons(self, draft: Draft) -> Iterator[Finding]:
        buttons = draft.buttons
        if len(buttons) > BUTTONS_MAX:
            yield self.draft_finding(
                draft, f"Template has {len(buttons)} buttons; at most {BUTTONS_MAX}.", buttons[BUTTONS_MAX]
            )
        for kind, limit in PER_TYPE_MAX.items():
            same = [b for b in buttons if b.button_type == kind]
            if len(same) > limit:
                yield self.draft_finding(
                    draft, f"Template has {len(same)} {kind} buttons; at most {limit}.", same[limit]
                )
        for button in buttons:
            yield from self._button(draft, button)
        if _split_quick_replies([b.button_type == "QUICK_REPLY" for b in buttons]):
            yield self.draft_finding(draft, "Quick-reply buttons must be next to each other.", buttons[0])

    def _button(self, draft: Draft, button: Component) -> Iterator[Finding]:
        if len(button.text) > LABEL_MAX:
            yield self.draft_finding(
                draft,
                f"Button label '{button.text}' is {len(button.text)} characters; at most {LABEL_MAX}.",
                button,
            )
        if button.url is not None and len(button.url) > URL_MAX:
            yield self.draft_finding(
                draft, f"Button URL is {len(button.url)} characters; at most {URL_MAX}.", button
            )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Header and body length per contact with the plan's rendered parameters."""
        rendered = ctx.rendered(draft) if draft is not None else None
        if draft is None or rendered is None:
            return None
        parts = []
        for kind, prefix, limit in (("HEADER", "header", HEADER_MAX), ("BODY", "body", BODY_MAX)):
            component = draft.component(kind)
            if component is None:
                continue
            names = placeholders(component.text)
            used = [f"{prefix}.{n}" for n in names if f"{prefix}.{n}" in rendered.columns]
            if not used:  # nothing rendered per contact: the draft check already measured this text
                continue
            static = len(without_placeholders(component.text, ""))
            length = pl.lit(static) + pl.sum_horizontal(
                [pl.col(c).str.len_chars().fill_null(0) for c in used]
            )
            message = pl.format(
                f"Template component {kind} exceeds WhatsApp limits for this contact ({{}} characters with the "
                f"rendered parameters; at most {limit}).",
                length,
            )
            parts.append(rendered.filter(length > limit).select("_row", message=message))
        return pl.concat(parts) if parts else None


def _split_quick_replies(quick: list[bool]) -> bool:
    """Whether quick replies appear in more than one run (QR, URL, QR is invalid)."""
    runs = "".join("Q" if q else "X" for q in quick)
    return len([r for r in runs.split("X") if r]) > 1
