"""C013 popia-one-request."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import day, valid_contacts
from lint.rules._registry import flags, in_country, timestamps

COLUMNS = ("is_customer", "consent_request_count", "consent_request_last_at", "consent_request_outcome")
UNANSWERED = ["refused", "no_answer", "declined", "ignored", "拒绝", "未回复"]


class PopiaOneRequest(Rule):
    """South African non-customer already asked for consent once.

    What it does:
        For contacts with a South African number or stated country that are not customers
        (``is_customer`` = no), reports those already asked for consent at least once
        (``consent_request_count`` of 1 or more) with the outcome ``refused`` or ``no_answer``
        (``consent_request_outcome``) and no consent grant in force. Any message to them -
        marketing or a second consent request - is reported.

    Why it matters:
        POPIA s. 69(2) lets a business approach a non-customer for consent to direct marketing
        only once (in the manner of Form 4 of the POPIA Regulations); a person who refused or
        did not answer may not be asked again.

    Example:
        ``is_customer`` = ``no``, ``consent_request_count`` = ``1``,
        ``consent_request_outcome`` = ``no_answer``.

    Use instead:
        Remove the contact from campaigns; contact them again only if they become a customer
        or approach you.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        POPIA (Act 4 of 2013) s. 69(2); POPIA Regulations 2018, Form 4; compliance-rules.md
        §5.4, §9.3.
    """

    code = "C013"
    name = "popia-one-request"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent", "south-africa")
    basis = "POPIA s. 69(2); POPIA Regulations Form 4"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """South African non-customers asked once, who refused or never answered, without consent."""
        if not contacts.has("consent_request_count"):
            return None
        frame = valid_contacts(contacts, *COLUMNS).filter(in_country("ZA"))
        if frame.height == 0:
            return None
        count = pl.col("consent_request_count").cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
        outcome = (
            pl.col("consent_request_outcome").cast(pl.String).str.strip_chars().str.to_lowercase()
            if "consent_request_outcome" in frame.columns
            else pl.lit(None, pl.String)
        )
        frame = frame.with_columns(
            non_customer=~flags(frame, "is_customer").fill_null(True),
            asked_at=timestamps(frame, "consent_request_last_at"),
        ).filter(
            pl.col("non_customer")
            & (count >= 1).fill_null(False)
            & outcome.is_in(UNANSWERED).fill_null(False)
        )
        frame = ctx.without_consent(frame, None)
        message = pl.format(
            "POPIA allows one consent request to a non-customer; {} was already asked on {}.",
            pl.col("e164"),
            day(pl.col("asked_at")),
        )
        return frame.select("_row", message=message)
