"""Webhook bodies exactly as Meta posts them, built as JSON text.

Meta serialises with non-ASCII escaped as ``\\uXXXX`` and slashes escaped as ``\\/``; the
builders here do the same, so the landing files look like the raw POST bodies a receiver
stores. Status objects are built from string templates because there are millions of them;
the rarer inbound and business bodies go through :func:`meta_json`.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass

from pipelines.synthetic.people import number_pool

OBJECT = "whatsapp_business_account"
_WAMID_MASK_OUT = (1 << 72) - 1  # 18 hex digits in outbound ids
_WAMID_MASK_IN = (1 << 80) - 1  # 20 hex digits in inbound ids
_SPREAD = 0x9E3779B97F4A7C15F39  # odd: n -> n * _SPREAD mod 2**k is a bijection, so ids never repeat


def meta_json(value: object) -> str:
    """Compact JSON with Meta's escaping (``\\uXXXX`` for non-ASCII, ``\\/`` for slashes)."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


@dataclass(frozen=True, slots=True)
class Business:
    """The WABA and its sending numbers (``display`` are digits without ``+``)."""

    waba_id: str
    portfolio_id: str
    phone_ids: tuple[str, ...]
    display: tuple[str, ...]

    def metadata(self, phone: int) -> dict[str, str]:
        """``value.metadata`` for messages sent from or to sending number ``phone``."""
        return {"display_phone_number": self.display[phone], "phone_number_id": self.phone_ids[phone]}


def build_business(rng: random.Random) -> Business:
    """A WABA with a mainland China and a Hong Kong sending number."""

    def graph_id() -> str:
        return str(rng.randrange(10**14, 10**15))

    numbers = (number_pool(rng, "CN", 1)[0], number_pool(rng, "HK", 1)[0])
    return Business(
        waba_id=graph_id(),
        portfolio_id=graph_id(),
        phone_ids=(graph_id(), graph_id()),
        display=tuple(n[1:] for n in numbers),
    )


class WamidFactory:
    """Unique ``wamid.HBg...`` ids shaped like Meta's (base64 of the number and a hex serial)."""

    def __init__(self, rng: random.Random) -> None:
        self._out = rng.getrandbits(72)
        self._in = rng.getrandbits(80)

    def outbound(self, wa_id: str) -> str:
        """The id the send call returns for a message to ``wa_id``."""
        self._out = (self._out + _SPREAD) & _WAMID_MASK_OUT
        serial = f"{(self._out * _SPREAD) & _WAMID_MASK_OUT:018X}"
        raw = b"\x1c\x18" + bytes((len(wa_id),)) + wa_id.encode() + b"\x15\x02\x00\x11\x18\x12"
        return "wamid." + base64.b64encode(raw + serial.encode() + b"\x00").decode()

    def inbound(self, wa_id: str) -> str:
        """The id of a message ``wa_id`` sent to the business."""
        self._in = (self._in + _SPREAD) & _WAMID_MASK_IN
        serial = f"{(self._in * _SPREAD) & _WAMID_MASK_IN:020X}"
        raw = b"\x1c\x18" + bytes((len(wa_id),)) + wa_id.encode() + b"\x15\x02\x00\x12\x18\x14"
        return "wamid." + base64.b64encode(raw + serial.encode() + b"\x00").decode()


def status_json(wamid: str, status: str, ts: int, recipient: str, extra: str = "") -> str:
    """One ``statuses[]`` object; ``extra`` holds the optional members, each starting with ``,``."""
    return f'{{"id":"{wamid}","status":"{status}","timestamp":"{ts}","recipient_id":"{recipient}"{extra}}}'


def pricing_json(category: str, kind: str = "regular") -> str:
    """``,"pricing":{...}`` (per-message pricing, PMP)."""
    billable = "true" if kind == "regular" else "false"
    return (
        f',"pricing":{{"billable":{billable},"pricing_model":"PMP","type":"{kind}","category":"{category}"}}'
    )


def conversation_json(conversation_id: str, origin: str, expires: int | None) -> str:
    """``,"conversation":{...}``; the expiry is only on the ``sent`` status."""
    expiry = f',"expiration_timestamp":"{expires}"' if expires is not None else ""
    return f',"conversation":{{"id":"{conversation_id}"{expiry},"origin":{{"type":"{origin}"}}}}'


def statuses_change_prefix(business: Business, phone: int) -> str:
    """Opening of a ``messages`` change that carries ``statuses[]`` for sending number ``phone``."""
    meta = meta_json(business.metadata(phone))
    return f'{{"value":{{"messaging_product":"whatsapp","metadata":{meta},"statuses":['


STATUSES_CHANGE_SUFFIX = ']},"field":"messages"}'


def messages_change(business: Business, phone: int, wa_id: str, name: str, message: dict[str, object]) -> str:
    """A ``messages`` change with one inbound message and the sender's contact."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": business.metadata(phone),
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return meta_json({"value": value, "field": "messages"})


def user_preferences_change(
    business: Business, phone: int, wa_id: str, name: str, stop: bool, ts: int
) -> str:
    """A ``user_preferences`` change: the user stopped or resumed marketing messages."""
    verb = "stop" if stop else "resume"
    value = {
        "messaging_product": "whatsapp",
        "metadata": business.metadata(phone),
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "user_preferences": [
            {
                "wa_id": wa_id,
                "detail": f"User requested to {verb} marketing messages",
                "category": "marketing_messages",
                "value": verb,
                "timestamp": ts,  # an int here, unlike message and status timestamps
            }
        ],
    }
    return meta_json({"value": value, "field": "user_preferences"})


def entry_json(waba_id: str, changes: list[str], time: int | None = None) -> str:
    """One ``entry[]`` item; business-management fields carry ``time``."""
    stamp = f',"time":{time}' if time is not None else ""
    return f'{{"id":"{waba_id}"{stamp},"changes":[{",".join(changes)}]}}'


def body_json(entries: list[str]) -> str:
    """A whole POST body."""
    return f'{{"object":"{OBJECT}","entry":[{",".join(entries)}]}}'
