"""Q001 us-quiet-hours."""

from __future__ import annotations

from lint.findings import Severity
from lint.rules._quiet import QuietHoursRule


class UsQuietHours(QuietHoursRule):
    """Marketing outside US federal calling hours (08:00-21:00 recipient local time).

    What it does:
        For marketing drafts, reports contacts in US jurisdiction (a number or stated country in
        the US, Puerto Rico, Guam, the US Virgin Islands, the Northern Mariana Islands or American
        Samoa) whose local time at the planned send time is before 08:00 or from 21:00 on, in any
        of the contact's time zones (the ``timezone`` column, else every zone of the number's
        area code). With a send window, a contact passes if some time in the window is allowed.

    Why it matters:
        The TCPA forbids telephone solicitations before 8 a.m. or after 9 p.m. at the called
        party's location (47 CFR 64.1200(c)(1)); texts are calls under the TCPA, and the linter
        treats WhatsApp messages to US numbers the same way.

    Example:
        A campaign at 2025-06-02 10:00 UTC reaches ``+1 415 555 0100`` (San Francisco) at 03:00.

    Use instead:
        Schedule US contacts between 08:00 and 21:00 in their own zone, or give a send window.

    Configuration:
        The window is data: ``[windows.US]`` in ``lint/packs/quiet_hours.toml``; set
        ``--at`` or ``send_at``/``[window]`` in the plan.

    References:
        47 CFR 64.1200(c)(1); compliance-rules.md §2.2, §11.1.
    """

    code = "Q001"
    name = "us-quiet-hours"
    severity = Severity.ERROR
    groups = ("quiet-hours", "us")
    basis = "47 CFR 64.1200(c)(1)"
    window_key = "US"
    region_sets = ("US_TCPA",)
    message = "Outside US federal hours (08:00–21:00 recipient local time) for {who} ({local})."
