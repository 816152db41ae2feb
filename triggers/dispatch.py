"""One event through the gate and the sender: lint a one-row plan, then send with pacing, retries
and the campaign ledger of its event type.

The message's idempotency key is made from the campaign and the event id, so an event delivered
twice finds its key already ``accepted`` in the ledger and sends nothing more.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from core.config import Settings
from core.phones import mask, to_e164
from sender.campaign import build_campaign
from sender.gate import GateOutcome, open_gate
from sender.ledger import Entry, Ledger
from sender.loop import ApiClient
from sender.model import Campaign
from sender.payload import FREE_FORM_TEMPLATE
from sender.run import (
    SendHistory,
    SendRequest,
    campaign_ledger_path,
    send,
    with_overrides,
    workspace_history,
)
from triggers.events import Event
from triggers.mapping import EventRule, TriggerMapping, render, render_parameters
from triggers.optouts import standing_opt_out
from triggers.planfile import write_plan
from triggers.window import ServiceReply, service_reply

Status = Literal[
    "sent", "duplicate", "suppressed", "excluded", "refused", "rejected", "skipped", "deferred", "unknown"
]
# lint codes that mean "this person said stop" (suppression list, platform opt-out)
SUPPRESSION_CODES = frozenset({"O003", "O005", "R002"})
_DONE = frozenset({"accepted", "held"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one event."""

    event_id: str
    event_type: str
    campaign: str
    status: Status
    reason: str = ""
    codes: tuple[str, ...] = ()
    template: str | None = None
    language: str | None = None
    to: str | None = None  # masked
    wamid: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The outcome as a journal record."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "campaign": self.campaign,
            "status": self.status,
            "reason": self.reason,
            "codes": list(self.codes),
            "template": self.template,
            "language": self.language,
            "to": self.to,
            "wamid": self.wamid,
        }


def message_key(campaign: str, event_id: str) -> str:
    """The ledger key of an event's message: one per (campaign, event id)."""
    return hashlib.sha256(f"trigger\x1f{campaign}\x1f{event_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Dispatcher:
    """Sends events of one mapping in one workspace (settings already carry any --api-url)."""

    mapping: TriggerMapping
    settings: Settings
    history: SendHistory | None = None  # None: the workspace's warehouse when it has one
    client: ApiClient | None = None
    now: datetime | None = None  # the lint's send time (tests); None = now

    def check(self, event: Event) -> EventRule:
        """Raise :class:`~triggers.events.EventError` unless the event can be turned into a message."""
        rule = self.mapping.rule(event.type)
        render_parameters(rule, event)
        if rule.header_media is not None:
            render(rule.header_media, event, "header_media")
        if rule.free_form is not None:
            render(rule.free_form, event, "free_form")
        return rule

    async def dispatch(self, event: Event) -> Outcome:
        """Gate and send one event; the outcome says what happened (never raises for a refusal)."""
        rule = self.check(event)
        draft = rule.draft_for(event.customer.language)
        key = message_key(rule.campaign, event.id)
        base = Outcome(
            event.id, event.type, rule.campaign, "unknown", template=draft.name, language=draft.language
        )
        earlier = self._entry(rule.campaign, key)
        if earlier is not None and earlier.state in _DONE:
            return dataclasses.replace(
                base,
                status="duplicate",
                reason="this event was already sent",
                to=mask(earlier.to),
                wamid=earlier.wamid,
            )
        opted_out = standing_opt_out(self.settings, event, self.history)
        if opted_out is not None:
            to = to_e164(event.customer.phone)
            return dataclasses.replace(
                base,
                status="suppressed",
                reason=opted_out.describe(),
                codes=("O003",),
                to=mask(to) if to else None,
            )
        reply = service_reply(rule, event, self.settings, self.history, self.now)
        if reply is not None:
            base = dataclasses.replace(base, template=FREE_FORM_TEMPLATE)
        with tempfile.TemporaryDirectory(prefix="wagate-trigger-") as folder:
            media = render(rule.header_media, event, "header_media") if rule.header_media else None
            files = write_plan(
                Path(folder),
                event,
                rule,
                draft,
                render_parameters(rule, event),
                self.mapping.consent,
                header_media=media,
                reply=reply,
            )
            request = SendRequest(files.plan, accept_warnings=rule.accept_warnings, wait=False)
            settings = with_overrides(self.settings, request)
            history = self.history if self.history is not None else workspace_history(settings)
            gate, campaign = self._gate(request, settings, history, reply)
            if campaign is None:
                return dataclasses.replace(
                    base, status="refused", reason=gate.refusal or "refused", codes=_refusal_codes(gate)
                )
            if not campaign.messages:
                return _excluded(base, campaign)
            campaign = _keyed(campaign, key)
            await send(request, settings, gate, campaign, history=history, client=self.client)
        return _settled(base, self._entry(rule.campaign, key))

    def _gate(
        self,
        request: SendRequest,
        settings: Settings,
        history: SendHistory | None,
        reply: ServiceReply | None,
    ) -> tuple[GateOutcome, Campaign | None]:
        """``sender.run.open_campaign``, letting a service reply's free-form draft through the gate
        (only triggers do: ``wagate send`` campaigns stay template-only)."""
        gate = open_gate(
            request.plan,
            settings,
            accept_warnings=request.accept_warnings,
            now=self.now,
            history=history,
            allow_free_form=reply is not None,
        )
        if gate.passing is None:
            return gate, None
        return gate, build_campaign(gate, settings)

    def _entry(self, campaign: str, key: str) -> Entry | None:
        path = campaign_ledger_path(self.settings, campaign)
        if not path.exists():
            return None
        with Ledger(path, sync=self.settings.send.ledger_sync) as ledger:
            return ledger.entries([key]).get(key)


def _keyed(campaign: Campaign, key: str) -> Campaign:
    """The campaign with its one message keyed by the event (not by recipient and template)."""
    messages = tuple(dataclasses.replace(m, key=key) for m in campaign.messages)
    return dataclasses.replace(campaign, messages=messages)


def _refusal_codes(gate: GateOutcome) -> tuple[str, ...]:
    findings = gate.report.findings
    blocking = findings.filter(
        ((pl.col("severity") == "error") & (pl.col("kind") != "contact")) | (pl.col("severity") == "warning")
    )
    return tuple(sorted({str(code) for code in blocking["code"].to_list()}))


def _excluded(base: Outcome, campaign: Campaign) -> Outcome:
    exclusion = campaign.exclusions[0]
    codes = exclusion.codes
    status: Status = "suppressed" if SUPPRESSION_CODES & set(codes) else "excluded"
    to = mask(exclusion.to) if exclusion.to else None
    return dataclasses.replace(base, status=status, reason=exclusion.reason, codes=codes, to=to)


def _settled(base: Outcome, entry: Entry | None) -> Outcome:
    if entry is None:
        return dataclasses.replace(base, status="unknown", reason="the ledger has no record of the message")
    status: Status
    if entry.state in _DONE:
        status = "sent"
    elif entry.state in ("rejected", "skipped", "deferred", "unknown"):
        status = entry.state
    else:
        status = "unknown"
    codes = (str(entry.error_code),) if entry.error_code is not None else ()
    reason = entry.reason or entry.error_title or ""
    if status == "skipped" and "suppress" in reason.lower():
        status = "suppressed"
    return dataclasses.replace(
        base, status=status, reason=reason, codes=codes, to=mask(entry.to), wamid=entry.wamid
    )
