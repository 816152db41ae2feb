"""`wagate triggers serve` over HTTP: signatures, 202/422 answers, quarantine and replay, shop adapters."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from tests.sender.sendkit import emulator
from tests.triggers.kit import ANA, BEN, draft_files, event, intake, workspace, write_inputs
from triggers.intake import replay
from triggers.server import Secrets, running_server
from triggers.signatures import sign, sign_base64

SECRET = b"trigger-secret"
SHOP_SECRET = b"shopify-secret"
WOO_SECRET = b"woo-secret"
SECRETS = Secrets(native=(SECRET,), shopify=(SHOP_SECRET,), woocommerce=(WOO_SECRET,))


def _post(base: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{base}{path}", content=body, headers={"content-type": "application/json", **headers})


def _native(payload: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"X-Wagate-Signature": sign(body, SECRET)}


def test_a_signed_event_is_accepted_with_202_and_sent_once_even_when_posted_twice(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        with running_server(runner, SECRETS) as server:
            body, headers = _native(event("evt-http"))
            first = _post(server.base_url, "/events", body, headers)
            second = _post(server.base_url, "/events", body, headers)
            assert server.wait_idle()
        messages = emu.messages()
    assert (first.status_code, first.json()["accepted"]) == (202, "evt-http")
    assert second.status_code == 202
    assert [m.to for m in messages] == [ANA]
    statuses = [r["status"] for r in runner.journal.outcomes()]
    assert statuses == ["sent", "duplicate"]
    assert [r["event"]["id"] for r in runner.journal.events()] == ["evt-http", "evt-http"]


def test_missing_and_wrong_signatures_are_refused_and_nothing_is_sent(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        with running_server(intake(settings, mapping), SECRETS) as server:
            body, _ = _native(event("evt-sig"))
            missing = _post(server.base_url, "/events", body, {})
            wrong = _post(server.base_url, "/events", body, {"X-Wagate-Signature": sign(body, b"other")})
            malformed = _post(server.base_url, "/events", body, {"X-Wagate-Signature": "sha256=zz"})
            # a body signed for the native route does not pass the Shopify route
            shop = _post(
                server.base_url, "/shopify", body, {"X-Shopify-Hmac-Sha256": sign_base64(body, SECRET)}
            )
            assert server.wait_idle()
        messages = emu.messages()
    assert [r.status_code for r in (missing, wrong, malformed, shop)] == [401, 403, 403, 403]
    assert messages == []


def test_bad_events_get_422_with_the_reason_and_are_kept_then_replayed(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        with running_server(runner, SECRETS) as server:
            no_phone = event("evt-nophone")
            del no_phone["customer"]["phone"]
            answers = [
                _post(server.base_url, "/events", *_native(no_phone)),
                _post(server.base_url, "/events", *_native(event("evt-unknown", kind="order.lost"))),
                _post(
                    server.base_url,
                    "/events",
                    b"{not json",
                    {"X-Wagate-Signature": sign(b"{not json", SECRET)},
                ),
            ]
            assert server.wait_idle()
        assert [a.status_code for a in answers] == [422, 422, 422]
        reasons = [a.json()["error"] for a in answers]
        assert "customer.phone is missing" in reasons[0]
        assert "no mapping for event type 'order.lost'" in reasons[1]
        assert "not valid JSON" in reasons[2]
        kept = runner.journal.quarantined()
        assert [k.id for k in kept] == [a.json()["quarantined"] for a in answers]
        # the mapping learns the new event type; replay sends that one and keeps the other two
        text = mapping.read_text(encoding="utf-8").replace(
            '[events."order.created"]',
            '[events."order.lost"]\ndrafts = ["shipped_en.json"]\n[events."order.lost".parameters]\nbody = ["{{ customer.first_name }}", "{{ order_id }}"]\n\n[events."order.created"]',
        )
        mapping.write_text(text, encoding="utf-8")
        result = asyncio.run(replay(intake(settings, mapping)))
        messages = emu.messages()
    assert [(o.event_id, o.status) for o in result.outcomes] == [("evt-unknown", "sent")]
    assert len(result.still_bad) == 2
    assert [m.to for m in messages] == [ANA]
    assert len(runner.journal.quarantined()) == 2


SHOPIFY_FULFILLMENT: dict[str, Any] = {
    "id": 4455667788,
    "order_id": 5940139491234,
    "name": "#1001.1",
    "status": "success",
    "created_at": "2025-06-03T10:30:00-05:00",
    "tracking_company": "UPS",
    "tracking_number": "1Z999AA10123456784",
    "tracking_numbers": ["1Z999AA10123456784"],
    "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    "destination": {"first_name": "Ben", "last_name": "Ortiz", "phone": BEN, "country_code": "DE"},
}

WOO_ORDER: dict[str, Any] = {
    "id": 4750,
    "number": "4750",
    "status": "completed",
    "currency": "EUR",
    "total": "59.90",
    "date_created_gmt": "2025-06-01T08:00:00",
    "date_modified_gmt": "2025-06-03T09:00:00",
    "billing": {"first_name": "Ana", "last_name": "Lima", "phone": ANA, "country": "DE"},
    "shipping": {"first_name": "Ana", "last_name": "Lima", "country": "DE"},
}

ADAPTER_MAPPING = """
[events."order.shipped"]
drafts = ["shipped_en.json"]
[events."order.shipped".parameters]
body = ["{{ customer.first_name }}", "{{ order_id }}"]

