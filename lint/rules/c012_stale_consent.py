"""C012 stale-consent."""

from __future__ import annotations

from functools import cache

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.inputs.values import UTC_DATETIME, parse_timestamps
from lint.packs import read_pack
from lint.rules._common import months_passed, utc, valid_contacts


@cache
def max_ages() -> dict[str, int]:
    """Months a consent stays fresh, per jurisdiction (``DEFAULT`` for the rest)."""
    return {key: int(value) for key, value in read_pack("consent_age")["max_age_months"].items()}


class StaleConsent(Rule):
    """Marketing consent is old and the contact has not engaged since.

    What it does:
        For marketing drafts, takes each contact's marketing grant in force and the later of
        its ``consent_timestamp`` and the contact's ``last_engagement_at`` (a click, reply or
        purchase; opens do not count), and warns when that is longer ago than the maximum age
        of ``packs/consent_age.toml`` at the planned send time: 24 months, 36 for France. When
        the number's region and the stated country differ, the shorter age applies. Contacts
        without a marketing grant are left to C001 and C005.

    Why it matters:
        Consent is not indefinite: the ICO says consent degrades over time and should be
        refreshed; the CNIL recommends at most three years after the last contact for
        prospects; GDPR Art. 5(1)(e) limits keeping data longer than needed. Old lists also
        produce blocks and reports that lower the WhatsApp quality rating.

    Example:
        ``consent_timestamp`` = ``2022-01-10``, no ``last_engagement_at``, campaign on
        2025-06-03.

    Use instead:
        Send a re-permission message inside a customer-service window, or a non-marketing
        reconfirmation, and record the new grant (``reconfirm``) or the engagement date.

    Configuration:
        ``lint/packs/consent_age.toml`` (months per jurisdiction).

    References:
        ICO guidance on consent ("how long does consent last?"); CNIL référentiel gestion
        commerciale (3 years); GDPR Art. 5(1)(e); compliance-rules.md §9.3.
    """

    code = "C012"
    name = "stale-consent"
    severity = Severity.WARNING
    applies_to = "contact+draft"
    groups = ("consent",)
    basis = (
        "ICO (consent degrades over time; refresh); CNIL 3-year prospect recommendation; GDPR Art. 5(1)(e)"
    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Marketing grants older than the maximum age, counted from the last engagement."""
        if ctx.consent is None or draft is None or not ctx.category(draft).marketing:
            return None
        ages = max_ages()
        youngest = min(ages.values())
        # a grant younger than the shortest limit is fresh whatever the country and engagement:
        # only the older ones (checked once per grant) are looked at further
        old = months_passed(pl.col("cs_consent_timestamp"), pl.lit(youngest), [youngest], ctx.at)
        frame = ctx.consent_where(
            valid_contacts(contacts, "last_engagement_at"), "marketing", old, ("cs_consent_timestamp",)
        )
        if frame.height == 0:
            return None
        if "last_engagement_at" in frame.columns:
            engaged, _ = parse_timestamps(frame["last_engagement_at"])
        else:
            engaged = pl.Series([None] * frame.height, dtype=UTC_DATETIME)
        frame = frame.with_columns(engaged=engaged).drop("last_engagement_at", strict=False)

        def months(code: pl.Expr) -> pl.Expr:
            return code.cast(pl.String).replace_strict(ages, default=ages["DEFAULT"], return_dtype=pl.Int64)

        country = pl.when(pl.col("country_iso").is_not_null()).then(months(pl.col("country_iso")))
        since = pl.max_horizontal("cs_consent_timestamp", "engaged")
        expired = months_passed(since, pl.col("limit"), ages.values(), ctx.at)
        whole = (ctx.at.year * 12 + ctx.at.month) - (since.dt.year() * 12 + since.dt.month())
        age = whole - (since.dt.offset_by(pl.format("{}mo", whole)) > utc(ctx.at)).cast(pl.Int32)
        flagged = (
            frame.with_columns(limit=pl.min_horizontal(months(pl.col("region")), country))
            .filter(expired)
            .with_columns(age=age)
        )
        message = pl.format(
            "Consent for {} is {} months old with no engagement; re-confirm before marketing (limit {} months).",
            pl.col("e164"),
            pl.col("age"),
            pl.col("limit"),
        )
        return flagged.select("_row", message=message)
