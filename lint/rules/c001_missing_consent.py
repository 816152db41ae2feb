"""C001 missing-consent."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts

# Bases other than consent that the law accepts only in some places (catalog C001).
REGIONAL_BASES = {
    "soft_opt_in": ("EU_EEA", "UK_LIKE"),
    "implied_ebr": ("CANADA",),
    "implied_inquiry": ("CANADA",),
    "implied_publication": ("CANADA",),
    "customer_exception_za": ("SOUTH_AFRICA",),
}
CONSENT_BASES = ("express", "prior_express_written")
_EXTRA_SETS = {"CANADA": frozenset({"CA"}), "SOUTH_AFRICA": frozenset({"ZA"})}


class MissingConsent(Rule):
    """No valid opt-in on record for the message's category.

    What it does:
        For marketing and utility drafts (by effective category), reports contacts with no
        consent grant in force: none recorded (consent columns or consent events), or every
        grant withdrawn later. A basis other than consent counts only where the law has it:
        ``soft_opt_in`` for EU/EEA and UK contacts (checked further by C007), ``implied_ebr`` /
        ``implied_inquiry`` / ``implied_publication`` for Canada (C009), ``customer_exception_za``
        for South Africa; ``legitimate_interest`` never. Authentication (one-time codes the user
        asked for) and service replies (the user wrote first) are not checked here.
        Consent that covers other purposes only is reported by C005.

    Why it matters:
        Every regime in the catalog, and WhatsApp itself, requires opt-in before a business
        messages a person: WhatsApp Business Messaging Policy; GDPR Art. 6(1)(a) with ePrivacy
        Art. 13(1)/PECR reg. 22(2); TCPA 47 U.S.C. 227(b); CASL s. 6(1); POPIA s. 69(1); Spam Act
        s. 16; Saudi PDPL Art. 25; DPDP s. 6.

    Example:
        A contact list with no consent columns, or a row whose only consent was withdrawn.

    Use instead:
        Record each opt-in as a consent event (when, how, source, text shown, business name) and
        send only to contacts with a grant in force.

    Configuration:
        Consent comes from the contact list's consent columns and ``--consent FILE``.

    References:
        WhatsApp "Get opt-in for WhatsApp"; GDPR Art. 6(1)(a), 7; PECR reg. 22; 47 CFR
        64.1200(a)(2); CASL s. 6(1); compliance-rules.md §9.3.
    """

    code = "C001"
    name = "missing-consent"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("consent",)
    basis = (
        "WhatsApp Business Messaging Policy (opt-in before messaging); GDPR Art. 6(1)(a); ePrivacy Art. 13(1)/"
        "PECR reg. 22(2); TCPA 227(b); CASL s. 6(1); POPIA s. 69(1); Spam Act s. 16; DPDP s. 6"
    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts without a grant in force, or relying on a basis their country does not have."""
        if draft is None:
            return None
        category = ctx.category(draft)
        if category.effective not in ("MARKETING", "UTILITY"):
            return None
        label = category.effective.lower()
        contacts_frame = valid_contacts(contacts)
        missing = ctx.without_consent(contacts_frame, category.purpose).select(
            "_row",
            message=pl.format(
                f"No valid {label} opt-in on record for {{}}; this contact cannot receive this message.",
                pl.col("e164"),
            ),
        )
        if ctx.consent is None:
            return missing
        # a basis other than consent: valid only where the contact's country has it
        regional = pl.col("cs_basis").is_not_null() & ~pl.col("cs_basis").is_in(CONSENT_BASES)
        frame = ctx.consent_where(contacts_frame, category.purpose, regional, ("cs_basis",))
        basis = pl.col("cs_basis").cast(pl.String)
        allowed = pl.lit(False)
        for name, sets in REGIONAL_BASES.items():
            allowed = allowed | ((basis == name) & self._in(ctx, sets))
        # the pieces are computed first and formatted in a second step: formatting the cast
        # expressions directly made Polars panic ("i < self.len()") on some inputs (hypothesis)
        wrong = (
            frame.filter(~allowed)
            .select(
                "_row",
                pl.col("e164").cast(pl.String).alias("_e164"),
                basis.alias("_basis"),
                pl.coalesce(pl.col("country_iso").cast(pl.String), pl.col("region").cast(pl.String)).alias(
                    "_where"
                ),
            )
            .select(
                "_row",
                message=pl.format(
                    f"No valid {label} opt-in on record for {{}}: basis '{{}}' does not apply to contacts in {{}}; "
                    "this contact cannot receive this message.",
                    pl.col("_e164"),
                    pl.col("_basis"),
                    pl.col("_where"),
                ),
            )
        )
        return pl.concat([missing, wrong])

    @staticmethod
    def _in(ctx: RunContext, sets: tuple[str, ...]) -> pl.Expr:
        regions = set().union(*(_EXTRA_SETS.get(s) or ctx.packs.region_set(s) for s in sets))
        listed = sorted(regions)
        return pl.col("region").is_in(listed).fill_null(False) | pl.col("country_iso").is_in(
            listed
        ).fill_null(False)
