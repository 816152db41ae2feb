"""O007 opt-out-confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import day, utc, valid_contacts
from lint.rules.o003_opted_out import opt_outs

PURPOSE = "opt_out_confirmation"
SUMMARY = "Opt-out confirmation must be a single, non-promotional message (US: within 5 minutes)"


class OptOutConfirmation(Rule):
    """Opt-out confirmation is promotional, or reaches a US number too late.

    What it does:
        Looks at drafts whose ``x-wagate.purpose`` is ``opt_out_confirmation``. On the draft,
        it reports promotional wording (the classifier of ``packs/promotional.toml``) or a
        declared ``MARKETING`` category: a confirmation may only confirm. For contacts, it
        reports US numbers (US, PR, GU, VI, MP, AS) whose latest opt-out on record (the
        ``opted_out_at`` column, withdraw events, the suppression list) is more than 5 minutes
        before the planned send time.

    Why it matters:
        Since 11 April 2024, 47 CFR 64.1200(a)(12) allows one text confirming an opt-out, sent
        within five minutes and without marketing (the FCC's 2012 SoundBite ruling; CTIA
        Messaging Principles). A late or promotional confirmation is itself an unsolicited
        message.

    Example:
        A confirmation "You are unsubscribed. Use code BACK10 for 10% off!", or one planned an
        hour after a US contact sent STOP.

    Use instead:
        "You will no longer receive marketing messages from Acme." sent by the inbound handler
        right after the opt-out, once.

    Configuration:
        ``max_delay_minutes`` (default 5) in ``[lint.options.O007]``. A documented reason for a
        later confirmation is recorded as a waiver.

    Known gaps:
        A second confirmation of the same opt-out is not detected yet: the send log does not
        link a confirmation to the opt-out it confirms.

    References:
        47 CFR 64.1200(a)(12) (effective 11 April 2024); FCC SoundBite Communications
        declaratory ruling (2012); CTIA Messaging Principles; compliance-rules.md §9.4.
    """

    code = "O007"
    name = "opt-out-confirmation"
    severity = Severity.ERROR
    applies_to = "draft"
    groups = ("opt-out",)
    basis = "47 CFR 64.1200(a)(12) (eff. 4 Apr 2024); FCC SoundBite ruling 2012; CTIA"
    options = MappingProxyType({"max_delay_minutes": 5})

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """Promotional wording (or a marketing label) in an opt-out confirmation."""
        if draft.meta.purpose != PURPOSE:
            return
        classification = ctx.category(draft)
        if classification.hits:
            hit = classification.hits[0]
            component = next((c for c in draft.components if c.label == hit.component), None)
            yield self.draft_finding(
                draft, f"{SUMMARY}: promotional wording '{hit.text}'.", component, excerpt=hit.text
            )
        elif draft.category == "MARKETING":
            yield self.draft_finding(draft, f"{SUMMARY}: it is labelled MARKETING.", "category")

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """US contacts whose opt-out is older than the allowed delay at the planned send time."""
        if draft is None or draft.meta.purpose != PURPOSE:
            return None
        outs = opt_outs(contacts, ctx).filter(pl.col("out_at").is_not_null())
        if outs.height == 0:
            return None
        latest = outs.group_by("_key").agg(pl.col("out_at").max())
        minutes = int(str(self.option(ctx, "max_delay_minutes")))
        delay = (utc(min(ctx.send_times)) - pl.col("out_at")).dt.total_minutes()
        frame = (
            valid_contacts(contacts)
            .filter(ctx.in_regions("US_TCPA"))
            .join(latest, on="_key", how="inner", maintain_order="left")
            .filter(delay > minutes)
        )
        message = pl.format(
            "{}: {} is planned {} minutes after the opt-out of {} (at most {}).",
            pl.lit(SUMMARY),
            pl.col("e164"),
            delay,
            day(pl.col("out_at")),
            pl.lit(minutes),
        )
        return frame.select("_row", message=message)
