"""The emulated Cloud API's state and its answer to a send: checks in Meta's order, then acceptance.

All of it runs on the server's event loop (handlers never await between reading and changing
state), so no locks are needed; other threads reach it through :mod:`sender.emulator.server`.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from sender.emulator.arrivals import ArrivalLog
from sender.emulator.config import AcceptedMessage, Arrival, EmulatorConfig
from sender.emulator.errors import GraphError, error_body
from sender.emulator.limits import PairRate, Throughput
from sender.emulator.templates import Registry
from sender.emulator.validation import SendRequest, recipient_of, validate

log = logging.getLogger(__name__)

OLDEST_VERSION = 18
NEWEST_VERSION = 25
SESSION_WINDOW_SECONDS = 24 * 3600
_VERSION = re.compile(r"v(\d+)\.(\d+)")
_ACCOUNT_ERRORS: dict[str, GraphError] = {
    "restricted": GraphError(
        368, "The WhatsApp Business Account is restricted from messaging users for policy violations."
    ),
    "locked": GraphError(131031, "The Business Account has been locked and cannot send messages."),
    "payment": GraphError(
        131042, "Message failed to send because there were one or more errors related to your payment method."
    ),
    "token_expired": GraphError(190, "Error validating access token: Session has expired."),
}


class Stories(Protocol):
    """What happens after acceptance (webhooks); :class:`sender.emulator.dispatcher.Storyteller`."""

    def accepted(self, message: AcceptedMessage, request: SendRequest, held: bool) -> None:
        """A message was accepted: schedule its story."""

    def account_changed(self, state: str) -> None:
        """The account's state changed."""


