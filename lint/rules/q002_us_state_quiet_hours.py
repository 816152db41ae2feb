"""Q002 us-state-quiet-hours."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import column, valid_contacts
from lint.rules._quiet import candidate_zones, verdict

UNRESOLVED = "US-UNRESOLVED"
# states whose calling-hours statutes are confirmed or well documented: findings are errors
ERROR_STATES = ["US-FL", "US-OK", "US-MD", "US-WA", "US-TX"]


def state_key(contacts: ContactSet, known: list[str]) -> pl.Expr:
    """The window key of each contact: ``US-xx`` with a state window, the intersection when unknown.

    A state given as ``FL`` or ``US-FL`` with no window of its own gives null (only the federal
    window, Q001, applies).
    """
    state = column(contacts, "us_state").cast(pl.String).str.strip_chars().str.to_uppercase()
    key = pl.concat_str(pl.lit("US-"), state.str.strip_prefix("US-"))
    readable = state.str.contains(r"^(US-)?[A-Z]{2}$").fill_null(False)
    return pl.when(~readable).then(pl.lit(UNRESOLVED)).when(key.is_in(known)).then(key)


class UsStateQuietHours(Rule):
    """Marketing to US contacts outside the calling hours of their state.

    What it does:
        For marketing drafts and US numbers (or a stated country US), takes the state from
        ``us_state`` (two-letter code such as ``FL`` or ``US-FL``) and checks the local time at
        the planned send time, in every candidate zone of the contact, against the state's
        window in ``packs/quiet_hours.toml`` (Florida, Oklahoma, Maryland, Washington 08:00-20:00;
        Texas Mon-Sat 09:00-21:00, Sun 12:00-21:00; and the other states listed there). States
        without a window of their own are left to the federal rule (Q001). When the state is
        missing or unreadable, the intersection of all state windows applies (Mon-Fri
        10:00-18:00, Sat 10:00-17:00, no Sunday). Findings are errors for FL, OK, MD, WA and TX,
        warnings for the other states and for an unresolved state.

    Why it matters:
        Several states restrict marketing messages more than the federal 08:00-21:00 rule: the
        Florida Telephone Solicitation Act (501.616(6)(a)), Oklahoma's OTSA, Maryland's Stop the
        Spam Calls Act, RCW 80.36.390 in Washington and Texas SB 140 all cover texts, with
        private rights of action and per-message damages.

    Example:
        A campaign at 2025-06-03 00:30 UTC reaches a Florida contact (``us_state`` = ``FL``) at
        20:30 in New York time.

    Use instead:
        Record ``us_state`` for US contacts and send within the state's window, or use the
        intersection window (weekdays 10:00-18:00) when the state is unknown.

    Configuration:
        ``[windows.US-xx]`` and ``[windows.US-UNRESOLVED]`` in ``lint/packs/quiet_hours.toml``.

    Known gaps:
        The state is not derived from the area code, and restricted holidays (state and federal)
        are not checked yet; full state names in ``us_state`` are treated as unresolved.

    References:
        Fla. Stat. 501.616(6)(a); Oklahoma Telephone Solicitation Act; Maryland Stop the Spam
        Calls Act 2023; RCW 80.36.390; Tex. Bus. & Com. Code ch. 301 (SB 140);
        compliance-rules.md §2.4, §11.1.
    """

    code = "Q002"
    name = "us-state-quiet-hours"
    severity = Severity.ERROR
    applies_to = "contact+draft"
    groups = ("quiet-hours", "us")
    basis = (
        "Fla. Stat. 501.616(6)(a); OK OTSA; MD Stop the Spam Calls Act; RCW 80.36.390; "
        "Tex. Bus. & Com. Code ch. 301 (SB 140); other states [secondary]"
    )

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """US contacts whose local time is outside their state's window at every planned send time."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        known = [key for key in ctx.packs.windows if key.startswith("US-") and key != UNRESOLVED]
        us = (pl.col("region") == "US").fill_null(False) | (pl.col("country_iso") == "US").fill_null(False)
        frame = (
            valid_contacts(contacts, "us_state")
            .filter(us)
            .with_columns(window=state_key(contacts, known))
            .filter(pl.col("window").is_not_null())
        )
        if frame.height == 0:
            return None
        frame = frame.with_columns(zones=ctx.zones_of(frame))
        distinct = frame.select("window", "zones", "calling_code").unique()
        results = []
        for key, zones, code in distinct.iter_rows():
            candidates = candidate_zones(zones, code)
            window = ctx.packs.windows[key]
            results.append(
                "time zone unknown" if not candidates else verdict(candidates, window, ctx.send_times)
            )
        judged = distinct.with_columns(local=pl.Series(results, dtype=pl.String))
        flagged = frame.join(
            judged,
            on=["window", "zones", "calling_code"],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        ).filter(pl.col("local").is_not_null())
        hours = {key: ctx.packs.windows[key].describe() for key in [*known, UNRESOLVED]}
        state = (
            pl.when(pl.col("window") == UNRESOLVED)
            .then(pl.lit("unresolved state"))
            .otherwise(pl.col("window").str.strip_prefix("US-"))
        )
        message = pl.format(
            "Outside {} permitted hours ({}) for {} ({}).",
            state,
            pl.col("window").replace_strict(hours, return_dtype=pl.String),
            pl.col("e164"),
            pl.col("local"),
        )
        severity = (
            pl.when(pl.col("window").is_in(ERROR_STATES))
            .then(pl.lit(Severity.ERROR.value))
            .otherwise(pl.lit(Severity.WARNING.value))
        )
        return flagged.select("_row", message=message, severity=severity)
