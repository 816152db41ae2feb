"""R004 singapore-dnc."""

from __future__ import annotations

from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._registry import check_state, in_country, marketing_run, timestamps

COLUMNS = ("sg_dnc_result", "sg_dnc_checked_at")
EVIDENTIAL_BASES = ["express", "prior_express_written"]


class SingaporeDnc(Rule):
    """Singapore number without evidential consent and without a valid DNC Registry result.

    What it does:
        When the run has a marketing draft (or no draft), looks at contacts with a Singapore
        number or stated country whose marketing grant in force is not evidential: a grant
        with ``basis`` ``express`` or ``prior_express_written`` and the consent text (or its
        version) on record counts as evidential. For the others it reports a
        ``sg_dnc_result`` of ``listed``, and a result that is missing or older than 21 days.

    Why it matters:
        PDPA s. 43 forbids sending a specified message to a Singapore number on the DNC
        Registry unless the person gave clear and unambiguous consent in evidential form; a
        registry result is valid for 21 days (PDPC). Fines reach SGD 200,000 (individuals) or
        SGD 1 million (organisations).

    Example:
        ``+65 9123 4567`` with no ``sg_dnc_checked_at`` and no consent record.

    Use instead:
        Check Singapore numbers with the DNC Registry within 21 days of sending and record
        ``sg_dnc_result`` and ``sg_dnc_checked_at``, or keep written evidence of consent.

    Configuration:
        ``max_age_days`` (default 21) in ``[lint.options.R004]``.

    References:
        Personal Data Protection Act 2012 s. 43, 46; PDPC DNC Registry guidance (21-day
        validity); compliance-rules.md §5.2, §9.5.
    """

    code = "R004"
    name = "singapore-dnc"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("registries", "singapore")
    basis = "SG PDPA s. 43 (+ PDPC 21-day result validity)"
    options = MappingProxyType({"max_age_days": 21})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Singapore contacts without evidential consent, listed or without a fresh registry result."""
        if not marketing_run(ctx):
            return None
        frame = valid_contacts(contacts, *COLUMNS).filter(in_country("SG"))
        if frame.height == 0:
            return None
        evidential = pl.col("cs_basis").cast(pl.String).is_in(EVIDENTIAL_BASES) & (
            pl.col("cs_consent_text").is_not_null() | pl.col("cs_consent_text_version").is_not_null()
        )
        proven = ctx.consent_where(frame.select("_row"), "marketing", evidential)["_row"]
        result = (
            pl.col("sg_dnc_result").cast(pl.String).str.strip_chars().str.to_lowercase()
            if "sg_dnc_result" in frame.columns
            else pl.lit(None, pl.String)
        )
        days = int(str(self.option(ctx, "max_age_days")))
        reason = (
            pl.when(result == "listed")
            .then(pl.lit("listed"))
            .otherwise(check_state(pl.col("checked"), ctx.at, days))
        )
        flagged = (
            frame.with_columns(checked=timestamps(frame, "sg_dnc_checked_at"))
            .filter(~pl.col("_row").is_in(proven.implode()))
            .with_columns(reason=reason)
            .filter(pl.col("reason").is_not_null())
        )
        message = pl.format(
            "Singapore number {}: DNC check missing/expired (valid {} days) and no evidential consent ({}).",
            pl.col("e164"),
            pl.lit(days),
            pl.col("reason"),
        )
        return flagged.select("_row", message=message)
