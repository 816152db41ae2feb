"""Q005 india-quiet-hours."""

from __future__ import annotations

from lint.findings import Severity
from lint.rules._quiet import QuietHoursRule


class IndiaQuietHours(QuietHoursRule):
    """Marketing to Indian contacts outside 09:00-21:00 IST.

    What it does:
        For marketing drafts, reports contacts with an Indian number or stated country whose
        local time (Asia/Kolkata) at the planned send time is before 09:00 or from 21:00 on.

    Why it matters:
        TRAI's TCCCPR 2018 allows promotional SMS and calls only between 09:00 and 21:00. The
        regulation governs telecom SMS and voice, not WhatsApp, so the linter applies the window
        as best practice and reports a warning.

    Example:
        A campaign at 2025-06-03 16:00 UTC reaches ``+91 98765 43210`` at 21:30.

    Use instead:
        Send to Indian contacts between 09:00 and 21:00 IST.

    Configuration:
        ``[windows.IN]`` in ``lint/packs/quiet_hours.toml``.

    References:
        TRAI Telecom Commercial Communications Customer Preference Regulations 2018;
        compliance-rules.md §4.1, §11.1.
    """

    code = "Q005"
    name = "india-quiet-hours"
    severity = Severity.WARNING
    groups = ("quiet-hours", "india")
    basis = "TRAI TCCCPR 2018 (SMS/voice; applied as best practice)"
    window_key = "IN"
    countries = ("IN",)
    message = "India: promotional window is 09:00–21:00 IST (TRAI practice) ({who}, {local})."
