"""The values the gate hands to the sending loop: a campaign of messages, and why others are left out.

The gate (:mod:`sender.gate`) is the only producer of :class:`PassingReport`; the loop that
calls the Cloud API takes one as an argument, so there is no code path that sends without a
lint run that passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

Category = Literal["marketing", "utility", "authentication", "service"]
VerdictKind = Literal["send", "skip", "defer"]


def idempotency_key(campaign: str, to: str, template: str, language: str) -> str:
    """The sender's own key for one message: the same campaign, recipient and template give the same key.

    It does not depend on the plan file's other contents, so fixing a typo in a parameter and
    resuming never sends a second message to someone who already got the first.
    """
    text = "\x1f".join((campaign, to, template, language))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Message:
    """One template message the plan wants sent."""

    key: str  # idempotency_key(...); also sent as biz_opaque_callback_data
    row: int  # 1-based data row in the contact list
    to: str  # E.164, "+" and digits
    region: str | None  # ISO 3166 region of the recipient (number or contact column)
    time_zones: tuple[str, ...]  # IANA zones the recipient may be in (quiet hours hold in all)
    campaign: str
    template: str
    language: str
    category: Category
    payload: Mapping[str, Any]  # POST /messages body without biz_opaque_callback_data
    # quiet-hour windows (keys of lint/packs/quiet_hours.toml) that hold for this recipient and
    # template; empty for non-marketing templates. Added by the gate helper, optional.
    quiet_windows: tuple[str, ...] = ()
    # ISO 3166-2 subdivision when the contact list states it (US-FL): state frequency caps (F001)
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A contact the gate or a pre-send check left out, and why."""

    row: int
    to: str | None
    codes: tuple[str, ...]  # lint rule codes, or sender reasons such as "suppressed"
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a pre-send check decides just before a message goes out."""

    kind: VerdictKind
    reason: str = ""
    code: str | None = (
        None  # a rule code or a sender reason ("suppressed", "paused", "quiet-hours", "frequency")
    )
    until: datetime | None = None  # for "defer": the earliest time the message may go

    @staticmethod
    def send() -> Verdict:
        """Go ahead."""
        return Verdict("send")


@dataclass(frozen=True, slots=True)
class PassingReport:
    """A lint report that allowed sending. Made only by :func:`sender.gate.open_gate`."""

    digest: str  # sha256 of the canonical report and the inputs it judged; in every send-log row
    errors: int  # contact-level errors (those contacts are excluded); plan/draft errors never pass
    warnings: int
    warnings_accepted: bool  # --accept-warnings, or every warning waived
    at: datetime  # the planned send time the lint judged
    _token: object = field(repr=False, compare=False, default=None)


@dataclass(frozen=True, slots=True)
class Campaign:
    """Everything the sending loop needs: what to send, from which number, under which report."""

    name: str
    plan_path: Path
    phone_number_id: str
    messages: tuple[Message, ...]
    exclusions: tuple[Exclusion, ...]
    report: PassingReport
    # suppression entries the lint already judged for these recipients (and still let them
    # pass, e.g. a later consent grant): the pre-send check acts only on entries not in here.
    # Ids as sender.suppressions.suppression_id makes them. Added by the gate helper, optional.
    known_suppressions: frozenset[str] = frozenset()
