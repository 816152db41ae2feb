"""Quiet hours at the moment of sending, with the linter's own windows and zones.

The linter judged the planned send time; a long campaign, a resumed one or a deferred message
goes out later. For every recipient of a marketing template the campaign builder records which
windows of ``lint/packs/quiet_hours.toml`` hold for them (the same coverage as the Q rules: the
federal and state windows for the US, the country windows, the default courtesy window
elsewhere) and the candidate time zones the linter derived (the ``timezone`` column, else the
zones of the number). Just before a message goes out, :func:`next_allowed` answers when it may.

Windows the operator knowingly set aside are not enforced again: a rule that is switched off or
graded ``info`` (for everyone or for the contact's country), and a quiet-hours *warning* about
this contact that was accepted (``--accept-warnings``) or waived. Quiet-hours errors can never
have passed the gate, so those windows always hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from lint.base import Rule
from lint.context import RunContext
from lint.findings import Finding, Severity
from lint.inputs.drafts import Draft
from lint.packs import Window
from lint.registry import resolve_all
from lint.rules._quiet import QuietHoursRule, candidate_zones
from lint.rules.q002_us_state_quiet_hours import UNRESOLVED, UsStateQuietHours, state_key
from lint.waivers import load_waivers

_HORIZON_DAYS = 8  # every weekly window opens within a week; one more day covers zone offsets


def recipient_zones(ctx: RunContext) -> list[tuple[str, ...]]:
    """Candidate IANA zones per contact row, exactly as the quiet-hours rules use them."""
    assert ctx.contacts is not None
    frame = ctx.contacts.frame.select("calling_code").with_columns(zones=ctx.zones())
    cache: dict[tuple[str | None, int | None], tuple[str, ...]] = {}
    out: list[tuple[str, ...]] = []
    for zones, code in frame.select("zones", "calling_code").iter_rows():
        key = (zones, code)
        if key not in cache:
            cache[key] = tuple(z.key for z in candidate_zones(zones or "", code))
        out.append(cache[key])
    return out


def recipient_windows(
    ctx: RunContext,
    rules: Sequence[type[Rule]],
    draft: Draft,
    accepted: Sequence[Finding] = (),
) -> list[tuple[str, ...]]:
    """Window keys that hold per contact row for this draft (none for non-marketing drafts).

    ``rules`` are the rules the lint ran; ``accepted`` the warnings the operator accepted.
    """
    assert ctx.contacts is not None
    height = ctx.contacts.size
    if not ctx.category(draft).marketing:
        return [()] * height
    frame = ctx.contacts.frame
    columns: list[pl.Series] = []
    for rule in rules:
        key = _window_expression(rule, ctx)
        if key is None:
            continue
        keys = frame.select(key.alias("k"))["k"]
        enforced = _enforced(rule, ctx, draft, accepted)
        columns.append(pl.select(pl.when(enforced & keys.is_not_null()).then(keys)).to_series())
    if not columns:
        return [()] * height
    rows = zip(*(c.to_list() for c in columns), strict=True)
    return [tuple(dict.fromkeys(v for v in values if v is not None)) for values in rows]


def _window_expression(rule: type[Rule], ctx: RunContext) -> pl.Expr | None:
    """The window key a rule applies to each contact, null where the rule does not cover it."""
    if issubclass(rule, QuietHoursRule) and getattr(rule, "code", None):
        instance = rule()
        return pl.when(pl.col("valid") & instance.scope(ctx)).then(pl.lit(rule.window_key))
    if issubclass(rule, UsStateQuietHours):
        assert ctx.contacts is not None
        known = [key for key in ctx.packs.windows if key.startswith("US-") and key != UNRESOLVED]
        us = (pl.col("region") == "US").fill_null(False) | (pl.col("country_iso") == "US").fill_null(False)
        return pl.when(pl.col("valid") & us).then(state_key(ctx.contacts, known))
    return None


def _enforced(rule: type[Rule], ctx: RunContext, draft: Draft, accepted: Sequence[Finding]) -> pl.Series:
    """Per contact row: whether the operator left this rule's window in force."""
    assert ctx.contacts is not None
    frame = ctx.contacts.frame
    place = pl.coalesce(pl.col("region").cast(pl.String), pl.col("country_iso").cast(pl.String))
    keep = pl.lit(True)
    config = ctx.config
    every = _every_rule()
    if _graded(config.severity, rule, every) == Severity.INFO:
        return pl.Series([False] * frame.height)
    for region, override in config.countries.items():
        here = (place == region).fill_null(False)
        if rule.code in resolve_all(override.ignore, every):
            keep = keep & ~here
        graded = _graded(config.severity, rule, every) or _graded(override.severity, rule, every)
        if graded == Severity.INFO:
            keep = keep & ~here
    rows = {f.target.row for f in accepted if f.code == rule.code and f.target.kind == "contact"}
    rows |= _waived_rows(rule, ctx, draft)
    if rows:
        keep = keep & ~pl.col("_row").is_in(sorted(r for r in rows if r is not None))
    return frame.select(keep.alias("keep"))["keep"]


