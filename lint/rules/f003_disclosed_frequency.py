"""F003 disclosed-frequency-exceeded."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.disclosed import Disclosed, describe, parse_frequency
from lint.findings import Severity
from lint.frequency import Cap
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._frequency import category_sends, judge


class DisclosedFrequencyExceeded(Rule):
    """The plan sends more often than the frequency the contact was told at opt-in.

    What it does:
        Reads the ``frequency_disclosed`` of the consent in force for the draft's category (a
        contact column or a consent-event column: "up to 4/month", "2x per week", "twice a
        week", "每周最多2条", "每月不超过4条" ...) and counts the contact's messages of that
        category in the stated window - earlier sends from the send history plus this plan's
        message. Contacts over any stated limit are errors. A disclosure that promises no number
        ("Msg frequency varies") sets no limit; one the linter cannot read is reported as info
        so it can be rewritten. A month counts as 30 days, a year as 365, as rolling windows.

    Why it matters:
        Consent covers what the person was told (GDPR Art. 4(11): informed and specific); the
        CTIA Messaging Principles require the message frequency in the opt-in disclosure.
        Sending more often than promised goes beyond the consent, and it is the complaint
        carriers and Meta see as "I didn't sign up for this".

    Example:
        ``frequency_disclosed`` = ``up to 2/week``; the contact got marketing messages on Monday
        and Wednesday and the plan sends another on Thursday.

    Use instead:
        Send within the disclosed frequency, or collect a new opt-in that discloses the
        frequency you need.

    Configuration:
        The ``frequency_disclosed`` column (aliases in ``lint/packs/columns.toml``); the history:
        the warehouse, or ``send_log`` in ``[lint]``.

    Known gaps:
        "Per month" is read as any rolling 30 days, which is stricter than a calendar month. A
        send whose category is unknown counts towards the limit.

    References:
        GDPR Art. 4(11); CTIA Messaging Principles and Best Practices 5.1.1 (frequency
        disclosure); compliance-rules.md §9.7, §10.2.
    """

    code = "F003"
    name = "disclosed-frequency-exceeded"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("frequency", "consent")
    basis = "Consent scope (GDPR Art. 4(11) informed/specific); CTIA frequency disclosure"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts over their disclosed frequency, and disclosures that cannot be read (info)."""
        if draft is None or ctx.consent is None:
            return None
        purpose = ctx.category(draft).purpose
        # judged once per grant, on the categorical column: cheap on a million contacts without it
        frame = ctx.consent_where(
            valid_contacts(contacts),
            purpose,
            pl.col("cs_frequency_disclosed").is_not_null(),
            ("cs_frequency_disclosed",),
        )
        stated = pl.col("cs_frequency_disclosed").cast(pl.String).str.strip_chars()
        frame = frame.with_columns(disclosed=stated).filter(pl.col("disclosed") != "")
        if frame.height == 0:
            return None
        parsed = {text: parse_frequency(text) for text in frame["disclosed"].unique().to_list()}
        parts = [self._unreadable(frame, [t for t, p in parsed.items() if p is None])]
        limited = {text: found for text, found in parsed.items() if found is not None and found.limits}
        if limited:
            parts.append(self._exceeded(frame, limited, ctx, purpose))
        found = pl.concat(parts)
        return found if found.height else None

    @staticmethod
    def _unreadable(frame: pl.DataFrame, texts: list[str]) -> pl.DataFrame:
        message = pl.format(
            "Cannot read the message frequency {} agreed to ('{}'); write it like 'up to 4/month' or "
            "'每周最多2条' so the plan can be checked against it.",
            pl.col("e164"),
            pl.col("disclosed"),
        )
        return frame.filter(pl.col("disclosed").is_in(texts)).select(
            "_row", message=message, severity=pl.lit(Severity.INFO.value)
        )

    def _exceeded(
        self, frame: pl.DataFrame, limited: dict[str, Disclosed], ctx: RunContext, purpose: str
    ) -> pl.DataFrame:
        longest = max(window for found in limited.values() for _, window in found.limits)
        sends = category_sends(ctx.sends(ctx.at - longest), purpose)
        parts = []
        for text, found in limited.items():
            caps = [
                Cap(self.code, None, None, limit, window, describe(limit, window))
                for limit, window in found.limits
            ]
            chosen = frame.filter(pl.col("disclosed") == text)
            verdicts = judge(chosen, pl.concat_list(pl.lit(None, pl.String)), sends, caps, purpose, ctx.at)
            parts.append(verdicts.join(chosen.select("_row", "e164", "disclosed"), on="_row"))
        judged = pl.concat(parts)
        message = pl.format(
            "Plan exceeds the frequency {} agreed to ({}).", pl.col("e164"), pl.col("disclosed")
        )
        return judged.select("_row", message=message, severity=pl.lit(Severity.ERROR.value))
