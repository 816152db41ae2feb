"""T002 template-variables."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Component, Draft
from lint.inputs.plan import parameter_expressions
from lint.text import NAMED, PLACEHOLDER, POSITIONAL, placeholders

_STRAY = re.compile(r"\{\{|\}\}|\{\s*\d+\s*\}")
_SPACED = re.compile(r"\{\{\s+[^{}]*\}\}|\{\{[^{}]*\s+\}\}")


def _stray_braces(text: str) -> str | None:
    """Braces left after removing well-formed ``{{...}}`` placeholders."""
    match = _STRAY.search(PLACEHOLDER.sub(" ", text))
    return match.group(0) if match else None


class TemplateVariables(Rule):
    """Template variables are malformed, out of order or lack sample values.

    What it does:
        Checks the placeholders of a template: braces must pair up (``{{1}}``, not ``{{1}`` or
        ``{1}``), be written without spaces, be either positional ``{{1}}…{{n}}`` numbered from 1
        without gaps and in order, or named ``{{first_name}}`` (lowercase) matching the declared
        ``parameter_format``, never both. Every variable needs a sample value (``example``), a
        footer has none, a URL button has at most one variable, at its end. With a plan, the
        plan's parameters must match the template's variables, and each rendered value must not
        be empty or hold new lines, tabs or more than four spaces in a row; URL parameters must be
        percent-encoded. Free-form messages must not contain placeholders at all.

    Why it matters:
        Meta rejects templates with malformed or unsampled variables at review, and the Cloud API
        rejects sends whose parameters are missing, empty or contain new lines (errors 132000,
        132012, 132018) - in the middle of a campaign.

    Example:
        ``Hi {{1}}, your order {{3}} ships today`` with ``"example": {"body_text": [["Ana"]]}``.

    Use instead:
        ``Hi {{1}}, your order {{2}} ships today`` with two sample values.

    Configuration:
        None.

    References:
        Meta template components documentation (examples required); Cloud API errors 132000,
        132012, 132018; whatsapp-platform.md §10.2-§10.4.
    """

    code = "T002"
    name = "template-variables"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("template",)
    basis = "Meta template components documentation (example values required); Cloud API errors 132000/132018"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Placeholder syntax, numbering and samples."""
        if draft.kind == "free_form":
            text = draft.components[0]
            if placeholders(text.text) or _stray_braces(text.text):
                yield self.draft_finding(
                    draft, "Free-form message contains a template variable; it would be sent literally.", text
                )
            return
        kinds: set[str] = set()
        for component in draft.texts:
            yield from self._syntax(draft, component, kinds)
            yield from self._samples(draft, component)
        for button in draft.buttons:
            yield from self._button(draft, button)
        if kinds == {"positional", "named"}:
            yield self.draft_finding(
                draft, "Template mixes positional {{1}} and named {{name}} variables.", "BODY"
            )
        elif kinds and draft.parameter_format not in kinds:
            used = kinds.pop()
            yield self.draft_finding(
                draft,
                f"Template uses {used} variables but declares parameter_format '{draft.parameter_format}'.",
                "parameter_format",
            )

    def _syntax(self, draft: Draft, component: Component, kinds: set[str]) -> Iterator[Finding]:
        stray = _stray_braces(component.text)
        if stray:
            yield self.draft_finding(
                draft,
                f"{component.label} has a malformed placeholder ('{stray}'); write {{{{1}}}}.",
                component,
                stray,
            )
        if _SPACED.search(component.text):
            yield self.draft_finding(
                draft, f"{component.label}: write variables without spaces, e.g. {{{{1}}}}.", component
            )
        names = placeholders(component.text)
        if names and component.kind == "FOOTER":
            yield self.draft_finding(draft, "Footer text cannot contain variables.", component)
        for name in names:
            if POSITIONAL.match(name):
                kinds.add("positional")
            elif NAMED.match(name):
                kinds.add("named")
            else:
                yield self.draft_finding(
                    draft,
                    f"Variable {{{{{name}}}}} in {component.label} is malformed; use {{{{1}}}} or {{{{lowercase_name}}}}.",
                    component,
                    name,
                )
        numbers = [int(n) for n in names if POSITIONAL.match(n)]
        first_seen = list(dict.fromkeys(numbers))
        if numbers and (
            sorted(first_seen) != list(range(1, len(first_seen) + 1)) or first_seen != sorted(first_seen)
        ):
            shown = " ".join(f"{{{{{n}}}}}" for n in first_seen)
            yield self.draft_finding(
                draft,
                f"Template variables must be {{{{1}}}}…{{{{n}}}} in order in {component.label} (found {shown}).",
                component,
            )

    def _samples(self, draft: Draft, component: Component) -> Iterator[Finding]:
        if component.kind not in ("HEADER", "BODY"):
            return
        names = list(dict.fromkeys(placeholders(component.text)))
        positional = [n for n in names if POSITIONAL.match(n)]
        named = [n for n in names if NAMED.match(n)]
        if positional and len(component.examples) < len(positional):
            yield self.draft_finding(
                draft,
                f"{component.label} has {len(positional)} variables but {len(component.examples)} sample values; "
                "each variable needs a sample value.",
                component,
            )
        missing = [n for n in named if n not in component.named_examples]
        if missing:
            yield self.draft_finding(
                draft,
                f"Variable {{{{{missing[0]}}}}} in {component.label} has no sample value.",
                component,
                missing[0],
            )

    def _button(self, draft: Draft, button: Component) -> Iterator[Finding]:
        if button.url is None:
            return
        names = placeholders(button.url)
        if len(names) > 1:
            yield self.draft_finding(draft, "A URL button may have only one variable.", button)
        if names and not button.url.rstrip().endswith("}}"):
            yield self.draft_finding(draft, "A URL button's variable must be at the end of the URL.", button)
        if names and not button.examples:
            yield self.draft_finding(
                draft, "A URL button with a variable needs a sample URL (example).", button
            )

    def check_plan(self, ctx: RunContext) -> Iterator[Finding]:
        """Plan parameters against the template variables."""
        plan = ctx.plan
        if plan is None or not plan.parameters:
            return
        given = parameter_expressions(plan)
        for draft in ctx.drafts:
            if draft.kind != "template" or draft.path.resolve() not in {p.resolve() for p in plan.drafts}:
                continue
            for kind, prefix in (("HEADER", "header"), ("BODY", "body")):
                component = draft.component(kind)
                wanted = set(placeholders(component.text)) if component else set()
                supplied = {key.split(".", 1)[1] for key in given if key.startswith(f"{prefix}.")}
                if wanted != supplied:
                    yield self.plan_finding(
                        f"The plan gives {prefix} parameters {_names(supplied)} but template {draft.label} "
                        f"has {prefix} variables {_names(wanted)}.",
                        file=plan.display,
                    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Rendered parameter values per contact."""
        rendered = ctx.rendered(draft) if draft is not None else None
        if rendered is None:
            return None
        parts = []
        for column in rendered.columns[1:]:
            value = pl.col(column)
            problem = (
                pl.when(value.is_null() | (value.str.strip_chars() == ""))
                .then(pl.lit("is empty; WhatsApp rejects empty parameter values"))
                .when(value.str.contains(r"[\n\r\t]"))
                .then(pl.lit("contains a new line or tab (Cloud API error 132018)"))
                .when(value.str.contains(r" {5,}"))
                .then(pl.lit("contains more than 4 spaces in a row (Cloud API error 132018)"))
            )
            if column.startswith("button."):
                problem = problem.when(value.str.contains(r"[^A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\]]")).then(
                    pl.lit(
                        "must be percent-encoded (spaces, | and non-ASCII characters are not allowed in a URL)"
                    )
                )
            found = rendered.select("_row", problem=problem.otherwise(pl.lit(None, pl.String)))
            message = pl.format(
                f"Parameter {column} for {{}} {{}}.", pl.lit("this contact"), pl.col("problem")
            )
            parts.append(found.filter(pl.col("problem").is_not_null()).select("_row", message=message))
        return pl.concat(parts) if parts else None


def _names(names: set[str]) -> str:
    return (
        "{" + ", ".join(sorted(names, key=lambda n: (not n.isdigit(), int(n) if n.isdigit() else 0, n))) + "}"
    )
