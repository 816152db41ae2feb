"""N002 duplicate-number."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts

_SHOWN_ROWS = 5


class DuplicateNumber(Rule):
    """Two or more rows hold the same number.

    What it does:
        Compares the normalised (E.164) numbers of the list and reports every row after the first
        that repeats a number. Consent and opt-outs are already computed per number over all its
        rows: an opt-out on any row applies to the number, and only the first row goes to the
        audience file.

    Why it matters:
        Duplicates send the same person the same message twice, and a duplicate row without the
        opt-out is the classic way an opted-out person gets messaged again (GDPR Art. 21(3);
        47 CFR 64.1200(d)).

    Example:
        Row 3 ``+49 151 2345 6789`` and row 9 ``0049-151-23456789``.

    Use instead:
        One row per person; merge the rows and keep the strictest consent and opt-out state.

    Configuration:
        None.

    References:
        GDPR Art. 5(1)(d), Art. 21(3); 47 CFR 64.1200(d).
    """

    code = "N002"
    name = "duplicate-number"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("numbers",)
    basis = "GDPR Art. 5(1)(d) accuracy; prevents re-messaging an opted-out duplicate (Art. 21(3); 47 CFR 64.1200(d))"

    def check_contacts(self, contacts: ContactSet, ctx: RunContext, draft: Draft | None) -> pl.DataFrame:
        """Every repeated row, naming the other rows of the same number."""
        frame = valid_contacts(contacts).select("_row", "_key", "e164")
        repeated = frame.filter(pl.col("_key").is_duplicated())  # the key is the number, as an integer
        groups = repeated.group_by("_key").agg(rows=pl.col("_row").sort(), count=pl.len())
        shown = pl.col("rows").list.head(_SHOWN_ROWS).cast(pl.List(pl.String)).list.join(", ")
        more = pl.when(pl.col("count") > _SHOWN_ROWS).then(pl.lit(" …")).otherwise(pl.lit(""))
        groups = groups.with_columns(row_list=pl.concat_str(shown, more), first=pl.col("rows").list.first())
        joined = repeated.join(groups, on="_key").filter(pl.col("_row") != pl.col("first"))
        message = pl.format(
            "Duplicate number {} in rows {}; merged using the strictest consent/opt-out state.",
            pl.col("e164"),
            pl.col("row_list"),
        )
        return joined.select("_row", message=message)
