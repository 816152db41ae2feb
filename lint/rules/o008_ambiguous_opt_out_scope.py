"""O008 ambiguous-opt-out-scope."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import day, valid_contacts
from lint.rules.o003_opted_out import KNOWN_SCOPES, not_opted_in_again, opt_outs


def _scope_items() -> pl.Expr:
    return (
        pl.col("scope")
        .cast(pl.String)
        .str.to_lowercase()
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
    )


class AmbiguousOptOutScope(Rule):
    """Opt-out does not say which messages it covers; it is treated as covering all.

    What it does:
        Looks at every opt-out known for a number (the ``opted_out_at`` column with
        ``opt_out_scope``, ``withdraw`` events of the consent file, the suppression list) that
        no later consent grant has replaced, and warns when its scope is empty or not one of
        ``all``, ``marketing``, ``utility``, ``authentication``, ``service`` - such an opt-out
        (a plain "STOP" to a utility message) is applied to every category until the person
        clarifies it. For US numbers, from the date the FCC's revoke-all rule takes effect, an
        opt-out limited to one category is also reported: it then covers all consent-based
        messages from the business on unrelated matters.

    Why it matters:
        47 CFR 64.1200(a)(10) and (a)(12): a revocation in reply to one kind of message may be
        clarified once, and without a reply it covers everything; the FCC's 2024 order makes a
        revocation apply to all robotexts from the sender (delayed to 11 April 2026 by the
        waiver order of 7 April 2025). Guessing a narrow scope risks messaging someone who
        meant "stop everything".

    Example:
        ``opted_out_at`` = ``2025-03-01`` and ``opt_out_scope`` empty.

    Use instead:
        Record the scope the person chose (``marketing`` or ``all``) after one clarification
        message; without an answer, record ``all``.

    Configuration:
        ``revoke_all_effective`` (default ``2026-04-11``) in ``[lint.options.O008]``.

    References:
        47 CFR 64.1200(a)(10), (a)(12); FCC 24-24; FCC waiver order of 7 April 2025;
        compliance-rules.md §2.3, §9.4.
    """

    code = "O008"
    name = "ambiguous-opt-out-scope"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("opt-out",)
    basis = (
        "47 CFR 64.1200(a)(10), (a)(12) (clarification request; no reply ⇒ all); FCC waiver order 7 Apr 2025"
    )
    options = MappingProxyType({"revoke_all_effective": "2026-04-11"})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Opt-outs in force whose scope is unclear (or, in the US, narrower than the law now allows)."""
        outs = opt_outs(contacts, ctx)
        if outs.height == 0:
            return None
        outs = not_opted_in_again(outs, ctx)
        items = _scope_items()
        unclear = (
            pl.col("scope").is_null()
            | items.list.eval(~pl.element().is_in(KNOWN_SCOPES) | (pl.element() == "")).list.any()
        )
        narrow = ~items.list.eval(pl.element() == "all").list.any().fill_null(False)
        effective = date.fromisoformat(str(self.option(ctx, "revoke_all_effective")))
        revoke_all = ctx.at.date() >= effective
        frame = valid_contacts(contacts).join(outs, on="_key", how="inner", maintain_order="left")
        us = ctx.in_regions("US_TCPA")
        frame = frame.with_columns(
            why=pl.when(unclear)
            .then(pl.lit("is ambiguous"))
            .when(us & narrow & pl.lit(revoke_all))
            .then(pl.format("({}) is narrower than a US revocation, which covers every message", "scope"))
        ).filter(pl.col("why").is_not_null())
        message = pl.format(
            "Opt-out scope for {} {} (opted out on {}, {}); treated as opt-out from all messages.",
            pl.col("e164"),
            pl.col("why"),
            day(pl.col("out_at")),
            pl.col("source"),
        )
        return frame.unique("_row", keep="first", maintain_order=True).select("_row", message=message)
