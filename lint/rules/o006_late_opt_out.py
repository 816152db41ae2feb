"""O006 late-opt-out-processing."""

from __future__ import annotations

from functools import cache

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import UTC_DATETIME, parse_timestamps
from lint.packs import read_pack
from lint.rules._common import column, valid_contacts

UNITS = ("hours", "days", "business_days")


@cache
def deadlines() -> pl.DataFrame:
    """``packs/optout_deadlines.toml`` as a table: jurisdiction, unit, amount, readable deadline."""
    rows = []
    for key, spec in read_pack("optout_deadlines")["deadlines"].items():
        unit = next(u for u in UNITS if u in spec)
        amount = int(spec[unit])
        rows.append((key, unit, amount, f"{amount} {unit.replace('_', ' ')}"))
    return pl.DataFrame(rows, schema=["jurisdiction", "unit", "amount", "deadline"], orient="row")


def _due(received: pl.Expr) -> pl.Expr:
    """The last moment an opt-out received at ``received`` may be applied (per ``unit``/``amount``)."""
    amount = pl.col("amount")
    business = (
        received.dt.date()
        .dt.add_business_days(amount, roll="forward")
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        + pl.duration(days=1)
        - pl.duration(microseconds=1)
    )
    return (
        pl.when(pl.col("unit") == "hours")
        .then(received + pl.duration(hours=amount))
        .when(pl.col("unit") == "days")
        .then(received + pl.duration(days=amount))
        .otherwise(business)
    )


