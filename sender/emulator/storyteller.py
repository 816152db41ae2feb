"""The storyteller: turns accepted messages into their stories and the stories into webhooks.

It plans each story (:mod:`sender.emulator.planner`), puts every step on the dispatcher's
timer at ``accepted + emit × time_scale``, and when a step comes due applies it to the world
(a reply opens the 24-hour window, a ``user_preferences`` stop makes later marketing fail
131050, negative feedback counts towards the template's quality) and queues its webhook.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import partial

from sender.emulator.config import AcceptedMessage, WebhookStats
from sender.emulator.dispatcher import Dispatcher
from sender.emulator.planner import FAILURE_DETAILS, Step, Story, Subject, failed_story, plan
from sender.emulator.quality import QualityKeeper
from sender.emulator.replies import REPLIES, reply_language
from sender.emulator.state import Emulator, new_wamid
from sender.emulator.templates import TemplateSpec
from sender.emulator.validation import SendRequest
from sender.emulator.webhooks import (
    account_restriction_value,
    contact,
    envelope,
    inbound_message,
    messages_value,
    preference_value,
    status_item,
)

RESTRICTION_SECONDS = 24 * 3600


@dataclass(slots=True)
class Thread:
    """One message's story as it unfolds."""

    message: AcceptedMessage
    wa_id: str
    spec: TemplateSpec | None
    category: str
    name: str
    wall: float  # when the story started (acceptance, or release from pacing)
    counted: bool = False  # its delivery was counted for the template's quality


