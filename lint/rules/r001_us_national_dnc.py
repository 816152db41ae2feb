"""R001 us-national-dnc."""

from __future__ import annotations

from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._registry import check_state, flags, marketing_run, timestamps

COLUMNS = ("us_national_dnc", "us_dnc_checked_at")


class UsNationalDnc(Rule):
    """US number on, or not recently checked against, the National Do-Not-Call Registry.

    What it does:
        When the run has a marketing draft (or no draft), looks at contacts with a number or
        stated country in the US or its territories. It reports numbers marked
        ``us_national_dnc`` = yes whose marketing grant in force is not prior express written
        consent, and numbers whose ``us_dnc_checked_at`` is missing or older than 31 days at
        the planned send time. A list without these columns is reported contact by contact:
        the check is missing, which is not a pass.

    Why it matters:
        47 U.S.C. 227(c) and 47 CFR 64.1200(c)(2) forbid telephone solicitations, texts
        included (64.1200(e)), to numbers on the National DNC Registry; the safe harbour needs
        a registry scrub at most 31 days old. Prior express written consent exempts a listed
        number.

    Example:
        ``+1 415 555 0100`` with ``us_dnc_checked_at`` = ``2025-03-01`` for a send on
        2025-06-03.

    Use instead:
        Scrub US numbers against the registry (telemarketing.donotcall.gov) within 31 days of
        sending, record ``us_national_dnc`` and ``us_dnc_checked_at``, and drop listed numbers
        without written consent.

    Configuration:
        ``max_age_days`` (default 31) in ``[lint.options.R001]``.

    Known gaps:
        The established-business-relationship exemption (18 months after a purchase, 3 after
        an inquiry) is not applied; only written consent exempts a listed number here.

    References:
        47 U.S.C. 227(c); 47 CFR 64.1200(c)(2), (e); compliance-rules.md §2.2, §9.5.
    """

    code = "R001"
    name = "us-national-dnc"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("registries", "us")
    basis = "47 U.S.C. 227(c); 47 CFR 64.1200(c)(2), (e) (texts)"
    options = MappingProxyType({"max_age_days": 31})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """US contacts listed without written consent, or without a recent registry check."""
        if not marketing_run(ctx):
            return None
        frame = valid_contacts(contacts, *COLUMNS).filter(ctx.in_regions("US_TCPA"))
        if frame.height == 0:
            return None
        frame = frame.with_columns(
            listed=flags(frame, "us_national_dnc").fill_null(False),
            checked=timestamps(frame, "us_dnc_checked_at"),
        )
        written = ctx.consent_where(
            frame.select("_row"), "marketing", pl.col("cs_basis").cast(pl.String) == "prior_express_written"
        )["_row"]
        days = int(str(self.option(ctx, "max_age_days")))
        reason = (
            pl.when(pl.col("listed") & ~pl.col("_row").is_in(written.implode()))
            .then(pl.lit("listed, no written consent"))
            .otherwise(check_state(pl.col("checked"), ctx.at, days))
        )
        flagged = frame.with_columns(reason=reason).filter(pl.col("reason").is_not_null())
        message = pl.format(
            "{} is on, or not recently checked against, the US National Do-Not-Call Registry (max {} days): {}.",
            pl.col("e164"),
            pl.lit(days),
            pl.col("reason"),
        )
        return flagged.select("_row", message=message)
