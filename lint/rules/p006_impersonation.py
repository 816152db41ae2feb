"""P006 impersonation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.text import compile_terms, find_terms, fold, without_placeholders

MIN_FIRST_WORD = 3  # shorter first words ("LG", "A&B") are too likely to appear by chance


def _escaped(text: str) -> str:
    return re.escape(text).replace(r"\ ", r"\s+")


@dataclass(frozen=True, slots=True)
class Known:
    """Brands often impersonated (folded name -> name as written) and the sender-claim phrases."""

    brands: dict[str, str]
    claims: tuple[re.Pattern[str], ...]  # each with a ``brand`` group


@cache
def known() -> Known:
    """``packs/impersonation.toml``, compiled once."""
    pack = read_pack("impersonation")
    brands = {fold(name).strip(): name for name in pack["brands"]["names"]}
    alternation = "|".join(_escaped(b) for b in sorted(brands, key=lambda b: (-len(b), b)))
    claims = []
    for phrase in pack["claims"]["phrases"]:
        before, after = fold(phrase).split("{brand}")
        claims.append(
            re.compile(
                rf"(?<![a-z0-9]){_escaped(before)}(?P<brand>{alternation}){_escaped(after)}(?![a-z0-9])"
            )
        )
    return Known(brands=brands, claims=tuple(claims))


def _names_either_way(text: str, names: Iterable[str]) -> bool:
    """Whether ``text`` contains one of ``names`` (or its first word) as words, or one of them contains ``text``.

    The first word counts on its own so that "Acme Official" matches "Acme Trading Co.".
    """
    names = [n for n in names if n.strip()]
    firsts = [n.split()[0] for n in names if len(n.split()[0]) >= MIN_FIRST_WORD]
    if next(find_terms(compile_terms([*names, *firsts]), text), None) is not None:
        return True
    inside = compile_terms([text])
    return any(next(find_terms(inside, name), None) is not None for name in names)


class Impersonation(Rule):
    """Message speaks for another brand, or the sender's display name or brand is not the configured one.

    What it does:
        Reports a draft that presents a well-known brand (``packs/impersonation.toml``:
        platforms, marketplaces, couriers, payment services, phone and fashion brands) as its
        sender or claims an official tie to it - "this is DHL", "Apple support", "official
        Samsung store", "华为官方", "equipo de Amazon" - unless the brand is yours
        (``brand_names``, the draft's ``x-wagate.brand``) or on ``brand_allowlist`` (e.g. as its
        authorised dealer). It also reports a WhatsApp display name
        (``x-wagate.sender_display_name``) that names such a brand or does not match your
        configured brand, and a draft whose ``x-wagate.brand`` is not among ``brand_names`` or
        ``brand_allowlist`` when those are configured. Merely mentioning a brand ("cases for
        iPhone 16") is not reported.

    Why it matters:
        The WhatsApp Business Messaging Policy forbids impersonating another business and
        misleading people about the nature of the business; impersonation is also the pattern
        of phishing, and gets numbers blocked, reported and banned. Trademark and
        unfair-competition law add liability for "official" claims a business is not entitled
        to make.

    Example:
        ``Official Xiaomi store: 30% off Redmi phones!`` from a reseller with
        ``brand_names = ["Acme"]``.

    Use instead:
        ``Acme, your Xiaomi reseller: 30% off Redmi phones!`` - or, if Xiaomi authorised you,
        ``brand_allowlist = ["Xiaomi"]`` in ``[lint]``.

    Configuration:
        ``brand_names`` and ``brand_allowlist`` in ``[lint]``; ``x-wagate.brand`` and
        ``x-wagate.sender_display_name`` per draft; the brand list and phrases:
        ``lint/packs/impersonation.toml``.

    Known gaps:
        Only the brands of the pack are recognised as "another brand" (a list compiled for this
        project, not taken from Meta); a lesser-known brand claimed as the sender is not caught
        unless the display name or ``x-wagate.brand`` differs from the configured brand.

    References:
        WhatsApp Business Messaging Policy (no impersonation; do not mislead about the
        business); compliance-rules.md §6.1, §9.9.
    """

    code = "P006"
    name = "impersonation"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("policy", "content")
    prepares = (known,)
    basis = "WhatsApp Business Messaging Policy (no impersonation/misleading nature of business)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Sender claims for brands that are not yours, and display names or brands that are not yours."""
        own = [
            *ctx.config.brand_names,
            *ctx.config.brand_allowlist,
            *([draft.meta.brand] if draft.meta.brand else []),
        ]
        owned = {fold(name).strip() for name in own}
        pack = known()
        for component in draft.components:
            text = fold(without_placeholders(component.text))
            reported: set[str] = set()
            for claim in pack.claims:
                for match in claim.finditer(text):
                    brand = re.sub(r"\s+", " ", match.group("brand"))
                    if brand in owned or brand in reported:
                        continue
                    reported.add(brand)
                    yield self.draft_finding(
                        draft,
                        f"Message appears to impersonate '{pack.brands.get(brand, brand)}' or misrepresent the "
                        f"sender ('{match.group(0)}').",
                        component,
                        excerpt=match.group(0),
                    )
        yield from self._display_name(draft, ctx, own, owned)
        yield from self._declared_brand(draft, ctx)

    def _display_name(
        self, draft: Draft, ctx: RunContext, own: list[str], owned: set[str]
    ) -> Iterator[Finding]:
        display = (draft.meta.sender_display_name or "").strip()
        if not display:
            return
        pack = known()
        others = compile_terms(name for folded, name in pack.brands.items() if folded not in owned)
        other = next(find_terms(others, display), None)
        if other is not None:
            yield self.draft_finding(
                draft,
                f"Message appears to impersonate '{pack.brands.get(other.text, other.text)}' or misrepresent the "
                f"sender (WhatsApp display name '{display}').",
                "x-wagate.sender_display_name",
                excerpt=display,
            )
        elif own and not _names_either_way(display, own):
            yield self.draft_finding(
                draft,
                f"Message appears to misrepresent the sender: WhatsApp display name '{display}' does not match the "
                f"configured brand '{own[0]}'.",
                "x-wagate.sender_display_name",
                excerpt=display,
            )

    def _declared_brand(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        brand = (draft.meta.brand or "").strip()
        configured = [*ctx.config.brand_names, *ctx.config.brand_allowlist]
        if brand and ctx.config.brand_names and fold(brand) not in {fold(n).strip() for n in configured}:
            yield self.draft_finding(
                draft,
                f"Message appears to impersonate '{brand}' or misrepresent the sender: x-wagate.brand is not in "
                "brand_names or brand_allowlist of [lint].",
                "x-wagate.brand",
                excerpt=brand,
            )