def _every_rule() -> tuple[type[Rule], ...]:
    from lint.rules import ALL_RULES  # imported late, as the engine does: rules import lint helpers

    return ALL_RULES


def _graded(mapping: dict[str, Severity], rule: type[Rule], every: Sequence[type[Rule]]) -> Severity | None:
    found = None
    for selector, severity in mapping.items():
        if rule.code in resolve_all([selector], every):
            found = severity
    return found


def _waived_rows(rule: type[Rule], ctx: RunContext, draft: Draft) -> set[int]:
    """Contact rows a live waiver exempts from this rule (the waiver stands at send time too)."""
    path = ctx.config.waivers
    if path is None or ctx.contacts is None:
        return set()
    frame = ctx.contacts.frame
    names = {draft.label, draft.path.name, draft.path.stem, draft.display}
    rows: set[int] = set()
    for waiver in load_waivers(path, _every_rule()):
        if waiver.code != rule.code or waiver.expires < ctx.now.date():
            continue
        kind, _, value = waiver.selector.partition(":")
        if waiver.selector == "*" or (kind == "draft" and value in names):
            return set(frame["_row"].to_list())
        if kind == "row":
            rows.add(int(value))
        elif kind == "contact":
            rows |= set(frame.filter(pl.col("e164") == value)["_row"].to_list())
        elif kind == "country":
            region = value.upper()
            match = (pl.col("region") == region).fill_null(False) | (
                pl.col("country_iso") == region
            ).fill_null(False)
            rows |= set(frame.filter(match)["_row"].to_list())
    return rows


def allowed(windows: Sequence[Window], zones: Sequence[ZoneInfo], moment: datetime) -> bool:
    """Whether every window allows this moment in every zone."""
    for zone in zones:
        local = moment.astimezone(zone)
        weekday, clock = local.weekday(), local.time()
        if not all(window.allows(weekday, clock) for window in windows):
            return False
    return True


def next_allowed(windows: Sequence[Window], zones: Sequence[ZoneInfo], moment: datetime) -> datetime | None:
    """The first moment at or after ``moment`` that all windows allow in all zones (UTC).

    ``None`` when no such moment exists within a week (zones too far apart for the windows).
    Allowed times are unions of half-open intervals, so the answer is ``moment`` itself or the
    opening of some window in some zone: only those instants are tried.
    """
    if allowed(windows, zones, moment):
        return moment.astimezone(UTC)
    candidates: set[datetime] = set()
    for zone in zones:
        first: date = moment.astimezone(zone).date()
        for offset in range(_HORIZON_DAYS):
            day = first + timedelta(days=offset)
            for window in windows:
                hours = window.days[day.weekday()]
                if hours is None:
                    continue
                opening = datetime.combine(day, hours[0], tzinfo=zone).astimezone(UTC)
                if opening > moment:
                    candidates.add(opening)
    for candidate in sorted(candidates):
        if allowed(windows, zones, candidate):
            return candidate
    return None
