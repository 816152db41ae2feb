"""What recipients do after a message reached them: reply, tap, react, opt out, complain, block.

:class:`Replier` turns one delivered message into inbound ``messages`` changes and
``user_preferences`` changes, and records in :class:`PersonState` what later sends must feel
(a block, a marketing stop, a keyword opt-out). It also asks for the agent's free-form answers
(``follow_ups``), which the traffic loop sends later.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.synthetic import texts
from pipelines.synthetic.catalog import AUTHENTICATION, MARKETING, OPT_OUT_PAYLOADS, SERVICE, UTILITY
from pipelines.synthetic.people import People, number_pool
from pipelines.synthetic.webhooks import Business, WamidFactory, messages_change, user_preferences_change

NEVER = 1 << 62
HOUR = 3600
DAY = 86400

REPLY_SHARE = {MARKETING: 0.08, UTILITY: 0.06, AUTHENTICATION: 0.01, SERVICE: 0.45}  # of seen messages
WITH_CONTEXT = 0.85  # replies that quote the message (context.id); the rest are plain texts
PREFERENCE_STOP = 0.006  # delivered marketing -> "Offers and announcements: Stop"
PREFERENCE_RESUME = 0.3
BLOCK = {MARKETING: 0.01, UTILITY: 0.001, AUTHENTICATION: 0.0, SERVICE: 0.0}
AGENT_ANSWERS = 0.6  # ordinary questions get a free-form answer ...
LATE_ANSWER = 0.12  # ... sometimes only after the 24-hour window closed (131047)

MIX: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    MARKETING: (
        (
            "text",
            "button",
            "button_stop",
            "opt_out",
            "ambiguous",
            "complaint",
            "help",
            "reaction",
            "image",
            "edit",
            "revoke",
            "unsupported",
            "system",
        ),
        (40, 16, 8, 8, 4, 6, 2, 6, 3, 2, 1.5, 1, 0.5),
    ),
    UTILITY: (
        (
            "text",
            "button",
            "opt_out",
            "ambiguous",
            "complaint",
            "help",
            "reaction",
            "image",
            "edit",
            "revoke",
            "unsupported",
        ),
        (55, 10, 3, 3, 3, 4, 12, 5, 2, 1.5, 1.5),
    ),
    AUTHENTICATION: (("otp_complaint", "otp_question", "help"), (45, 40, 15)),
    SERVICE: (("interactive_button", "interactive_list", "text", "reaction", "opt_in"), (45, 30, 18, 5, 2)),
}


@dataclass(frozen=True, slots=True)
class PersonState:
    """Per-recipient facts that change what later sends do (unix times; ``NEVER`` = not set)."""

    stop_from: list[int]  # user_preferences stop (or stopped before the period) ...
    stop_until: list[int]  # ... until a resume
    opt_out_from: list[int]  # keyword or button opt-out the sender should honour
    opt_out_until: list[int]
    block_at: list[int]
    not_on_whatsapp: list[bool]

    @classmethod
    def create(cls, rng: random.Random, count: int) -> PersonState:
        """Fresh state; a few people stopped marketing before the period or are not on WhatsApp."""
        stopped = [rng.random() < 0.004 for _ in range(count)]
        return cls(
            stop_from=[0 if s else NEVER for s in stopped],
            stop_until=[NEVER] * count,
            opt_out_from=[NEVER] * count,
            opt_out_until=[NEVER] * count,
            block_at=[NEVER] * count,
            not_on_whatsapp=[rng.random() < 0.015 for _ in range(count)],
        )


@dataclass(frozen=True, slots=True)
class Delivered:
    """A message that reached the recipient's phone."""

    person: int
    phone: int
    wamid: str
    category: str
    buttons: tuple[tuple[str, str], ...]
    delivered_at: int
    read_at: int  # 0 when no read receipt came