class LateOptOutProcessing(Rule):
    """Opt-out was applied later than the law allows, or not applied at all.

    What it does:
        For contacts with an ``opted_out_at`` (when the opt-out was received), finds when it
        was applied: the ``opt_out_applied_at`` column, else the earliest suppression-list
        entry for the number. It reports opt-outs applied after the deadline of the contact's
        jurisdiction (``packs/optout_deadlines.toml``: US, CA, SG 10 business days; AU 5
        business days; ID 72 hours; US-FL 15 days when ``us_state`` is FL; 24 hours
        elsewhere), and opt-outs not applied at all by the time of the run, unless a later
        consent grant replaced them. Both the number's region and the stated country are
        checked; the stricter deadline decides.

    Why it matters:
        Opt-outs must be honoured within fixed periods: 47 CFR 64.1200(a)(10) and (d)(3) (10
        business days from 11 April 2025), CASL s. 11(3), the Spam Act s. 18 (5 working days),
        the Singapore Spam Control Act s. 5(3), UU PDP (3 x 24 hours), Fla. Stat. 501.059.
        Where the law names no period (GDPR, LGPD, DPDP), acting within a day is what "as easy
        to withdraw" means in practice. A slow suppression process produces messages after
        opt-out, which is what regulators fine.

    Example:
        ``opted_out_at`` = ``2025-05-01 09:00``, ``opt_out_applied_at`` = ``2025-05-03 09:00``
        for a German number (48 hours, over the 24-hour SLA).

    Use instead:
        Apply opt-outs automatically when they arrive (the inbound handler adds the number to
        the suppression list) and record ``opt_out_applied_at``.

    Configuration:
        Deadlines per jurisdiction in ``lint/packs/optout_deadlines.toml``.

    Known gaps:
        Business days skip Saturdays and Sundays but not public holidays, so a deadline that
        spans a holiday is judged one day early (stricter than the law).

    References:
        47 CFR 64.1200(a)(10), (d)(3); CASL s. 11(3); Spam Act 2003 s. 18; SG Spam Control Act
        s. 5(3); UU PDP No. 27/2022; Fla. Stat. 501.059; compliance-rules.md §11.2.
    """

    code = "O006"
    name = "late-opt-out-processing"
    severity = Severity.ERROR
    # judged once per contact list: how opt-outs were processed does not depend on the draft
    applies_to = "contact"
    groups = ("opt-out",)
    basis = (
        "47 CFR 64.1200(a)(10), (d)(3); CASL s. 11(3); Spam Act s. 18; SG Spam Control Act s. 5(3); "
        "UU PDP (3×24 h); Fla. Stat. 501.059"
    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Opt-outs applied after their deadline, or not applied."""
        if not contacts.has("opted_out_at"):
            return None
        frame = valid_contacts(contacts, "opted_out_at", "opt_out_applied_at", "us_state").filter(
            pl.col("opted_out_at").is_not_null()
        )
        if frame.height == 0:
            return None
        frame = frame.with_columns(applied=self._applied(contacts, frame, ctx))
        table = deadlines()
        known = table["jurisdiction"].to_list()
        state = column(contacts, "us_state").cast(pl.String).str.to_uppercase().str.strip_chars()
        state = pl.concat_str(pl.lit("US-"), state.str.strip_prefix("US-"))
        region = pl.col("region").cast(pl.String)
        country = pl.col("country_iso").cast(pl.String)
        # each source of jurisdiction gives its deadline (24 h when it has none); the earliest wins
        candidates = [
            pl.when(ctx.in_regions("US_TCPA") & state.is_in(known)).then(state),
            pl.when(region.is_in(known)).then(region).otherwise(pl.lit("DEFAULT")),
            pl.when(country.is_null())
            .then(None)
            .when(country.is_in(known))
            .then(country)
            .otherwise(pl.lit("DEFAULT")),
        ]
        # one row per contact and jurisdiction that applies to it
        keyed = pl.concat([frame.with_columns(jurisdiction=candidate) for candidate in candidates]).filter(
            pl.col("jurisdiction").is_not_null()
        )
        judged = (
            keyed.unique(["_row", "jurisdiction"])
            .join(table, on="jurisdiction", how="left")
            .with_columns(due=_due(pl.col("opted_out_at")))
            .with_columns(
                late=pl.col("applied").is_null() | (pl.col("applied") > pl.col("due")),
            )
            .filter(pl.col("late"))
            .sort("due")
            .unique("_row", keep="first", maintain_order=True)
            .sort("_row")
        )
        if ctx.consent is not None and judged.height:
            grants = ctx.consent.last_grant(judged["_key"])
            judged = judged.join(grants, on="_key", how="left", maintain_order="left").filter(
                pl.col("applied").is_not_null()
                | pl.col("last_grant").is_null()
                | (pl.col("last_grant") <= pl.col("opted_out_at"))
            )
        received = pl.col("opted_out_at").dt.strftime("%Y-%m-%d %H:%M UTC")
        when_applied = (
            pl.when(pl.col("applied").is_null())
            .then(pl.lit("it is still not applied"))
            .otherwise(pl.format("applied {}", pl.col("applied").dt.strftime("%Y-%m-%d %H:%M UTC")))
        )
        message = pl.format(
            "Opt-out from {} received {} not applied within {} ({}); {}.",
            pl.col("e164"),
            received,
            pl.col("deadline"),
            pl.col("jurisdiction"),
            when_applied,
        )
        return judged.select("_row", message=message)

    @staticmethod
    def _applied(contacts: ContactSet, frame: pl.DataFrame, ctx: RunContext) -> pl.Series:
        """When each opt-out was applied: the column, else the earliest suppression entry."""
        if "opt_out_applied_at" in frame.columns:
            stated, _ = parse_timestamps(frame["opt_out_applied_at"])
        else:
            stated = pl.Series("applied", [None] * frame.height, dtype=UTC_DATETIME)
        suppressed = ctx.suppressed()
        if suppressed.height == 0:
            return stated.alias("applied")
        first = suppressed.group_by("e164").agg(first=pl.col("suppressed_at").min())
        listed = frame.select("e164").join(first, on="e164", how="left", maintain_order="left")["first"]
        return pl.select(pl.coalesce(stated, listed)).to_series().alias("applied")
