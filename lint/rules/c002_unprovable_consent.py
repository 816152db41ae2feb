"""C002 unprovable-consent."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import utc, valid_contacts

WEB_METHODS = ("web_form", "checkbox")


class UnprovableConsent(Rule):
    """Consent record cannot prove who agreed, when, how and to what.

    What it does:
        For each contact's consent grant in force, lists the missing proof: the consent time (or
        a time that cannot be read, or lies in the future), the method, the source, the text
        shown (verbatim text or its version), and the business name shown; for web forms and
        checkboxes, the IP address or the form URL.

    Why it matters:
        The sender must be able to demonstrate consent (GDPR Art. 7(1)); regulators ask for who,
        when, how and what they were told (ICO consent records; LGPD Art. 8 §2; CASL s. 13; UU
        PDP Art. 24; DPDP s. 6(10)), and TCPA defendants must prove prior express written
        consent. A record that cannot prove consent is, in practice, no consent.

    Example:
        ``consent_timestamp`` = ``2024-03-01``, nothing else.

    Use instead:
        ``consent_timestamp``, ``consent_method`` = ``web_form``, ``consent_source`` =
        ``https://acme.com/join``, ``consent_text_version`` = ``v3``, ``business_name_shown`` =
        ``Acme``, ``ip`` = ``203.0.113.7``.

    Configuration:
        Column names and their aliases: ``packs/columns.toml``, ``[lint.columns]``.

    References:
        GDPR Art. 7(1); ICO "How should we record consent?"; LGPD Art. 8 §2; CASL s. 13; DPDP
        s. 6(10); compliance-rules.md §10.2.
    """

    code = "C002"
    name = "unprovable-consent"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent",)
    basis = "GDPR Art. 7(1) + ICO consent-record checklist; LGPD Art. 8 §2; CASL s. 13; UU PDP Art. 24; DPDP s. 6(10)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force with missing proof."""
        if ctx.consent is None:
            return None
        when = pl.col("cs_consent_timestamp")
        unreadable = pl.col("cs_consent_timestamp_unreadable").fill_null(False)
        web = pl.col("cs_consent_method").is_in(WEB_METHODS).fill_null(False)
        no_text = pl.col("cs_consent_text").is_null() & pl.col("cs_consent_text_version").is_null()
        checks = [
            (unreadable, "consent_timestamp (unreadable)"),
            (when.is_null() & ~unreadable, "consent_timestamp"),
            ((when > utc(ctx.now)).fill_null(False), "consent_timestamp (in the future)"),
            (pl.col("cs_consent_method").is_null(), "consent_method"),
            (pl.col("cs_consent_source").is_null(), "consent_source"),
            (no_text, "consent_text or consent_text_version"),
            (pl.col("cs_business_name_shown").is_null(), "business_name_shown"),
            (web & pl.col("cs_ip").is_null() & pl.col("cs_form_url").is_null(), "ip or form_url"),
        ]
        missing = pl.concat_str(
            [pl.when(test).then(pl.lit(name)) for test, name in checks], separator=", ", ignore_nulls=True
        )
        # checked once per grant; only contacts whose grant is incomplete are copied
        incomplete = pl.any_horizontal([test for test, _ in checks])
        flagged = ctx.consent_where(
            valid_contacts(contacts), None, incomplete, ("cs_missing",), extra={"cs_missing": missing}
        )
        message = pl.format(
            "Consent for {} cannot be proven (missing: {}). Record who/when/how/what they were told.",
            pl.col("e164"),
            pl.col("cs_missing"),
        )
        return flagged.select("_row", message=message)
