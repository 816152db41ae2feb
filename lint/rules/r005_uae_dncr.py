"""R005 uae-dncr."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._registry import flags, in_country, marketing_run, timestamps

COLUMNS = ("ae_dncr", "ae_dncr_checked_at")


class UaeDncr(Rule):
    """UAE number on, or not checked against, the Do Not Call Registry.

    What it does:
        When the run has a marketing draft (or no draft), reports contacts with a UAE number
        or stated country marked ``ae_dncr`` = yes, or without an ``ae_dncr_checked_at``. A
        list without these columns is reported contact by contact: the check is missing.

    Why it matters:
        UAE Cabinet Resolution 56/2024 forbids marketing to numbers registered in the DNCR
        and requires checking the registry before telemarketing, which it defines to include
        messages through social-media applications; fines reach AED 150,000.

    Example:
        ``+971 50 123 4567`` with no ``ae_dncr_checked_at``.

    Use instead:
        Check UAE numbers against the DNCR (through the TDRA process) before the campaign and
        record ``ae_dncr`` and ``ae_dncr_checked_at``; drop registered numbers.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        UAE Cabinet Resolution No. 56 of 2024 on telemarketing; compliance-rules.md §5.5, §9.5.
    """

    code = "R005"
    name = "uae-dncr"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("registries", "uae")
    basis = "UAE Cabinet Resolution 56/2024"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """UAE contacts on the DNCR or never checked against it."""
        if not marketing_run(ctx):
            return None
        frame = valid_contacts(contacts, *COLUMNS).filter(in_country("AE"))
        if frame.height == 0:
            return None
        frame = frame.with_columns(
            listed=flags(frame, "ae_dncr").fill_null(False), checked=timestamps(frame, "ae_dncr_checked_at")
        )
        reason = (
            pl.when(pl.col("listed"))
            .then(pl.lit("registered"))
            .when(pl.col("checked").is_null())
            .then(pl.lit("never checked"))
        )
        flagged = frame.with_columns(reason=reason).filter(pl.col("reason").is_not_null())
        message = pl.format(
            "UAE number {} is on, or not checked against, the DNCR ({}).", pl.col("e164"), pl.col("reason")
        )
        return flagged.select("_row", message=message)
