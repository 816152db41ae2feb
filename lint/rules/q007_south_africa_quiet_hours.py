"""Q007 south-africa-quiet-hours."""

from __future__ import annotations

from lint.findings import Severity
from lint.rules._quiet import QuietHoursRule


class SouthAfricaQuietHours(QuietHoursRule):
    """Marketing to South African contacts outside Mon-Fri 08:00-20:00 and Sat 09:00-13:00.

    What it does:
        For marketing drafts, reports contacts with a South African number or stated country
        whose local time (Africa/Johannesburg) at the planned send time is outside Monday to
        Friday 08:00-20:00 or Saturday 09:00-13:00; any time on a Sunday is outside.

    Why it matters:
        Regulation 4(4) of the Consumer Protection Act Regulations limits direct marketing to
        consumers to those hours and excludes Sundays and public holidays. Whether it covers
        messages is not confirmed, so the linter reports a warning.

    Example:
        A campaign on Saturday 2025-06-07 at 12:00 UTC reaches ``+27 82 123 4567`` at 14:00.

    Use instead:
        Send to South African contacts on a weekday between 08:00 and 20:00, or on Saturday
        between 09:00 and 13:00, Johannesburg time.

    Configuration:
        ``[windows.ZA]`` in ``lint/packs/quiet_hours.toml``.

    Known gaps:
        South African public holidays are not checked yet (no holiday calendar in the rule
        packs); check the send date against the official calendar.

    References:
        Consumer Protection Act 68 of 2008, Regulations reg. 4(4); compliance-rules.md §5.4,
        §11.1.
    """

    code = "Q007"
    name = "south-africa-quiet-hours"
    severity = Severity.WARNING
    groups = ("quiet-hours", "south-africa")
    basis = "CPA Regulations reg. 4(4) [unconfirmed for messages]"
    window_key = "ZA"
    countries = ("ZA",)
    message = "South Africa: direct marketing outside CPA Regulation 4 hours ({who}, {local})."
