"""GET the phone number and the WABA's templates, as the sender may before a campaign."""

from __future__ import annotations

import httpx

from tests.sender.emulator.conftest import PHONE_ID, WABA_ID
from tests.sender.emulator.test_validation import assert_error


def test_phone_number_fields(client: httpx.Client) -> None:
    fields = "display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit"
    answer = client.get(f"/v25.0/{PHONE_ID}", params={"fields": fields}).json()
    assert answer == {
        "display_phone_number": "+1 555-000-1234",
        "verified_name": "wagate emulator",
        "quality_rating": "GREEN",
        "throughput": {"level": "HIGH"},  # this emulator runs at 1,000 messages/s
        "whatsapp_business_manager_messaging_limit": "TIER_UNLIMITED",
        "id": PHONE_ID,
    }


def test_an_unknown_field_is_100(client: httpx.Client) -> None:
    assert_error(
        client.get(f"/v25.0/{PHONE_ID}", params={"fields": "colour"}),
        100,
        details="nonexisting field (colour)",
    )


def test_message_templates_lists_and_filters(client: httpx.Client) -> None:
    every = client.get(f"/v25.0/{WABA_ID}/message_templates").json()["data"]
    assert {(t["name"], t["language"], t["status"]) for t in every} >= {
        ("spring_sale", "en_US", "APPROVED"),
        ("order_update", "es", "APPROVED"),
        ("old_promo", "en_US", "PAUSED"),
    }
    (one,) = client.get(f"/v25.0/{WABA_ID}/message_templates", params={"name": "order_update"}).json()["data"]
    assert one["category"] == "UTILITY" and one["components"][1]["type"] == "BODY" and one["id"].isdigit()
    paused = client.get(
        f"/v25.0/{WABA_ID}/message_templates", params={"status": "PAUSED", "fields": "name"}
    ).json()
    assert [t["name"] for t in paused["data"]] == ["old_promo"]
    assert set(paused["data"][0]) == {"name", "id"}


def test_templates_of_another_waba_are_not_found(client: httpx.Client) -> None:
    assert_error(client.get("/v25.0/123/message_templates"), 100, details="'123' does not exist")