class Emulator:
    """One emulated business phone number in one WABA."""

    def __init__(self, config: EmulatorConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.profile = config.profile
        self.clock = clock
        self.registry = Registry.from_files(config.templates)
        self.throughput = Throughput(config.throughput_mps)
        self.pairs = PairRate()
        self.account_state = self.profile.account.state
        self.messages: list[AcceptedMessage] = []
        self.arrivals: list[Arrival] = []
        self.last_inbound: dict[str, float] = {}  # wa_id -> wall time of the user's last message
        self.opted_out: set[str] = set()  # wa_ids that stopped marketing messages
        self.last_wamid: dict[str, str] = {}  # wa_id -> newest wamid sent to them
        self.log = ArrivalLog(config.arrival_log) if config.arrival_log is not None else None
        self.stories: Stories | None = None
        self._token = config.access_token.encode("utf-8")

    # -- the Graph API ---------------------------------------------------------------------------

    def check_call(
        self, version: str, node: str | None, authorization: str | None, query_token: str | None
    ) -> None:
        """Version, token, and (when given) that ``node`` is this phone number; raises GraphError."""
        check_version(version)
        self.check_token(authorization, query_token)
        if node is not None and node != self.config.phone_number_id:
            raise unknown_object(node)

    def check_token(self, authorization: str | None, query_token: str | None, *, admin: bool = False) -> None:
        """The bearer token (or ``access_token`` query parameter) must be the configured one.

        ``admin``: for the ``/_emulator`` routes, which work even while the emulated token has
        expired (otherwise nothing could end that state).
        """
        token = query_token
        if authorization:
            scheme, _, value = authorization.strip().partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else None
        if not token:
            raise GraphError(190, "An access token is required to request this resource.")
        if not hmac.compare_digest(token.encode("utf-8", "surrogateescape"), self._token):
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if self.account_state == "token_expired" and not admin:
            raise _ACCOUNT_ERRORS["token_expired"]

    def send(
        self, version: str, node: str, authorization: str | None, query_token: str | None, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        """Answer one POST /{version}/{node}/messages: (HTTP status, JSON body); records the arrival."""
        now = self.clock()
        wall = time.time()
        to: str | None = None
        try:
            self.check_call(version, node, authorization, query_token)
            account = _ACCOUNT_ERRORS.get(self.account_state)
            if account is not None:
                raise account
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise GraphError(100, "The request body is not valid JSON.") from None
            to = recipient_of(payload)
            request = validate(payload, self.registry, self.config.display_phone_number)
            status, answer = self._accept(request, now, wall)
            error_code = None
        except GraphError as exc:
            status, answer, error_code = exc.status, error_body(exc), exc.code
        arrival = Arrival(now, wall, to, status, error_code)
        self.arrivals.append(arrival)
        if self.log is not None:
            self.log.add(arrival)
        return status, answer

    def _accept(self, request: SendRequest, now: float, wall: float) -> tuple[int, dict[str, Any]]:
        if (
            not request.is_template
            and wall - self.last_inbound.get(request.wa_id, -1e18) > SESSION_WINDOW_SECONDS
        ):
            raise GraphError(
                131047,
                "Message failed to send because more than 24 hours have passed since the customer last "
                "replied to this number.",
            )
        if not self.pairs.conforms(request.wa_id, now):
            raise GraphError(
                131056,
                "Message failed to send because there were too many messages sent from this phone number "
                "to the same phone number in a short period of time.",
            )
        if not self.throughput.allow(now):
            raise GraphError(
                130429,
                "Message failed to send because there were too many messages sent from this phone number "
                "in a short period of time.",
            )
        self.pairs.take(request.wa_id, now)
        held = self._held(request)
        message = AcceptedMessage(
            wamid=new_wamid(request.wa_id),
            to=request.to,
            template=request.spec.name if request.spec else None,
            language=request.language,
            callback_data=request.callback_data,
            accepted_at=datetime.fromtimestamp(wall, UTC),
        )
        self.messages.append(message)
        self.last_wamid[request.wa_id] = message.wamid
        if self.stories is not None:
            try:
                self.stories.accepted(message, request, held)
            except Exception:  # the send was accepted; a bug in its story must not turn it into a 500
                log.exception("could not schedule the story of %s", message.wamid)
        self._count_for_account()
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": request.to, "wa_id": request.wa_id}],
            "messages": [
                {"id": message.wamid, "message_status": "held_for_quality_assessment" if held else "accepted"}
            ],
        }

    def _held(self, request: SendRequest) -> bool:
        spec = request.spec
        if spec is None:
            return False
        state = self.registry.state[(spec.name, spec.language)]
        state.accepted += 1
        pacing = self.profile.pacing
        return (
            pacing.enabled
            and spec.category == "MARKETING"
            and state.quality == "UNKNOWN"
            and state.accepted > pacing.release_after
        )

    def _count_for_account(self) -> None:
        rule = self.profile.account
        if rule.after_accepted and len(self.messages) == rule.after_accepted:
            self.set_account_state(rule.then)

    # -- admin ---------------------------------------------------------------------------------

    def set_account_state(self, state: str) -> None:
        """ok, restricted (368), locked (131031), token_expired (190) or payment (131042)."""
        if state != "ok" and state not in _ACCOUNT_ERRORS:
            raise ValueError(f"unknown account state {state!r}")
        self.account_state = state
        if self.stories is not None:
            self.stories.account_changed(state)

    def flush_log(self) -> None:
        """Write pending arrival-log lines."""
        if self.log is not None:
            self.log.flush()


def check_version(version: str) -> None:
    """Graph API versions v18.0 to v25.0 are served; others get Meta's errors."""
    match = _VERSION.fullmatch(version)
    if match is None or int(match.group(1)) > NEWEST_VERSION:
        raise GraphError(2500, f"Unknown path components: /{version}", title="Unknown path components")
    if int(match.group(1)) < OLDEST_VERSION:
        raise GraphError(
            2635,
            f"{version} is no longer available; call v{OLDEST_VERSION}.0 to v{NEWEST_VERSION}.0",
        )


def unknown_object(node: str) -> GraphError:
    """Meta's answer for an id that is not (or not visible as) what the path needs."""
    return GraphError(
        100,
        f"Unsupported request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.",
        title="Unsupported post request",
    )


def new_wamid(wa_id: str) -> str:
    """A unique message id shaped like Meta's (base64 of a small record naming the recipient)."""
    digits = wa_id.encode("ascii")[:40]
    record = (
        b"\x1c\x18"
        + bytes([len(digits)])
        + digits
        + b"\x15\x02\x00\x11\x18\x12"
        + os.urandom(9).hex().upper().encode()
        + b"\x00"
    )
    return "wamid." + base64.b64encode(record).decode("ascii")
