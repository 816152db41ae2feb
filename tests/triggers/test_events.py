"""The event format, the files it comes in, and the shop adapters' field mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.triggers.test_server import SHOPIFY_FULFILLMENT, WOO_ORDER
from triggers.adapters import Ignored, shopify_event, woocommerce_event
from triggers.events import EventError, parse_event, read_event_file

GOOD = {
    "id": "evt-123",
    "type": "order.shipped",
    "occurred_at": "2025-06-03T16:00:00+02:00",
    "order_id": "A-100",
    "customer": {"phone": "+4915123456789", "name": "Ana Lima", "language": "de"},
    "fields": {"tracking_number": "1Z999"},
}


def test_a_valid_event_is_read_with_its_time_in_utc() -> None:
    event = parse_event(GOOD)
    assert event.occurred_at == datetime(2025, 6, 3, 14, 0, tzinfo=UTC)
    assert (event.customer.phone, event.customer.language, event.order_id) == (
        "+4915123456789",
        "de",
        "A-100",
    )
    assert event.context()["customer"]["first_name"] == "Ana"
    assert parse_event(event.to_json()) == event


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": ""}, "id is missing"),
        ({"type": "Order Shipped"}, "type 'Order Shipped'"),
        ({"occurred_at": "2025-06-03T16:00:00"}, "has no time zone"),
        ({"occurred_at": "yesterday"}, "is not an ISO 8601 time"),
        ({"order_id": None}, "order_id is missing"),
        ({"customer": {"name": "Ana"}}, "customer.phone is missing"),
        ({"fields": []}, "fields must be a JSON object"),
    ],
)
def test_a_bad_event_names_what_is_wrong(change: dict[str, object], expected: str) -> None:
    with pytest.raises(EventError, match=expected.replace("(", r"\(")):
        parse_event({**GOOD, **change})


def test_event_files_may_be_one_object_an_array_or_ndjson_and_bad_lines_are_reported(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text('{"id": "a"}', encoding="utf-8")
    array = tmp_path / "many.json"
    array.write_text('[{"id": "a"}, {"id": "b"}]', encoding="utf-8")
    lines = tmp_path / "events.ndjson"
    lines.write_text('{"id": "a"}\n\n{broken\n{"id": "c"}\n', encoding="utf-8")
    assert [r.data for r in read_event_file(single)] == [{"id": "a"}]
    assert [r.data for r in read_event_file(array)] == [{"id": "a"}, {"id": "b"}]
    records = list(read_event_file(lines))
    assert [(r.where, r.error is None) for r in records] == [
        ("events.ndjson:1", True),
        ("events.ndjson:3", False),
        ("events.ndjson:4", True),
    ]


def test_a_shopify_fulfillment_becomes_order_shipped_with_its_tracking() -> None:
    event = shopify_event("fulfillments/create", SHOPIFY_FULFILLMENT)
    assert (event.id, event.type, event.order_id) == (
        "shopify-fulfillment-4455667788",
        "order.shipped",
        "#1001",
    )
    assert event.occurred_at == datetime(2025, 6, 3, 15, 30, tzinfo=UTC)
    assert (event.customer.phone, event.customer.name, event.customer.country) == (
        "+4915120000002",
        "Ben Ortiz",
        "DE",
    )
    assert event.fields["tracking_number"] == "1Z999AA10123456784"
    assert event.fields["carrier"] == "UPS"
    assert event.fields["tracking_url"].startswith("https://www.ups.com/")


def test_a_shopify_order_takes_the_customers_phone_and_locale() -> None:
    order = {
        "id": 820982911946154508,
        "name": "#9999",
        "created_at": "2025-06-01T12:00:00+00:00",
        "phone": None,
        "customer_locale": "pt-BR",
        "currency": "BRL",
        "total_price": "199.00",
        "line_items": [{"id": 1}, {"id": 2}],
        "customer": {"first_name": "Rui", "last_name": "Costa", "phone": "+5511987654321"},
        "shipping_address": {"phone": "+5511900000000", "country_code": "BR"},
    }
    event = shopify_event("orders/create", order)
    assert (event.id, event.type, event.order_id) == (
        "shopify-order-820982911946154508",
        "order.created",
        "#9999",
    )
    assert (event.customer.phone, event.customer.language, event.customer.country) == (
        "+5511987654321",
        "pt-BR",
        "BR",
    )
    assert event.fields["items"] == 2


def test_a_woocommerce_status_change_is_its_own_event_type_and_id() -> None:
    event = woocommerce_event("order.updated", WOO_ORDER)
    assert (event.id, event.type, event.order_id) == (
        "woocommerce-order-4750-completed",
        "order.completed",
        "4750",
    )
    # date_modified_gmt has no offset: it is UTC
    assert event.occurred_at == datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
    assert event.customer.phone == "+4915120000001"
    created = woocommerce_event("order.created", {**WOO_ORDER, "status": "processing"})
    assert (created.id, created.type, created.occurred_at.day) == (
        "woocommerce-order-4750-created",
        "order.created",
        1,
    )


def test_topics_that_are_not_customer_events_are_ignored_and_orders_without_a_phone_are_bad() -> None:
    with pytest.raises(Ignored):
        shopify_event("products/update", {"id": 1})
    with pytest.raises(Ignored):
        woocommerce_event("coupon.created", {"id": 1})
    with pytest.raises(EventError, match=r"customer\.phone is missing"):
        woocommerce_event("order.created", {**WOO_ORDER, "billing": {"first_name": "Ana"}})


def test_phone_numbers_are_normalised_and_national_ones_read_in_the_customers_country() -> None:
    national = parse_event({**GOOD, "customer": {"phone": "0151 2345 6789", "country": "DE"}})
    assert national.customer.phone == "+4915123456789"
    spaced = parse_event({**GOOD, "customer": {"phone": "+49 (151) 2345-6789"}})
    assert spaced.customer.phone == "+4915123456789"
    with pytest.raises(EventError, match="not a valid phone number; give it"):
        parse_event({**GOOD, "customer": {"phone": "0151 2345 6789"}})
    with pytest.raises(EventError, match="not a valid phone number"):
        parse_event({**GOOD, "customer": {"phone": "+49 12"}})
