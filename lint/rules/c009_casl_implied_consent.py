"""C009 casl-implied-consent-expired."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import UTC_DATETIME, parse_timestamps
from lint.rules._common import utc, valid_contacts

IMPLIED = ("implied_ebr", "implied_inquiry", "implied_publication")
DATES = ("last_purchase_at", "contract_end_at", "inquiry_at")


def _dates(frame: pl.DataFrame) -> list[pl.Series]:
    """The EBR and inquiry dates as UTC timestamps (nulls when the file lacks a column)."""
    out = []
    for name in DATES:
        if name in frame.columns:
            parsed, _ = parse_timestamps(frame[name])
        else:
            parsed = pl.Series([None] * frame.height, dtype=UTC_DATETIME)
        out.append(parsed.alias(f"d_{name}"))
    return out


class CaslImpliedConsentExpired(Rule):
    """Canadian implied consent has run out (2 years after a purchase, 6 months after an inquiry).

    What it does:
        For contacts with a Canadian number or stated country whose consent grant in force has
        an implied basis: ``implied_ebr`` (existing business relationship) is expired two years
        after the later of ``last_purchase_at`` and ``contract_end_at``; ``implied_inquiry`` six
        months after ``inquiry_at``. A missing date is reported too, since the window cannot be
        shown. ``implied_publication`` (conspicuously published address) is reported as a
        warning: the linter cannot judge whether the message relates to the person's business
        role, so someone must.

    Why it matters:
        CASL s. 10(9) and 10(10) allow implied consent only within those windows (an inquiry:
        6 months; a purchase, lease or contract: 2 years) and, for published addresses, only
        for messages relevant to the person's business role. After that, a commercial
        electronic message needs express consent; penalties reach CAD 10 million per violation.

    Example:
        ``basis`` = ``implied_ebr``, ``last_purchase_at`` = ``2023-01-15``, campaign on
        2025-06-03 (expired on 2025-01-15).

    Use instead:
        Ask for express consent while the implied consent still runs (a message asking to stay
        subscribed), and record the new grant with ``basis`` = ``express``.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        CASL (S.C. 2010, c. 23) s. 10(9), 10(10), 10(13); CRTC guidance on implied consent;
        compliance-rules.md §3, §9.3.
    """

    code = "C009"
    name = "casl-implied-consent-expired"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent", "canada")
    basis = "CASL s. 10(9), 10(10) (2-year / 6-month windows); CRTC implied-consent guidance"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Canadian contacts whose implied consent window has closed (or cannot be shown)."""
        if ctx.consent is None:
            return None
        canada = (pl.col("region") == "CA").fill_null(False) | (pl.col("country_iso") == "CA").fill_null(
            False
        )
        frame = valid_contacts(contacts, *DATES).filter(canada)
        implied = pl.col("cs_basis").cast(pl.String).is_in(IMPLIED)
        frame = ctx.consent_where(frame, None, implied, ("cs_basis",))
        if frame.height == 0:
            return None
        frame = frame.with_columns(_dates(frame))
        basis = pl.col("cs_basis").cast(pl.String)
        relationship = pl.max_horizontal("d_last_purchase_at", "d_contract_end_at")
        ends = (
            pl.when(basis == "implied_ebr")
            .then(relationship.dt.offset_by("2y"))
            .when(basis == "implied_inquiry")
            .then(pl.col("d_inquiry_at").dt.offset_by("6mo"))
        )
        needed = (
            pl.when(basis == "implied_ebr")
            .then(pl.lit("last_purchase_at or contract_end_at"))
            .otherwise(pl.lit("inquiry_at"))
        )
        expired = pl.format(
            "Implied consent for {} under CASL expired on {}; obtain express consent.",
            pl.col("e164"),
            pl.col("ends").dt.strftime("%Y-%m-%d"),
        )
        undated = pl.format(
            "Implied consent for {} under CASL cannot be dated (no {}); obtain express consent.",
            pl.col("e164"),
            needed,
        )
        published = pl.format(
            "Implied consent for {} rests on a published address; check that the message relates to their "
            "business role, or obtain express consent.",
            pl.col("e164"),
        )
        judged = frame.with_columns(ends=ends).with_columns(
            message=pl.when(basis == "implied_publication")
            .then(published)
            .when(pl.col("ends").is_null())
            .then(undated)
            .when(pl.col("ends") <= utc(ctx.at))
            .then(expired),
            severity=pl.when(basis == "implied_publication")
            .then(pl.lit(Severity.WARNING.value))
            .otherwise(pl.lit(Severity.ERROR.value)),
        )
        return judged.filter(pl.col("message").is_not_null()).select("_row", "message", "severity")
