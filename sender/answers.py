"""What the loop does with each API answer: record it, and decide retry, stop or done.

One place applies the error policy of :mod:`sender.errors` to an answer: the send log gets one
row per answer from the API (accepted, held or rejected, retried attempts included, as
metrics.md counts attempts), the ledger the message's new state, the reach counter and the
frequency caps what was accepted. The loop only carries out the returned :class:`Next`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.phones import mask
from sender.client import CallResult, Kind
from sender.errors import Action, ErrorRule, is_stop, rule_for, stop_message
from sender.ledger import Ledger, Outcome, State
from sender.model import Message
from sender.pacing import PairSpacing, RateLimiter, ReachCounter
from sender.sendlog import SendLog, send_log_row
from sender.tally import Stop, StopKind, Tally

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoopOptions:
    """Pacing, retry and waiting policy of one run."""

    phone_number_id: str
    rate: float = 80.0
    concurrency: int = 32
    pair_interval: float = 6.0
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 60.0
    wait_for_deferred: bool = True
    max_wait: float = 86400.0
    resend_unknown: bool = False
    retry_rejected: bool = False
    flush_seconds: float = 0.2
    seed: int | None = None  # jitter; None = unpredictable


@dataclass(frozen=True, slots=True)
class Next:
    """What comes after an answer: nothing (settled), a retry after some seconds, or a stop."""

    retry_in: float | None = None
    stop: Stop | None = None


DONE = Next()
# this many rejections in a row with one code, before any acceptance, look like a configuration
# problem (a wrong phone number id, a template parameter every message gets wrong), not bad luck
REJECTION_STREAK = 20


def unreachable_message(url: str, note: str) -> str:
    """The stop message when the API cannot be reached."""
    return (
        f"stopped: cannot reach the API at {url} ({note}); "
        "check [send] api_base_url (or --api-url) and the network, then run the same command again"
    )


@dataclass(slots=True)
class Answers:
    """Records answers for one run and applies the error policy."""

    ledger: Ledger
    send_log: SendLog
    reach: ReachCounter
    record_sent: Callable[[Message, datetime], None]
    clock: Callable[[], datetime]
    tally: Tally
    options: LoopOptions
    limiter: RateLimiter
    pairs: PairSpacing
    digest: str
    url: str
    random: random.Random
    streak: tuple[int | None, int] = (None, 0)  # (code, rejections in a row with it) before any acceptance

    def settle(self, message: Message, attempted_at: datetime, result: CallResult, attempts: int) -> Next:
        """Record ``result`` (the answer to this run's ``attempts``-th call for ``message``)."""
        if result.kind in (Kind.ACCEPTED, Kind.HELD):
            return self._accepted(message, attempted_at, result)
        if result.kind is Kind.UNKNOWN:
            return self._unknown(message, result)
        if result.kind is Kind.NOT_SENT:
            return self._not_sent(message, result, attempts)
        return self._failed(message, attempted_at, result, attempts)

    def _accepted(self, message: Message, attempted_at: datetime, result: CallResult) -> Next:
        held = result.kind is Kind.HELD
        outcome: State = "held" if held else "accepted"
        self._log_row(message, attempted_at, outcome, wamid=result.wamid)
        self.ledger.record(Outcome(message.key, outcome, self.clock(), wamid=result.wamid))
        self.reach.confirm(message.to)
        self.record_sent(message, attempted_at)
        self.tally.note_accepted(held)
        return DONE

    def _unknown(self, message: Message, result: CallResult) -> Next:
        reason = f"no answer from the API ({result.note}); the message may have been sent"
        self.ledger.record(Outcome(message.key, "unknown", self.clock(), reason=reason))
        self.reach.confirm(message.to)  # it may count: stay on the safe side
        self.tally.unknown += 1
        log.warning("outcome unknown for row %d (%s): %s", message.row, mask(message.to), result.note)
        return DONE

    def _not_sent(self, message: Message, result: CallResult, attempts: int) -> Next:
        self.reach.release(message.to)
        self.ledger.record(Outcome(message.key, "pending", self.clock(), reason=result.note))
        if attempts >= self.options.max_attempts:
            return Next(stop=Stop("unreachable", unreachable_message(self.url, result.note)))
        return self._retry(self._backoff(attempts, 0.0))

    def _failed(self, message: Message, attempted_at: datetime, result: CallResult, attempts: int) -> Next:
        rule = rule_for(result.error_code, result.http_status)
        title = result.error_title or rule.meaning
        self._log_row(message, attempted_at, "rejected", error_code=result.error_code, error_title=title)
        self.tally.errors[result.error_code] += 1
        self.tally.error_titles.setdefault(result.error_code, title)
        self.reach.release(message.to)
        if is_stop(rule):
            # nothing went out: the message stays to do for the run after the problem is fixed
            self._record_error(message, "pending", result, title)
            kind: StopKind = "template" if rule.action is Action.STOP_TEMPLATE else "account"
            text = stop_message(rule, result.error_code, result.error_title)
            return Next(stop=Stop(kind, text, result.error_code))
        if rule.action is Action.REJECT or attempts >= self._cap(rule):
            self._record_error(message, "rejected", result, title)
            self.tally.rejected += 1
            return self._streak(result.error_code, title)
        self._record_error(message, "pending", result, title)
        if rule.action is Action.THROTTLE:
            self.limiter.throttled()
        if rule.action is Action.PAIR_WAIT:
            return self._retry(self.pairs.pair_limited(message.to))
        return self._retry(self._backoff(attempts, rule.min_wait))

    def _streak(self, code: int | None, title: str) -> Next:
        if self.tally.accepted + self.tally.held:
            return DONE
        same, count = self.streak
        self.streak = (code, count + 1 if same == code else 1)
        if self.streak[1] < REJECTION_STREAK:
            return DONE
        text = (
            f"stopped: the first {REJECTION_STREAK} messages were all rejected with error {code} ({title}); "
            "that looks like a configuration problem (phone_number_id, template parameters): fix it, "
            "then run the same command with --retry-rejected"
        )
        return Next(stop=Stop("rejections", text, code))

    def _cap(self, rule: ErrorRule) -> int:
        if rule.max_attempts is None:
            return self.options.max_attempts
        return min(rule.max_attempts, self.options.max_attempts)

    def _backoff(self, attempts: int, floor: float) -> float:
        """Exponential backoff with full jitter: uniform(0, min(cap, base * 2^(n-1))), at least ``floor``."""
        ceiling = min(self.options.backoff_cap, self.options.backoff_base * 2 ** (attempts - 1))
        return max(floor, self.random.uniform(0.0, ceiling))

    def _retry(self, seconds: float) -> Next:
        self.tally.retries += 1
        return Next(retry_in=seconds)

    def _record_error(self, message: Message, state: State, result: CallResult, title: str) -> None:
        self.ledger.record(
            Outcome(
                message.key,
                state,
                self.clock(),
                error_code=result.error_code,
                error_title=title,
                reason=result.error_details or None,
            )
        )

    def _log_row(self, message: Message, attempted_at: datetime, outcome: str, **fields: Any) -> None:
        self.send_log.write(
            send_log_row(
                message,
                attempted_at=attempted_at,
                phone_number_id=self.options.phone_number_id,
                outcome=outcome,
                lint_report=self.digest,
                **fields,
            )
        )
