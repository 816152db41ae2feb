"""The trigger event: a small JSON record of something that happened to a customer's order.

Shape (docs/triggers.md)::

    {"id": "evt-123", "type": "order.shipped", "occurred_at": "2025-06-03T14:00:00Z",
     "order_id": "A-100",
     "customer": {"phone": "+4915123456789", "name": "Ana", "language": "de"},
     "fields": {"tracking_number": "1Z999"}}

``customer`` may also carry ``country``, ``timezone``, ``last_inbound_at`` (the customer's last
WhatsApp message, which opens the 24-hour service window) and ``consent`` (a grant recorded by the
shop: ``at``, ``method``, ``source``, ``text_version``; ``"consent": false`` means none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.phones import parse as parse_phone

_TYPE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")
_ID_MAX = 200


class EventError(ValueError):
    """An event that cannot be used: the message says what is wrong (sent back as the 4xx reason)."""


@dataclass(frozen=True, slots=True)
class Customer:
    """The person the event is about."""

    phone: str
    name: str | None = None
    language: str | None = None
    country: str | None = None
    timezone: str | None = None
    last_inbound_at: datetime | None = None
    consent: Mapping[str, Any] | None = None  # the shop's own record of the grant, when it sends one
    consent_refused: bool = False  # "consent": false: the customer did not agree to WhatsApp updates


@dataclass(frozen=True, slots=True)
class Event:
    """One business event, validated."""

    id: str
    type: str
    occurred_at: datetime
    order_id: str
    customer: Customer
    fields: Mapping[str, Any] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        """The names mapping templates see (Jinja2): the event as it was sent, plus ``event_id``."""
        customer = self.customer
        return {
            "id": self.id,
            "event_id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "order_id": self.order_id,
            "customer": {
                "phone": customer.phone,
                "name": customer.name,
                "first_name": (customer.name or "").split(" ")[0] or None,
                "language": customer.language,
                "country": customer.country,
            },
            "fields": dict(self.fields),
        }

    def to_json(self) -> dict[str, Any]:
        """The event in its documented JSON shape (journal and replay)."""
        customer: dict[str, Any] = {"phone": self.customer.phone}
        for key in ("name", "language", "country", "timezone"):
            value = getattr(self.customer, key)
            if value is not None:
                customer[key] = value
        if self.customer.last_inbound_at is not None:
            customer["last_inbound_at"] = self.customer.last_inbound_at.isoformat()
        if self.customer.consent_refused:
            customer["consent"] = False
        elif self.customer.consent is not None:
            customer["consent"] = dict(self.customer.consent)
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "order_id": self.order_id,
            "customer": customer,
            "fields": dict(self.fields),
        }


def parse_event(data: object) -> Event:
    """Validate one decoded JSON event; :class:`EventError` names the first problem."""
    if not isinstance(data, dict):
        raise EventError("an event must be a JSON object")
    event_id = _text(data, "id", limit=_ID_MAX)
    kind = _text(data, "type")
    if not _TYPE.match(kind):
        raise EventError(
            f"type {kind!r}: use lower-case letters, digits, '.', '_' or '-' (e.g. order.shipped)"
        )
    occurred = parse_time(data.get("occurred_at"), "occurred_at")
    order_id = data.get("order_id")
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        order_id = str(order_id)
    if not isinstance(order_id, str) or not order_id.strip():
        raise EventError("order_id is missing: every triggered message refers to the customer's order")
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise EventError("fields must be a JSON object")
    return Event(event_id, kind, occurred, order_id.strip(), _customer(data.get("customer")), fields)


def _customer(value: object) -> Customer:
    if not isinstance(value, dict):
        raise EventError("customer is missing (an object with at least phone)")
    phone = value.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        raise EventError("customer.phone is missing: the number to send to, in international format (+49...)")
    country = _optional(value, "country")
    consent = value.get("consent")
    if consent is not None and not isinstance(consent, dict | bool):
        raise EventError("customer.consent must be an object (at, method, source, text_version) or false")
    inbound = value.get("last_inbound_at")
    return Customer(
        phone=_e164(phone, country),
        name=_optional(value, "name"),
        language=_optional(value, "language"),
        country=country,
        timezone=_optional(value, "timezone"),
        last_inbound_at=None if inbound in (None, "") else parse_time(inbound, "customer.last_inbound_at"),
        consent=consent if isinstance(consent, dict) else None,
        consent_refused=consent is False,
    )


def _e164(phone: str, country: str | None) -> str:
    """The number in E.164; a national number is read in ``country`` (shops often store those)."""
    region = country.upper() if country and len(country) == 2 else None
    parsed = parse_phone(phone, region)
    if parsed is None or not parsed.valid:
        # the number itself is not repeated: the reason goes back over HTTP and into logs
        where = f" for country {region}" if region else ""
        raise EventError(
            f"customer.phone is not a valid phone number{where}; give it in international format (+49...)"
        )
    return parsed.e164


def parse_time(value: object, name: str) -> datetime:
    """An ISO 8601 time with an offset (``Z`` accepted), as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{name} is missing (ISO 8601 with a time zone, e.g. 2025-06-03T14:00:00Z)")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise EventError(f"{name} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise EventError(f"{name} {value!r} has no time zone; add Z or an offset such as +02:00")
    return moment.astimezone(UTC)


def _text(data: Mapping[str, Any], key: str, *, limit: int = 64) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{key} is missing")
    if len(value) > limit:
        raise EventError(f"{key} is longer than {limit} characters")
    return value.strip()


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise EventError(f"customer.{key} must be a string")
    return value.strip()


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One record read from a file: its decoded JSON, or why it could not be decoded."""

    where: str  # "events.ndjson:3"
    data: object
    error: str | None = None


def read_event_file(path: Path) -> Iterator[RawEvent]:
    """Records of a JSON object, JSON array or NDJSON file (bad lines come back with an error)."""
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if not stripped:
        return
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
        if stripped[0] == "[":
            yield RawEvent(path.name, text, "not valid JSON (a JSON array that does not parse)")
            return
    else:
        records = whole if isinstance(whole, list) else [whole]
        for index, record in enumerate(records, start=1):
            yield RawEvent(f"{path.name}[{index}]", record)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield RawEvent(f"{path.name}:{number}", json.loads(line))
        except json.JSONDecodeError as exc:
            yield RawEvent(f"{path.name}:{number}", line, f"line {number} is not valid JSON: {exc.msg}")
