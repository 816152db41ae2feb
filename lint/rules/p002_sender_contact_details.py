"""P002 sender-contact-details."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._common import valid_contacts
from lint.rules._registry import in_country
from lint.text import find_urls, fold, without_placeholders

KINDS = ("address", "phone", "email", "web")


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one jurisdiction needs: every kind of ``every``, at least one of ``some``."""

    country: str
    severity: Severity
    every: frozenset[str]
    some: frozenset[str]
    needs: str

    def met(self, kinds: frozenset[str]) -> bool:
        """Whether a message giving ``kinds`` of contact details meets this requirement."""
        return self.every <= kinds and (not self.some or bool(self.some & kinds))


@dataclass(frozen=True, slots=True)
class Detectors:
    """Per kind of contact detail: a ``label:`` pattern and the patterns of the detail itself."""

    labels: dict[str, re.Pattern[str]]
    patterns: dict[str, tuple[re.Pattern[str], ...]]


def _label_pattern(terms: list[str]) -> re.Pattern[str]:
    words = sorted({fold(t).strip() for t in terms}, key=lambda t: (-len(t), t))
    escaped = [re.escape(w).replace(r"\ ", r"\s+") for w in words]
    # a Latin label must not be the tail of a longer word ("subaddress:")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(escaped) + r")\s*:")


@cache
def contact_pack() -> tuple[tuple[Requirement, ...], Detectors]:
    """``packs/contact_details.toml``: the requirements, errors first, and the detectors."""
    pack = read_pack("contact_details")
    requirements = tuple(
        Requirement(
            country=code,
            severity=Severity(spec["severity"]),
            every=frozenset(spec["all"]),
            some=frozenset(spec["any"]),
            needs=str(spec["needs"]),
        )
        for code, spec in pack["jurisdictions"].items()
    )
    detectors = Detectors(
        labels={kind: _label_pattern(terms) for kind, terms in pack["labels"].items()},
        patterns={kind: tuple(re.compile(p) for p in found) for kind, found in pack["patterns"].items()},
    )
    return tuple(sorted(requirements, key=lambda r: r.severity != Severity.ERROR)), detectors


def contact_kinds(draft: Draft, detectors: Detectors) -> frozenset[str]:
    """The kinds of sender contact details a draft gives (texts, buttons, ``contact_block``)."""
    kinds: set[str] = set()
    for button in draft.buttons:
        if button.button_type == "PHONE_NUMBER":
            kinds.add("phone")
        elif button.button_type == "URL" or button.url:
            kinds.add("web")
    texts = [without_placeholders(c.text) for c in draft.components]
    if draft.meta.contact_block:
        texts.append(draft.meta.contact_block)
    for text in texts:
        folded = fold(text)
        if find_urls(text):
            kinds.add("web")
        for kind in KINDS:
            label = detectors.labels.get(kind)
            if (label is not None and label.search(folded)) or any(
                p.search(folded) for p in detectors.patterns.get(kind, ())
            ):
                kinds.add(kind)
    return frozenset(kinds)


class SenderContactDetails(Rule):
    """Marketing message lacks the sender's contact details that Canada, Australia or Singapore require.

    What it does:
        For marketing drafts, finds the kinds of sender contact details the message gives - a
        mailing address, a phone number, an email address, a web address - in the header,
        body, footer, buttons (a phone-number or URL button) and ``x-wagate.contact_block``.
        Contacts with a Canadian number or stated country need a mailing address and one of
        phone, email or web (an error when missing); Australian and Singapore contacts need at
        least one way to contact the sender (a warning). Addresses are recognised by postal
        codes (Canada, US, UK, Australia, Singapore), house number and street, post-office
        boxes and Chinese street numbers, or by a label such as ``Address:`` or ``地址：``.

    Why it matters:
        CASL s. 6(2)(b) and CRTC Regulations s. 2 require every commercial electronic message
        to give the sender's mailing address and a phone number, email or web address, valid
        for at least 60 days; the Spam Act 2003 s. 17 (Australia) and Singapore PDPA s. 44
        require accurate information on how to contact the sender, valid for 30 days. The
        information may sit behind a link.

    Example:
        ``Acme spring sale: 20% off! Reply STOP to opt out.`` sent to ``+1 416 555 0100``.

    Use instead:
        ``Acme Trading, 12 King St W, Toronto ON M5H 1A1 - acme.com/contact``, in the footer or
        declared in ``x-wagate.contact_block`` when the details are on a linked page.

    Configuration:
        ``lint/packs/contact_details.toml``: jurisdictions, what each needs, and the detectors.

    Known gaps:
        Any link counts as a web address and linked pages are not fetched; that the details
        stay valid for 60 (CA) or 30 (AU, SG) days after the send is not checked. Address
        detection is a heuristic: declare the address in ``x-wagate.contact_block`` with an
        ``Address:`` label when it is not recognised.

    References:
        CASL s. 6(2)(b); CRTC Electronic Commerce Protection Regulations (SOR/2012-36) s. 2;
        Spam Act 2003 s. 17(1)(b), (d); Singapore PDPA s. 44(b), (d); compliance-rules.md §3,
        §5.2, §5.3, §8.
    """

    code = "P002"
    name = "sender-contact-details"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("policy", "content")
    basis = "CASL s. 6(2)(b) + CRTC Regs s. 2; Spam Act s. 17(1)(b),(d); SG PDPA s. 44(b),(d)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts in a jurisdiction whose contact-detail requirement the draft does not meet."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        requirements, detectors = contact_pack()
        kinds = contact_kinds(draft, detectors)
        failing = [r for r in requirements if not r.met(kinds)]
        if not failing:
            return None
        needs: pl.Expr = pl.lit(None, pl.String)
        severity: pl.Expr = pl.lit(None, pl.String)
        # reversed: the first requirement (errors first) ends up outermost and wins
        for requirement in reversed(failing):
            here = in_country(requirement.country)
            needs = pl.when(here).then(pl.lit(f"{requirement.country}: {requirement.needs}")).otherwise(needs)
            severity = pl.when(here).then(pl.lit(requirement.severity.value)).otherwise(severity)
        frame = valid_contacts(contacts).with_columns(needs=needs, severity=severity)
        message = pl.format(
            "Message lacks required sender contact details ({}) for {}.", pl.col("needs"), pl.col("e164")
        )
        return frame.filter(pl.col("needs").is_not_null()).select("_row", "severity", message=message)
