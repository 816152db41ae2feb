"""``wagate send --dry-run``: what the campaign would do, with nothing sent.

:func:`plan_summary` walks the campaign at the configured pace and asks the pre-send checks
about every message at the moment it would go out: who gets which template when (a message in
the recipient's quiet hours is planned at the window's opening), who is left out and why (the
lint's codes, the builder's, the checks'), counts per country and category, an estimated cost
from the rate card and the estimated duration. Numbers are always masked.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.config import Settings
from core.phones import mask, mask_numbers_in
from sender.checks import PreSendChecks
from sender.gate import GateOutcome
from sender.model import Campaign, Exclusion
from sender.pricing import RateCard, load_rate_card

TEXT_LIMIT = 50  # rows of each table in the text rendering; the JSON has them all


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    """One message as it would be sent."""

    row: int
    to: str  # masked
    template: str
    language: str
    category: str
    region: str | None
    at: datetime
    deferred: str | None = None  # "quiet-hours" when moved to the opening of the recipient's window


@dataclass(frozen=True, slots=True)
class Left:
    """A contact left out: by the lint, by the campaign builder or by a pre-send check."""

    row: int
    to: str | None  # masked
    codes: tuple[str, ...]
    reason: str
    stage: str  # lint | campaign | pre-send


@dataclass(frozen=True, slots=True)
class Cost:
    """The estimated cost: what Meta would charge if every planned message were delivered."""

    currency: str
    total: float
    by_category: dict[str, float]
    by_country: dict[str, float]
    effective: str
    source: str


@dataclass(frozen=True, slots=True)
class DryRun:
    """Everything ``--dry-run`` shows."""

    campaign: str
    plan: str
    phone_number_id: str
    digest: str
    warnings: int
    warnings_accepted: bool
    rate: float
    start: datetime
    end: datetime
    planned: tuple[PlannedMessage, ...]
    left: tuple[Left, ...]
    by_country: dict[str, int]
    by_category: dict[str, int]
    cost: Cost
    paused: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def duration(self) -> timedelta:
        """From the first planned send to the last."""
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        """The JSON rendering's object."""
        return {
            "campaign": self.campaign,
            "plan": self.plan,
            "phone_number_id": self.phone_number_id,
            "lint_report": self.digest,
            "warnings": self.warnings,
            "warnings_accepted": self.warnings_accepted,
            "rate_per_second": self.rate,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "duration_seconds": round(self.duration.total_seconds(), 3),
            "messages": len(self.planned),
            "deferred": sum(1 for p in self.planned if p.deferred),
            "excluded": len(self.left),
            "by_country": self.by_country,
            "by_category": self.by_category,
            "estimated_cost": {
                "estimate": True,
                "currency": self.cost.currency,
                "total": round(self.cost.total, 4),
                "by_category": {k: round(v, 4) for k, v in self.cost.by_category.items()},
                "by_country": {k: round(v, 4) for k, v in self.cost.by_country.items()},
                "rate_card_effective": self.cost.effective,
                "source": self.cost.source,
            },
            "paused": self.paused,
            "notes": list(self.notes),
            "planned": [
                {
                    "row": p.row,
                    "to": p.to,
                    "template": p.template,
                    "language": p.language,
                    "category": p.category,
                    "country": p.region,
                    "at": p.at.isoformat(),
                    "deferred": p.deferred,
                }
                for p in self.planned
            ],
            "excluded_contacts": [
                {"row": e.row, "to": e.to, "codes": list(e.codes), "reason": e.reason, "stage": e.stage}
                for e in self.left
            ],
        }


def plan_summary(
    campaign: Campaign,
    gate: GateOutcome,
    checks: PreSendChecks,
    settings: Settings,
    now: datetime,
    *,
    reach: int | None = None,
    card: RateCard | None = None,
) -> DryRun:
    """Walk the campaign as the sender would, without sending.

    ``reach`` is the number of distinct recipients already reached in the last 24 hours (from
    ``core.history.WarehouseHistory.reach``), used to tell whether the reach tier stops the run.
    """
    rate = settings.send.rate_per_second
    start = _start(gate, now)
    step = timedelta(seconds=1 / rate)
    planned: list[PlannedMessage] = []
    left = [
        _left(e, "lint" if e.codes and _lint_code(e.codes[0]) else "campaign") for e in campaign.exclusions
    ]
    paused = None
    for index, message in enumerate(campaign.messages):
        at = start + step * index
        verdict = checks.check(message, at)
        if verdict.kind == "skip":
            left.append(
                Left(message.row, mask(message.to), (verdict.code or "skip",), verdict.reason, "pre-send")
            )
            continue
        deferred = None
        if verdict.kind == "defer" and verdict.code == "paused":
            paused = paused or verdict.reason
        elif verdict.kind == "defer" and verdict.until is not None:
            at, deferred = verdict.until, verdict.code
        planned.append(
            PlannedMessage(
                message.row,
                mask(message.to),
                message.template,
                message.language,
                message.category,
                message.region,
                at,
                deferred,
            )
        )
    end = max((p.at for p in planned), default=start)
    end = end + step if planned else end
    return DryRun(
        campaign=campaign.name,
        plan=str(campaign.plan_path),
        phone_number_id=campaign.phone_number_id,
        digest=campaign.report.digest,
        warnings=campaign.report.warnings,
        warnings_accepted=campaign.report.warnings_accepted,
        rate=rate,
        start=start,
        end=end,
        planned=tuple(planned),
        left=tuple(sorted(left, key=lambda e: e.row)),
        by_country=_counts(p.region or "unknown" for p in planned),
        by_category=_counts(p.category for p in planned),
        cost=estimate_cost(planned, card or load_rate_card()),
        paused=paused,
        notes=_notes(planned, settings, reach),
    )