class Replier:
    """Generates the recipient side of the conversation.

    ``emit(time, sending number, change JSON)`` receives every inbound and preference change;
    ``follow_ups`` collects ``(time, person, sending number, late)`` answers the agent owes.
    """

    def __init__(
        self,
        rng: random.Random,
        business: Business,
        people: People,
        state: PersonState,
        wamids: WamidFactory,
        emit: Callable[[int, int, str], None],
    ) -> None:
        self.rng, self.business, self.people, self.state = rng, business, people, state
        self.wamids, self.emit = wamids, emit
        self.follow_ups: list[tuple[int, int, int, bool]] = []
        self.inbound = 0
        self.preferences = 0
        # the first replies of each category go through every kind once, so that even a small
        # spec shows each of them; after that the mix decides
        self._unused = {category: list(kinds) for category, (kinds, _) in MIX.items()}
        self._reply: dict[str, Callable[[Delivered, int], object]] = {
            "text": self._text,
            "button": self._button,
            "button_stop": self._button_stop,
            "opt_out": self._opt_out,
            "opt_in": lambda msg, ts: self._text(msg, ts, texts.OPT_IN),
            "ambiguous": lambda msg, ts: self._text(msg, ts, texts.AMBIGUOUS),
            "complaint": self._complaint,
            "help": lambda msg, ts: self._text(msg, ts, texts.HELP),
            "otp_complaint": lambda msg, ts: self._text(msg, ts, {"en": texts.OTP_COMPLAINT}),
            "otp_question": lambda msg, ts: self._text(msg, ts, {"en": texts.OTP_QUESTIONS}),
            "reaction": self._reaction,
            "image": self._image,
            "edit": self._edit,
            "revoke": self._revoke,
            "unsupported": self._unsupported,
            "system": self._system,
            "interactive_button": self._interactive_button,
            "interactive_list": self._interactive_list,
        }

    def after(self, msg: Delivered) -> None:
        """React to ``msg``: maybe stop marketing, maybe block, maybe reply."""
        rng = self.rng
        seen = msg.read_at or msg.delivered_at
        if msg.category == MARKETING and rng.random() < PREFERENCE_STOP:
            self._preference_stop(msg.person, msg.phone, seen + 60 + rng.randrange(2 * HOUR))
        if rng.random() < BLOCK[msg.category]:
            self.state.block_at[msg.person] = min(self.state.block_at[msg.person], seen + rng.randrange(DAY))
        # without a read receipt the user may still have read it (receipts switched off)
        if not msg.read_at and rng.random() > 0.15:
            return
        if rng.random() >= REPLY_SHARE[msg.category]:
            return
        unused = self._unused[msg.category]
        kinds, weights = MIX[msg.category]
        kind = unused.pop() if unused else rng.choices(kinds, weights)[0]
        self._reply[kind](msg, seen + 5 + int(rng.lognormvariate(5.5, 1.5)))

    def walk_in(self, person: int, phone: int, ts: int) -> None:
        """Someone opens a chat on their own (``request_welcome``), then asks something."""
        msg = Delivered(person, phone, "", SERVICE, (), ts, ts)
        self._message(msg, ts, "request_welcome", None, quote=False)
        self._text(msg, ts + 5 + self.rng.randrange(120), quote=False)

    # --- building blocks ---------------------------------------------------------------------

    def _message(
        self, msg: Delivered, ts: int, kind: str, content: object, *, quote: bool | None = None
    ) -> str:
        """Emit one inbound message of ``kind``; returns its wamid."""
        rng, person = self.rng, msg.person
        wa_id = self.people.wa_id[person]
        wamid = self.wamids.inbound(wa_id)
        message: dict[str, object] = {}
        if quote if quote is not None else rng.random() < WITH_CONTEXT:
            message["context"] = {"from": self.business.display[msg.phone], "id": msg.wamid}
        message.update({"from": wa_id, "id": wamid, "timestamp": str(ts), "type": kind})
        if content is not None:
            message[kind] = content
        self._send(msg, ts, message)
        return wamid

    def _send(self, msg: Delivered, ts: int, message: dict[str, object]) -> None:
        person = msg.person
        change = messages_change(
            self.business, msg.phone, self.people.wa_id[person], self.people.name[person], message
        )
        self.emit(ts, msg.phone, change)
        self.inbound += 1

    def _text(
        self,
        msg: Delivered,
        ts: int,
        table: dict[str, tuple[str, ...]] | None = None,
        *,
        quote: bool | None = None,
    ) -> str:
        language = self.people.speech[msg.person]
        body = self.rng.choice(texts.pick(table or texts.ORDINARY, language))
        wamid = self._message(msg, ts, "text", {"body": body}, quote=quote)
        if table is None and self.rng.random() < AGENT_ANSWERS:
            late = self.rng.random() < LATE_ANSWER
            delay = 26 * HOUR + self.rng.randrange(40 * HOUR) if late else 60 + self.rng.randrange(1800)
            self.follow_ups.append((ts + delay, msg.person, msg.phone, late))
        return wamid

    def _opt_out(self, msg: Delivered, ts: int) -> None:
        self._text(msg, ts, texts.OPT_OUT)
        self._record_opt_out(msg, ts)

    def _record_opt_out(self, msg: Delivered, ts: int) -> None:
        state, person = self.state, msg.person
        state.opt_out_from[person] = min(state.opt_out_from[person], ts)
        if self.rng.random() < 0.08:  # changed their mind: START a few days later
            later = ts + DAY + self.rng.randrange(3 * DAY)
            state.opt_out_until[person] = later
            self._text(msg, later, texts.OPT_IN, quote=False)

    def _button(self, msg: Delivered, ts: int) -> None:
        choices = [b for b in msg.buttons if b[0] not in OPT_OUT_PAYLOADS]
        if not choices:
            self._text(msg, ts)
            return
        payload, label = self.rng.choice(choices)
        self._message(msg, ts, "button", {"payload": payload, "text": label}, quote=True)

    def _button_stop(self, msg: Delivered, ts: int) -> None:
        stops = [b for b in msg.buttons if b[0] in OPT_OUT_PAYLOADS]
        if not stops:
            self._opt_out(msg, ts)
            return
        payload, label = stops[0]
        self._message(msg, ts, "button", {"payload": payload, "text": label}, quote=True)
        self._record_opt_out(msg, ts)

    def _complaint(self, msg: Delivered, ts: int) -> None:
        self._text(msg, ts, texts.COMPLAINT)
        if self.rng.random() < 0.4:  # people who complain often block right after
            self.state.block_at[msg.person] = min(self.state.block_at[msg.person], ts + 30)

    def _reaction(self, msg: Delivered, ts: int) -> None:
        self._message(
            msg,
            ts,
            "reaction",
            {"message_id": msg.wamid, "emoji": self.rng.choice(texts.REACTIONS)},
            quote=False,
        )
        if self.rng.random() < 0.15:  # taken back: an empty emoji
            later = ts + 10 + self.rng.randrange(HOUR)
            self._message(msg, later, "reaction", {"message_id": msg.wamid, "emoji": ""}, quote=False)

    def _image(self, msg: Delivered, ts: int) -> None:
        rng = self.rng
        caption = rng.choice(texts.pick(texts.CAPTIONS, self.people.speech[msg.person]))
        media = {
            "caption": caption,
            "mime_type": "image/jpeg",
            "sha256": rng.randbytes(32).hex(),
            "id": str(rng.randrange(10**15, 10**16)),
        }
        self._message(msg, ts, "image", media)

    def _edit(self, msg: Delivered, ts: int) -> None:
        original = self._text(msg, ts)
        corrected = {"type": "text", "text": {"body": self.rng.choice(texts.EDITS)}}
        self._message(
            msg,
            ts + 20 + self.rng.randrange(600),
            "edit",
            {"original_message_id": original, "message": corrected},
            quote=False,
        )

    def _revoke(self, msg: Delivered, ts: int) -> None:
        original = self._text(msg, ts)
        self._message(
            msg, ts + 5 + self.rng.randrange(300), "revoke", {"original_message_id": original}, quote=False
        )

    def _unsupported(self, msg: Delivered, ts: int) -> None:
        wa_id = self.people.wa_id[msg.person]
        error = {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
        message: dict[str, object] = {"from": wa_id, "id": self.wamids.inbound(wa_id), "timestamp": str(ts)}
        message["errors"] = [error]
        message["type"] = "unsupported"
        if self.rng.random() < 0.5:
            message["unsupported"] = {"type": self.rng.choice(("view_once", "poll"))}
        self._send(msg, ts, message)

    def _system(self, msg: Delivered, ts: int) -> None:
        old = self.people.wa_id[msg.person]
        new = number_pool(self.rng, self.people.region[msg.person], 1)[0][1:]
        name = self.people.name[msg.person]
        content = {"body": f"{name} changed from {old} to {new}", "wa_id": new, "type": "user_changed_number"}
        self._message(msg, ts, "system", content, quote=False)

    def _interactive_button(self, msg: Delivered, ts: int) -> None:
        reply_id, title = self.rng.choice(texts.REPLY_BUTTONS)
        content = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
        self._message(msg, ts, "interactive", content, quote=True)

    def _interactive_list(self, msg: Delivered, ts: int) -> None:
        row_id, title, description = self.rng.choice(texts.LIST_ROWS)
        content = {
            "type": "list_reply",
            "list_reply": {"id": row_id, "title": title, "description": description},
        }
        self._message(msg, ts, "interactive", content, quote=True)

    def _preference_stop(self, person: int, phone: int, ts: int) -> None:
        state = self.state
        if state.stop_from[person] != NEVER:
            return
        state.stop_from[person] = ts
        self._preference(person, phone, True, ts)
        if self.rng.random() < PREFERENCE_RESUME:
            resume = ts + DAY + self.rng.randrange(4 * DAY)
            state.stop_until[person] = resume
            self._preference(person, phone, False, resume)

    def _preference(self, person: int, phone: int, stop: bool, ts: int) -> None:
        wa_id, name = self.people.wa_id[person], self.people.name[person]
        self.emit(ts, phone, user_preferences_change(self.business, phone, wa_id, name, stop, ts))
        self.preferences += 1
