"""C007 soft-opt-in-invalid."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import LIST_SYNONYMS, ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import parse_lists
from lint.rules._common import valid_contacts
from lint.rules._registry import flags, timestamps
from lint.rules.o001_missing_opt_out import has_opt_out

COLUMNS = (
    "is_customer",
    "customer_since",
    "last_purchase_at",
    "purchased_categories",
    "soft_opt_in_refusal_offered",
)


class SoftOptInInvalid(Rule):
    """Soft opt-in is claimed where its conditions are not met.

    What it does:
        For contacts whose consent grant in force has ``basis`` = ``soft_opt_in``, lists every
        condition that fails: the number and stated country are outside the EU/EEA and the UK
        (the soft opt-in exists only there); no customer record (``is_customer`` yes,
        ``customer_since`` or ``last_purchase_at``); the draft's ``x-wagate.product_category``
        is not stated or is not among the contact's ``purchased_categories`` (similar products
        only); the draft advertises a third party (``x-wagate.advertiser`` other than ``own``);
        ``soft_opt_in_refusal_offered`` is not yes (a chance to refuse when the details were
        collected); the draft has no opt-out instruction (O001).

    Why it matters:
        PECR reg. 22(3) and ePrivacy Art. 13(2) allow marketing without consent only to
        existing customers whose details were collected in a sale or negotiation, for the
        sender's own similar products, when they were given a simple way to refuse then and in
        every message. Outside those conditions the message needs consent.

    Example:
        ``basis`` = ``soft_opt_in`` for a customer who bought shoes, on a draft advertising a
        partner's insurance.

    Use instead:
        Use the soft opt-in only for your own products similar to what the customer bought,
        with a refusal offered at checkout and an opt-out line in the message; otherwise
        collect consent.

    Configuration:
        ``x-wagate.product_category`` and ``x-wagate.advertiser`` in the draft; column aliases
        in ``packs/columns.toml``.

    References:
        PECR reg. 22(3)(a)-(c); ePrivacy Directive Art. 13(2); ICO guidance on the soft opt-in;
        compliance-rules.md §1.4, §9.3.
    """

    code = "C007"
    name = "soft-opt-in-invalid"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("consent", "eu-uk")
    basis = "PECR reg. 22(3)(a)-(c); ePrivacy Art. 13(2)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Soft opt-in grants with the conditions that fail."""
        if ctx.consent is None or draft is None:
            return None
        soft = pl.col("cs_basis").cast(pl.String) == "soft_opt_in"
        frame = ctx.consent_where(valid_contacts(contacts, *COLUMNS), None, soft)
        if frame.height == 0:
            return None
        bought = (
            parse_lists(frame["purchased_categories"], LIST_SYNONYMS)
            if "purchased_categories" in frame.columns
            else pl.Series([None] * frame.height, dtype=pl.List(pl.String))
        )
        frame = frame.with_columns(
            customer=flags(frame, "is_customer").fill_null(False)
            | timestamps(frame, "customer_since").is_not_null()
            | timestamps(frame, "last_purchase_at").is_not_null(),
            bought=bought,
            refusal=flags(frame, "soft_opt_in_refusal_offered").fill_null(False),
        )
        category = (draft.meta.product_category or "").strip().lower()
        similar = pl.col("bought").list.contains(category).fill_null(False) if category else pl.lit(False)
        checks = [
            (~ctx.in_regions("EU_EEA", "UK_LIKE"), "it exists only under EU/UK law"),
            (~pl.col("customer"), "no purchase or customer record"),
            (
                ~similar,
                f"product category '{category}' not among the purchases"
                if category
                else "the draft states no product_category to compare with the purchases",
            ),
            (pl.lit(draft.meta.advertiser.strip().lower() != "own"), "the draft promotes a third party"),
            (~pl.col("refusal"), "no chance to refuse was recorded at collection"),
            (pl.lit(not has_opt_out(draft, ctx.packs)), "the message has no opt-out instruction (O001)"),
        ]
        failed = pl.concat_str(
            [pl.when(test).then(pl.lit(text)) for test, text in checks], separator="; ", ignore_nulls=True
        )
        flagged = frame.with_columns(failed=failed).filter(pl.col("failed") != "")
        message = pl.format("Soft opt-in does not apply to {}: {}.", pl.col("e164"), pl.col("failed"))
        return flagged.select("_row", message=message)
