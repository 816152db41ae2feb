"""N001 invalid-number."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft


class InvalidNumber(Rule):
    """Phone number is not a valid international number.

    What it does:
        Reads every number the way people type it (spaces, dashes, brackets, ``00`` prefixes,
        full-width digits; numbers without a country code take the row's country, else
        ``default_region``) and reports the rows that the phonenumbers library does not accept as
        a valid number. Numbers damaged by a spreadsheet get their own message: scientific
        notation such as ``8.61381E+12`` (the digits are gone) and numbers whose leading ``+`` or
        ``00`` was dropped (``8613800138000`` in a list without a country).

    Why it matters:
        The Cloud API needs the recipient in E.164 form; an invalid number wastes a send and
        lowers the number's quality rating. Keeping contact data accurate is also a GDPR
        principle (Art. 5(1)(d)).

    Example:
        ``phone`` = ``8.61381E+12`` or ``138 0013 8000`` in a list with no country column.

    Use instead:
        ``+86 138 0013 8000`` (any spacing is fine), or add a country column / ``default_region``.

    Configuration:
        ``default_region`` in ``[lint]`` for lists of domestic numbers; ``[lint.columns] phone``
        for an unusual phone header.

    References:
        WhatsApp Cloud API messages reference (``to``); GDPR Art. 5(1)(d); ITU-T E.164.
    """

    code = "N001"
    name = "invalid-number"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("numbers",)
    basis = "WhatsApp Cloud API requires a valid E.164 recipient; GDPR Art. 5(1)(d) accuracy"

    def check_contacts(self, contacts: ContactSet, ctx: RunContext, draft: Draft | None) -> pl.DataFrame:
        """Invalid numbers, with the cause where it can be told."""
        raw = pl.col("phone").str.strip_chars()
        international = raw.str.contains(r"^(?:\+|＋|00|００)")
        digits = raw.str.replace_all(r"[^0-9]", "")
        message = (
            pl.when(raw.is_null() | (raw == ""))
            .then(pl.lit("The row has no phone number."))
            .when(pl.col("damage") == "scientific")
            .then(
                pl.format(
                    "Phone number {} was damaged by Excel: scientific notation keeps only the first digits. "
                    "Format the column as text and export it again.",
                    raw,
                )
            )
            .when(pl.col("damage") == "lost_prefix")
            .then(
                pl.format(
                    "Phone number {} lost its leading + or 00 (Excel drops leading zeros); write it as +{}.",
                    raw,
                    digits,
                )
            )
            .when(~international & pl.col("default_region").is_null())
            .then(
                pl.format(
                    "Phone number {} has no country code and the row has no country; write it as "
                    "+<country code><number>, or add a country column or default_region.",
                    raw,
                )
            )
            .otherwise(
                pl.format(
                    "Phone number {} is not a valid international number (E.164 required, e.g. +4915112345678).",
                    raw,
                )
            )
        )
        return contacts.frame.filter(~pl.col("valid")).select("_row", message=message)
