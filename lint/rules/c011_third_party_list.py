"""C011 third-party-list."""

from __future__ import annotations

import re

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import once_per_value, valid_contacts

# list provenances that are not consent given to the sender (compliance-rules.md §9.3 C011),
# with the ways Chinese exporters' CRMs write them
LIST_SOURCES = (
    "purchased_list",
    "rented_list",
    "list_broker",
    "partner_shared",
    "scraped",
    "harvested",
    "generated",
)
CHINESE_SOURCES = (
    "购买名单",
    "买来的名单",
    "租用名单",
    "名单商",
    "数据商",
    "合作方共享",
    "爬取",
    "采集",
    "生成",
)
_PATTERN = "(?:^|[^a-z])(?:" + "|".join(LIST_SOURCES) + ")(?:$|[^a-z])|" + "|".join(CHINESE_SOURCES)


def _source_kind() -> pl.Expr:
    """The list provenance named in ``cs_consent_source`` (spaces and hyphens read as ``_``), else null."""

    def kind(source: pl.Expr) -> pl.Expr:
        folded = source.cast(pl.String).str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
        return folded.str.extract(f"({_PATTERN})", 1).str.strip_chars("_ ")

    return once_per_value("cs_consent_source", kind, pl.String())


class ThirdPartyList(Rule):
    """Contacts come from a bought, rented, shared, scraped or generated list.

    What it does:
        Reports contacts whose consent grant in force has a ``consent_source`` naming a list
        provenance: ``purchased_list``, ``rented_list``, ``list_broker``, ``partner_shared``,
        ``scraped``, ``harvested`` or ``generated`` (also written with spaces or hyphens, or in
        Chinese: 购买名单, 租用名单, 名单商, 数据商, 合作方共享, 爬取, 采集, 生成). It is an error,
        lowered to a warning when the recorded ``consent_text`` names your business (a
        configured brand name or a draft's brand): then the person may have agreed to hear
        from you, which needs checking.

    Why it matters:
        Consent must be given to the business that sends, not to a list seller or a partner.
        The WhatsApp Business Messaging Policy forbids messaging people who did not opt in to
        your business; the ICO treats bought-in lists as unusable for electronic marketing
        without specific consent naming you; CTIA 5.1.4 forbids renting, selling or sharing
        opt-in lists; Singapore's Spam Control Act and PDPA Part 9A prohibit harvested and
        dictionary-generated addresses; POPIA s. 69 requires the recipient's own consent.

    Example:
        ``consent_source`` = ``purchased list (expo 2024)``.

    Use instead:
        Invite those people through your own channels (a click-to-WhatsApp ad, a QR code at a
        trade fair) and message only those who opt in to your business.

    Configuration:
        ``brand_names`` in ``[lint]`` (the names that lower the finding to a warning).

    References:
        WhatsApp Business Messaging Policy; ICO direct marketing guidance (bought-in lists);
        CTIA Messaging Principles 5.1.4; SG Spam Control Act 2007, PDPA Part 9A; POPIA s. 69.
    """

    code = "C011"
    name = "third-party-list"
    severity = Severity.ERROR
    applies_to = "contact"
    groups = ("consent",)
    basis = "WhatsApp policy; ICO bought-in lists guidance; CTIA 5.1.4; SG PDPA Part 9A & Spam Control Act; POPIA s. 69"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Grants in force whose source is a third-party or generated list."""
        if ctx.consent is None:
            return None
        kind = _source_kind()
        flagged = ctx.consent_where(
            valid_contacts(contacts),
            None,
            kind.is_not_null(),
            ("cs_kind", "cs_names_us"),
            extra={"cs_kind": kind, "cs_names_us": self._names_business(ctx)},
        )
        message = pl.format(
            "Contacts from {} cannot be messaged: consent must be given to your business directly ({}).",
            pl.col("cs_kind"),
            pl.col("e164"),
        )
        severity = (
            pl.when(pl.col("cs_names_us").fill_null(False))
            .then(pl.lit(Severity.WARNING.value))
            .otherwise(pl.lit(Severity.ERROR.value))
        )
        return flagged.select("_row", message=message, severity=severity)

    @staticmethod
    def _names_business(ctx: RunContext) -> pl.Expr:
        """Whether the consent text names one of the sender's names."""
        names = [*ctx.config.brand_names, *(d.meta.brand for d in ctx.drafts if d.meta.brand)]
        if not names:
            return pl.lit(False)
        pattern = "(?i)" + "|".join(re.escape(name) for name in names)
        return pl.col("cs_consent_text").cast(pl.String).str.contains(pattern)