class Storyteller:
    """Stories, world effects and webhooks for one emulator."""

    def __init__(self, emulator: Emulator, url: str) -> None:
        self.emulator = emulator
        self.config = emulator.config
        self.profile = emulator.profile
        self.scale = self.profile.time_scale
        self.dispatcher = Dispatcher(self.config, url, clock=emulator.clock)
        self.quality = QualityKeeper(emulator, self.dispatcher)

    async def start(self) -> None:
        """Start delivering (inside the running loop)."""
        await self.dispatcher.start()

    async def stop(self) -> None:
        """Stop delivering; stories not yet told are dropped."""
        await self.dispatcher.stop()

    async def drain(self, timeout: float) -> bool:
        """Wait until every scheduled webhook is delivered or given up."""
        return await self.dispatcher.drain(timeout)

    def stats(self) -> WebhookStats:
        """Webhook bodies delivered, retries, give-ups."""
        return self.dispatcher.stats()

    # -- sends ---------------------------------------------------------------------------------

    def accepted(self, message: AcceptedMessage, request: SendRequest, held: bool) -> None:
        """Schedule the story of an accepted message (after the hold, when paced)."""
        subject = _subject(request)
        if held:
            release = self.emulator.clock() + self.profile.pacing.hold_seconds * self.scale
            self.dispatcher.at(release, lambda: self._release(message, request.spec, subject))
            return
        self._begin(message, request.spec, subject, message.accepted_at.timestamp())

    def _release(self, message: AcceptedMessage, spec: TemplateSpec | None, subject: Subject) -> None:
        if spec is not None and self.emulator.registry.state[(spec.name, spec.language)].status != "APPROVED":
            # held messages of a template paused meanwhile are dropped
            self._tell(
                message,
                spec,
                subject,
                failed_story(132015, self.profile, self.config.seed, subject),
                time.time(),
            )
            return
        self._begin(message, spec, subject, time.time())

    def _begin(
        self, message: AcceptedMessage, spec: TemplateSpec | None, subject: Subject, wall: float
    ) -> None:
        if subject.category == "MARKETING" and subject.wa_id in self.emulator.opted_out:
            story = failed_story(131050, self.profile, self.config.seed, subject)
        else:
            story = plan(self.config.seed, subject, self.profile)
        self._tell(message, spec, subject, story, wall)

    def _tell(
        self, message: AcceptedMessage, spec: TemplateSpec | None, subject: Subject, story: Story, wall: float
    ) -> None:
        thread = Thread(message, subject.wa_id, spec, subject.category, story.name, wall)
        start = self.emulator.clock() - (time.time() - wall)
        for step in story.steps:
            self.dispatcher.at(start + step.emit * self.scale, partial(self._fire, thread, step))

    # -- steps ---------------------------------------------------------------------------------

    def _fire(self, thread: Thread, step: Step) -> None:
        stamp = int(thread.wall + step.at * self.scale)
        if step.kind == "status":
            self._status(thread, step, stamp)
        elif step.kind in ("text", "button"):
            self.emulator.last_inbound[thread.wa_id] = time.time()  # a user message opens the 24-hour window
            button = (step.text, step.payload) if step.kind == "button" else None
            context = thread.message.wamid if step.quote else None
            self._inbound(thread.wa_id, thread.name, stamp, text=step.text, button=button, context=context)
        elif step.kind == "preference":
            self.emulator.opted_out.add(thread.wa_id)
            value = preference_value(self.config, thread.wa_id, thread.name, "stop", stamp)
            self.dispatcher.body(envelope(self.config, "user_preferences", value))
        if step.signal is not None and thread.spec is not None:
            self.quality.negative(thread.spec)

    def _status(self, thread: Thread, step: Step, stamp: int) -> None:
        error = (step.code, FAILURE_DETAILS.get(step.code, "")) if step.code is not None else None
        item = status_item(
            thread.message.wamid,
            step.status,
            stamp,
            thread.wa_id,
            callback_data=thread.message.callback_data,
            category=thread.category if step.status == "sent" else None,
            error=error,
        )
        self.dispatcher.status(item)
        if step.status in ("delivered", "read") and not step.repeat and not thread.counted:
            thread.counted = True
            if thread.spec is not None:
                self.quality.delivered(thread.spec)

    def _inbound(
        self,
        wa_id: str,
        name: str,
        stamp: int,
        *,
        text: str | None,
        button: tuple[str, str] | None,
        context: str | None,
    ) -> str:
        message_id = new_wamid(wa_id)
        message = inbound_message(
            self.config, message_id, wa_id, stamp, text=text, button=button, context=context
        )
        value = messages_value(self.config, contacts=[contact(wa_id, name)], messages=[message])
        self.dispatcher.body(envelope(self.config, "messages", value))
        return message_id

    # -- admin ---------------------------------------------------------------------------------

    def inbound_now(
        self, wa_id: str, *, text: str | None, button_payload: str | None, context: str | None
    ) -> str:
        """A user message now (the caller has opened the window); returns its id."""
        button = (button_payload, button_payload) if button_payload is not None else None
        message_id = self._inbound(
            wa_id, _name_for(wa_id), int(time.time()), text=text, button=button, context=context
        )
        self.dispatcher.flush()
        return message_id

    def preference_now(self, wa_id: str, preference: str) -> None:
        """A ``user_preferences`` change now."""
        value = preference_value(self.config, wa_id, _name_for(wa_id), preference, int(time.time()))
        self.dispatcher.body(envelope(self.config, "user_preferences", value))
        self.dispatcher.flush()

    def template_status(self, spec: TemplateSpec, status: str, reason: str) -> None:
        """Set a template's status with its webhook."""
        self.quality.set_status(spec, status, reason=reason)
        self.dispatcher.flush()

    def account_changed(self, state: str) -> None:
        """Announce a restriction (``account_update``); other states have no webhook."""
        if state != "restricted":
            return
        now = int(time.time())
        value = account_restriction_value(self.config, now + RESTRICTION_SECONDS)
        self.dispatcher.body(envelope(self.config, "account_update", value, time=now))
        self.dispatcher.flush()


def _subject(request: SendRequest) -> Subject:
    spec = request.spec
    if spec is None:
        return Subject(request.wa_id, None, None, "SERVICE")
    payloads = dict(request.button_payloads)
    quick = tuple((b.text, payloads.get(b.index, b.text)) for b in spec.quick_replies if not b.is_stop)
    stop = next(((b.text, payloads.get(b.index, b.text)) for b in spec.quick_replies if b.is_stop), None)
    return Subject(request.wa_id, spec.name, request.language, spec.category, quick, stop)


def _name_for(wa_id: str) -> str:
    names = REPLIES[reply_language(None, wa_id)]["names"]
    return names[hashlib.sha256(wa_id.encode()).digest()[0] % len(names)]
