"""F001 same-subject-solicitations."""

from __future__ import annotations

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Severity
from lint.frequency import MARKETING, describe_window, same_subject_cap
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.rules._common import valid_contacts
from lint.rules._frequency import category_sends, judge, us_state_place


def same_subject(sends: pl.DataFrame, draft: Draft) -> pl.DataFrame:
    """Earlier sends on the draft's subject: the same ``subject_key``, or the same template when
    the send has no subject recorded. Without a subject or a name, every send counts."""
    subject, template = draft.meta.subject_key, draft.name
    if subject is None and template is None:
        return sends
    by_template = pl.col("template") == template if template is not None else pl.lit(False)
    if subject is None:
        return sends.filter(by_template.fill_null(False))
    return sends.filter(
        (pl.col("subject_key") == subject).fill_null(False)
        | (pl.col("subject_key").is_null() & by_template.fill_null(False))
    )


class SameSubjectSolicitations(Rule):
    """More than 3 marketing messages on one subject to a Florida, Oklahoma or Maryland contact in 24 hours.

    What it does:
        For marketing drafts, takes contacts whose ``us_state`` is FL, OK or MD (``FL`` or
        ``US-FL``) and counts their marketing messages on the draft's subject in any rolling 24
        hours: earlier sends from the send history (the warehouse, or ``send_log``) plus this
        plan's message. The subject is the draft's ``x-wagate.subject_key``; an earlier send
        counts when it has the same ``subject_key``, or no subject recorded and the same
        template name. A draft without subject key or name counts every marketing message. A
        send whose category is unknown counts as marketing.

    Why it matters:
        Florida's Telephone Solicitation Act (501.616(6)(b)), Oklahoma's OTSA (15 O.S. 775C.4) and
        Maryland's Stop the Spam Calls Act forbid more than three commercial solicitation calls
        or texts to a person on the same subject within 24 hours, with statutory damages per
        message and a private right of action.

    Example:
        A Florida contact got ``spring_sale`` at 09:00, 12:00 and 15:00 today; the plan sends it
        again at 18:00.

    Use instead:
        Send at most three messages per subject and day to these states' residents: exclude the
        contact from this send or schedule it for the next day.

    Configuration:
        The states, limit and window: ``[same_subject]`` in ``lint/packs/frequency.toml``; the
        history: the warehouse, or ``send_log`` in ``[lint]``. The sender applies the same cap
        at send time to all marketing to these states (it does not know subjects).

    Known gaps:
        The state comes from ``us_state`` only, not from the area code.

    References:
        Fla. Stat. 501.616(6)(b); Oklahoma Telephone Solicitation Act (15 O.S. 775C.4); Maryland
        Stop the Spam Calls Act 2023; compliance-rules.md §2.4, §9.7.
    """

    code = "F001"
    name = "same-subject-solicitations"
    severity = Severity.ERROR
    applies_to = "send-plan"
    groups = ("frequency", "us")
    basis = "Fla. Stat. 501.616(6)(b); OK 15 O.S. 775C.4; MD Stop the Spam Calls Act"

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """FL/OK/MD contacts the plan's message would give a fourth same-subject message in 24 hours."""
        if draft is None or not ctx.category(draft).marketing or not contacts.has("us_state"):
            return None
        cap = same_subject_cap()
        regions = sorted(cap.regions or ())
        frame = valid_contacts(contacts, "us_state").with_columns(state=us_state_place(contacts))
        frame = frame.filter(pl.col("state").is_in(regions).fill_null(False))
        if frame.height == 0:
            return None
        sends = same_subject(category_sends(ctx.sends(ctx.at - cap.window), MARKETING), draft)
        verdicts = judge(frame, pl.concat_list("state"), sends, [cap], MARKETING, ctx.at)
        if verdicts.height == 0:
            return None
        subject = draft.meta.subject_key or draft.name or "any subject"
        message = pl.format(
            "{}: more than {} solicitations on '{}' within {} ({}).",
            pl.col("e164"),
            pl.lit(cap.limit),
            pl.lit(subject),
            pl.lit(describe_window(cap.window)),
            pl.col("place").str.strip_prefix("US-"),
        )
        return verdicts.join(frame.select("_row", "e164"), on="_row").select("_row", message=message)
