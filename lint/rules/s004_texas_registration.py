"""S004 texas-solicitor-registration."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._frequency import us_state_place


class TexasSolicitorRegistration(Rule):
    """Marketing to Texas contacts without consent, and no Texas telephone-solicitor registration.

    What it does:
        For marketing drafts sent on or after 1 September 2025, reports each contact whose
        ``us_state`` is TX (``TX`` or ``US-TX``) and who has no marketing consent in force
        (cold outreach), unless ``tx_solicitor_registration`` is set in ``[lint]``. Contacts
        with consent are left alone: consent-based texts are exempt.

    Why it matters:
        Texas SB 140 (effective 1 September 2025) brought marketing texts under the telephone
        solicitation chapter of the Business & Commerce Code (ch. 302): a seller who solicits
        Texans without their consent must register with the Secretary of State and post a
        bond. Unregistered solicitation is a deceptive trade practice with a private right of
        action; the November 2025 settlement confirmed the exemption for consent-based texts.

    Example:
        A marketing template to a contact with ``us_state = TX`` and no consent columns.

    Use instead:
        Message Texans only with their consent on record, or register as a telephone solicitor
        and set ``tx_solicitor_registration = "<registration number>"``.

    Configuration:
        ``tx_solicitor_registration`` in ``[lint]``; ``[lint.options.S004] effective_from``
        (default ``2025-09-01``).

    Known gaps:
        The state comes from ``us_state`` only, not from the area code. Other exemptions of ch.
        302 (e.g. existing customers of some businesses) are not judged.

    References:
        Tex. Bus. & Com. Code ch. 302 as amended by SB 140 (2025); compliance-rules.md §2.4,
        §9.11.
    """

    code = "S004"
    name = "texas-solicitor-registration"
    severity = Severity.WARNING
    applies_to = "send-plan"
    groups = ("send-plan", "us")
    basis = (
        "Tex. Bus. & Com. Code ch. 302 as amended by SB 140 (eff. 1 Sep 2025; consent-based texts exempt "
        "per Nov 2025 settlement)"
    )
    options = MappingProxyType({"effective_from": "2025-09-01"})

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Texas contacts without marketing consent in a marketing send."""
        if draft is None or ctx.config.tx_solicitor_registration or not ctx.category(draft).marketing:
            return None
        effective = datetime.fromisoformat(str(self.option(ctx, "effective_from"))).replace(tzinfo=UTC)
        if ctx.at < effective or not contacts.has("us_state"):
            return None
        frame = valid_contacts(contacts, "us_state").filter(
            (us_state_place(contacts) == "US-TX").fill_null(False)
        )
        # cold: no grant in force at all, or one that does not cover marketing
        cold = ctx.without_consent(frame, "marketing")
        if ctx.consent is not None:
            other = ctx.consent_where(frame, "marketing", ~pl.col("cs_covers"))
            cold = pl.concat([cold, other.select(cold.columns)]).sort("_row")
        message = pl.format(
            "Texas: non-consent marketing texts require telephone-solicitor registration and bond (SB 140); {} "
            "has no marketing consent on record and tx_solicitor_registration is not set.",
            pl.col("e164"),
        )
        return cold.select("_row", message=message)
