"""Template quality as Meta runs it: negative feedback over deliveries moves a template's score,
RED pauses it (3 h, then 6 h, then DISABLED), and every change is announced by webhook.

Scores are computed once a template has ``min_delivered`` deliveries: the share of negative
signals (blocks, complaints, opt-outs) at or above ``red`` is RED, at or above ``yellow`` is
YELLOW, otherwise GREEN. A pause lasts ``pause_hours[i]`` hours scaled by ``time_scale``; the
unpause starts counting afresh, as Meta resets quality from recent feedback.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sender.emulator.dispatcher import Dispatcher
from sender.emulator.graph import phone_quality
from sender.emulator.state import Emulator
from sender.emulator.templates import TemplateSpec, TemplateState
from sender.emulator.webhooks import (
    envelope,
    phone_quality_value,
    template_quality_value,
    template_status_value,
)

PAUSE_TITLES = ("FIRST_PAUSE", "SECOND_PAUSE", "THIRD_PAUSE")


class QualityKeeper:
    """Counts deliveries and negative signals per template and acts on them."""

    def __init__(self, emulator: Emulator, dispatcher: Dispatcher) -> None:
        self.emulator = emulator
        self.dispatcher = dispatcher
        self.rules = emulator.profile.quality
        self.scale = emulator.profile.time_scale
        self._phone = phone_quality(emulator)

    def _state(self, spec: TemplateSpec) -> TemplateState:
        return self.emulator.registry.state[(spec.name, spec.language)]

    def delivered(self, spec: TemplateSpec) -> None:
        """A message of this template reached its recipient."""
        self._state(spec).delivered += 1
        self._evaluate(spec)

    def negative(self, spec: TemplateSpec) -> None:
        """A recipient blocked, complained or opted out after a message of this template."""
        self._state(spec).negatives += 1
        self._evaluate(spec)

    def set_status(
        self, spec: TemplateSpec, status: str, *, reason: str = "NONE", other: tuple[str, str] | None = None
    ) -> None:
        """Change the status and announce it (``message_template_status_update``)."""
        state = self._state(spec)
        if state.status == status and other is None:
            return
        if status == "APPROVED" and state.status == "PAUSED" and other is None:
            other = ("UNPAUSE", "Your WhatsApp message template has been unpaused.")
        state.status = status
        now = int(time.time())
        value = template_status_value(
            spec, status, reason=reason, other=other, disabled_at=now if status == "DISABLED" else None
        )
        self.dispatcher.body(
            envelope(self.emulator.config, "message_template_status_update", value, time=now)
        )

    def _evaluate(self, spec: TemplateSpec) -> None:
        state = self._state(spec)
        rules = self.rules
        if not rules.enabled or state.delivered < rules.min_delivered:
            return
        share = state.negatives / state.delivered
        score = "RED" if share >= rules.red else "YELLOW" if share >= rules.yellow else "GREEN"
        if score != state.quality:
            value = template_quality_value(spec, state.quality, score)
            state.quality = score
            self.dispatcher.body(
                envelope(
                    self.emulator.config, "message_template_quality_update", value, time=int(time.time())
                )
            )
            self._phone_changed()
        if score == "RED" and rules.pause and state.status == "APPROVED":
            self._pause(spec, state)

    def _pause(self, spec: TemplateSpec, state: TemplateState) -> None:
        state.pauses += 1
        hours = self.rules.pause_hours
        if state.pauses > len(hours):
            self.set_status(
                spec, "DISABLED", other=("DISABLED", "Your WhatsApp message template has been disabled.")
            )
            return
        length = hours[state.pauses - 1]
        until = datetime.fromtimestamp(time.time() + length * 3600 * self.scale, UTC)
        title = PAUSE_TITLES[min(state.pauses, len(PAUSE_TITLES)) - 1]
        description = (
            f"Your WhatsApp message template has been paused for {length:g} hours until "
            f"{until:%b %d at %I:%M %p} UTC because of low quality."
        )
        self.set_status(spec, "PAUSED", other=(title, description))
        self.dispatcher.at(
            self.emulator.clock() + length * 3600 * self.scale, lambda: self._unpause(spec), counts=False
        )

    def _unpause(self, spec: TemplateSpec) -> None:
        state = self._state(spec)
        if state.status != "PAUSED":
            return
        state.delivered = state.negatives = 0
        self.set_status(spec, "APPROVED")

    def _phone_changed(self) -> None:
        now = phone_quality(self.emulator)
        before, self._phone = self._phone, now
        if (now == "RED") == (before == "RED"):
            return
        event = "FLAGGED" if now == "RED" else "UNFLAGGED"
        value = phone_quality_value(self.emulator.config, event)
        self.dispatcher.body(
            envelope(self.emulator.config, "phone_number_quality_update", value, time=int(time.time()))
        )
