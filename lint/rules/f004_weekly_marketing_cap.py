"""F004 weekly-marketing-cap."""

from __future__ import annotations

from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.frequency import MARKETING, WEEKLY_OPTION, describe_window, frequency_pack, weekly_cap, weekly_limit
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._frequency import category_sends, judge


class WeeklyMarketingCap(Rule):
    """A contact would receive more marketing messages in 7 days than the cap (default 2).

    What it does:
        For marketing drafts, counts each contact's marketing messages in any rolling 7 days:
        earlier sends from the send history (the warehouse, or ``send_log``) plus this plan's
        message, and reports contacts above the cap (2 unless configured). A send whose
        category is unknown counts as marketing.

    Why it matters:
        WhatsApp judges marketing by whether people find it "expected and relevant": frequent
        messages bring blocks and reports, which lower the number's quality rating and then its
        messaging limit, and Meta already drops marketing templates beyond a per-user limit
        (error 131049). A per-person cap keeps the whole programme deliverable.

    Example:
        A contact received marketing on Monday and Thursday; the plan sends another on Saturday
        of the same week (3 in 7 days, cap 2).

    Use instead:
        Leave recently messaged contacts out of this send, or send later.

    Configuration:
        ``[lint.options.F004] cap = 3`` changes the cap (the default is ``[weekly]`` in
        ``lint/packs/frequency.toml``); the sender applies the same cap before each message.

    References:
        WhatsApp Business Messaging Policy; per-user marketing template limits (131049);
        compliance-rules.md §9.7.
    """

    code = "F004"
    name = "weekly-marketing-cap"
    severity = Severity.WARNING
    applies_to = "send-plan"
    groups = ("frequency", "quality")
    basis = "WhatsApp quality rating / 'expected and relevant' messaging; per-user marketing limits (131049)"
    options = MappingProxyType({WEEKLY_OPTION: int(frequency_pack()["weekly"]["limit"])})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts the plan's message would put over the weekly cap."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        cap = weekly_cap(weekly_limit(ctx.config))
        frame = valid_contacts(contacts)
        sends = category_sends(ctx.sends(ctx.at - cap.window), MARKETING)
        verdicts = judge(frame, pl.concat_list(pl.lit(None, pl.String)), sends, [cap], MARKETING, ctx.at)
        if verdicts.height == 0:
            return None
        message = pl.format(
            "{} would receive {} marketing messages in {} (cap {}).",
            pl.col("e164"),
            pl.col("count"),
            pl.lit(describe_window(cap.window)),
            pl.lit(cap.limit),
        )
        return verdicts.join(frame.select("_row", "e164"), on="_row").select("_row", message=message)
