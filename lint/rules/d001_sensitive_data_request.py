"""D001 sensitive-data-request."""

from __future__ import annotations

from collections.abc import Iterator

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.packs import Packs
from lint.text import Hit, find_terms, fold, without_placeholders


def requests(text: str, packs: Packs) -> Iterator[tuple[str, str]]:
    """(item label, request text) for each sensitive item the text asks the reader to send.

    A request is a verb ("send", "provide", "发送" ...) followed within ``window`` characters by
    an item ("password", "CVV", "身份证号" ...), with no negation ("do not", "请勿" ...) just
    before the verb: "Never share your code" is advice, not a request.
    """
    folded = fold(without_placeholders(text))
    negations = [h.end for h in find_terms(packs.negations, folded)]
    seen: set[str] = set()
    for verb in find_terms(packs.sensitive_verbs, folded):
        if any(verb.start - packs.negation_window <= end <= verb.start for end in negations):
            continue
        reach = folded[verb.start : verb.end + packs.sensitive_window]
        for label, pattern in packs.sensitive_items.items():
            item: Hit | None = next(find_terms(pattern, reach), None)
            if item is not None and label not in seen:
                seen.add(label)
                yield label, reach[: item.end]


class SensitiveDataRequest(Rule):
    """Message asks the customer to share a password, card number, ID number or similar.

    What it does:
        Looks for a request verb followed by a sensitive item in any text of the draft:
        passwords, PINs, one-time codes, card numbers and security codes, bank account numbers
        and IBANs, national ID, passport, SSN, Aadhaar, CPF or NRIC numbers, in the languages of
        ``packs/sensitive.toml`` (English, Spanish, Portuguese, French, German, Arabic,
        Indonesian, Chinese). A negation just before the verb ("never share your code") is advice
        and is not reported.

    Why it matters:
        The WhatsApp Business Messaging Policy forbids asking people to share full card numbers,
        financial account numbers, ID card numbers or other sensitive identifiers; such requests
        are also the pattern of phishing, and collecting them breaks data minimisation and
        security (GDPR Art. 5(1)(c), (f)).

    Example:
        ``Please reply with your card number and CVV to confirm the order.``

    Use instead:
        ``Pay securely at https://pay.acme.com/{{1}}`` (a payment page on your domain).

    Configuration:
        The lexicon is data: ``lint/packs/sensitive.toml``.

    References:
        WhatsApp Business Messaging Policy (sensitive identifiers); GDPR Art. 5(1)(c), (f);
        compliance-rules.md §11.7.
    """

    code = "D001"
    name = "sensitive-data-request"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("data", "content")
    basis = "WhatsApp Business Messaging Policy (sensitive identifiers); GDPR Art. 5(1)(c),(f)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One finding per requested item and component."""
        for component in draft.components:
            for label, excerpt in requests(component.text, ctx.packs):
                yield self.draft_finding(
                    draft,
                    f"Do not ask customers to share their {label} over WhatsApp.",
                    component,
                    excerpt=excerpt,
                )
