"""P004 regulated-vertical."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import polars as pl

from core.errors import ConfigError
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._common import valid_contacts
from lint.rules._lexicon import Lexicon, lexicon
from lint.rules.c014_minor import _minor as minors
from lint.text import fold, without_placeholders


@dataclass(frozen=True, slots=True)
class Vertical:
    """A regulated vertical: its terms and, for some, a claim that must come with them."""

    name: str
    terms: Lexicon
    requires: Lexicon | None


@dataclass(frozen=True, slots=True)
class Detected:
    """A vertical found in a draft, with the words that show it."""

    vertical: str
    excerpt: str
    component: str


@cache
def verticals() -> tuple[Vertical, ...]:
    """``packs/regulated.toml``, parsed once."""
    return tuple(
        Vertical(
            name=name,
            terms=lexicon(spec["terms"], spec.get("exclude", ())),
            requires=lexicon(spec["requires"]) if spec.get("requires") else None,
        )
        for name, spec in read_pack("regulated")["verticals"].items()
    )


def detect(draft: Draft) -> tuple[Detected, ...]:
    """Regulated verticals in a draft's texts and buttons, or named by ``x-wagate.product_category``."""
    found: dict[str, Detected] = {}
    texts = [(c.label, without_placeholders(c.text)) for c in draft.components]
    declared = draft.meta.product_category
    if declared:
        texts.append(("x-wagate.product_category", declared))
    for vertical in verticals():
        for label, text in texts:
            hit = vertical.terms.first(text)
            if label == "x-wagate.product_category" and fold(text).strip() == fold(vertical.name):
                found.setdefault(vertical.name, Detected(vertical.name, text, label))
            if hit is None:
                continue
            if vertical.requires is None:
                found.setdefault(vertical.name, Detected(vertical.name, hit.text, label))
                continue
            claim = vertical.requires.first(text)
            if claim is not None:
                found.setdefault(vertical.name, Detected(vertical.name, f"{hit.text} … {claim.text}", label))
    return tuple(found.values())


def allowlists(value: object, known: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The ``allowed_countries`` option as vertical -> ISO codes; a :class:`ConfigError` when malformed."""
    if not isinstance(value, Mapping):
        raise ConfigError(
            "[lint.options.P004] allowed_countries must be a table of vertical = [country codes]"
        )
    names = {fold(name): name for name in known}
    out: dict[str, frozenset[str]] = {}
    for key, codes in value.items():
        name = names.get(fold(str(key)))
        if name is None:
            raise ConfigError(
                f"[lint.options.P004] allowed_countries names an unknown vertical {key!r}",
                hint=f"verticals: {', '.join(known)}",
            )
        if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"[lint.options.P004] allowed_countries.{key} must be a list of country codes")
        out[name] = frozenset(c.strip().upper() for c in codes)
    return out


class RegulatedVertical(Rule):
    """Message is about a regulated vertical: alcohol, supplements, OTC health, medical cosmetics, finance or gambling.

    What it does:
        Looks in every text and button of a draft, and in ``x-wagate.product_category``, for
        the regulated verticals of ``packs/regulated.toml``: alcohol, dietary supplements,
        over-the-counter health products, cosmetics with medical claims (a cosmetic word
        together with a claim such as "cures", "clinically proven", 治疗), financial products
        (loans, credit cards, insurance, investment) and online gambling, in English, Spanish,
        Portuguese, French, German, Italian, Arabic, Hindi, Indonesian and Chinese. Each
        vertical found is a warning on the draft (legal review). With a contact list, each
        contact under 18 (``is_minor``, ``age``, ``birthdate``) and each contact whose number
        region or stated country is not on the vertical's country allowlist is an error.

    Why it matters:
        The WhatsApp Business Messaging Policy lets regulated verticals message only in the
        countries where that is permitted, and never people under 18; local law adds licences,
        health-claim rules and financial-promotion rules. CTIA's SHAFT rules age-gate alcohol
        and tobacco messaging.

    Example:
        ``Our new craft beer is here: 10% off this weekend!`` sent to a list with no allowlist
        for alcohol, or to a 16-year-old.

    Use instead:
        Get a legal review, list the countries where the campaign is allowed, and send only to
        adults there: ``[lint.options.P004] allowed_countries = { alcohol = ["GB", "DE"] }``.

    Configuration:
        ``[lint.options.P004] allowed_countries`` (vertical -> ISO country codes; default none,
        so every contact is outside the allowlist); the lexicon: ``lint/packs/regulated.toml``.

    Known gaps:
        The current list of regulated verticals and their permitted countries on Meta's policy
        page is known only from secondary summaries; contacts of unknown age are not blocked.

    References:
        WhatsApp Business Messaging Policy (regulated verticals, no users under 18); CTIA
        Messaging Principles (SHAFT); compliance-rules.md §6.1, §9.9; whatsapp-platform.md §11.3.
    """

    code = "P004"
    name = "regulated-vertical"
    severity = Severity.WARNING
    applies_to = "contact+draft"
    groups = ("policy", "content")
    prepares = (verticals,)
    basis = "WhatsApp policy (regulated verticals; not to <18); CTIA SHAFT age-gating"
    options = MappingProxyType({"allowed_countries": MappingProxyType({})})

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One warning per regulated vertical the draft is about."""
        for found in detect(draft):
            yield self.draft_finding(
                draft,
                f"Regulated vertical '{found.vertical}': requires country allowlist, age ≥ 18 and legal review.",
                found.component,
                excerpt=found.excerpt,
            )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Minors, and contacts outside the vertical's country allowlist (errors)."""
        if draft is None:
            return None
        detected = detect(draft)
        if not detected:
            return None
        allowed = allowlists(self.option(ctx, "allowed_countries"), tuple(v.name for v in verticals()))
        frame = valid_contacts(contacts, "is_minor", "age", "birthdate")
        frame = frame.with_columns(minor=minors(frame, ctx.at.date())).select(
            "_row",
            "e164",
            "minor",
            region=pl.col("region").cast(pl.String),
            country=pl.col("country_iso").cast(pl.String),
        )
        parts = []
        for found in detected:
            codes = sorted(allowed.get(found.vertical, frozenset()))
            outside = (
                pl.when(~pl.col("region").is_in(codes).fill_null(False))
                .then(pl.col("region"))
                .when(pl.col("country").is_not_null() & ~pl.col("country").is_in(codes).fill_null(False))
                .then(pl.col("country"))
            )
            why = (
                pl.when(pl.col("minor"))
                .then(pl.format("{} is under 18", pl.col("e164")))
                .when(outside.is_not_null())
                .then(pl.format("{} ({}) is not on its country allowlist", pl.col("e164"), outside))
            )
            message = pl.format(
                f"Regulated vertical '{found.vertical}': {{}}; requires country allowlist, age ≥ 18 and legal review.",
                why,
            )
            parts.append(
                frame.filter(why.is_not_null()).select(
                    "_row",
                    message=message,
                    severity=pl.lit(Severity.ERROR.value),
                    excerpt=pl.lit(found.excerpt),
                )
            )
        return pl.concat(parts)
