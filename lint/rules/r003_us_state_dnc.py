"""R003 us-state-dnc."""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._common import column, valid_contacts
from lint.rules._registry import marketing_run, registry_findings


@cache
def state_lists() -> dict[str, dict[str, Any]]:
    """The US state do-not-call lists of ``packs/registries.toml`` by ``US-xx``."""
    return dict(read_pack("registries")["state_lists"])


class UsStateDnc(Rule):
    """US contact in a state with its own do-not-call list, not recently checked against it.

    What it does:
        When the run has a marketing draft (or no draft), reports US contacts whose
        ``us_state`` (``TX`` or ``US-TX``) has a state list in ``packs/registries.toml`` - the
        Texas No-Call List - and whose ``state_dnc_checked_at`` is missing or older than the
        list's validity (60 days for Texas). A list without the column is reported: the check
        is missing.

    Why it matters:
        Texas requires telephone solicitors, texts included since SB 140 (1 September 2025),
        to honour the state No-Call List within 60 days of a listing (Tex. Bus. & Com. Code ch.
        304); other states keep lists of their own.

    Example:
        ``us_state`` = ``TX`` and no ``state_dnc_checked_at``.

    Use instead:
        Check Texas numbers against the Texas No-Call List at least every 60 days and record
        ``state_dnc_checked_at``.

    Configuration:
        ``[state_lists]`` in ``lint/packs/registries.toml``.

    Known gaps:
        The state comes from ``us_state`` only (not the area code); only Texas is listed so
        far, other state lists are unconfirmed.

    References:
        Tex. Bus. & Com. Code ch. 304 (Texas No-Call List), SB 140 (2025); compliance-rules.md
        §2.4, §9.5.
    """

    code = "R003"
    name = "us-state-dnc"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("registries", "us")
    basis = "Tex. Bus. & Com. Code ch. 304 (incl. texts since SB 140); other state DNC statutes [unconfirmed list]"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """US contacts of a listed state whose state-list check is missing or stale."""
        if not marketing_run(ctx) or not contacts.has("us_state"):
            return None
        lists = state_lists()
        columns = [str(spec["column"]) for spec in lists.values()]
        frame = valid_contacts(contacts, "us_state", *columns).filter(ctx.in_regions("US_TCPA"))
        state = column(contacts, "us_state").cast(pl.String).str.strip_chars().str.to_uppercase()
        key = pl.concat_str(pl.lit("US-"), state.str.strip_prefix("US-"))
        found = registry_findings(frame, key, lists, ctx.at)
        message = pl.format(
            "{} ({}) must be checked against the state do-not-call list ({}: {}).",
            pl.col("e164"),
            pl.col("_registry_key"),
            pl.col("registry"),
            pl.col("reason"),
        )
        return found.select("_row", message=message)
