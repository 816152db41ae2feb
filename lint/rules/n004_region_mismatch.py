"""N004 region-mismatch."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import column, valid_contacts


class RegionMismatch(Rule):
    """Number region differs from the stated country.

    What it does:
        Compares the region of each valid number with the contact's stated country (the country
        column: ISO codes, English or Chinese names, or a single-country calling code). A
        mismatch is reported and both countries' rules apply to the contact. A country value
        that cannot be read as a country is reported too.

    Why it matters:
        Law follows the person, and a number can travel: a German resident with a +86 number is
        under the GDPR, a +1 Florida number is presumed to reach a Florida resident (FTSA). The
        linter applies the most restrictive set; the mismatch usually also hints at a data error.

    Example:
        ``phone`` = ``+8613800138000``, ``country`` = ``Germany``.

    Use instead:
        Confirm the country with the customer and fix whichever value is wrong.

    Configuration:
        ``[lint.country_names]`` for country names the countries pack does not know.

    Known gaps:
        The US area-code state versus address state check of the catalog is not implemented yet.

    References:
        compliance-rules.md §0.2 (jurisdiction resolution); Fla. Stat. 501.059; OK OTSA.
    """

    code = "N004"
    name = "region-mismatch"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("numbers", "jurisdiction")
    basis = "Most restrictive rule set wins (compliance-rules.md §0.2); FTSA/OTSA area-code presumptions"

    def check_contacts(self, contacts: ContactSet, ctx: RunContext, draft: Draft | None) -> pl.DataFrame:
        """Mismatched and unreadable countries."""
        frame = valid_contacts(contacts, "country", "country_unknown")
        stated = column(contacts, "country")
        differs = (
            pl.col("country_iso").is_not_null() & (pl.col("region") != pl.col("country_iso"))
        ).fill_null(False)
        message = (
            pl.when(pl.col("country_unknown"))
            .then(
                pl.format(
                    "Stated country '{}' for {} is not a known country; use an ISO code such as DE.",
                    stated,
                    pl.col("e164"),
                )
            )
            .otherwise(
                pl.format(
                    "Number region {} of {} differs from stated country {}; both rule sets will be applied.",
                    pl.col("region"),
                    pl.col("e164"),
                    pl.col("country_iso"),
                )
            )
        )
        return frame.filter(differs | pl.col("country_unknown")).select("_row", message=message)
