"""Q008 default-quiet-hours."""

from __future__ import annotations

import polars as pl

from lint.context import RunContext
from lint.findings import Severity
from lint.packs import Window
from lint.rules._quiet import QuietHoursRule


class DefaultQuietHours(QuietHoursRule):
    """Send time is outside the default courtesy window.

    What it does:
        For marketing drafts and contacts that no country quiet-hours rule covers, reports a
        send time outside Monday-Saturday 09:00-20:00 in any of the contact's time zones (all
        candidate zones must allow it). Also warns when a number's time zone cannot be told at
        all; set a ``timezone`` column (IANA names such as ``Europe/Berlin``; unknown names are
        ignored and the number's zones used).

    Why it matters:
        Messages at night or on Sundays are the ones people block and report, which lowers the
        quality rating; WhatsApp asks businesses to send messages people expect. Vietnam's Decree
        91/2020 sets 07:00-22:00 for advertising messages [unconfirmed for WhatsApp].

    Example:
        A campaign on Sunday 2025-06-01 at 11:00 UTC to ``+49 151 2345 6789``.

    Use instead:
        Send between 09:00 and 20:00 local time, Monday to Saturday.

    Configuration:
        ``[windows.DEFAULT]`` in ``lint/packs/quiet_hours.toml``.

    Known gaps:
        Public holidays are not checked (no holiday calendar is bundled).

    References:
        WhatsApp Business Messaging Policy ("expected and relevant"); VN Decree 91/2020;
        compliance-rules.md §0.2, §11.1.
    """

    code = "Q008"
    name = "default-quiet-hours"
    severity = Severity.WARNING
    groups = ("quiet-hours",)
    basis = "Best practice; WhatsApp 'expected and relevant' messaging; VN Decree 91/2020 (07:00–22:00) [unconfirmed]"
    window_key = "DEFAULT"
    specific = False
    message = "Send time {local} is outside the default courtesy window ({window}) for {who}."

    def scope(self, ctx: RunContext) -> pl.Expr:
        """Contacts no country rule covers."""
        from lint.rules import ALL_RULES  # the rule set decides which countries have their own rule

        covered: set[str] = set()
        for rule in ALL_RULES:
            if issubclass(rule, QuietHoursRule) and rule.specific:
                covered |= rule().covered(ctx)
        listed = sorted(covered)
        return ~(
            pl.col("region").is_in(listed).fill_null(False)
            | pl.col("country_iso").is_in(listed).fill_null(False)
        )

    def messages(self, frame: pl.DataFrame, window: Window) -> pl.DataFrame:
        """Unknown zones get their own message."""
        unknown = pl.col("local") == "unknown"
        message = (
            pl.when(unknown)
            .then(
                pl.format(
                    "Time zone of {} is unknown, so quiet hours cannot be checked; add a timezone column.",
                    pl.col("e164"),
                )
            )
            .otherwise(
                pl.format(
                    f"Send time {{}} is outside the default courtesy window ({window.describe()}) for {{}}.",
                    pl.col("local"),
                    pl.col("e164"),
                )
            )
        )
        return frame.select("_row", message=message)
