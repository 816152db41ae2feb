"""The outcome planner: what happens to one accepted message, drawn from the seeded profile.

A story depends only on (seed, recipient, template, language) and the profile: the random
generator is keyed by a hash of those, so the same campaign tells the same stories however
concurrently and in whatever order it is sent. World state that Meta keeps (a recipient who
stopped marketing messages, a paused template) is applied on top by the storyteller.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from core.phones import region_of
from sender.emulator.profile import Profile
from sender.emulator.replies import REPLIES, reply_language

# failure codes with the details Meta gives in the failed status
FAILURE_DETAILS: dict[int, str] = {
    131026: "Message Undeliverable.",
    131049: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    131050: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on "
    "WhatsApp from your business.",
    130472: "Failed to send message because this user's phone number is part of an experiment.",
    131000: "Something went wrong. Please try again later.",
    131048: "Message failed to send because there are restrictions on how many messages can be sent from this "
    "phone number. This may be because too many previous messages were blocked or flagged as spam.",
    132015: "Message failed to send because the template was paused due to low quality.",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happens: ``at`` seconds after acceptance; its webhook leaves at ``emit``."""

    at: float
    emit: float
    kind: str  # status | text | button | preference | block
    status: str = ""  # sent, delivered, read, failed
    code: int | None = None  # failed: the error code
    text: str = ""  # typed text, or the button's label
    payload: str = ""  # button payload
    quote: bool = False  # the reply quotes the message (context.id)
    signal: str | None = None  # negative feedback the template's quality sees: stop, complaint, block
    repeat: bool = False  # a duplicate delivery of an earlier status webhook


@dataclass(frozen=True, slots=True)
class Story:
    """Everything that will happen to a message, in order of ``at``."""

    steps: tuple[Step, ...]
    language: str  # of the recipient's replies
    name: str  # the recipient's WhatsApp profile name


@dataclass(frozen=True, slots=True)
class Subject:
    """What the planner needs to know about a message."""

    wa_id: str
    template: str | None
    language: str | None
    category: str  # MARKETING, UTILITY, AUTHENTICATION, SERVICE (session messages)
    quick_replies: tuple[tuple[str, str], ...] = ()  # (label, payload) of ordinary quick replies
    stop_button: tuple[str, str] | None = None  # (label, payload) of the opt-out quick reply


def story_seed(seed: int, wa_id: str, template: str | None, language: str | None) -> int:
    """The generator seed of one story."""
    key = "\x1f".join((str(seed), wa_id, template or "", language or ""))
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


def plan(seed: int, subject: Subject, profile: Profile) -> Story:
    """The story of one message."""
    rng = random.Random(story_seed(seed, subject.wa_id, subject.template, subject.language))
    language = reply_language(subject.language, subject.wa_id)
    name = rng.choice(REPLIES[language]["names"])
    code = _failure(rng, subject, profile)
    if code is not None:
        at = profile.timing.failed.draw(rng.random())
        return Story((Step(at, at, "status", "failed", code),), language, name)
    return Story(
        tuple(sorted(_delivery(rng, subject, profile, language), key=lambda s: s.emit)), language, name
    )


def failed_story(code: int, profile: Profile, seed: int, subject: Subject) -> Story:
    """A story that is only a failure (opted-out recipients, templates paused while held)."""
    rng = random.Random(story_seed(seed, subject.wa_id, subject.template, subject.language))
    at = profile.timing.failed.draw(rng.random())
    language = reply_language(subject.language, subject.wa_id)
    return Story((Step(at, at, "status", "failed", code),), language, REPLIES[language]["names"][0])


def _failure(rng: random.Random, subject: Subject, profile: Profile) -> int | None:
    marketing = subject.category == "MARKETING"
    u = rng.random()
    if marketing and region_of("+" + subject.wa_id) == "US":
        return 131049  # marketing templates to US numbers are not delivered (since 2025-04-01)
    f = profile.failures
    chances = (
        (131026, f.unreachable),
        (131049, f.marketing_limit if marketing else 0.0),
        (130472, f.holdout if marketing else 0.0),
        (131000, f.transient),
        (131048, f.spam_limit),
    )
    for code, chance in chances:
        if u < chance:
            return code
        u -= chance
    return None


def _delivery(rng: random.Random, subject: Subject, profile: Profile, language: str) -> list[Step]:
    timing, odds = profile.timing, profile.delivery
    # every draw is made whether or not it is used, so one branch never shifts another's numbers
    draws = [rng.random() for _ in range(11)]
    sent = timing.sent.draw(draws[0])
    steps = [Step(sent, sent, "status", "sent")]
    if draws[1] >= odds.delivered:
        return _with_duplicate(steps, draws[8], timing.duplicate.draw(draws[9]), odds.duplicate)
    delivered = sent + timing.delivered.draw(draws[2])
    read = draws[3] < odds.read
    in_chat = read and draws[4] < odds.in_chat
    if in_chat:
        steps.append(Step(delivered, delivered, "status", "read"))
        seen = delivered
    elif read:
        seen = delivered + timing.read.draw(draws[5])
        late = draws[6] < odds.reorder  # Meta's concurrent delivery: delivered after read
        emit = seen + timing.in_chat_read.draw(draws[7]) if late else delivered
        steps += [Step(delivered, emit, "status", "delivered"), Step(seen, seen, "status", "read")]
    else:
        steps.append(Step(delivered, delivered, "status", "delivered"))
        seen = delivered
    steps = _with_duplicate(steps, draws[8], timing.duplicate.draw(draws[9]), odds.duplicate)
    if read:
        steps += _engagement(rng, subject, profile, language, seen, draws[10])
    return steps


def _with_duplicate(steps: list[Step], u: float, after: float, chance: float) -> list[Step]:
    if u >= chance:
        return steps
    original = steps[int(u / chance * len(steps)) % len(steps)]
    return [
        *steps,
        Step(original.at, original.emit + after, original.kind, original.status, original.code, repeat=True),
    ]


def _engagement(
    rng: random.Random, subject: Subject, profile: Profile, language: str, seen: float, u: float
) -> list[Step]:
    e = profile.engagement
    at = seen + profile.timing.reply.draw(rng.random())
    quote = rng.random() < e.reply_context
    pick = rng.random()
    texts = REPLIES[language]
    choices: tuple[tuple[float, Step | None], ...] = (
        (e.reply, Step(at, at, "text", text=_pick(texts["reply"], pick), quote=quote)),
        (e.stop_text, Step(at, at, "text", text=_pick(texts["stop"], pick), quote=quote, signal="stop")),
        (
            e.complaint,
            Step(at, at, "text", text=_pick(texts["complaint"], pick), quote=quote, signal="complaint"),
        ),
        (e.button, _button(at, subject.quick_replies, pick, None)),
        (e.stop_button, _button(at, (subject.stop_button,) if subject.stop_button else (), pick, "stop")),
        (
            e.preference_stop,
            Step(at, at, "preference", signal="stop") if subject.category == "MARKETING" else None,
        ),
        (e.block, Step(at, at, "block", signal="block")),
    )
    for chance, step in choices:
        if u < chance:
            return [step] if step is not None else []
        u -= chance
    return []


def _button(at: float, buttons: tuple[tuple[str, str], ...], pick: float, signal: str | None) -> Step | None:
    if not buttons:
        return None
    label, payload = buttons[int(pick * len(buttons)) % len(buttons)]
    return Step(at, at, "button", text=label, payload=payload, quote=True, signal=signal)


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[int(u * len(options)) % len(options)]
