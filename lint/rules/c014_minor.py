"""C014 minor-recipient."""

from __future__ import annotations

from datetime import date

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import parse_flags, parse_timestamps
from lint.rules._common import valid_contacts

ADULT_AGE = 18


def _minor(frame: pl.DataFrame, on: date) -> pl.Series:
    """Whether each row belongs to a minor: ``is_minor``, ``age`` < 18, or a birthdate < 18 years ago."""
    tests: list[pl.Series] = []
    if "is_minor" in frame.columns:
        tests.append(parse_flags(frame["is_minor"]).fill_null(False))
    if "age" in frame.columns:
        age = frame["age"].cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        tests.append((age < ADULT_AGE).fill_null(False))
    if "birthdate" in frame.columns:
        born, _ = parse_timestamps(frame["birthdate"])
        # 29 February: the 18th birthday falls on 28 February in common years
        adult_from = date(on.year - ADULT_AGE, on.month, min(on.day, 28) if on.month == 2 else on.day)
        tests.append((born.dt.date() > adult_from).fill_null(False))
    if not tests:
        return pl.Series([False] * frame.height)
    return pl.DataFrame(tests).select(pl.any_horizontal(pl.all())).to_series()


class MinorRecipient(Rule):
    """Marketing to a contact who is under 18.

    What it does:
        For marketing drafts, reports contacts marked as minors: ``is_minor`` yes, ``age``
        under 18, or a ``birthdate`` less than 18 years before the planned send date. It is an
        error for Indian numbers or stated countries, a warning elsewhere.

    Why it matters:
        India's DPDP Act s. 9(3) forbids targeted advertising directed at children (under 18).
        The WhatsApp Business and Commerce policies forbid offering regulated goods to minors,
        and GDPR Art. 8 sets extra conditions for children's consent. A minor's consent to
        marketing is doubtful almost everywhere.

    Example:
        ``birthdate`` = ``2010-04-01`` for a campaign on 2025-06-03.

    Use instead:
        Exclude minors from marketing audiences; keep only a yes/no ``is_minor`` flag rather
        than full birthdates (data minimisation).

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    Known gaps:
        Drafts in a regulated vertical (P004) should make the finding an error everywhere; the
        vertical classifier does not exist yet.

    References:
        DPDP Act 2023 s. 9; WhatsApp Business Messaging and Commerce Policies; GDPR Art. 8;
        compliance-rules.md §4.2, §9.3.
    """

    code = "C014"
    name = "minor-recipient"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("consent",)
    basis = "DPDP s. 9 (no targeted advertising at children <18); WhatsApp policy (regulated verticals never to <18); GDPR Art. 8"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Minors in a marketing send."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        if not any(contacts.has(name) for name in ("is_minor", "age", "birthdate")):
            return None
        frame = valid_contacts(contacts, "is_minor", "age", "birthdate")
        flagged = frame.filter(_minor(frame, ctx.at.date()))
        india = (pl.col("region") == "IN").fill_null(False) | (pl.col("country_iso") == "IN").fill_null(False)
        severity = pl.when(india).then(pl.lit(Severity.ERROR.value)).otherwise(pl.lit(Severity.WARNING.value))
        message = pl.format(
            "{} belongs to a minor; marketing (and regulated products) to minors is blocked.", pl.col("e164")
        )
        return flagged.select("_row", message=message, severity=severity)
