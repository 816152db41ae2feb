"""What the sender does with each Graph API error code (whatsapp-platform.md §7), as data.

Meta asks integrators to build logic on ``error.code`` (and ``error_data.details``), never on the
HTTP status or the title, so the table is keyed by code. Codes that are not listed are recorded
as ``rejected`` in the send log and the campaign goes on with the next message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.phones import mask_numbers_in


class Action(StrEnum):
    """The sender's reaction to an error."""

    RETRY = "retry"  # transient: back off (exponential, full jitter) and try the same message again
    THROTTLE = "throttle"  # the campaign is too fast: retry, and slow the whole campaign down
    PAIR_WAIT = "pair-wait"  # too many messages to this recipient: retry it after 4^X seconds
    STOP_ACCOUNT = "stop-account"  # the account cannot send: stop the campaign at once
    STOP_TEMPLATE = "stop-template"  # the template cannot be sent: stop the campaign at once
    REJECT = "reject"  # this message failed: record it and go on


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """How one code (or range of codes) is handled."""

    first: int
    last: int
    action: Action
    meaning: str
    advice: str = ""
    max_attempts: int | None = None  # a lower cap than the configured one (code 1: once, 131000: limited)
    min_wait: float = 0.0  # seconds to wait at least before a retry (131057: maintenance up to a minute)

    def covers(self, code: int) -> bool:
        """Whether this rule is about ``code``."""
        return self.first <= code <= self.last


def _rule(
    code: int | tuple[int, int], action: Action, meaning: str, advice: str = "", **kw: float
) -> ErrorRule:
    first, last = (code, code) if isinstance(code, int) else code
    attempts = kw.get("max_attempts")
    return ErrorRule(
        first,
        last,
        action,
        meaning,
        advice,
        max_attempts=int(attempts) if attempts is not None else None,
        min_wait=float(kw.get("min_wait", 0.0)),
    )


_TOKEN = "create a new access token (a system-user token does not expire) and set WAGATE_ACCESS_TOKEN"
_PERMISSION = "grant the app whatsapp_business_messaging for this WABA in Business Settings"
_BILLING = "add or fix the WABA's payment method in WhatsApp Manager, then resume"
_POLICY = "read the notice in WhatsApp Manager (Account quality); resume only when the restriction is lifted"
_NUMBER = "register the phone number (POST /{phone_number_id}/register) or check the phone_number_id"

RULES: tuple[ErrorRule, ...] = (
    _rule(
        0, Action.STOP_ACCOUNT, "the access token could not be authenticated (expired or invalidated)", _TOKEN
    ),
    _rule(1, Action.RETRY, "invalid request or a possible server error", max_attempts=2),
    _rule(2, Action.RETRY, "the API is temporarily down or overloaded"),
    _rule(3, Action.STOP_ACCOUNT, "the app lacks the capability or permission for this call", _PERMISSION),
    _rule(4, Action.THROTTLE, "too many API calls for this app"),
    _rule(10, Action.STOP_ACCOUNT, "permission denied or not granted", _PERMISSION),
    _rule(33, Action.STOP_ACCOUNT, "the business phone number was deleted", _NUMBER),
    _rule(190, Action.STOP_ACCOUNT, "the access token has expired", _TOKEN),
    _rule((200, 299), Action.STOP_ACCOUNT, "an API permission is missing or was removed", _PERMISSION),
    _rule(368, Action.STOP_ACCOUNT, "the account is temporarily blocked for policy violations", _POLICY),
    _rule(80007, Action.THROTTLE, "the WABA's rate limit was reached"),
    _rule(130429, Action.THROTTLE, "the phone number's throughput (messages per second) was exceeded"),
    _rule(
        130497, Action.STOP_ACCOUNT, "the WABA is restricted from messaging users in some countries", _POLICY
    ),
    _rule(131000, Action.RETRY, "unknown error at Meta", max_attempts=3),
    _rule(131005, Action.STOP_ACCOUNT, "access denied", _PERMISSION),
    _rule(131016, Action.RETRY, "the service is temporarily unavailable"),
    _rule(131031, Action.STOP_ACCOUNT, "the business account is locked or restricted", _POLICY),
    _rule(131042, Action.STOP_ACCOUNT, "there is a problem with the payment method", _BILLING),
    _rule(131045, Action.STOP_ACCOUNT, "the phone number is not registered", _NUMBER),
    _rule(131056, Action.PAIR_WAIT, "too many messages to this recipient in a short time (pair rate)"),
    _rule(131057, Action.RETRY, "the business account is in maintenance mode", min_wait=15.0),
    _rule(
        131063,
        Action.STOP_ACCOUNT,
        "marketing templates are disabled for the Cloud API on this WABA",
        "use the Marketing Messages API or re-enable Cloud API marketing for the WABA",
    ),
    _rule(
        131064,
        Action.STOP_ACCOUNT,
        "the messaging limit was lowered for template-classification violations",
        "wait for the enforcement period to end (see WhatsApp Manager)",
    ),
    _rule(
        132001,
        Action.STOP_TEMPLATE,
        "the template does not exist in this language or is not approved",
        "check the template's name, language and status in WhatsApp Manager",
    ),
    _rule(
        132015,
        Action.STOP_TEMPLATE,
        "the template is paused for low quality",
        "improve or replace the template; resume after it is unpaused",
    ),
    _rule(
        132016,
        Action.STOP_TEMPLATE,
        "the template is disabled permanently (paused too often)",
        "create a new template and point the plan at it",
    ),
    _rule(
        (133000, 133016),
        Action.STOP_ACCOUNT,
        "the phone number's registration is incomplete or failed",
        _NUMBER,
    ),
)
_BY_CODE = {rule.first: rule for rule in RULES if rule.first == rule.last}
_RANGES = tuple(rule for rule in RULES if rule.first != rule.last)

SERVER_ERROR = ErrorRule(500, 599, Action.RETRY, "the API answered with a server error")
UNLISTED = ErrorRule(-1, -1, Action.REJECT, "the API rejected this message")


def rule_for(code: int | None, http_status: int) -> ErrorRule:
    """The rule for an error answer: by Meta code, else by HTTP status (5xx retry, anything else reject)."""
    if code is not None:
        found = _BY_CODE.get(code) or next((rule for rule in _RANGES if rule.covers(code)), None)
        if found is not None:
            return found
    if 500 <= http_status <= 599:
        return SERVER_ERROR
    return UNLISTED


def is_stop(rule: ErrorRule) -> bool:
    """Whether the campaign stops on this error."""
    return rule.action in (Action.STOP_ACCOUNT, Action.STOP_TEMPLATE)


def stop_message(rule: ErrorRule, code: int | None, title: str) -> str:
    """One line naming the code, what it means and what to do."""
    scope = "template" if rule.action is Action.STOP_TEMPLATE else "account"
    text = f"stopped: the API answered error {code} ({rule.meaning})"
    if title:
        text += f" — {mask_numbers_in(title.strip())}"  # titles are Meta's words, but never print a number
    if rule.advice:
        text += f"; {scope}-level error: {rule.advice}"
    return text
