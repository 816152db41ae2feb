"""Q004 uae-quiet-hours."""

from __future__ import annotations

from lint.findings import Severity
from lint.rules._quiet import QuietHoursRule


class UaeQuietHours(QuietHoursRule):
    """Marketing to UAE contacts outside 09:00-18:00 local time.

    What it does:
        For marketing drafts, reports contacts with a UAE number or stated country whose local
        time (Asia/Dubai) at the planned send time is before 09:00 or from 18:00 on.

    Why it matters:
        UAE Cabinet Resolution 56/2024 limits telemarketing, which it defines to include
        marketing messages through social-media applications, to 09:00-18:00. Whether it reaches
        WhatsApp messages is not confirmed; the linter applies it conservatively.

    Example:
        A campaign at 2025-06-02 16:00 UTC reaches ``+971 50 123 4567`` at 20:00.

    Use instead:
        Send to UAE contacts between 09:00 and 18:00 Dubai time.

    Configuration:
        ``[windows.AE]`` in ``lint/packs/quiet_hours.toml``.

    References:
        UAE Cabinet Resolution No. 56 of 2024 on telemarketing; compliance-rules.md §5.5.
    """

    code = "Q004"
    name = "uae-quiet-hours"
    severity = Severity.ERROR
    groups = ("quiet-hours", "uae")
    basis = "UAE Cabinet Resolution 56/2024 (scope over app messages unconfirmed, applied conservatively)"
    window_key = "AE"
    countries = ("AE",)
    message = "UAE: marketing messages only 09:00–18:00 ({who}, {local})."
