"""F002 country-recontact-limit."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.frequency import MARKETING, recontact_caps, recontact_confidence
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._frequency import category_sends, judge


class CountryRecontactLimit(Rule):
    """Marketing more often than a country's recontact limit allows (UAE, Colombia, Vietnam).

    What it does:
        For marketing drafts and contacts whose number region or stated country is AE, CO or VN,
        counts the contact's marketing messages in rolling windows - earlier sends from the send
        history plus this plan's message - against the country's limits in
        ``lint/packs/frequency.toml``: UAE at most 1 per 24 hours and 2 per 7 days; Colombia 1
        per 7 days on the same channel; Vietnam 1 per 24 hours. A send whose category is unknown
        counts as marketing. The Colombian and Vietnamese limits are unconfirmed and say so in
        the message.

    Why it matters:
        UAE Cabinet Resolution 56/2024 limits how often a consumer who did not answer may be
        contacted again for marketing (and bars further marketing after they decline);
        Colombia's Ley 2300 de 2023 ("dejen de fregar") limits repeat contacts to one per week
        per channel; Vietnam's Decree 91/2020 limits advertising messages to one per 24 hours
        per recipient.

    Example:
        A UAE contact received marketing messages on Monday and Wednesday; the plan sends another
        on Friday of the same week.

    Use instead:
        Leave the contact out of this send, or plan it after the window has passed.

    Configuration:
        Limits per country (with their sources and confidence) in ``[recontact]`` of
        ``lint/packs/frequency.toml``; the history: the warehouse, or ``send_log`` in ``[lint]``.
        The sender applies the same caps before each message.

    Known gaps:
        Windows are rolling (not calendar days or weeks). Whether the contact answered or
        declined is not known to the linter: the "no further marketing after declining" part of
        the UAE rule is left to the opt-out rules (O003, O004). Colombia's limit is per channel;
        only WhatsApp sends are in the history. The Colombian and Vietnamese figures are
        unconfirmed (compliance-rules.md §12 item 10).

    References:
        UAE Cabinet Resolution 56/2024; Colombia Ley 2300 de 2023; Vietnam Decree 91/2020;
        compliance-rules.md §9.7, §12.
    """

    code = "F002"
    name = "country-recontact-limit"
    severity = Severity.WARNING
    applies_to = "send-plan"
    groups = ("frequency",)
    basis = "UAE Res. 56/2024; CO Ley 2300/2023; VN Decree 91/2020"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts in AE/CO/VN the plan's message would put over a recontact limit."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        caps = recontact_caps()
        countries = sorted({region for cap in caps for region in cap.regions or ()})
        region, country = pl.col("region").cast(pl.String), pl.col("country_iso").cast(pl.String)
        frame = valid_contacts(contacts).filter(
            region.is_in(countries).fill_null(False) | country.is_in(countries).fill_null(False)
        )
        if frame.height == 0:
            return None
        longest = max(cap.window for cap in caps)
        sends = category_sends(ctx.sends(ctx.at - longest), MARKETING)
        verdicts = judge(frame, pl.concat_list(region, country), sends, caps, MARKETING, ctx.at)
        if verdicts.height == 0:
            return None
        confidence = recontact_confidence()
        limits = [
            cap.message
            + ("; unconfirmed" if confidence.get(next(iter(cap.regions or ())), "") == "unconfirmed" else "")
            for cap in caps
        ]
        message = pl.format(
            "{}: exceeds {} recontact limit ({}).",
            pl.col("e164"),
            pl.col("place"),
            pl.col("cap").replace_strict(dict(enumerate(limits)), return_dtype=pl.String),
        )
        return verdicts.join(frame.select("_row", "e164"), on="_row").select("_row", message=message)