[events."order.completed"]
drafts = ["shipped_en.json"]
campaign = "trigger:woo-completed"
[events."order.completed".parameters]
body = ["{{ customer.first_name }}", "{{ order_id }}"]
"""


def test_shopify_and_woocommerce_webhooks_send_through_their_adapters(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in", ADAPTER_MAPPING)
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        with running_server(runner, SECRETS) as server:
            shop_body = json.dumps(SHOPIFY_FULFILLMENT).encode()
            shop = _post(
                server.base_url,
                "/shopify",
                shop_body,
                {
                    "X-Shopify-Topic": "fulfillments/create",
                    "X-Shopify-Hmac-Sha256": sign_base64(shop_body, SHOP_SECRET),
                },
            )
            woo_body = json.dumps(WOO_ORDER).encode()
            woo_headers = {
                "X-WC-Webhook-Topic": "order.updated",
                "X-WC-Webhook-Signature": sign_base64(woo_body, WOO_SECRET),
            }
            woo = _post(server.base_url, "/woocommerce", woo_body, woo_headers)
            woo_again = _post(server.base_url, "/woocommerce", woo_body, woo_headers)
            on_hold = json.dumps({**WOO_ORDER, "status": "on-hold"}).encode()
            unmapped = _post(
                server.base_url,
                "/woocommerce",
                on_hold,
                {
                    "X-WC-Webhook-Topic": "order.updated",
                    "X-WC-Webhook-Signature": sign_base64(on_hold, WOO_SECRET),
                },
            )
            product = _post(
                server.base_url,
                "/shopify",
                b"{}",
                {
                    "X-Shopify-Topic": "products/update",
                    "X-Shopify-Hmac-Sha256": sign_base64(b"{}", SHOP_SECRET),
                },
            )
            assert server.wait_idle()
        messages = emu.messages()
    assert (shop.status_code, shop.json()["accepted"]) == (202, "shopify-fulfillment-4455667788")
    assert (woo.status_code, woo.json()["accepted"], woo.json()["type"]) == (
        202,
        "woocommerce-order-4750-completed",
        "order.completed",
    )
    assert woo_again.status_code == 202
    assert product.status_code == 200 and "not used" in product.json()["ignored"]
    # a status nobody mapped is answered 200 (a 4xx would make WooCommerce retry, then disable the webhook)
    assert unmapped.status_code == 200 and "order.on-hold" in unmapped.json()["ignored"]
    assert sorted(m.to for m in messages) == sorted([ANA, BEN])
    outcomes = {
        r["event_id"]: (r["campaign"], r["status"])
        for r in runner.journal.outcomes()
        if r["status"] == "sent"
    }
    assert outcomes == {
        "shopify-fulfillment-4455667788": ("trigger:order.shipped", "sent"),
        "woocommerce-order-4750-completed": ("trigger:woo-completed", "sent"),
    }


def test_an_event_accepted_but_never_sent_is_sent_by_replay(tmp_path: Path) -> None:
    mapping = write_inputs(tmp_path / "in")
    with emulator(draft_files(tmp_path / "in")) as emu:
        settings = workspace(tmp_path, emu.base_url)
        runner = intake(settings, mapping)
        # the process stopped between the 202 and the send
        admitted = runner.admit(event("evt-crash"), "native")
        assert admitted.status == "accepted" and emu.messages() == []
        result = asyncio.run(replay(intake(settings, mapping)))
        again = asyncio.run(replay(intake(settings, mapping)))
        messages = emu.messages()
    assert [(o.event_id, o.status) for o in result.outcomes] == [("evt-crash", "sent")]
    assert again.outcomes == ()
    assert [m.to for m in messages] == [ANA]
