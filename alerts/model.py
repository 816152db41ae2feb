"""Value objects shared by evaluation, lifecycle, storage and notifications."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

State = Literal["inactive", "pending", "firing", "resolved"]
ACTIVE_STATES: tuple[State, ...] = ("pending", "firing")

# labels as a sorted tuple of pairs: hashable, and the same group always prints the same way
Labels = tuple[tuple[str, str], ...]


def make_labels(values: Mapping[str, object]) -> Labels:
    """Labels from a mapping; values become text (None becomes '(none)')."""
    return tuple(sorted((str(k), "(none)" if v is None else str(v)) for k, v in values.items()))


def fingerprint(rule: str, labels: Labels) -> str:
    """A stable id of one alert series (rule + labels), like Alertmanager's fingerprint."""
    text = json.dumps([rule, list(labels)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Observation:
    """What one evaluation of one rule says about one group.

    ``active`` is the rule's condition; ``value`` and ``threshold`` are what people compare
    (for rate rules the current rate and the bar it had to clear); ``detail`` is JSON-able.
    """

    rule: str
    labels: Labels
    active: bool
    value: float | None
    threshold: float | None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The id of the alert series this observation belongs to."""
        return fingerprint(self.rule, self.labels)


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """The stored lifecycle of one alert series (one row of ``alerts.state``).

    ``episode`` counts pending->firing->resolved runs; an acknowledgement, the pause flag and
    notifications belong to the current episode and are reset when a new one starts.
    """

    fingerprint: str
    rule: str
    labels: Labels
    state: State
    severity: str
    episode: int = 0
    pending_since: datetime | None = None
    fired_at: datetime | None = None
    last_true_at: datetime | None = None
    resolved_at: datetime | None = None
    last_eval_at: datetime | None = None
    last_notified_at: datetime | None = None
    notified_state: str | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    paused: bool = False
    value: float | None = None
    threshold: float | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def short_id(self) -> str:
        """The id people type (`wagate alerts ack ID`)."""
        return self.fingerprint[:10]

    @property
    def label_map(self) -> dict[str, str]:
        """Labels as a dict."""
        return dict(self.labels)


@dataclass(frozen=True, slots=True)
class Silence:
    """Mute matching alerts (notifications and new pauses) until ``ends_at``."""

    id: str
    rule: str
    matchers: Labels
    starts_at: datetime
    ends_at: datetime
    created_by: str = ""
    comment: str = ""

    def matches(self, rule: str, labels: Labels, at: datetime) -> bool:
        """Whether this silence covers an alert of ``rule`` with ``labels`` at time ``at``."""
        if not self.starts_at <= at < self.ends_at:
            return False
        if self.rule not in ("*", rule):
            return False
        have = dict(labels)
        return all(have.get(k) == v for k, v in self.matchers)
