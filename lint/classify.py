"""The effective category of a draft, ``cat(d)`` in the catalog (§9.1, §0.1).

A draft is MARKETING when it is declared MARKETING or when the promotional classifier (seed
lexicon of ``packs/promotional.toml``) finds promotional wording in any text a reader sees:
Meta, the ICO and TRAI all judge by content, not by the label. Otherwise its declared category
stands (free-form drafts without a category are SERVICE).
"""

from __future__ import annotations

from dataclasses import dataclass

from lint.inputs.drafts import Draft
from lint.packs import Packs
from lint.text import Hit, find_terms, fold, without_placeholders


@dataclass(frozen=True, slots=True)
class PromoHit:
    """Promotional wording found in a component."""

    component: str
    text: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Classification:
    """Declared and effective category, with the wording that made a draft marketing."""

    declared: str
    effective: str
    hits: tuple[PromoHit, ...]

    @property
    def marketing(self) -> bool:
        """``MKT`` in the catalog's notation."""
        return self.effective == "MARKETING"

    @property
    def purpose(self) -> str:
        """The consent purpose the category needs (``marketing``, ``utility`` ...)."""
        return self.effective.lower()


def promotional_hits(draft: Draft, packs: Packs) -> tuple[PromoHit, ...]:
    """Promotional wording in the header, body, footer, free-form text and button labels."""
    hits: list[PromoHit] = []
    for component in draft.components:
        text = without_placeholders(component.text)
        found: list[Hit] = list(find_terms(packs.promotional, text))
        folded = fold(text)
        for pattern in packs.promotional_patterns:
            found += [Hit(m.group(0), m.start(), m.end()) for m in pattern.finditer(folded)]
        hits += [PromoHit(component.label, hit.text, component.line) for hit in found]
    return tuple(hits)


def classify_draft(draft: Draft, packs: Packs) -> Classification:
    """Declared and effective category of ``draft``."""
    hits = promotional_hits(draft, packs)
    effective = "MARKETING" if draft.category == "MARKETING" or hits else draft.category
    return Classification(declared=draft.category, effective=effective, hits=hits)
