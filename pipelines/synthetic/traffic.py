"""The simulation: sends in time order, their send-log rows, and every status they produce.

Planned sends (campaign waves, continuous order and login traffic, walk-ins) are merged with
sends that arise on the way (130429 retries, the agent's free-form answers) through a heap,
so person state such as a block or a marketing stop is always applied in time order. Each
webhook event goes to the sink with its own timestamp; the sink shuffles and batches them.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import time
from dataclasses import dataclass

from pipelines.synthetic import catalog, lifecycle
from pipelines.synthetic.catalog import CAMPAIGNS, FREE_FORM, MARKETING, SERVICE, UTILITY, Campaign
from pipelines.synthetic.people import People
from pipelines.synthetic.plan import SEND, plan_sends
from pipelines.synthetic.replies import Delivered, PersonState, Replier
from pipelines.synthetic.webhooks import Business, WamidFactory, conversation_json, pricing_json, status_json
from pipelines.synthetic.writer import SendLogWriter, WebhookSink

HOUR = 3600
RETRY = 0  # heap kinds
ANSWER = 1

THROTTLED = 0.015  # 130429 during a marketing wave ...
THROTTLED_AGAIN = 0.1  # ... and again on the retry
PARAM_MISMATCH = 0.003  # 132000 on marketing sends
WRONG_LANGUAGE = 0.04  # 132001: sent in the recipient's language although no translation exists
NOT_ALLOWED = 0.5  # 131030 in the sandbox campaign
SUPPRESSION_LEAK = 0.1  # the sender misses an opt-out and sends marketing anyway
HOLDOUT = 0.01  # 130472 on marketing
PER_USER_LIMIT = 0.025  # 131049 on marketing outside the US
UNATTRIBUTED = 0.0045  # per send: another app on the WABA sends a message we never logged
CONVERSATION = 0.02  # sent inside a free entry point window: a conversation object appears

_ERRORS = {code: catalog.status_errors_json(code) for code in catalog.ERRORS}
_PRICING = {c: pricing_json(c) for c in (catalog.MARKETING, catalog.UTILITY, catalog.AUTHENTICATION)}
_PRICING[SERVICE] = pricing_json(SERVICE, "free_customer_service")
_FREE_ENTRY = {c: pricing_json(c, "free_entry_point") for c in _PRICING}


@dataclass(frozen=True, slots=True)
class Counts:
    """What the simulation produced (before the sink's duplicates)."""

    send_log_rows: int
    accepted: int
    rejected: int
    held: int
    status_events: int
    unattributed_statuses: int
    inbound_messages: int
    preference_events: int


def idempotency_key(campaign: str, e164: str, ordinal: int) -> str:
    """The sender's key: a stable hash of campaign and recipient (and which message of the plan)."""
    text = f"{campaign}|{e164}" if ordinal == 0 else f"{campaign}|{e164}|{ordinal}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def attempted_at(ts: int, offset_hours: int) -> str:
    """ISO-8601 with offset, as the operator's machine writes it."""
    local = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts + offset_hours * HOUR))
    return f"{local}+{offset_hours:02d}:00"


