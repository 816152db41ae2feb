"""Q006 saudi-quiet-hours."""

from __future__ import annotations

from lint.findings import Severity
from lint.rules._quiet import QuietHoursRule


class SaudiQuietHours(QuietHoursRule):
    """Marketing to Saudi contacts outside 09:00-21:00 local time.

    What it does:
        For marketing drafts, reports contacts with a Saudi number or stated country whose
        local time (Asia/Riyadh) at the planned send time is before 09:00 or from 21:00 on.

    Why it matters:
        The CST rules for marketing SMS restrict sending hours, and the PDPL (Art. 25) requires
        consent and care in direct marketing. The exact window for messaging apps is not
        confirmed; 09:00-21:00 is the intersection of the published SMS rules, reported as a
        warning.

    Example:
        A campaign at 2025-06-03 19:00 UTC reaches ``+966 50 123 4567`` at 22:00.

    Use instead:
        Send to Saudi contacts between 09:00 and 21:00 Riyadh time.

    Configuration:
        ``[windows.SA]`` in ``lint/packs/quiet_hours.toml``.

    References:
        CST SMS regulations (secondary, unconfirmed for WhatsApp); Saudi PDPL Art. 25;
        compliance-rules.md §5.6, §11.1.
    """

    code = "Q006"
    name = "saudi-quiet-hours"
    severity = Severity.WARNING
    groups = ("quiet-hours", "saudi-arabia")
    basis = "CST SMS rules [secondary/unconfirmed]; PDPL Art. 25"
    window_key = "SA"
    countries = ("SA",)
    message = "Saudi Arabia: keep marketing within 09:00–21:00 ({who}, {local})."