def estimate_cost(planned: list[PlannedMessage], card: RateCard) -> Cost:
    """What the planned messages cost if all are delivered, per the rate card."""
    by_category: dict[str, float] = {}
    by_country: dict[str, float] = {}
    for message in planned:
        price = card.price(message.region, message.category)
        by_category[message.category] = by_category.get(message.category, 0.0) + price
        country = message.region or "unknown"
        by_country[country] = by_country.get(country, 0.0) + price
    return Cost(
        currency=card.currency,
        total=sum(by_category.values()),
        by_category=dict(sorted(by_category.items())),
        by_country=dict(sorted(by_country.items())),
        effective=card.effective,
        source=card.source,
    )


def _start(gate: GateOutcome, now: datetime) -> datetime:
    """The plan's send time if it is still ahead, else now."""
    plan = gate.plan
    planned = plan.send_at or (plan.window[0] if plan.window else None)
    return planned if planned is not None and planned > now else now


def _lint_code(code: str) -> bool:
    return len(code) == 4 and code[0].isalpha() and code[1:].isdigit()


def _left(exclusion: Exclusion, stage: str) -> Left:
    to = mask(exclusion.to) if exclusion.to else None
    # lint messages name the number they are about: never show it whole
    return Left(exclusion.row, to, exclusion.codes, mask_numbers_in(exclusion.reason), stage)


def _counts(values: Any) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda item: (-item[1], item[0])))


def _notes(planned: list[PlannedMessage], settings: Settings, reach: int | None) -> tuple[str, ...]:
    notes = []
    limit = settings.send.reach_limit
    if limit is not None:
        room = max(limit - (reach or 0), 0)
        if len(planned) > room:
            notes.append(
                f"the reach tier ({limit} unique recipients in 24 hours, {reach or 0} already reached) "
                f"stops this run after about {room} messages; the rest stays pending for a later run"
            )
    deferred = sum(1 for p in planned if p.deferred)
    if deferred:
        notes.append(
            f"{deferred} message{'s' if deferred != 1 else ''} wait for the recipient's quiet hours to end"
        )
    return tuple(notes)


def render_text(dry: DryRun, limit: int | None = TEXT_LIMIT) -> str:
    """The dry run for a person: tables of planned and excluded contacts, counts, cost, duration."""
    lines = [
        f'Dry run of campaign "{dry.campaign}" ({dry.plan}): nothing is sent.',
        f"Lint report {dry.digest[:12]}: {dry.warnings} warning{'s' if dry.warnings != 1 else ''}"
        + (" (accepted)" if dry.warnings_accepted else ""),
        f"Sending number {dry.phone_number_id}, {dry.rate:g} messages/s",
    ]
    if dry.paused:
        lines.append(f"PAUSED: {dry.paused}")
    lines += ["", f"Planned messages ({len(dry.planned)}):"]
    rows = [
        (str(p.row), p.to, p.template, p.language, p.category, _when(p.at), p.deferred or "")
        for p in dry.planned
    ]
    lines += _table(("row", "to", "template", "language", "category", "planned (UTC)", "note"), rows, limit)
    lines += ["", f"Excluded ({len(dry.left)}):"]
    left = [(str(e.row), e.to or "-", ",".join(e.codes), e.stage, e.reason) for e in dry.left]
    lines += _table(("row", "to", "codes", "by", "reason"), left, limit)
    lines += [
        "",
        "Per country: " + (", ".join(f"{k} {v}" for k, v in dry.by_country.items()) or "-"),
        "Per category: " + (", ".join(f"{k} {v}" for k, v in dry.by_category.items()) or "-"),
        "",
        f"Estimated cost (estimate, if every message is delivered): {dry.cost.currency} {dry.cost.total:.2f}"
        + "".join(f"; {k} {v:.2f}" for k, v in dry.cost.by_category.items()),
        f"  rate card effective {dry.cost.effective}: {dry.cost.source}",
        f"Estimated duration: {_duration(dry.duration)} at {dry.rate:g} messages/s "
        f"({_when(dry.start)} to {_when(dry.end)} UTC)",
    ]
    lines += [f"Note: {note}" for note in dry.notes]
    return "\n".join(lines) + "\n"


def render_json(dry: DryRun) -> str:
    """The dry run as one JSON object."""
    return json.dumps(dry.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], limit: int | None) -> list[str]:
    if not rows:
        return ["  (none)"]
    shown = rows if limit is None else rows[:limit]
    widths = [max(len(h), *(len(r[i]) for r in shown)) for i, h in enumerate(header)]
    out = ["  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in shown]
    if len(shown) < len(rows):
        out.append(f"  ... and {len(rows) - len(shown)} more (--format json lists every one)")
    return out


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"