class Traffic:
    """Runs the period and feeds the send log and the webhook sink."""

    def __init__(
        self,
        rng: random.Random,
        seed: int,
        people: People,
        business: Business,
        log: SendLogWriter,
        sink: WebhookSink,
        *,
        start: int,
        days: int,
    ) -> None:
        self.rng, self.people, self.business, self.log, self.sink = rng, people, business, log, sink
        self.start, self.days = start, days
        self.state = PersonState.create(rng, len(people))
        self.wamids = WamidFactory(rng)
        self.replier = Replier(rng, business, people, self.state, self.wamids, sink.add_change)
        pause = start + int(catalog.PAUSE_AT[0] * days * 86400 + catalog.PAUSE_AT[1] * HOUR)
        self.pause = (pause, pause + catalog.PAUSE_HOURS * HOUR)
        names = [c.name for c in CAMPAIGNS] + [FREE_FORM]
        self.lint = {n: hashlib.sha256(f"lint-report:{seed}:{n}".encode()).hexdigest() for n in names}
        self.ordinals: dict[tuple[str, int], int] = {}
        self.heap: list[tuple[int, int, int, int, int, int]] = []
        self.seq = 0
        self.rows = self.accepted = self.rejected = self.held = 0
        self.statuses = self.unattributed = 0

    def run(self, messages: int) -> Counts:
        """Simulate the whole period."""
        planned = plan_sends(self.rng, messages, len(self.people), self.start, self.days)
        heap, index = self.heap, 0
        while index < len(planned) or heap:
            if heap and (index == len(planned) or heap[0][0] < planned[index][0]):
                t, _, kind, a, b, c = heapq.heappop(heap)
                self.sink.advance(t)
                if kind == RETRY:
                    self._campaign_send(t, a, b, c)
                else:
                    self._answer(t, a, b, bool(c))
            else:
                t, kind, a, b = planned[index]
                index += 1
                self.sink.advance(t)
                if kind == SEND:
                    self._campaign_send(t, a, b, None)
                else:
                    self.replier.walk_in(b, a, t)
            self._drain_follow_ups()
        return Counts(
            self.rows,
            self.accepted,
            self.rejected,
            self.held,
            self.statuses,
            self.unattributed,
            self.replier.inbound,
            self.replier.preferences,
        )

    # --- sends -------------------------------------------------------------------------------

    def _campaign_send(self, t: int, index: int, person: int, ordinal: int | None) -> None:
        campaign = CAMPAIGNS[index]
        template, rng, state = campaign.template, self.rng, self.state
        category = template.category
        retry = ordinal is not None
        if ordinal is None:
            suppressed = state.opt_out_from[person] <= t < state.opt_out_until[person]
            if category == MARKETING and suppressed and rng.random() > SUPPRESSION_LEAK:
                return
            ordinal = self._next_ordinal(campaign.name, person) if campaign.repeat else 0
        language = self.people.locale[person]
        code = 0
        if language not in template.languages:
            if rng.random() < WRONG_LANGUAGE and not retry:
                code = 132001
            else:
                language = "en_US"
        code = code or self._sync_error(t, campaign, retry)
        key = idempotency_key(campaign.name, self.people.e164[person], ordinal)
        attempt = (t, campaign, language, person, key)
        if code:
            self._log(attempt, "rejected", "", code)
            if code == 130429:
                self._push(t + 1 + rng.randrange(20), RETRY, index, person, ordinal)
            return
        wamid = self.wamids.outbound(self.people.wa_id[person])
        if self._held(t, campaign):
            self._log(attempt, "held", wamid, 0)
            fate = self._held_fate(t, campaign, person)
        else:
            self._log(attempt, "accepted", wamid, 0)
            fate = self._fate(t, person, category)
        self._emit(wamid, person, campaign.phone, category, fate, key if campaign.callback else "")
        self._react(person, campaign.phone, wamid, category, template.buttons, fate)
        if rng.random() < UNATTRIBUTED:
            self._unattributed(t)

    def _answer(self, t: int, person: int, phone: int, late: bool) -> None:
        """The agent's free-form answer to a customer (no template; 131047 outside 24 hours)."""
        key = idempotency_key(FREE_FORM, self.people.e164[person], self._next_ordinal(FREE_FORM, person))
        wamid = self.wamids.outbound(self.people.wa_id[person])
        self._log((t, phone, FREE_FORM, person, key), "accepted", wamid, 0)
        fate = lifecycle.failure(self.rng, t, 131047) if late else self._fate(t, person, SERVICE)
        self._emit(wamid, person, phone, SERVICE, fate, "")
        self._react(person, phone, wamid, SERVICE, (), fate)

    def _sync_error(self, t: int, campaign: Campaign, retry: bool) -> int:
        rng = self.rng
        if campaign.sandbox and rng.random() < NOT_ALLOWED:
            return 131030
        if campaign.template is catalog.PAUSED_TEMPLATE and self.pause[0] <= t < self.pause[1]:
            return 132015
        if campaign.waves and rng.random() < (THROTTLED * THROTTLED_AGAIN if retry else THROTTLED):
            return 130429
        if campaign.template.category == MARKETING and rng.random() < PARAM_MISMATCH:
            return 132000
        return 0

    def _held(self, t: int, campaign: Campaign) -> bool:
        if campaign.held_share:
            return self.rng.random() < campaign.held_share
        paced = self.pause[0] - catalog.PACED_HOURS * HOUR <= t < self.pause[0]
        return (
            campaign.template is catalog.PAUSED_TEMPLATE and paced and self.rng.random() < catalog.PACED_SHARE
        )

    def _held_fate(self, t: int, campaign: Campaign, person: int) -> lifecycle.Fate:
        """Held by pacing: dropped with 132015 when the template gets paused, else released."""
        if campaign.template is catalog.PAUSED_TEMPLATE and t < self.pause[0]:
            return lifecycle.failure(self.rng, self.pause[0], 132015)
        return self._fate(t + 600 + self.rng.randrange(3000), person, campaign.template.category)

    def _fate(self, t: int, person: int, category: str) -> lifecycle.Fate:
        rng, state = self.rng, self.state
        if state.not_on_whatsapp[person] and category != SERVICE:  # they wrote to us: they are on it
            return lifecycle.failure(rng, t, 131026)
        if category == MARKETING:
            if self.people.region[person] == "US":  # Meta pauses marketing to +1 US numbers
                return lifecycle.failure(rng, t, 131049)
            if state.stop_from[person] <= t < state.stop_until[person]:
                return lifecycle.failure(rng, t, 131050)
        if state.block_at[person] <= t:
            return lifecycle.failure(rng, t, 131026) if rng.random() < 0.5 else lifecycle.stuck(rng, t)
        if category == MARKETING:
            roll = rng.random()
            if roll < HOLDOUT:
                return lifecycle.failure(rng, t, 130472)
            if roll < HOLDOUT + PER_USER_LIMIT:
                return lifecycle.failure(rng, t, 131049)
        return lifecycle.delivery(rng, t, category)

    def _unattributed(self, t: int) -> None:
        """A message another app on the same WABA sent: statuses arrive, the send log has no row."""
        person = self.rng.randrange(len(self.people))
        wamid = self.wamids.outbound(self.people.wa_id[person])
        fate = lifecycle.delivery(self.rng, t, UTILITY)
        self.unattributed += self._emit(wamid, person, 1, UTILITY, fate, "")

    # --- output ------------------------------------------------------------------------------

    def _emit(
        self, wamid: str, person: int, phone: int, category: str, fate: lifecycle.Fate, key: str
    ) -> int:
        """Send the status events of one message to the sink; returns how many."""
        rng = self.rng
        events = fate[0]
        recipient = self.people.wa_id[person]
        base = f',"biz_opaque_callback_data":"{key}"' if key else ""
        conversation = ""
        pricing = _PRICING[category]
        if rng.random() < CONVERSATION and category != catalog.AUTHENTICATION:
            conversation = rng.randbytes(16).hex()
            pricing = _FREE_ENTRY[category]
        # pricing rides on `sent` or on the first delivery proof, never on both
        price_on_sent = rng.random() < 0.5 or not fate[1]
        proven = False
        add = self.sink.add_status
        for ts, status, code in events:
            extra = base
            if code:
                extra += _ERRORS[code]
            else:
                proof = not proven and status in ("delivered", "read")
                proven = proven or proof
                if conversation and (proof or status == "sent"):
                    expires = ts + 72 * HOUR if status == "sent" else None
                    extra += conversation_json(conversation, "referral_conversion", expires)
                if (proof and not price_on_sent) or (status == "sent" and price_on_sent):
                    extra += pricing
            add(ts, phone, status_json(wamid, status, ts, recipient, extra))
        self.statuses += len(events)
        return len(events)

    def _react(
        self,
        person: int,
        phone: int,
        wamid: str,
        category: str,
        buttons: tuple[tuple[str, str], ...],
        fate: lifecycle.Fate,
    ) -> None:
        if fate[1]:
            self.replier.after(Delivered(person, phone, wamid, category, buttons, fate[1], fate[2]))

    def _log(
        self, attempt: tuple[int, Campaign | int, str, int, str], outcome: str, wamid: str, code: int
    ) -> None:
        """One send-log row. ``attempt`` is (time, campaign or sending number of a free-form
        answer, language, person, idempotency key)."""
        t, campaign, language, person, key = attempt
        if isinstance(campaign, Campaign):
            template = campaign.template
            head = (
                attempted_at(t, campaign.offset_hours),
                campaign.name,
                template.name,
                language,
                template.category,
            )
            phone, lint, csv = campaign.phone, self.lint[campaign.name], campaign.csv_log
        else:
            head = (attempted_at(t, 0), FREE_FORM, FREE_FORM, FREE_FORM, SERVICE)
            phone, lint, csv = campaign, self.lint[FREE_FORM], False
        title = catalog.ERRORS[code][0] if code else ""
        phone_id = self.business.phone_ids[phone]
        self.log.write(
            csv, (*head, self.people.e164[person], phone_id, outcome, wamid, code or None, title, key, lint)
        )
        self.rows += 1
        if outcome == "accepted":
            self.accepted += 1
        elif outcome == "held":
            self.held += 1
        else:
            self.rejected += 1

    def _push(self, t: int, kind: int, a: int, b: int, c: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, kind, a, b, c))

    def _drain_follow_ups(self) -> None:
        for t, person, phone, late in self.replier.follow_ups:
            self._push(t, ANSWER, person, phone, int(late))
        self.replier.follow_ups.clear()

    def _next_ordinal(self, campaign: str, person: int) -> int:
        key = (campaign, person)
        ordinal = self.ordinals.get(key, 0)
        self.ordinals[key] = ordinal + 1
        return ordinal
