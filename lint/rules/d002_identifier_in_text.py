"""D002 identifier-in-text."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.identifiers import find_identifiers
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft


class IdentifierInText(Rule):
    """Message text or sample values contain a card number, IBAN or national ID.

    What it does:
        Looks for identifiers whose check digits are valid: payment card numbers (Luhn, with a
        card network prefix), IBANs (mod 97), US Social Security numbers, Aadhaar numbers
        (Verhoeff, written ``1234 5678 9012``), CPF numbers (``123.456.789-09``), PRC resident ID
        numbers (check character and birth date) and Singapore NRIC/FIN. It reads the draft's
        texts, its sample values and, with a plan, every rendered parameter value.

    Why it matters:
        Full card and account numbers and national IDs must never travel in a chat message: the
        WhatsApp policy forbids sharing them, PCI DSS forbids sending card numbers by messaging,
        and GDPR Art. 5(1)(f) requires appropriate security. A sample value copied from real data
        is a leak already.

    Example:
        ``"example": {"body_text": [["4111 1111 1111 1111"]]}``

    Use instead:
        Only the last four digits (``card ending 1111``) or an obviously fake sample.

    Configuration:
        None.

    References:
        WhatsApp Business Messaging Policy; PCI DSS Req. 4; GDPR Art. 5(1)(f).
    """

    code = "D002"
    name = "identifier-in-text"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("data", "content")
    basis = "WhatsApp policy (sensitive identifiers); GDPR Art. 5(1)(f) security; PCI DSS"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Identifiers in texts, URLs and sample values."""
        for component in draft.components:
            values = [
                component.text,
                component.url or "",
                *component.examples,
                *component.named_examples.values(),
            ]
            reported: set[str] = set()
            for value in values:
                for kind, found in find_identifiers(value):
                    if found not in reported:
                        reported.add(found)
                        yield self.draft_finding(
                            draft,
                            f"Message contains what looks like a {kind}; remove it.",
                            component,
                            excerpt=found,
                        )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Identifiers in rendered parameter values (each distinct value checked once)."""
        rendered = ctx.rendered(draft) if draft is not None else None
        if rendered is None:
            return None
        parts = []
        for column in rendered.columns[1:]:
            distinct = rendered[column].drop_nulls().unique().to_list()
            kinds = {value: next(find_identifiers(value), None) for value in distinct}
            bad = {value: f"{hit[0]}" for value, hit in kinds.items() if hit is not None}
            if not bad:
                continue
            kind = pl.col(column).replace_strict(bad, default=None, return_dtype=pl.String)
            message = pl.format(
                f"Parameter {column} for this contact contains what looks like a {{}}; remove it.", kind
            )
            parts.append(rendered.filter(kind.is_not_null()).select("_row", message=message))
        return pl.concat(parts) if parts else None
