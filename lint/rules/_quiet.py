"""Shared machinery of the Q (quiet hours) rules.

A quiet-hours rule names the contacts it covers (region sets or countries of the number or the
stated country) and a window of ``packs/quiet_hours.toml``. The send time is converted to every
candidate zone of the contact (the ``timezone`` column, else the zones of the number); a contact
passes when, at some planned send time, the local time is inside the window in *all* its zones.
Zones are evaluated once per distinct zone set, so a million contacts cost a few hundred
evaluations. A number whose zone is unknown falls back to all zones of its country calling code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.inputs.contacts import ContactSet
from lint.inputs.drafts import Draft
from lint.numbers import UNKNOWN_ZONE, ZONE_SEPARATOR
from lint.numbers.zones import country_level_zones
from lint.packs import Window
from lint.rules._common import valid_contacts


@cache
def zone(name: str) -> ZoneInfo | None:
    """A zone by IANA name, ``None`` when unknown."""
    if not name or name == UNKNOWN_ZONE:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def candidate_zones(zones: str, calling_code: int | None) -> list[ZoneInfo]:
    """Zones of a contact; unknown ones replaced by every zone of the calling code."""
    found = [z for z in (zone(n) for n in zones.split(ZONE_SEPARATOR)) if z is not None]
    if found or calling_code is None:
        return found
    return [z for z in (zone(n) for n in country_level_zones(str(calling_code)).split(ZONE_SEPARATOR)) if z]


def verdict(zones: Sequence[ZoneInfo], window: Window, times: Sequence[datetime]) -> str | None:
    """``None`` when some send time is allowed in every zone, else the first offending local time."""
    for moment in times:
        if all(window.allows((local := moment.astimezone(z)).weekday(), local.time()) for z in zones):
            return None
    first = times[0]
    for z in zones:
        local = first.astimezone(z)
        if not window.allows(local.weekday(), local.time()):
            return f"{local:%a %H:%M} in {z.key}"
    return f"{first:%a %H:%M}"  # pragma: no cover - some zone must have failed


class QuietHoursRule(Rule):
    """Base of the quiet-hours rules (not a rule itself: it has no code)."""

    applies_to = "contact+draft"
    window_key: ClassVar[str]
    region_sets: ClassVar[tuple[str, ...]] = ()
    countries: ClassVar[tuple[str, ...]] = ()
    specific: ClassVar[bool] = True  # a country rule; the default-window rule sets False
    message: ClassVar[str]  # with {who}, {window}, {local}

    def covered(self, ctx: RunContext) -> frozenset[str]:
        """Regions this rule is about."""
        regions: set[str] = set(self.countries)
        for name in self.region_sets:
            regions |= ctx.packs.region_set(name)
        return frozenset(regions)

    def scope(self, ctx: RunContext) -> pl.Expr:
        """Contacts this rule checks."""
        regions = sorted(self.covered(ctx))
        return pl.col("region").is_in(regions).fill_null(False) | pl.col("country_iso").is_in(
            regions
        ).fill_null(False)

    def check_contacts(
        self, contacts: ContactSet, ctx: RunContext, draft: Draft | None
    ) -> pl.DataFrame | None:
        """Contacts whose local time is outside the window at every planned send time."""
        if draft is None or not ctx.category(draft).marketing:
            return None
        window = ctx.packs.windows[self.window_key]
        frame = valid_contacts(contacts).filter(self.scope(ctx))
        if frame.height == 0:
            return None
        frame = frame.with_columns(zones=ctx.zones_of(frame))
        distinct = frame.select("zones", "calling_code").unique()
        results = []
        for zones, code in distinct.iter_rows():
            candidates = candidate_zones(zones, code)
            outcome = "unknown" if not candidates else verdict(candidates, window, ctx.send_times)
            results.append(outcome)
        judged = distinct.with_columns(local=pl.Series(results, dtype=pl.String))
        joined = frame.join(
            judged, on=["zones", "calling_code"], how="left", nulls_equal=True, maintain_order="left"
        )
        return self.messages(joined.filter(pl.col("local").is_not_null()), window)

    def messages(self, frame: pl.DataFrame, window: Window) -> pl.DataFrame:
        """Findings for the offending rows (``local`` holds the offending local time)."""
        text = self.message.replace("{window}", window.describe())
        template = text.replace("{who}", "{}").replace("{local}", "{}")
        local = (
            pl.when(pl.col("local") == "unknown").then(pl.lit("time zone unknown")).otherwise(pl.col("local"))
        )
        order = [pl.col("e164") if part == "who" else local for part in _placeholders(text)]
        return frame.select("_row", message=pl.format(template, *order))


def _placeholders(text: str) -> list[str]:
    out: list[str] = []
    index = 0
    while True:
        start = text.find("{", index)
        if start < 0:
            return out
        end = text.index("}", start)
        out.append(text[start + 1 : end])
        index = end + 1
