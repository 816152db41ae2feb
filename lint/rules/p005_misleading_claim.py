"""P005 misleading-claim."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._lexicon import Lexicon, lexicon
from lint.text import Hit, sentences, without_placeholders

# what backs a claim up, per x-wagate field; and what to do about claims no field can back up
EVIDENCE = {
    "offer_end_at": "provide evidence (the offer's end date in x-wagate.offer_end_at) or remove",
    "stock_evidence": "provide evidence (where the stock figure comes from, in x-wagate.stock_evidence) or remove",
    "prior_price_30d": (
        "provide evidence (the lowest price of the 30 days before the reduction, in x-wagate.prior_price_30d) "
        "or remove"
    ),
}
UNBACKED = {
    "prize": "a prize claim must be true and need no payment; remove it unless the recipient really won",
    "guarantee": "an absolute promise must be true and substantiated; remove or qualify it",
    "free": "'free' may cost nothing beyond delivery; drop the condition or the word",
}


@dataclass(frozen=True, slots=True)
class Claim:
    """A kind of claim: its words, the field that backs it up, and when it counts."""

    kind: str
    words: Lexicon
    evidence: str  # an x-wagate field, or "" when nothing can back the claim up
    conditions: Lexicon | None  # the claim counts only with one of these in the same sentence
    regions: tuple[str, ...]  # the claim counts only for recipients in these region sets

    def find(self, text: str) -> Hit | None:
        """The claim in ``text``, if it is there."""
        if self.conditions is None:
            return self.words.first(text)
        for sentence in sentences(text):
            hit = self.words.first(sentence)
            if hit is not None and self.conditions.first(sentence) is not None:
                return hit
        return None


@cache
def claims() -> tuple[Claim, ...]:
    """``packs/misleading.toml``, parsed once."""
    out = []
    for kind, spec in read_pack("misleading")["claims"].items():
        conditions = spec.get("conditions")
        out.append(
            Claim(
                kind=kind,
                words=lexicon(spec.get("terms", ()), spec.get("exclude", ()), spec.get("patterns", ())),
                evidence=str(spec.get("evidence", "")),
                conditions=lexicon(conditions, (), spec.get("condition_patterns", ()))
                if conditions
                else None,
                regions=tuple(spec.get("regions", ())),
            )
        )
    return tuple(out)


def offer_end(value: str) -> datetime | None:
    """``offer_end_at`` as a UTC time (a bare date means the end of that day); ``None`` if unreadable."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if len(value.strip()) == len("2025-06-08"):
        moment += timedelta(days=1)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reaches(ctx: RunContext, regions: tuple[str, ...]) -> bool:
    """Whether the send may reach the region sets: a contact there, or no contact list to tell."""
    if not regions or ctx.contacts is None:
        return True
    return bool(ctx.contacts.frame.select(ctx.in_regions(*regions).any()).item())


class MisleadingClaim(Rule):
    """Message makes an urgency, scarcity, prize, guarantee, "free" or price-reduction claim without evidence.

    What it does:
        Looks in every text and button of a draft for the claim phrases of
        ``packs/misleading.toml`` (English, Spanish, Portuguese, French, German, Italian,
        Arabic, Hindi, Indonesian, Chinese) and warns about:

        * urgency ("today only", "last chance", "ends in 3 hours", 限时) without
          ``x-wagate.offer_end_at``, or with an end date before the send time;
        * scarcity ("only 2 left", "while stocks last", 手慢无) without
          ``x-wagate.stock_evidence``;
        * prize claims ("you have won", "winner", 恭喜您中奖) and absolute guarantees
          ("100% guaranteed", "risk-free"), always;
        * "free" (gratis, 免费 ...) in the same sentence as a condition ("with any purchase",
          "minimum order", 满199) - free shipping and "sugar-free" are not free claims;
        * a price reduction ("-30%", "20% off", "was €49", a struck-through price ~€49~, 8折)
          without ``x-wagate.prior_price_30d`` when the contact list has EU/EEA contacts, or
          when there is no contact list.

    Why it matters:
        The Unfair Commercial Practices Directive blacklists falsely claiming an offer is
        available for a very limited time (Annex I item 7), calling something "free" when the
        consumer must pay more than delivery (item 20) and creating the false impression of a
        prize (item 31); the UK DMCC Act 2024 Sch. 20 and FTC Act s. 5 forbid the same
        deceptions. In the EU, a price reduction must state the lowest price of the 30 days
        before it (Directive 98/6/EC Art. 6a). WhatsApp's policy forbids misleading people.

    Example:
        ``Last chance! Only 3 left at -40%`` with no ``offer_end_at``, ``stock_evidence`` or
        ``prior_price_30d``, sent to German contacts.

    Use instead:
        Keep only true claims and record them: ``x-wagate.offer_end_at = "2025-06-08"``,
        ``stock_evidence = "ERP export 2025-06-02: 3 units"``, ``prior_price_30d = "€49"``.

    Configuration:
        The phrases and patterns are data: ``lint/packs/misleading.toml``.

    Known gaps:
        Whether a stated end date matches the wording ("today only" for a month-long offer) is
        not checked, nor whether the evidence is true. The legal bases are from memory in the
        research notes and the non-seed languages were compiled for this project: both need
        review.

    References:
        UCPD 2005/29/EC Annex I items 7, 20, 31; Directive 98/6/EC Art. 6a (Omnibus Directive
        2019/2161); UK DMCC Act 2024 Sch. 20; FTC Act s. 5; WhatsApp Business Messaging Policy;
        compliance-rules.md §8, §11.6.
    """

    code = "P005"
    name = "misleading-claim"
    severity = Severity.WARNING
    applies_to = "draft"
    groups = ("policy", "content")
    prepares = (claims,)
    basis = (
        "UCPD 2005/29/EC Annex I items 7, 20, 31; Directive 98/6/EC Art. 6a; UK DMCC Act 2024 Sch. 20; "
        "FTC Act s. 5; WhatsApp policy (no misleading content)"
    )

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One warning per kind of claim and component that lacks its evidence."""
        for component in draft.components:
            text = without_placeholders(component.text)
            for claim in claims():
                hit = claim.find(text)
                if hit is None:
                    continue
                problem = self._problem(claim, draft, ctx)
                if problem is not None:
                    yield self.draft_finding(
                        draft,
                        f"Possible misleading claim '{hit.text}': {problem}.",
                        component,
                        excerpt=hit.text,
                    )

    @staticmethod
    def _problem(claim: Claim, draft: Draft, ctx: RunContext) -> str | None:
        """What is wrong with the claim's evidence (``None``: backed up, or not relevant here)."""
        if not claim.evidence:
            return UNBACKED.get(claim.kind, "remove it unless it is true and substantiated")
        if not reaches(ctx, claim.regions):
            return None
        value = getattr(draft.meta, claim.evidence, None)
        if value is None or not str(value).strip():
            return EVIDENCE.get(claim.evidence, f"provide evidence in x-wagate.{claim.evidence} or remove")
        if claim.evidence != "offer_end_at":
            return None
        end = offer_end(str(value))
        if end is None:
            return f"x-wagate.offer_end_at {value!r} is not a date (use e.g. 2025-06-08 or 2025-06-08T23:59+02:00)"
        if end <= ctx.at:
            return f"the offer ended ({value}) before the send time; remove the claim"
        return None
