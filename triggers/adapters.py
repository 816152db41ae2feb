"""Shop webhooks turned into trigger events (field mapping in docs/triggers.md).

Shopify (``X-Shopify-Topic``):

* ``orders/create`` -> ``order.created``; ``fulfillments/create`` -> ``order.shipped`` (with the
  tracking number, URL and carrier).

WooCommerce (``X-WC-Webhook-Topic``):

* ``order.created`` -> ``order.created``; ``order.updated`` -> ``order.<status>`` (``order.processing``,
  ``order.completed``, ...): each status change is its own event.

Event ids are made from the shop's own ids (``shopify-order-<id>``,
``shopify-fulfillment-<id>``, ``woocommerce-order-<id>-<status>``), so a webhook the shop
delivers again, or a second ``order.updated`` with an unchanged status, sends once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triggers.events import Event, EventError, parse_event

SHOPIFY_TOPICS = ("orders/create", "fulfillments/create")
WOOCOMMERCE_TOPICS = ("order.created", "order.updated")


class Ignored(Exception):
    """A webhook that is not a customer event wagate sends for (answered 200, not quarantined)."""


def shopify_event(topic: str | None, payload: object) -> Event:
    """The trigger event of a Shopify webhook body."""
    if not isinstance(payload, dict):
        raise EventError("the Shopify webhook body is not a JSON object")
    if topic == "orders/create":
        return parse_event(_shopify_order(payload))
    if topic == "fulfillments/create":
        return parse_event(_shopify_fulfillment(payload))
    raise Ignored(f"Shopify topic {topic!r} is not used (wagate handles {', '.join(SHOPIFY_TOPICS)})")


def _shopify_order(order: Mapping[str, Any]) -> dict[str, Any]:
    customer = _dict(order.get("customer"))
    shipping = _dict(order.get("shipping_address"))
    billing = _dict(order.get("billing_address"))
    phone = _first(customer.get("phone"), order.get("phone"), shipping.get("phone"), billing.get("phone"))
    name = _first(customer.get("first_name"), shipping.get("first_name"), billing.get("first_name"))
    last = _first(customer.get("last_name"), shipping.get("last_name"), billing.get("last_name"))
    return {
        "id": f"shopify-order-{_id(order, 'Shopify order')}",
        "type": "order.created",
        "occurred_at": order.get("created_at"),
        "order_id": _first(order.get("name"), order.get("order_number"), order.get("id")),
        "customer": {
            "phone": phone,
            "name": " ".join(p for p in (name, last) if p) or None,
            "language": _first(order.get("customer_locale")),
            "country": _first(shipping.get("country_code"), billing.get("country_code")),
        },
        "fields": {
            "total": order.get("total_price"),
            "currency": order.get("currency"),
            "items": len(order.get("line_items") or []),
            "shop_order_id": order.get("id"),
        },
    }


def _shopify_fulfillment(fulfillment: Mapping[str, Any]) -> dict[str, Any]:
    destination = _dict(fulfillment.get("destination"))
    numbers = fulfillment.get("tracking_numbers") or []
    urls = fulfillment.get("tracking_urls") or []
    name = _first(fulfillment.get("name"))
    return {
        "id": f"shopify-fulfillment-{_id(fulfillment, 'Shopify fulfillment')}",
        "type": "order.shipped",
        "occurred_at": _first(fulfillment.get("created_at"), fulfillment.get("updated_at")),
        # "#1001.1" is the fulfilment of order #1001
        "order_id": name.rsplit(".", 1)[0] if name else _first(fulfillment.get("order_id")),
        "customer": {
            "phone": _first(destination.get("phone")),
            "name": " ".join(p for p in (destination.get("first_name"), destination.get("last_name")) if p)
            or None,
            "country": _first(destination.get("country_code")),
        },
        "fields": {
            "tracking_number": _first(fulfillment.get("tracking_number"), *numbers),
            "tracking_url": _first(fulfillment.get("tracking_url"), *urls),
            "carrier": _first(fulfillment.get("tracking_company")),
            "shop_order_id": fulfillment.get("order_id"),
        },
    }


def woocommerce_event(topic: str | None, payload: object) -> Event:
    """The trigger event of a WooCommerce webhook body."""
    if not isinstance(payload, dict):
        raise EventError("the WooCommerce webhook body is not a JSON object")
    if topic not in WOOCOMMERCE_TOPICS:
        raise Ignored(
            f"WooCommerce topic {topic!r} is not used (wagate handles {', '.join(WOOCOMMERCE_TOPICS)})"
        )
    status = _first(payload.get("status")) or "unknown"
    kind = "order.created" if topic == "order.created" else f"order.{status}"
    suffix = "created" if topic == "order.created" else status
    billing = _dict(payload.get("billing"))
    shipping = _dict(payload.get("shipping"))
    when = _first(payload.get("date_modified_gmt"), payload.get("date_created_gmt"))
    if topic == "order.created":
        when = _first(payload.get("date_created_gmt"), when)
    return parse_event(
        {
            "id": f"woocommerce-order-{_id(payload, 'WooCommerce order')}-{suffix}",
            "type": kind,
            # WooCommerce's *_gmt times carry no offset; they are UTC
            "occurred_at": f"{when}Z" if when and not when.endswith("Z") else when,
            "order_id": _first(payload.get("number"), payload.get("id")),
            "customer": {
                "phone": _first(billing.get("phone"), shipping.get("phone")),
                "name": " ".join(p for p in (billing.get("first_name"), billing.get("last_name")) if p)
                or None,
                "country": _first(billing.get("country"), shipping.get("country")),
            },
            "fields": {
                "status": status,
                "total": payload.get("total"),
                "currency": payload.get("currency"),
                "shop_order_id": payload.get("id"),
            },
        }
    )


def _id(payload: Mapping[str, Any], what: str) -> str:
    value = _first(payload.get("id"))
    if value is None:
        raise EventError(f"the {what} has no id")
    return value


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(*values: object) -> str | None:
    """The first value that is a non-empty string or a number, as text."""
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float) or (isinstance(value, str) and value.strip()):
            return str(value).strip()
    return None
