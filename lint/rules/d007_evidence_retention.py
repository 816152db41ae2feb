"""D007 evidence-retention."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.values import parse_flags
from lint.packs import read_pack


@dataclass(frozen=True, slots=True)
class Need:
    """A retention requirement: months and why."""

    months: int
    why: str


@cache
def needs() -> dict[str, Need]:
    """``packs/retention.toml`` [evidence]: ``DEFAULT``, ``US`` and ``US_DNC``."""
    return {
        key: Need(int(spec["months"]), str(spec["why"]))
        for key, spec in read_pack("retention")["evidence"].items()
    }


def us_opt_outs(ctx: RunContext, us: pl.DataFrame) -> bool:
    """Whether any US contact has an opt-out or do-not-contact request on record."""
    if "opted_out_at" in us.columns and us["opted_out_at"].is_not_null().any():
        return True
    if "internal_dnc" in us.columns and bool(parse_flags(us["internal_dnc"]).fill_null(False).any()):
        return True
    if ctx.consent is None or ctx.consent.withdrawals.height == 0:
        return False
    return bool(us["_key"].is_in(ctx.consent.withdrawals["_key"].implode()).any())


def required(ctx: RunContext) -> Need | None:
    """The longest retention the contact list calls for (``None`` without contacts)."""
    if ctx.contacts is None:
        return None
    table = needs()
    columns = [c for c in ("opted_out_at", "internal_dnc") if ctx.contacts.has(c)]
    valid = ctx.contacts.valid_rows()
    us = valid.filter(ctx.in_regions("US_TCPA")).select("_key", *columns)
    if us.height == 0:
        return table["DEFAULT"] if valid.height else None
    longest = table["US_DNC"] if us_opt_outs(ctx, us) else table["US"]
    return max(longest, table["DEFAULT"], key=lambda need: need.months)


class EvidenceRetention(Rule):
    """Consent and opt-out evidence is not kept long enough to prove them.

    What it does:
        With a contact list, compares ``evidence_retention_months`` in ``[lint]`` (how long
        consent and opt-out evidence is kept after the last contact with a person) with the
        longest period the list calls for (``packs/retention.toml``): 36 months after the last
        contact in general, 48 months when the list has US contacts, 60 months when a US
        contact has opted out or is on the internal do-not-contact list. It warns when the
        setting is shorter; when it is not set, the same finding is reported as information, so
        that it does not have to be accepted on every send until someone sets it.

    Why it matters:
        The sender must be able to prove consent (GDPR Art. 7(1); CASL s. 13; DPDP s. 6(10))
        for as long as a complaint or claim can come: US TCPA claims can be brought for four
        years (28 U.S.C. 1658) and do-not-call requests must be honoured for five years (47
        CFR 64.1200(d)(6)); regulators in Europe look back three years and more. Evidence
        deleted with the contact cannot defend a single message.

    Example:
        ``evidence_retention_months = 24`` with US contacts in the list.

    Use instead:
        ``evidence_retention_months = 60`` in ``[lint]``, and a retention job that keeps consent
        events and opt-outs that long after the last message, separately from the contact
        data that D006 says to delete.

    Configuration:
        ``evidence_retention_months`` in ``[lint]``; periods in ``lint/packs/retention.toml``.

    Known gaps:
        The setting is trusted, not checked against the warehouse's actual deletion jobs; the
        4- and 5-year US periods are from memory in the research notes and need confirming.

    References:
        GDPR Art. 7(1); 28 U.S.C. 1658; 47 CFR 64.1200(d)(6); CNIL référentiel gestion
        commerciale; compliance-rules.md §2.2, §9.10.
    """

    code = "D007"
    name = "evidence-retention"
    severity = Severity.WARNING
    applies_to = "send-plan"
    groups = ("data", "send-plan")
    basis = "GDPR Art. 7(1); 28 U.S.C. 1658 (4-year limitation); 47 CFR 64.1200(d)(6)"

    def check_plan(self, ctx: RunContext) -> Iterator[Finding]:
        """A warning when the configured retention is shorter than the contact list needs."""
        need = required(ctx)
        configured = ctx.config.evidence_retention_months
        if need is None or (configured is not None and configured >= need.months):
            return
        shown = "not configured" if configured is None else f"{configured} months"
        yield self.plan_finding(
            f"Consent/opt-out evidence retention ({shown}) is shorter than required for proof: {need.months} "
            f"months, {need.why}. Set evidence_retention_months in [lint].",
            file=ctx.plan.display if ctx.plan else None,
            # an unset value may be fine (kept longer than needed): reported, not a warning to accept per send
            severity=Severity.INFO if configured is None else None,
        )
