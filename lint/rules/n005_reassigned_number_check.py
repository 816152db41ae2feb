"""N005 reassigned-number-check."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import UTC_DATETIME
from lint.rules._common import column, utc, valid_contacts


class ReassignedNumberCheck(Rule):
    """US consent predates the last Reassigned Numbers Database check.

    What it does:
        For US-jurisdiction contacts (number or stated country in the US and its territories) and
        marketing drafts, reports consent older than ``max_consent_age_days`` (default 90) when
        no Reassigned Numbers Database (RND) query is recorded after the consent date
        (``rnd_checked_at``).

    Why it matters:
        US numbers are reassigned to new people all the time; the consent of the previous holder
        does not cover the new one. The FCC's RND gives a safe harbour to senders who check it
        (47 CFR 64.1200(m)); without the check, a message to a reassigned number is a message
        without consent.

    Example:
        Consent 2024-01-10 for ``+1 202 555 0143``, no ``rnd_checked_at``, send in June 2025.

    Use instead:
        Query the RND before the campaign and record the date in ``rnd_checked_at``.

    Configuration:
        ``[lint.options.N005] max_consent_age_days = 90``.

    References:
        47 CFR 64.1200(m) (Reassigned Numbers Database safe harbour).
    """

    code = "N005"
    name = "reassigned-number-check"
    severity = Severity.WARNING
    applies_to = "contact+draft"
    groups = ("numbers", "us")
    basis = "47 CFR 64.1200(m) Reassigned Numbers Database safe harbour"
    options = MappingProxyType({"max_consent_age_days": 90})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Old US consent without a later RND check."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        days = int(str(self.option(ctx, "max_consent_age_days")))
        frame = ctx.with_consent(
            valid_contacts(contacts, "rnd_checked_at").filter(ctx.in_regions("US_TCPA")),
            "marketing",
            ("cs_consent_timestamp",),
        )
        if "cs_consent_timestamp" not in frame.columns:
            return None
        consented = pl.col("cs_consent_timestamp")
        checked = column(contacts, "rnd_checked_at", UTC_DATETIME)
        stale = (consented < utc(ctx.at - timedelta(days=days))) & (
            checked.is_null() | (checked <= consented)
        )
        message = pl.format(
            "Consent for {} predates the last reassigned-number check; run an RND query before sending.",
            pl.col("e164"),
        )
        return frame.filter(stale.fill_null(False)).select("_row", message=message)
