"""D005 data-rights-request."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import day, valid_contacts
from lint.rules._registry import flags, timestamps

REQUESTS = (
    ("objection_at", "objected to marketing"),
    ("erasure_requested_at", "asked for erasure"),
    ("restriction_requested_at", "asked for restriction of processing"),
)


class DataRightsRequest(Rule):
    """Contact objected, or asked for erasure or restriction, after their last consent.

    What it does:
        Reports contacts with an ``objection_at``, ``erasure_requested_at`` or
        ``restriction_requested_at`` later than their latest consent event (grant or
        withdrawal; any request counts when there is no consent record), and contacts with
        ``dsar_hold`` = yes (a data-rights request being handled). This rule cannot be waived.

    Why it matters:
        After an objection to direct marketing the data may no longer be used for it (GDPR
        Art. 21(3)); erasure (Art. 17) and restriction (Art. 18) requests stop processing, and
        LGPD Art. 18, DPDP s. 12 and UU PDP give the same rights. Messaging such a person is a
        breach of a request the business has already received.

    Example:
        ``consent_timestamp`` = ``2024-05-01``, ``erasure_requested_at`` = ``2025-02-10``.

    Use instead:
        Carry out the request (delete or restrict the record, add the number to the
        suppression list) before the next campaign.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        GDPR Arts. 17, 18, 21(3); LGPD Art. 18; DPDP Act s. 12; UU PDP No. 27/2022;
        compliance-rules.md §9.10.
    """

    code = "D005"
    name = "data-rights-request"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("data",)
    basis = "GDPR Arts. 17, 18, 21(3); LGPD Art. 18; DPDP s. 12; UU PDP"
    waivable = False

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts with a data-rights request newer than their consent, or on hold."""
        names = [name for name, _ in REQUESTS]
        if not any(contacts.has(name) for name in (*names, "dsar_hold")):
            return None
        frame = valid_contacts(contacts, *names, "dsar_hold")
        frame = frame.with_columns(
            *(timestamps(frame, name).alias(f"r_{name}") for name in names),
            hold=flags(frame, "dsar_hold").fill_null(False),
        )
        if ctx.consent is not None:
            events = pl.concat(
                [
                    ctx.consent.grants.select("_key", "consent_timestamp"),
                    ctx.consent.withdrawals.select("_key", "consent_timestamp"),
                ]
            )
            latest = events.group_by("_key").agg(last_consent=pl.col("consent_timestamp").max())
            frame = frame.join(latest, on="_key", how="left", maintain_order="left")
        else:
            frame = frame.with_columns(last_consent=pl.lit(None, pl.Datetime("us", "UTC")))
        after = [
            (
                pl.col(f"r_{name}").is_not_null()
                & (pl.col("last_consent").is_null() | (pl.col(f"r_{name}") > pl.col("last_consent")))
            )
            for name in names
        ]
        # the first reason that applies: a hold, then objection, erasure, restriction
        reasons = [pl.when(pl.col("hold")).then(pl.lit("has a data-rights request on hold"))]
        reasons += [
            pl.when(test).then(pl.format("{} on {}", pl.lit(text), day(pl.col(f"r_{name}"))))
            for (name, text), test in zip(REQUESTS, after, strict=True)
        ]
        reason = pl.coalesce(reasons)
        flagged = frame.with_columns(reason=reason).filter(pl.col("reason").is_not_null())
        message = pl.format("{} {}; do not message.", pl.col("e164"), pl.col("reason"))
        return flagged.select("_row", message=message)
