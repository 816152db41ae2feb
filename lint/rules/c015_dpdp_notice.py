"""C015 dpdp-notice-incomplete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.packs import read_pack
from lint.rules._common import valid_contacts
from lint.rules._registry import in_country

INDIA = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True, slots=True)
class NoticeRules:
    """The DPDP notice pack: required items (label and accepted names), languages, Rule 3's date."""

    items: tuple[tuple[str, tuple[str, ...]], ...]
    languages: tuple[str, ...]
    in_force: date


@cache
def notice_rules() -> NoticeRules:
    """``packs/dpdp_notice.toml``, parsed once."""
    pack = read_pack("dpdp_notice")
    items = tuple(
        (str(spec["label"]), tuple(str(n).casefold() for n in spec["names"]))
        for spec in pack["items"].values()
    )
    return NoticeRules(
        items=items,
        languages=tuple(pack["languages"]["codes"]),
        in_force=pack["dates"]["rule3_in_force"],
    )


def missing_items(rules: NoticeRules) -> pl.Expr:
    """Per grant, the notice items it lacks (``, ``-joined; empty when complete)."""
    listed = pl.col("cs_notice_items").list.eval(pl.element().str.replace_all(r"[\s\-]+", "_"))
    parts: list[pl.Expr] = [
        pl.when(~listed.list.eval(pl.element().is_in(names)).list.any().fill_null(False)).then(pl.lit(label))
        for label, names in rules.items
    ]
    language = pl.col("cs_consent_language").cast(pl.String).str.to_lowercase()
    primary = language.str.extract(r"^([a-z]{2,3})(?:$|[-_])", 1)
    parts.append(
        pl.when(language.is_null())
        .then(pl.lit("notice language"))
        .when(~primary.is_in(rules.languages).fill_null(False))
        .then(pl.format("notice language ('{}' is not English or an Eighth-Schedule language)", language))
    )
    return pl.concat_str(parts, separator=", ", ignore_nulls=True).fill_null("")


class DpdpNoticeIncomplete(Rule):
    """Indian contact's consent notice does not cover everything the DPDP Act requires.

    What it does:
        For contacts with an Indian number or stated country and a consent grant in force,
        reads the grant's ``notice_items`` (a list: ``data_items``, ``purpose``,
        ``withdraw_how``, ``grievance_how``, ``board_complaint_how``) and ``consent_language``,
        and reports the items the notice lacked, and a language that is neither English nor
        one of the 22 languages of the Eighth Schedule. A grant without notice metadata lacks
        every item. It is a warning while Rule 3 of the DPDP Rules 2025 is not in force and an
        error when the (last) planned send time is on or after 13 May 2027 (India time).
        Contacts without a grant are left to C001.

    Why it matters:
        DPDP Act s. 5 requires a notice with, or before, the consent request: the personal data
        and purpose, how to withdraw consent and seek grievance redressal (s. 6(4), s. 13) and
        how to complain to the Data Protection Board, in English or an Eighth-Schedule language.
        The Data Fiduciary must prove the notice (s. 6(10)). Rule 3 of the DPDP Rules 2025
        (notified 13 November 2025) details the notice and applies 18 months later.

    Example:
        An Indian contact with ``notice_items`` = ``purpose, withdraw_how`` and
        ``consent_language`` = ``zh``.

    Use instead:
        Show the full notice at opt-in, in English or the person's Indian language, and record
        ``notice_items`` = ``data_items, purpose, withdraw_how, grievance_how,
        board_complaint_how`` and ``consent_language`` = ``en``.

    Configuration:
        ``lint/packs/dpdp_notice.toml``: item names, languages and Rule 3's date. Column names:
        ``packs/columns.toml``, ``[lint.columns]``, ``[lint.consent_columns]``.

    Known gaps:
        The list of Eighth-Schedule language codes comes from secondary sources; whether the
        notice could be read independently of other information (Rule 3) is not checked.

    References:
        DPDP Act 2023 s. 5, 6(1), 6(4), 6(10), 13; DPDP Rules 2025 r. 3; compliance-rules.md
        §4.2, §9.3, §10.2.
    """

    code = "C015"
    name = "dpdp-notice-incomplete"
    severity = Severity.WARNING
    applies_to = "contact"
    groups = ("consent", "india")
    basis = "DPDP Act s. 5, 6; DPDP Rules 2025 r. 3 (commencement +18 months from 13 Nov 2025)"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Indian grants in force whose notice lacks an item or a permitted language."""
        if ctx.consent is None:
            return None
        frame = valid_contacts(contacts).filter(in_country("IN"))
        if frame.height == 0:
            return None
        rules = notice_rules()
        missing = missing_items(rules)
        flagged = ctx.consent_where(
            frame, None, missing != "", ("cs_missing",), extra={"cs_missing": missing}
        )
        in_force = max(ctx.send_times).astimezone(INDIA).date() >= rules.in_force
        severity = Severity.ERROR if in_force else Severity.WARNING
        when = f"{rules.in_force.day} {rules.in_force:%B %Y}"
        message = pl.format(
            f"DPDP notice for {{}} is incomplete (missing: {{}}); Rule 3 applies from {when}.",
            pl.col("e164"),
            pl.col("cs_missing"),
        )
        return flagged.select("_row", message=message, severity=pl.lit(severity.value))
