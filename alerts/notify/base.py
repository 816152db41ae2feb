"""Delivery results and the retry loop shared by every channel."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel could not deliver; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Delivery:
    """How sending one message on one channel went."""

    channel: str
    ok: bool
    attempts: int
    error: str | None = None


def with_retries(
    channel: str,
    send: Callable[[], None],
    *,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> Delivery:
    """Call ``send`` until it succeeds, fails for good, or ``attempts`` run out.

    The delay before retry k (k = 1, 2, ...) is ``backoff * 2 ** (k - 1)`` seconds. Nothing
    raises out of here: a failing channel becomes a failed :class:`Delivery`.
    """
    error = "not attempted"
    for attempt in range(1, attempts + 1):
        try:
            send()
            return Delivery(channel, True, attempt)
        except DeliveryError as exc:
            error = str(exc)
            if not exc.retryable:
                return Delivery(channel, False, attempt, error)
        except Exception as exc:  # a channel bug must never stop the evaluation
            log.exception("channel %s raised", channel)
            return Delivery(channel, False, attempt, f"{type(exc).__name__}: {exc}")
        if attempt < attempts:
            log.info("channel %s attempt %d failed (%s); retrying", channel, attempt, error)
            sleep(backoff * 2 ** (attempt - 1))
    return Delivery(channel, False, attempts, error)
