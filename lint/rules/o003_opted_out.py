"""O003 opted-out."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.consent import covers_everything
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import UTC_DATETIME
from lint.rules._common import column, day

KNOWN_SCOPES = ["all", "", "marketing", "utility", "authentication", "service"]
_OPT_OUTS = pl.Schema(
    {"_key": pl.Int64(), "out_at": UTC_DATETIME, "scope": pl.String(), "source": pl.String()}
)


def opt_outs(contacts: ContactSet, ctx: RunContext) -> pl.DataFrame:
    """Every known opt-out per contact key: contact column, withdraw events, suppression list."""
    frame = contacts.frame
    parts = [pl.DataFrame(schema=_OPT_OUTS)]
    if contacts.has("opted_out_at"):
        parts.append(
            frame.filter(pl.col("opted_out_at").is_not_null()).select(
                "_key",
                out_at="opted_out_at",
                scope=column(contacts, "opt_out_scope"),
                source=pl.lit("opted_out_at column"),
            )
        )
    if ctx.consent is not None:
        withdrawals = ctx.consent.withdrawals.filter(
            ~pl.col("_source").str.starts_with(f"{contacts.display} row ")
        )
        scope = pl.when(covers_everything()).then(pl.lit("all")).otherwise(pl.col("purposes").list.join(","))
        parts.append(
            withdrawals.select(
                "_key", out_at="consent_timestamp", scope=scope, source=pl.format("{}", pl.col("_source"))
            )
        )
    suppressed = ctx.suppressed()
    if suppressed.height:
        keys = contacts.valid_rows().select("_key", e164="e164")
        parts.append(
            suppressed.join(keys, on="e164").select(
                "_key", out_at="suppressed_at", scope="scope", source=pl.lit("suppression list")
            )
        )
    return pl.concat([p.cast(_OPT_OUTS) for p in parts])


def not_opted_in_again(outs: pl.DataFrame, ctx: RunContext) -> pl.DataFrame:
    """The opt-outs of :func:`opt_outs` that no later grant of the same contact overrides."""
    if ctx.consent is None or outs.height == 0:
        return outs
    grants = ctx.consent.last_grant(outs["_key"])
    return outs.join(grants, on="_key", how="left").filter(
        pl.col("out_at").is_null()
        | pl.col("last_grant").is_null()
        | (pl.col("last_grant") <= pl.col("out_at"))
    )


class OptedOut(Rule):
    """Contact opted out and has not opted in again.

    What it does:
        Collects every opt-out known for a number - the ``opted_out_at`` column (with
        ``opt_out_scope``), ``withdraw`` events of the consent file, and the suppression list -
        and reports contacts with an opt-out whose scope covers the category of a draft in the
        run (``all``, an empty or an unclear scope covers everything; ``marketing`` covers marketing) and no
        later consent grant. Without drafts, any opt-out is reported. This rule cannot be waived.

    Why it matters:
        Honouring opt-outs is absolute: GDPR Art. 7(3) and 21(3), 47 CFR 64.1200(a)(10) and (d),
        CASL s. 11(3), the Spam Act s. 18 and the WhatsApp Business Messaging Policy ("respect
        all requests to opt out"). A message after an opt-out is also the fastest way to be
        blocked and reported.

    Example:
        ``opted_out_at`` = ``2025-03-02`` and no consent after that date.

    Use instead:
        Remove the contact; message them again only after a new, recorded opt-in.

    Configuration:
        ``suppression`` in ``[lint]`` (a file) until the warehouse provides the list.

    References:
        GDPR Art. 7(3), 21(3); 47 CFR 64.1200(a)(10), (d); CASL s. 11(3); Spam Act 2003 s. 18;
        WhatsApp Business Messaging Policy.
    """

    code = "O003"
    name = "opted-out"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("opt-out",)
    basis = (
        "GDPR Art. 7(3), 21(3); 47 CFR 64.1200(a)(10), (d); CASL s. 11(3); Spam Act s. 18; WhatsApp policy"
    )
    waivable = False

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Opted-out contacts without a later grant."""
        outs = opt_outs(contacts, ctx)
        if outs.height == 0:
            return None
        purposes = sorted({ctx.category(d).purpose for d in ctx.drafts})
        if purposes:
            # scope: a comma-separated list of purposes; empty, unknown or "all" covers everything
            items = (
                pl.col("scope")
                .cast(pl.String)
                .str.to_lowercase()
                .str.split(",")
                .list.eval(pl.element().str.strip_chars())
            )
            covered = items.list.eval(pl.element().is_in(["all", "", *purposes])).list.any()
            unclear = items.list.eval(~pl.element().is_in(KNOWN_SCOPES)).list.any()
            outs = outs.filter(pl.col("scope").is_null() | covered | unclear)
        outs = not_opted_in_again(outs, ctx)
        latest = outs.sort("out_at", nulls_last=False).unique("_key", keep="last")
        frame = contacts.frame.join(latest, on="_key", how="inner", maintain_order="left")
        message = pl.format(
            "{} opted out on {} ({}); sending is blocked.",
            pl.coalesce(pl.col("e164"), pl.col("phone")),
            day(pl.col("out_at")),
            pl.col("source"),
        )
        return frame.select("_row", message=message)
