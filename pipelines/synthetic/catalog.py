"""What the synthetic business sends: templates, campaigns and the Graph API errors it meets.

The business is a Chinese exporter with a WhatsApp Business Account (WABA) and two sending
numbers: a mainland mobile for marketing and a Hong Kong number for order traffic. Campaign
timing is given as fractions of the simulated period so that short and long specs both get
every wave, pause and business event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MARKETING = "marketing"
UTILITY = "utility"
AUTHENTICATION = "authentication"
SERVICE = "service"

FREE_FORM = "-"  # campaign/template/language of free-form (service) sends, per metrics.md
OPT_OUT_PAYLOADS = ("STOP_PROMO", "UNSUBSCRIBE")


@dataclass(frozen=True, slots=True)
class Template:
    """An approved message template and the quick-reply buttons users can tap."""

    name: str
    category: str
    languages: tuple[str, ...]
    template_id: int
    buttons: tuple[tuple[str, str], ...] = ()  # (payload, label); payload == label when unset


@dataclass(frozen=True, slots=True)
class Wave:
    """One blast of a campaign: starts at a fraction of the period and lasts some hours."""

    start: float
    hours: float
    share: float


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign of the send plan: one template, sent in waves or continuously."""

    name: str
    template: Template
    share: float  # of the planned outbound messages
    waves: tuple[Wave, ...] = ()  # empty: continuous traffic over the whole period
    phone: int = 0  # index into the business's sending numbers
    offset_hours: int = 0  # operators in Shenzhen write attempted_at in +08:00
    csv_log: bool = False  # this campaign's rows come from a spreadsheet export (send_log.csv)
    callback: bool = True  # the sender sets biz_opaque_callback_data = idempotency key
    repeat: bool = False  # the same person may get it several times (orders, logins)
    held_share: float = 0.0  # template pacing: share of sends held for quality assessment
    sandbox: bool = False  # sent from a test setup: most recipients are not on the allowed list


_EVERYWHERE = ("en_US", "es_MX", "pt_BR", "de", "fr", "ar", "id", "ru", "tr", "vi", "th", "zh_CN")

BF_PROMO = Template(
    "bf_promo_v2",
    MARKETING,
    ("en_US", "es_MX", "pt_BR", "de", "fr", "ar", "id", "zh_CN", "ru", "tr"),
    1094127730948851,
    (("SHOP_NOW", "Shop now"), ("STOP_PROMO", "Stop promotions")),
)
RESTOCK = Template(
    "restock_alert",
    MARKETING,
    ("en_US", "es_MX", "pt_BR", "ar", "zh_CN"),
    1165283310571629,
    (("RESERVE_STOCK", "Reserve stock"), ("STOP_PROMO", "Stop promotions")),
)
CANTON = Template(
    "canton_fair_2026_invite",
    MARKETING,
    ("en_US", "zh_CN", "ar", "ru", "es_MX"),
    2207731446218035,
    (("Book a meeting", "Book a meeting"), ("Not interested", "Not interested")),
)
CATALOG = Template(
    "catalog_q4_v1",
    MARKETING,
    ("en_US", "es_MX", "pt_BR"),
    1290855512390412,
    (("SEND_CATALOG", "Send me the PDF"), ("UNSUBSCRIBE", "Unsubscribe")),
)
ORDER_CONFIRMATION = Template(
    "order_confirmation",
    UTILITY,
    _EVERYWHERE,
    874431196213307,
    (("CONFIRM_ORDER", "Confirm"), ("CHANGE_ADDRESS", "Change address")),
)
ORDER_SHIPPED = Template("order_shipped", UTILITY, _EVERYWHERE, 874431196213415, (("TRACK", "Where is it?"),))
PAYMENT_REMINDER = Template(
    "payment_due_reminder", UTILITY, _EVERYWHERE, 903357740125598, (("PAID", "I already paid"),)
)
OTP_LOGIN = Template("otp_login", AUTHENTICATION, (*_EVERYWHERE, "it", "hi"), 771026318455120)
HELLO_WORLD = Template("hello_world", UTILITY, ("en_US",), 561190403452219)

