"""Frequency caps: how many marketing messages one person may get in a rolling window.

The caps come from ``lint/packs/frequency.toml`` and the F rules' options. The linter (F001,
F002, F004) and the sender (just before each message) both decide with :func:`breached`, so the
two can never disagree about a cap::

    caps = send_time_caps(config)                  # F001 (without subject), F002, F004
    cap = breached(caps, "AE", "marketing", previous_marketing_sends, now)
    if cap is not None:
        skip(code=cap.code, reason=cap.message)

A cap counts the new message: ``limit = 2`` over 7 days allows a second message and refuses a
third. Windows are half-open: a send exactly one window length before ``at`` no longer counts.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from core.errors import ConfigError
from lint.config import LintConfig
from lint.packs import read_pack

MARKETING = "marketing"
WEEKLY_OPTION = "cap"
"""The F004 option (``[lint.options.F004] cap = 3``) that replaces the pack's weekly limit."""


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``limit`` messages of ``category`` in any rolling ``window``, for recipients in ``regions``."""

    code: str  # the rule code it comes from, e.g. "F004"
    category: str | None  # "marketing" (lower-case), or None for messages of any category
    regions: frozenset[str] | None  # ISO regions or subdivisions ("US-FL"); None: everywhere
    limit: int  # at most this many messages ...
    window: timedelta  # ... in any rolling window of this length (the new one included)
    message: str  # the cap in words, e.g. "2 marketing messages in 7 days"

    def covers(self, region: str | None, category: str) -> bool:
        """Whether the cap applies to a message of ``category`` to a recipient in ``region``.

        A subdivision is inside its country: a cap for ``US`` covers ``US-FL``, not the reverse.
        """
        if self.category is not None and category.strip().lower() != self.category:
            return False
        if self.regions is None:
            return True
        if region is None:
            return False
        place = region.strip().upper()
        return place in self.regions or place.split("-", 1)[0] in self.regions


def count_in_window(previous: Sequence[datetime], at: datetime, window: timedelta) -> int:
    """The most messages, one more at ``at`` included, in any rolling ``window`` that contains ``at``.

    Each window is ``[start, start + window)``. Earlier messages are what a sender has; later
    ones (already planned) are counted too, so the answer does not depend on their order.
    """
    times = sorted([*previous, at])
    best = 0
    # the fullest window through `at` starts at one of the messages in (at - window, at]
    first = bisect.bisect_right(times, at - window)
    last = bisect.bisect_right(times, at)
    for index in range(first, last):
        start = times[index]
        best = max(best, bisect.bisect_left(times, start + window) - index)
    return best


def breached(
    caps: Sequence[Cap], region: str | None, category: str, previous: Sequence[datetime], at: datetime
) -> Cap | None:
    """The first cap that one more message at ``at`` would exceed, or ``None`` when it may go.

    ``previous`` are the times of the messages to this recipient that count towards the caps:
    for marketing caps, the recipient's earlier marketing messages (the caller filters them by
    recipient and category). ``region`` is the recipient's ISO region, or a subdivision such
    as ``US-FL`` when the state is known.
    """
    for cap in caps:
        if cap.covers(region, category) and count_in_window(previous, at, cap.window) > cap.limit:
            return cap
    return None


def describe_window(window: timedelta) -> str:
    """``7 days``, ``24 hours``, ``1 day`` ..."""
    if window % timedelta(days=1) == timedelta(0) and window != timedelta(days=1):
        days = window // timedelta(days=1)
        return f"{days} days"
    hours = window // timedelta(hours=1)
    return f"{hours} hours" if hours != 1 else "1 hour"


def _window(spec: Mapping[str, Any]) -> timedelta:
    if "hours" in spec:
        return timedelta(hours=int(spec["hours"]))
    return timedelta(days=int(spec["days"]))


@cache
def frequency_pack() -> dict[str, Any]:
    """``lint/packs/frequency.toml``."""
    return read_pack("frequency")


def same_subject_cap() -> Cap:
    """F001: solicitations per person in 24 hours in Florida, Oklahoma and Maryland."""
    spec = frequency_pack()["same_subject"]
    window = _window(spec)
    return Cap(
        code="F001",
        category=MARKETING,
        regions=frozenset(spec["regions"]),
        limit=int(spec["limit"]),
        window=window,
        message=f"{spec['limit']} solicitations in {describe_window(window)}",
    )


def recontact_caps() -> tuple[Cap, ...]:
    """F002: the country recontact limits, in pack order (several per country)."""
    caps = []
    for country, specs in frequency_pack()["recontact"].items():
        for spec in specs:
            caps.append(
                Cap(
                    code="F002",
                    category=MARKETING,
                    regions=frozenset([country]),
                    limit=int(spec["limit"]),
                    window=_window(spec),
                    message=str(spec["text"]),
                )
            )
    return tuple(caps)


def recontact_confidence() -> dict[str, str]:
    """Per country of F002, how well its limit is sourced (``secondary``, ``unconfirmed``)."""
    out: dict[str, str] = {}
    for country, specs in frequency_pack()["recontact"].items():
        levels = {str(spec.get("confidence", "unconfirmed")) for spec in specs}
        out[country] = "unconfirmed" if "unconfirmed" in levels else sorted(levels)[0]
    return out


def weekly_limit(config: LintConfig) -> int:
    """F004's limit: ``[lint.options.F004] cap``, else the pack's (2)."""
    options = {code.upper(): values for code, values in config.options.items()}.get("F004", {})
    value = options.get(WEEKLY_OPTION, frequency_pack()["weekly"]["limit"])
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"linter settings: [lint.options.F004] {WEEKLY_OPTION} must be a whole number of messages "
            f"(0 or more), not {value!r}"
        )
    return value


def weekly_cap(limit: int) -> Cap:
    """F004: marketing messages per person in 7 days."""
    window = _window(frequency_pack()["weekly"])
    return Cap(
        code="F004",
        category=MARKETING,
        regions=None,
        limit=limit,
        window=window,
        message=f"{limit} marketing messages in {describe_window(window)}",
    )


def send_time_caps(config: LintConfig) -> tuple[Cap, ...]:
    """The caps the sender applies before each message: F001 (all subjects), F002, F004.

    Rules switched off by ``select``/``ignore`` in the settings contribute no cap; F004 uses
    its configured limit. F001 counts every marketing message at send time, whatever its
    subject: the sender does not know which subject earlier messages were about.
    """
    from lint.registry import select
    from lint.rules import ALL_RULES  # imported here: the rules import this module

    active = {rule.code for rule in select(ALL_RULES, config.select, config.ignore)}
    caps: list[Cap] = []
    if "F001" in active:
        caps.append(same_subject_cap())
    if "F002" in active:
        caps.extend(recontact_caps())
    if "F004" in active:
        caps.append(weekly_cap(weekly_limit(config)))
    return tuple(caps)
