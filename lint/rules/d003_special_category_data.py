"""D003 special-category-data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._common import valid_contacts
from lint.text import compile_terms, find_terms, fold, without_placeholders

_LATIN = re.compile(r"^[0-9a-zà-ÿā-ɏ'’&\s._-]+$")
_SEPARATORS = r"\s*[,;|，；、]\s*"
# a Latin tag word must not touch another Latin letter or digit (a small class: the regex of every
# category runs over a million tag cells, and Unicode classes make it much larger)
_EDGE = "[^0-9a-zà-ÿā-ɏ]"


def _tag_words(words: list[str]) -> str:
    """Tag words as one (Rust) regex: whole words for Latin scripts (spaces also as ``_`` or ``-``)."""
    folded = [fold(w).strip() for w in words]
    latin = [re.escape(w).replace(r"\ ", r"[\s_-]+") for w in folded if _LATIN.match(w)]
    other = [re.escape(w).replace(r"\ ", r"[\s_-]+") for w in folded if not _LATIN.match(w)]
    parts = [f"(?:^|{_EDGE})(?:{'|'.join(latin)})(?:{_EDGE}|$)"] if latin else []
    return "|".join([*parts, *other])


@dataclass(frozen=True, slots=True)
class Category:
    """A special category: (Rust) regexes of its tag namespaces and words, and its words for message text."""

    name: str
    namespaces: str  # alternation of tag prefixes ("health" in "health:diabetes")
    tag_words: str  # alternation of whole-word regexes
    words: re.Pattern[str] | None

    @property
    def tag(self) -> str:
        """Regex over one lower-case tag."""
        return rf"^(?:{self.namespaces})(?:[:=/._\-]|$)|{self.tag_words}"

    @property
    def tags(self) -> str:
        """Regex over a lower-case tag list joined with commas."""
        return rf"(?:^|,)(?:{self.namespaces})(?:[:=/._\-,]|$)|{self.tag_words}"


@dataclass(frozen=True, slots=True)
class SpecialData:
    """The pack: categories, the reader markers of message text and their reach in characters."""

    categories: tuple[Category, ...]
    markers: re.Pattern[str] | None
    window: int


@cache
def special_data() -> SpecialData:
    """``packs/special_categories.toml``, compiled once."""
    pack = read_pack("special_categories")
    categories = []
    for name, spec in pack["categories"].items():
        categories.append(
            Category(
                name=name,
                namespaces="|".join(re.escape(fold(n)).replace("_", r"[\s_-]") for n in spec["namespaces"]),
                tag_words=_tag_words(spec["words"]),
                words=compile_terms(spec["words"]),
            )
        )
    return SpecialData(
        categories=tuple(categories),
        markers=compile_terms(pack["markers"]["terms"]),
        window=int(pack["settings"]["window"]),
    )


def text_hits(text: str, data: SpecialData) -> Iterator[tuple[str, str]]:
    """(category, excerpt) for each category a text ties to its reader ("your pregnancy", "作为穆斯林")."""
    folded = fold(without_placeholders(text))
    seen: set[str] = set()
    for marker in find_terms(data.markers, folded):
        reach = folded[marker.end : marker.end + data.window]
        for category in data.categories:
            hit = next(find_terms(category.words, reach), None)
            if hit is not None and category.name not in seen:
                seen.add(category.name)
                yield category.name, folded[marker.start : marker.end + hit.end]


def tagged(frame: pl.DataFrame, data: SpecialData) -> pl.DataFrame:
    """``_row``, ``e164``, ``category`` and ``tag`` of the first special-category segment tag per row."""
    tags = pl.col("segment_tags").cast(pl.String).str.to_lowercase().str.replace_all(_SEPARATORS, ",")
    anywhere = "|".join(f"(?:{c.tags})" for c in data.categories)
    rows = frame.select("_row", "e164", _tags=tags.str.strip_chars()).filter(
        pl.col("_tags").str.contains(anywhere).fill_null(False)
    )
    if rows.height == 0:
        return rows.select("_row", "e164", category=pl.lit(None, pl.String), tag=pl.lit(None, pl.String))
    category: pl.Expr = pl.lit(None, pl.String)
    for entry in reversed(data.categories):
        category = pl.when(pl.col("tag").str.contains(entry.tag)).then(pl.lit(entry.name)).otherwise(category)
    return (
        rows.select("_row", "e164", tag=pl.col("_tags").str.split(","))
        .explode("tag", empty_as_null=True)
        .with_columns(tag=pl.col("tag").str.strip_chars(), category=category)
        .filter(pl.col("category").is_not_null())
        .unique("_row", keep="first", maintain_order=True)
    )


class SpecialCategoryData(Rule):
    """Message or audience relies on special-category data: health, pregnancy, religion, ethnicity, sexuality, politics, biometrics.

    What it does:
        In any draft, reports text that ties a special-category trait to the reader - "your
        diabetes", "as a Muslim", "für Ihre Schwangerschaft", "您的孕期" - using the words of
        ``packs/special_categories.toml`` (health, pregnancy, religion, ethnicity, sexual
        orientation, political views, biometrics, genetic data, trade-union membership) within
        30 characters after a reader marker ("your", "as a", 您的 ...). For marketing drafts it
        also reports contacts whose ``segment_tags`` (tags, segments, 标签) hold such a trait: a
        namespace such as ``health:*`` or ``religion=*``, or a word such as ``diabetic`` or
        ``孕妇``.

    Why it matters:
        Health, religion, ethnicity, sex life or orientation, political opinions, biometric and
        genetic data and union membership are special categories (GDPR Art. 9, LGPD Art. 11):
        targeting people by them needs explicit consent for that use and usually a data
        protection impact assessment, and a message that reveals the trait discloses it to
        anyone who sees the phone. India's DPDP Act s. 9 forbids tracking and targeted
        advertising at children.

    Example:
        A campaign to contacts tagged ``health:diabetes``: ``Managing your diabetes? Try our
        sugar-free snacks.``

    Use instead:
        Target by what people asked for ("interested in sugar-free snacks", recorded from their
        own choice) and write to everyone: ``New sugar-free snacks are in.``

    Configuration:
        The categories, markers and window: ``lint/packs/special_categories.toml``; the
        ``segment_tags`` column and its aliases: ``packs/columns.toml``, ``[lint.columns]``.

    Known gaps:
        Targeting criteria kept outside the contact list (an ad platform's audience, a CRM
        query) are not seen; explicit consent for the special category is not looked for, so
        every use is a warning to review. The multilingual word lists need native review.

    References:
        GDPR Art. 9, 35; LGPD Art. 11; DPDP Act 2023 s. 9; compliance-rules.md §9.10.
    """

    code = "D003"
    name = "special-category-data"
    severity = Severity.WARNING
    applies_to = "contact+draft"
    groups = ("data", "content")
    prepares = (special_data,)
    basis = "GDPR Art. 9; LGPD Art. 11; DPDP s. 9 (children)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One warning per category and component whose text ties the trait to the reader."""
        data = special_data()
        for component in draft.components:
            for category, excerpt in text_hits(component.text, data):
                yield self.draft_finding(
                    draft,
                    f"Message/segment uses sensitive personal data ({category}: '{excerpt}'); needs explicit "
                    "consent and legal review.",
                    component,
                    excerpt=excerpt,
                )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts of a marketing send whose segment tags name a special category."""
        if draft is None or not contacts.has("segment_tags") or not ctx.category(draft).marketing:
            return None
        found = tagged(valid_contacts(contacts, "segment_tags"), special_data())
        message = pl.format(
            "Message/segment uses sensitive personal data ({}: segment tag '{}'); needs explicit consent and "
            "legal review.",
            pl.col("category"),
            pl.col("tag"),
        )
        return found.select("_row", message=message)
