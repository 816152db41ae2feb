"""S005 messaging-limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from typing import Any

import polars as pl

from core.errors import ConfigError
from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.packs import read_pack
from lint.rules._common import utc, valid_contacts
from lint.rules._plan import plan_file, plural

SERVICE_WINDOW = timedelta(hours=24)
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\s*([KkMm]?)$")


@cache
def limits_pack() -> dict[str, Any]:
    """``lint/packs/messaging_limits.toml``."""
    return read_pack("messaging_limits")


def tier_limit(tier: str) -> int | None:
    """Unique users per 24 hours of a tier (``TIER_2K``, ``2K``, ``2000``); ``None`` for no limit."""
    text = tier.strip().upper().replace(",", "").replace(" ", "")
    named = {name.upper(): int(value) for name, value in limits_pack()["tiers"].items()}
    key = text if text.startswith("TIER_") else f"TIER_{text}"
    if key in named:
        return None if named[key] < 0 else named[key]
    match = _NUMBER.match(text)
    if match is None:
        raise ConfigError(
            f"linter settings: messaging_limit_tier {tier!r} is not a tier",
            hint="use TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED or a number such as 2000",
        )
    factor = {"": 1, "K": 1_000, "M": 1_000_000}[match.group(2).upper()]
    return int(float(match.group(1)) * factor)


class MessagingLimit(Rule):
    """More recipients outside the service window than the messaging limit, or low sender quality.

    What it does:
        Counts the unique valid numbers of the run outside the 24-hour customer-service window
        at the planned send time (no ``last_inbound_at``, or one 24 hours or more earlier) and
        compares them with ``messaging_limit_tier`` (``TIER_250``, ``TIER_2K``, ``TIER_10K``,
        ``TIER_100K``, ``TIER_UNLIMITED`` or a number). It also reports a ``quality_rating`` of
        RED (or LOW/FLAGGED). Both are information for planning, not errors.

    Why it matters:
        WhatsApp lets a business message only so many unique users outside a service window in
        a moving 24 hours (250 for new portfolios, then 2,000, 10,000, 100,000, unlimited); sends
        beyond it fail until the window moves on. A number with a low quality rating is
        throttled, its templates are paused, and its limit can drop.

    Example:
        ``messaging_limit_tier = "TIER_250"`` and 1,200 contacts who have not written in the last
        24 hours.

    Use instead:
        Split the campaign over several days (a send window, or several plans), or raise the
        limit first (business verification; high-quality sends); fix the cause of a low
        quality rating before sending more marketing.

    Configuration:
        ``messaging_limit_tier`` and ``quality_rating`` in ``[lint]``; tier names and low
        ratings in ``lint/packs/messaging_limits.toml``.

    Known gaps:
        Users messaged in the previous 24 hours by other campaigns also count towards the
        limit; the linter does not add them. The tier and rating are not yet read from the
        warehouse's ``phone_number_quality_update`` webhooks: set them in ``[lint]``.

    References:
        WhatsApp messaging limits and quality rating (whatsapp-platform.md §8.1, §9);
        compliance-rules.md §9.11.
    """

    code = "S005"
    name = "messaging-limit"
    severity = Severity.INFO
    applies_to = "send-plan"
    groups = ("send-plan", "quality")
    basis = "WhatsApp messaging limits & quality rating"

    def check_plan(self, ctx: RunContext) -> Iterator[Finding]:
        """The recipients-over-limit and low-quality findings."""
        config = ctx.config
        if config.messaging_limit_tier and ctx.contacts is not None and self._sends_templates(ctx):
            limit = tier_limit(config.messaging_limit_tier)
            outside = self._outside_window(ctx)
            if limit is not None and outside > limit:
                yield self.plan_finding(
                    f"Plan exceeds the WhatsApp messaging limit ({config.messaging_limit_tier}: "
                    f"{limit:,} unique users per 24 hours): {plural(outside, 'recipient')} outside the "
                    "24-hour service window; sends will be throttled.",
                    file=plan_file(ctx),
                )
        rating = (config.quality_rating or "").strip().upper()
        if rating and rating in limits_pack()["quality"]["low"]:
            yield self.plan_finding(
                f"Sender quality is low ({rating}); sends will be throttled and templates may be paused.",
                file=plan_file(ctx),
            )

    @staticmethod
    def _sends_templates(ctx: RunContext) -> bool:
        """Free-form messages go only inside the service window; templates count towards the limit."""
        return not ctx.drafts or any(d.kind == "template" for d in ctx.drafts)

    @staticmethod
    def _outside_window(ctx: RunContext) -> int:
        assert ctx.contacts is not None
        contacts = ctx.contacts
        frame = valid_contacts(contacts, "last_inbound_at")
        if "last_inbound_at" in frame.columns:
            opened = pl.col("last_inbound_at") > utc(ctx.at - SERVICE_WINDOW)
            frame = frame.filter(~opened.fill_null(False))
        return frame["e164"].n_unique()