# Marketing reaches each person at most once per campaign; the waves of black_friday_2026 are
# where the template degrades (YELLOW, RED, paused) -- see business.py.
CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("smoke_test", HELLO_WORLD, 0.002, (Wave(0.0, 1.0, 1.0),), sandbox=True),
    Campaign(
        "black_friday_2026",
        BF_PROMO,
        0.24,
        (Wave(0.60, 3.0, 0.40), Wave(0.70, 3.0, 0.35), Wave(0.84, 4.0, 0.25)),
    ),
    Campaign(
        "oct_restock",
        RESTOCK,
        0.11,
        (Wave(0.14, 2.0, 0.5), Wave(0.43, 2.0, 0.5)),
        offset_hours=8,
        callback=False,
    ),
    Campaign(
        "canton_fair_invite",
        CANTON,
        0.09,
        (Wave(0.21, 5.0, 1.0),),
        offset_hours=8,
        csv_log=True,
        callback=False,
    ),
    Campaign("new_catalog_q4", CATALOG, 0.09, (Wave(0.36, 6.0, 1.0),), held_share=0.25),
    Campaign("order_updates", ORDER_CONFIRMATION, 0.13, phone=1, repeat=True),
    Campaign("order_updates", ORDER_SHIPPED, 0.15, phone=1, repeat=True),
    Campaign("payment_reminders", PAYMENT_REMINDER, 0.06, phone=1, repeat=True, callback=False),
    Campaign("login_otp", OTP_LOGIN, 0.10, phone=1, repeat=True),
)

# (fraction of the period, hours) when black_friday_2026 goes RED and is paused for 3 hours.
# In the hours before, Meta paces the YELLOW template: some sends are held and, once the pause
# comes, dropped with 132015; sends during the pause are rejected with 132015.
PAUSED_TEMPLATE = BF_PROMO
PAUSE_AT = (0.84, 3.5)
PAUSE_HOURS = 3
PACED_HOURS = 2
PACED_SHARE = 0.2

ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

# code -> (title, details). Titles follow Meta's error-code table; details are paraphrased.
ERRORS: dict[int, tuple[str, str]] = {
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    130472: (
        "User's number is part of an experiment",
        "Failed to send message because this user's phone number is part of an experiment",
    ),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
    131026: (
        "Message undeliverable",
        "Unable to deliver message. Reasons can include: the recipient phone number is not a "
        "WhatsApp phone number; the recipient has not accepted the new Terms of Service; the "
        "recipient uses an old WhatsApp version.",
    ),
    131030: (
        "Recipient phone number not in allowed list",
        "Add the recipient phone number to the allowed list.",
    ),
    131047: (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
        "The user has stopped marketing messages from this business.",
    ),
    131051: ("Message type unknown", "Message type is currently not supported."),
    132000: (
        "Number of parameters does not match the expected number of params",
        "body: number of localizable_params (2) does not match the expected number of params (3)",
    ),
    132001: (
        "Template name does not exist in the translation",
        "template name does not exist in the language",
    ),
    132015: (
        "Template is Paused",
        "Template is paused due to low quality so it cannot be sent in a template message.",
    ),
}


def error_object(code: int, *, href: bool = True) -> dict[str, object]:
    """The error object Meta puts in ``statuses[].errors[]`` (title and message are the same)."""
    title, details = ERRORS[code]
    error: dict[str, object] = {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
    }
    if href:
        error["href"] = ERROR_HREF
    return error


def status_errors_json(code: int) -> str:
    """``,"errors":[...]`` for a failed status, escaped the way Meta posts it (``\\/`` in URLs)."""
    return ',"errors":[' + json.dumps(error_object(code), separators=(",", ":")).replace("/", "\\/") + "]"
