"""C006 channel-mismatch."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts

# channels whose consent covers a WhatsApp message; "all" is how people write "any channel"
COVERING = ["whatsapp", "messaging", "any", "all"]


class ChannelMismatch(Rule):
    """Opt-in was given for another channel (email, SMS ...), not WhatsApp.

    What it does:
        For each contact with a consent grant in force that lists its ``channels``, reports the
        grant when none of them is ``whatsapp`` or ``messaging`` (``any``/``all`` also cover
        WhatsApp). Grants without a channel list are not judged here. The finding is an error
        for numbers or stated countries in the EU/EEA, the UK and its dependencies, or Canada,
        where consent is channel-specific by law, and a warning elsewhere.

    Why it matters:
        Consent must be specific (GDPR Art. 4(11)); the ICO expects consent per channel, and
        CASL s. 10 requires express consent for the purpose it was sought for. WhatsApp allows a
        general opt-in only where local law allows it, so an email- or SMS-only consent does
        not cover a WhatsApp message in those markets.

    Example:
        ``channels`` = ``email, sms`` for a German number.

    Use instead:
        Collect a WhatsApp opt-in (``channels`` = ``whatsapp``), e.g. a checkbox naming WhatsApp
        or a keyword sent to your WhatsApp number.

    Configuration:
        Region sets in ``lint/packs/regions.toml``.

    References:
        GDPR Art. 4(11); ICO guidance on consent; CASL s. 10; WhatsApp Business Messaging
        Policy (opt-in); compliance-rules.md §9.3.
    """

    code = "C006"
    name = "channel-mismatch"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent",)
    basis = "ICO (consent specific per channel); CASL s. 10; WhatsApp policy (general opt-in only where law allows)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force whose channel list leaves WhatsApp out."""
        if ctx.consent is None:
            return None
        channels = pl.col("cs_channels")
        elsewhere = (channels.list.len() > 0) & ~channels.list.eval(pl.element().is_in(COVERING)).list.any()
        flagged = ctx.consent_where(valid_contacts(contacts), None, elsewhere, ("cs_channels",))
        strict = (
            ctx.in_regions("EU_EEA", "UK_LIKE")
            | (pl.col("region") == "CA").fill_null(False)
            | (pl.col("country_iso") == "CA").fill_null(False)
        )
        message = pl.format(
            "Opt-in for {} covers {}, not WhatsApp.", pl.col("e164"), pl.col("cs_channels").list.join(", ")
        )
        severity = (
            pl.when(strict).then(pl.lit(Severity.ERROR.value)).otherwise(pl.lit(Severity.WARNING.value))
        )
        return flagged.select("_row", message=message, severity=severity)
