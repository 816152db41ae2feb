"""S001 us-marketing-pause."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts


class UsMarketingPause(Rule):
    """Marketing template to a US number, which Meta does not deliver.

    What it does:
        For marketing drafts (by effective category), reports every contact whose number is a US
        number, unless ``meta_us_marketing_enabled`` is set in ``[lint]``. Each affected contact
        is reported so it can be excluded from the audience.

    Why it matters:
        Since 1 April 2025 Meta does not deliver marketing templates to +1 US numbers; the sends
        fail (and are charged by some providers), and retrying them only lowers the quality rating.

    Example:
        A MARKETING template and a contact ``+1 202 555 0143``.

    Use instead:
        Remove US contacts from marketing campaigns or use another channel for them; utility and
        authentication templates still reach US numbers.

    Configuration:
        ``meta_us_marketing_enabled = true`` in ``[lint]`` when Meta lifts the pause; the region set
        is ``META_US_MARKETING_PAUSE`` in ``lint/packs/regions.toml``.

    References:
        Meta per-user marketing template limits / US marketing pause (AWS End User Messaging
        documentation); compliance-rules.md §2.6.
    """

    code = "S001"
    name = "us-marketing-pause"
    severity = Severity.ERROR
    applies_to = "send-plan"
    groups = ("send-plan", "us")
    basis = "Meta stopped delivering marketing templates to US (+1) numbers on 2025-04-01"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """US numbers in a marketing send."""
        if draft is None or ctx.config.meta_us_marketing_enabled or not ctx.category(draft).marketing:
            return None
        regions = sorted(ctx.packs.region_set("META_US_MARKETING_PAUSE"))
        message = pl.format(
            "Meta does not deliver marketing templates to +1 US numbers (since 1 Apr 2025): {}; remove US "
            "contacts or switch channel.",
            pl.col("e164"),
        )
        return (
            valid_contacts(contacts).filter(pl.col("region").is_in(regions)).select("_row", message=message)
        )
