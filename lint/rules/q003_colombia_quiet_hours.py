"""Q003 colombia-quiet-hours."""

from __future__ import annotations

from lint.findings import Severity
from lint.rules._quiet import QuietHoursRule


class ColombiaQuietHours(QuietHoursRule):
    """Marketing to Colombian contacts outside Mon-Fri 07:00-19:00 and Sat 08:00-15:00.

    What it does:
        For marketing drafts, reports contacts with a Colombian number or stated country whose
        local time (America/Bogota) at the planned send time is outside Monday to Friday
        07:00-19:00 or Saturday 08:00-15:00; any time on a Sunday is outside.

    Why it matters:
        Colombia's Ley 2300 de 2023 ("dejen de fregar") art. 3 limits commercial contact by
        phone, text and messaging applications to those hours and forbids it on Sundays and
        public holidays.

    Example:
        A campaign at 2025-06-03 01:00 UTC reaches ``+57 300 123 4567`` on Monday at 20:00.

    Use instead:
        Send to Colombian contacts on a weekday between 07:00 and 19:00, or on Saturday between
        08:00 and 15:00, Bogota time, and never on a Sunday or holiday.

    Configuration:
        ``[windows.CO]`` in ``lint/packs/quiet_hours.toml``.

    Known gaps:
        Colombian public holidays are not checked yet (no holiday calendar in the rule packs);
        check the send date against the official calendar.

    References:
        Ley 2300 de 2023 art. 3; compliance-rules.md §5.9, §11.1.
    """

    code = "Q003"
    name = "colombia-quiet-hours"
    severity = Severity.ERROR
    groups = ("quiet-hours", "colombia")
    basis = "Ley 2300 de 2023 art. 3"
    window_key = "CO"
    countries = ("CO",)
    message = (
        "Colombia: marketing only Mon–Fri 07:00–19:00, Sat 08:00–15:00, never Sundays/holidays "
        "({who}, {local})."
    )
