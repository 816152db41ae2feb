"""R002 internal-dnc."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._registry import flags


class InternalDnc(Rule):
    """Number is on the company's internal do-not-contact list.

    What it does:
        Reports contacts marked ``internal_dnc`` = yes (内部黑名单, 禁止联系). The same number on
        another row of the list is reported too: the list is kept per number, not per row.
        Numbers on the suppression list are reported by O003, which reads that list.
        This rule cannot be waived.

    Why it matters:
        A business must keep and honour its own do-not-call list (47 CFR 64.1200(d)(3), (d)(6):
        entries kept at least five years); an objection to direct marketing is absolute (GDPR
        Art. 21(3)); the CNIL expects objection records to be kept at least three years.

    Example:
        ``internal_dnc`` = ``yes``.

    Use instead:
        Remove the contact from every campaign list; keep the number on the internal list.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        47 CFR 64.1200(d)(3), (d)(6); GDPR Art. 21(3); CNIL référentiel gestion commerciale;
        compliance-rules.md §9.5.
    """

    code = "R002"
    name = "internal-dnc"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("registries",)
    basis = "47 CFR 64.1200(d)(3), (d)(6); CNIL (keep objection data ≥ 3 years); GDPR Art. 21(3)"
    waivable = False

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts whose number is marked on the internal do-not-contact list."""
        if not contacts.has("internal_dnc"):
            return None
        frame = valid_contacts(contacts, "internal_dnc")
        listed = frame.filter(flags(frame, "internal_dnc").fill_null(False))["_key"].unique()
        flagged = frame.filter(pl.col("_key").is_in(listed.implode()))
        message = pl.format("{} is on your internal do-not-contact list.", pl.col("e164"))
        return flagged.select("_row", message=message)
