"""P007 us-opt-in-confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules.o001_missing_opt_out import has_opt_out
from lint.text import fold

PURPOSE = "opt_in_confirmation"


@cache
def item_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The detectors of ``packs/opt_in_confirmation.toml`` by item."""
    items = read_pack("opt_in_confirmation")["items"]
    return {name: tuple(re.compile(p, re.IGNORECASE) for p in patterns) for name, patterns in items.items()}


class UsOptInConfirmation(Rule):
    """US opt-in confirmation lacks a required element.

    What it does:
        For drafts whose ``x-wagate.purpose`` is ``opt_in_confirmation``, when the contact list
        has US numbers (or no contact list is given), checks that the text names the program
        or brand (a configured brand name or the draft's brand), states the message frequency
        ("up to 4 msgs/month", "Msg frequency varies"), says "Msg & data rates may apply",
        tells how to get help ("Reply HELP") and how to stop (the opt-out detector of O001).
        Every missing element is listed.

    Why it matters:
        The CTIA Messaging Principles (5.1.2.1) require the first message after an opt-in to
        confirm the program name, frequency, rates, HELP and STOP; US carriers audit it, and
        the TCPA's consent proof is stronger when the confirmation repeats the terms.

    Example:
        "Thanks for subscribing!"

    Use instead:
        "Acme: you're subscribed to order and offer updates, up to 4 msgs/month. Msg & data
        rates may apply. Reply HELP for help, STOP to opt out."

    Configuration:
        Detectors in ``lint/packs/opt_in_confirmation.toml``; ``brand_names`` in ``[lint]``.

    References:
        CTIA Messaging Principles and Best Practices 5.1.2.1; compliance-rules.md §2.5, §9.9.
    """

    code = "P007"
    name = "us-opt-in-confirmation"
    severity = Severity.WARNING
    applies_to = "draft"
    groups = ("policy", "us")
    basis = "CTIA Messaging Principles 5.1.2.1 (industry standard)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One finding listing the missing elements of a US opt-in confirmation."""
        if draft.meta.purpose != PURPOSE or not self._us_audience(ctx):
            return
        text = fold(" ".join(c.text for c in draft.components if c.text))
        brands = [*ctx.config.brand_names, *([draft.meta.brand] if draft.meta.brand else [])]
        patterns = item_patterns()
        checks = [
            ("program/brand name", any(fold(b) in text for b in brands if b.strip())),
            ("message frequency", any(p.search(text) for p in patterns["frequency"])),
            ("'Msg & data rates may apply'", any(p.search(text) for p in patterns["rates"])),
            ("HELP instruction", any(p.search(text) for p in patterns["help"])),
            ("STOP instruction", has_opt_out(draft, ctx.packs)),
        ]
        missing = [name for name, present in checks if not present]
        if missing:
            target = draft.component("BODY") or draft.component("TEXT")
            yield self.draft_finding(
                draft, f"US opt-in confirmation is missing: {', '.join(missing)}.", target
            )

    @staticmethod
    def _us_audience(ctx: RunContext) -> bool:
        """Whether the run reaches US numbers (assumed when there is no contact list)."""
        if ctx.contacts is None:
            return True
        frame = ctx.contacts.valid_rows()
        return bool(frame.select(ctx.in_regions("US_TCPA").any()).item())
