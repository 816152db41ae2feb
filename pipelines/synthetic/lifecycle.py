"""What happens to one accepted message: the status events Meta reports, with realistic delays.

A fate is ``(events, delivered_at, read_at)``: ``events`` are ``(unix time, status, error
code or 0)`` in the order they happened; ``delivered_at``/``read_at`` are 0 when it never
happened. Who the recipient is (blocked, opted out, not on WhatsApp) is decided by the caller,
which then asks for a :func:`failure` or a :func:`stuck` fate instead of :func:`delivery`.
"""

from __future__ import annotations

import random

from pipelines.synthetic.catalog import AUTHENTICATION, MARKETING, SERVICE, UTILITY

Event = tuple[int, str, int]
Fate = tuple[list[Event], int, int]

HOUR = 3600
MAX_LAG = int(3.5 * 86400)  # no status arrives later than this after the send

READ_SHARE = {MARKETING: 0.58, UTILITY: 0.78, AUTHENTICATION: 0.86, SERVICE: 0.9}
READ_ON_ARRIVAL = 0.10  # of read messages: Meta skips `delivered` when the chat is open
PLAYED = 0.004  # of read messages: `played` (voice/video header played) -- rare
OFFLINE = 0.012  # sent, then nothing: phone lost or offline for days
UNKNOWN_ERROR = 0.004  # 131000
LATE_DELIVERY = 0.002  # failed, then delivered anyway (multi-device edge case)


def failure(rng: random.Random, t0: int, code: int) -> Fate:
    """Failed at Meta without ever being sent (undeliverable, opted out, holdout, ...)."""
    return [(t0 + 1 + rng.randrange(30), "failed", code)], 0, 0


def stuck(rng: random.Random, t0: int) -> Fate:
    """Sent, then never delivered: what a block (or a long-dead phone) looks like."""
    return [(t0 + _sent_delay(rng), "sent", 0)], 0, 0


def delivery(rng: random.Random, t0: int, category: str) -> Fate:
    """The ordinary path: sent, delivered, often read; plus the rare odd endings."""
    sent = t0 + _sent_delay(rng)
    roll = rng.random()
    if roll < UNKNOWN_ERROR:
        return [(sent, "sent", 0), (sent + 1 + rng.randrange(120), "failed", 131000)], 0, 0
    roll -= UNKNOWN_ERROR
    if roll < OFFLINE:
        return [(sent, "sent", 0)], 0, 0
    roll -= OFFLINE
    delivered = min(sent + _delivery_delay(rng), t0 + MAX_LAG)
    if roll < LATE_DELIVERY:
        code = 131026 if rng.random() < 0.5 else 131000
        failed = sent + 1 + rng.randrange(60)
        late = min(max(delivered, failed + 600), t0 + MAX_LAG)
        return [(sent, "sent", 0), (failed, "failed", code), (late, "delivered", 0)], late, 0
    if rng.random() >= READ_SHARE[category]:
        return [(sent, "sent", 0), (delivered, "delivered", 0)], delivered, 0
    if rng.random() < READ_ON_ARRIVAL:
        events: list[Event] = [(sent, "sent", 0), (delivered, "read", 0)]
        read = delivered
    else:
        read = min(delivered + _read_delay(rng), t0 + MAX_LAG)
        events = [(sent, "sent", 0), (delivered, "delivered", 0), (read, "read", 0)]
    if rng.random() < PLAYED:
        events.append((read + 2 + rng.randrange(60), "played", 0))
    return events, delivered, read


def _sent_delay(rng: random.Random) -> int:
    return 1 + int(rng.expovariate(0.4))  # a few seconds, longer in throughput bursts


def _delivery_delay(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.75:
        return rng.randrange(9)
    if roll < 0.93:
        return 9 + rng.randrange(1800)
    if roll < 0.99:
        return 1800 + rng.randrange(12 * HOUR)
    return 12 * HOUR + rng.randrange(48 * HOUR)  # phone off over a weekend


def _read_delay(rng: random.Random) -> int:
    return 1 + int(rng.lognormvariate(6.5, 1.8))  # median ~11 minutes, tail of days
