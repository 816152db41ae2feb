"""C004 business-name-mismatch."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import once_per_value, valid_contacts


def _fold(expr: pl.Expr) -> pl.Expr:
    """Names compared without case and surrounding or repeated spaces."""
    return expr.cast(pl.String).str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def sender_names(ctx: RunContext, draft: Draft) -> list[str]:
    """The names the sender goes by: configured brand and legal names, the draft's brand and display name."""
    names = [*ctx.config.brand_names, draft.meta.brand, draft.meta.sender_display_name]
    return [name for name in names if name and name.strip()]


class BusinessNameMismatch(Rule):
    """Opt-in was given to another business name.

    What it does:
        For each contact with a consent grant in force, compares ``business_name_shown`` (the
        business named when the person opted in) with the names the draft is sent under: the
        configured ``brand_names`` (brand, legal name, aliases), the draft's ``x-wagate.brand``
        and ``sender_display_name``. The comparison ignores case and extra spaces. An empty
        ``business_name_shown`` is reported too. When no sender name is configured at all, one
        finding on the draft says so instead of passing silently. Contacts without any grant
        are left to C001.

    Why it matters:
        Consent is specific to the business that asked for it (GDPR Art. 4(11) "specific";
        ICO: name each brand; CASL s. 10(2) and CRTC Regulations s. 4 require the requester's
        name). WhatsApp's opt-in rules require the opt-in to state the business name. Consent
        collected for a sister brand, a distributor or a marketplace shop does not cover you.

    Example:
        ``business_name_shown`` = ``Globex`` while the draft is sent as ``Acme``.

    Use instead:
        Collect opt-in under the name the messages are sent with, or add the other name to
        ``brand_names`` when it is truly the same business (a legal name or alias).

    Configuration:
        ``brand_names`` in ``[lint]``; ``x-wagate.brand`` and ``x-wagate.sender_display_name``
        in the draft.

    References:
        WhatsApp Business Messaging Policy (opt-in); CASL s. 10(2); CRTC Electronic Commerce
        Protection Regulations s. 4; GDPR Art. 4(11); ICO guidance on consent.
    """

    code = "C004"
    name = "business-name-mismatch"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("consent",)
    basis = "WhatsApp opt-in requirement (state the business name); CASL s. 10(2)/CRTC Regs s. 4; ICO; GDPR Art. 4(11)"

    def check_draft(self, draft: Draft, ctx: RunContext) -> Iterator[Finding]:
        """One finding when there is no sender name to compare consent records with."""
        if ctx.contacts is not None and ctx.consent is not None and not sender_names(ctx, draft):
            yield self.draft_finding(
                draft,
                "Cannot check whom contacts opted in to: no brand is configured. Set brand_names in [lint] "
                "or x-wagate.brand in the draft.",
                "name",
            )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force given to another (or no) business name."""
        if ctx.consent is None or draft is None:
            return None
        names = sender_names(ctx, draft)
        if not names:
            return None
        known = [" ".join(name.split()).lower() for name in names]
        shown = pl.col("cs_business_name_shown")
        elsewhere = once_per_value(
            "cs_business_name_shown", lambda name: ~_fold(name).is_in(known), pl.Boolean()
        )
        other = shown.is_null() | elsewhere
        flagged = ctx.consent_where(valid_contacts(contacts), None, other, ("cs_business_name_shown",))
        message = pl.format(
            "Opt-in for {} was given to '{}', not to '{}'. Consent is specific to the named business.",
            pl.col("e164"),
            pl.col("cs_business_name_shown").cast(pl.String).fill_null("(no business name recorded)"),
            pl.lit(names[0]),
        )
        return flagged.select("_row", message=message)
