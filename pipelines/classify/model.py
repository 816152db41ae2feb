"""Value types returned by the inbound classifier."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Tier(StrEnum):
    """How an entry matched: the whole message, its opening, or somewhere inside it."""

    EXACT = "exact"
    LEADING = "leading"
    CONTAINS = "contains"


SCOPE_ALL = "all"
SCOPE_MARKETING = "marketing"


@dataclass(frozen=True, slots=True)
class Classification:
    """What an inbound reply asks for.

    ``opt_out`` is definitive (exact or leading tier): suppress automatically. ``review`` means an
    opt-out keyword appeared only inside the text ("don't stop", "stop by the store"): flag for a
    person, never suppress on its own. ``scope`` is set for ``opt_out`` and ``review`` only.
    ``language``/``keyword``/``tier`` describe the most important match, in the order
    opt-out (including review) > complaint > opt-in > help.
    """

    opt_out: bool = False
    review: bool = False
    complaint: bool = False
    opt_in: bool = False
    help: bool = False
    scope: str | None = None
    language: str | None = None
    keyword: str | None = None
    tier: Tier | None = None

    @property
    def matched(self) -> bool:
        """Whether any lexicon entry matched."""
        return self.keyword is not None

    def rank(self) -> int:
        """Importance of the main match: opt-out 5, review 4, complaint 3, opt-in 2, help 1, none 0."""
        flags = (self.help, self.opt_in, self.complaint, self.review, self.opt_out)
        return max((level for level, flag in enumerate(flags, start=1) if flag), default=0)


NOTHING = Classification()
"""The classification of a message that matches no lexicon entry."""


def merge_button(payload: Classification, label: Classification) -> Classification:
    """Combine what a quick-reply button's payload and its label say.

    Flags are combined with "or". When both sides opt out (or both ask for review) with
    different scopes, the scope is ``all``: an unclear scope is treated as the wider one.
    The reported keyword comes from the stronger side, the payload on a tie.
    """
    primary = payload if payload.rank() >= label.rank() else label
    opt_out = payload.opt_out or label.opt_out
    review = not opt_out and (payload.review or label.review)
    sides = [c for c in (payload, label) if (c.opt_out if opt_out else c.review)]
    scopes = {c.scope for c in sides}
    scope = None
    if sides:
        scope = SCOPE_ALL if SCOPE_ALL in scopes else SCOPE_MARKETING
    return replace(
        primary,
        opt_out=opt_out,
        review=review,
        complaint=payload.complaint or label.complaint,
        opt_in=payload.opt_in or label.opt_in,
        help=payload.help or label.help,
        scope=scope,
    )
