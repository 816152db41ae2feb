"""Graph API errors as Meta shapes them: a code, a title, details, and the HTTP status they come with.

Every refusal the emulator gives is a :class:`GraphError`; :func:`error_body` turns it into the
body Meta sends (``{"error": {"message": "(#CODE) Title", "type": "OAuthException", ...}}``).
Meta asks clients to act on ``code`` and ``error_data.details``, not on the HTTP status or the
title, so the titles here follow Meta's error-code table closely but are not load-bearing.
"""

from __future__ import annotations

import base64
import os
from typing import Any

# Titles of the send-time codes (Meta's error-code table); details are per failure.
TITLES: dict[int, str] = {
    100: "Invalid parameter",
    190: "Access token has expired",
    368: "Temporarily blocked for policies violations",
    2500: "Unknown path components",
    2635: "You are calling a deprecated version of the Graph API",
    130429: "Rate limit hit",
    130472: "User's number is part of an experiment",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131021: "Recipient cannot be sender",
    131026: "Message undeliverable",
    131031: "Business Account locked",
    131042: "Business eligibility payment issue",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131050: "User has stopped marketing messages from your business",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132005: "Translated text too long",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is Paused",
    132016: "Template is Disabled",
    132018: "There was an issue with the parameters in your template.",
}

# Meta answers 400 for almost every Graph error; an unusable token is 401, its own failures 5xx.
_HTTP_STATUS: dict[int, int] = {190: 401, 131000: 500}

ERROR_CODES_HREF = "/documentation/business-messaging/whatsapp/support/error-codes"


class GraphError(Exception):
    """A refusal with Meta's code, the details Meta would give, and the HTTP status it comes with."""

    def __init__(self, code: int, details: str, *, title: str = "", http_status: int = 0) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details
        self.title = title
        self.http_status = http_status

    @property
    def status(self) -> int:
        """HTTP status of the answer."""
        return self.http_status or _HTTP_STATUS.get(self.code, 400)

    @property
    def heading(self) -> str:
        """The title (Meta's, unless one was given)."""
        return self.title or TITLES.get(self.code, "Unknown error")

    def __str__(self) -> str:
        return f"({self.code}) {self.heading}: {self.details}"


def fbtrace_id() -> str:
    """A fresh trace id shaped like Meta's (about 20 URL-safe characters)."""
    return base64.urlsafe_b64encode(os.urandom(15)).decode("ascii")[:20]


def error_body(error: GraphError) -> dict[str, Any]:
    """The JSON body Meta answers a failed call with."""
    return {
        "error": {
            "message": f"(#{error.code}) {error.heading}",
            "type": "OAuthException",
            "code": error.code,
            "error_data": {"messaging_product": "whatsapp", "details": error.details},
            "fbtrace_id": fbtrace_id(),
        }
    }


def webhook_error(code: int, details: str) -> dict[str, Any]:
    """The ``errors[]`` item of a ``failed`` status webhook (``title`` equals ``message``)."""
    title = TITLES.get(code, "Unknown error")
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERROR_CODES_HREF,
    }
