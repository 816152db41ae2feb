"""From a body to an outcome: decode, check, journal, dispatch — shared by the server, files and replay.

A body that cannot become a sendable event (bad JSON, a missing field, an unmapped type, a
parameter the event cannot fill) is quarantined with the reason. An event the gate refuses is
quarantined too, so that it can be replayed once the template or mapping is fixed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from triggers.adapters import Ignored, shopify_event, woocommerce_event
from triggers.dispatch import Dispatcher, Outcome
from triggers.events import Event, EventError, parse_event
from triggers.journal import Journal

Source = Literal["native", "shopify", "woocommerce"]
SOURCES: tuple[Source, ...] = ("native", "shopify", "woocommerce")


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a body was accepted for sending, and why not."""

    status: Literal["accepted", "rejected", "ignored"]
    event: Event | None = None
    reason: str = ""
    quarantine_id: str | None = None


def decode(source: str, topic: str | None, data: object) -> Event:
    """The event of a decoded body from ``source``."""
    if source == "shopify":
        return shopify_event(topic, data)
    if source == "woocommerce":
        return woocommerce_event(topic, data)
    return parse_event(data)


@dataclass(frozen=True, slots=True)
class Intake:
    """Admits bodies and sends their events, journalling both."""

    dispatcher: Dispatcher
    journal: Journal

    def admit_body(self, body: bytes, source: Source, topic: str | None = None) -> Admission:
        """Decode a raw body and admit its event."""
        text = body.decode("utf-8", errors="replace")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return self._reject(text, f"the body is not valid JSON: {exc.msg}", source, topic)
        return self.admit(data, source, topic, text)

    def admit(
        self, data: object, source: str, topic: str | None = None, text: str | None = None
    ) -> Admission:
        """Admit one decoded record: accepted (journalled), rejected (quarantined) or ignored."""
        raw = text if text is not None else json.dumps(data, ensure_ascii=False)
        try:
            event = self.checked(data, source, topic)
        except Ignored as exc:
            self.journal.ignored(source, topic, str(exc))
            return Admission("ignored", reason=str(exc))
        except EventError as exc:
            return self._reject(raw, str(exc), source, topic)
        self.journal.accepted(event, source)
        return Admission("accepted", event=event)

    def checked(self, data: object, source: str, topic: str | None = None) -> Event:
        """The event of a decoded record, checked against the mapping (raises EventError, Ignored)."""
        event = decode(source, topic, data)
        if source != "native" and event.type not in self.dispatcher.mapping.rules:
            # a shop status nobody mapped is not an error of the shop's: answering 4xx would make
            # it retry and, after repeated failures, switch the webhook off
            raise Ignored(f"no mapping for event type {event.type!r}")
        self.dispatcher.check(event)
        return event

    async def run(self, event: Event) -> Outcome:
        """Send an accepted event and journal its outcome (a refusal also goes to quarantine)."""
        try:
            outcome = await self.dispatcher.dispatch(event)
        except EventError as exc:  # the mapping changed between admission and sending
            self.journal.quarantine(json.dumps(event.to_json(), ensure_ascii=False), str(exc), "native")
            outcome = Outcome(event.id, event.type, "", "refused", reason=str(exc))
            self.journal.outcome(outcome)
            return outcome
        self.journal.outcome(outcome)
        if outcome.status == "refused":
            self.journal.quarantine(
                json.dumps(event.to_json(), ensure_ascii=False),
                f"refused by the gate ({', '.join(outcome.codes)}): {outcome.reason}",
                "native",
            )
        return outcome

    def _reject(self, text: str, reason: str, source: str, topic: str | None) -> Admission:
        entry = self.journal.quarantine(text, reason, source, topic)
        return Admission("rejected", reason=reason, quarantine_id=entry.id)


@dataclass(frozen=True, slots=True)
class Replay:
    """What a replay did: outcomes of the events sent, and the entries still in quarantine."""

    outcomes: tuple[Outcome, ...]
    still_bad: tuple[tuple[str, str], ...]  # (quarantine id, reason)
    ignored: int


def pending(journal: Journal) -> list[Event]:
    """Accepted events without an outcome (the process stopped before sending them), oldest first."""
    done = {record.get("event_id") for record in journal.outcomes()}
    waiting: dict[str, Event] = {}
    for record in journal.events():
        try:
            event = parse_event(record.get("event"))
        except EventError:
            continue
        if event.id not in done:
            waiting.setdefault(event.id, event)
    return list(waiting.values())


async def replay(intake: Intake) -> Replay:
    """Send accepted events that have no outcome yet, then try every quarantined body again
    (after a fix to the mapping, a template or the event)."""
    journal = intake.journal
    outcomes = [await intake.run(event) for event in pending(journal)]
    ready: list[tuple[str, Event, str]] = []
    reasons: dict[str, str] = {}
    dropped: set[str] = set()
    for entry in journal.quarantined():
        try:
            data = json.loads(entry.body)
            ready.append((entry.id, intake.checked(data, entry.source, entry.topic), entry.source))
        except json.JSONDecodeError as exc:
            reasons[entry.id] = f"the body is not valid JSON: {exc.msg}"
        except Ignored:
            dropped.add(entry.id)
        except EventError as exc:
            reasons[entry.id] = str(exc)
    # taken out before sending: an event the gate refuses again is quarantined afresh by run()
    journal.settle_quarantined({entry_id for entry_id, _, _ in ready} | dropped, reasons)
    for _, event, source in ready:
        journal.accepted(event, source)
        outcomes.append(await intake.run(event))
    return Replay(tuple(outcomes), tuple(reasons.items()), len(dropped))
