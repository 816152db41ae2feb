"""The HTTP contract of /webhook and /healthz, against a real uvicorn server on loopback."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx

from core.config import Settings
from pipelines.receiver import ReceiverOptions, sign
from tests.pipelines.bodies import status, text_reply
from tests.receiver.conftest import (
    OLD_SECRET,
    SECRET,
    VERIFY_TOKEN,
    Running,
    landed,
    landed_bodies,
    post,
    serve_in_thread,
    with_options,
)

BODY = json.dumps(status("wamid.HTTP1", "delivered", 1_760_000_000, "4915123456789")).encode()


def handshake(http: httpx.Client, url: str, **params: str) -> httpx.Response:
    return http.get(f"{url}/webhook", params=params)


def test_handshake_echoes_the_challenge(receiver: Running, client: httpx.Client) -> None:
    answer = handshake(
        client,
        receiver.url,
        **{"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert answer.status_code == 200
    assert answer.text == "1158201444"
    assert answer.headers["content-type"].startswith("text/plain")


def test_handshake_refuses_anything_else(receiver: Running, client: httpx.Client) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    for params in (
        {**good, "hub.verify_token": VERIFY_TOKEN + "x"},
        {**good, "hub.mode": "unsubscribe"},
        {k: v for k, v in good.items() if k != "hub.verify_token"},
        {k: v for k, v in good.items() if k != "hub.challenge"},
        {},
    ):
        answer = handshake(client, receiver.url, **params)
        assert answer.status_code == 403 and "42" not in answer.text


def test_handshake_without_a_configured_token_is_refused(
    options: ReceiverOptions, client: httpx.Client
) -> None:
    with serve_in_thread(with_options(options, verify_token=None)) as running:
        params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}
        assert handshake(client, running.url, **params).status_code == 403


def test_signed_post_is_landed_byte_for_byte(receiver: Running, client: httpx.Client) -> None:
    # Meta escapes non-ASCII, but a body with raw UTF-8 must survive unchanged as well
    body = json.dumps(
        text_reply("wamid.IN1", "4915123456789", 1_760_000_100, "Danke 👍 谢谢"), ensure_ascii=False
    )
    raw = body.encode("utf-8")
    answer = post(client, receiver.url, raw)
    assert answer.status_code == 200
    [record] = landed(receiver.options.landing_dir)
    assert record["body"].encode("utf-8") == raw
    assert record["signature"] == "valid" and record["secret_index"] == 0
    assert record["request_id"] == answer.headers["x-request-id"]
    assert record["content_type"] == "application/json"
    assert record["received_at"].endswith("+00:00")


def test_missing_and_wrong_signatures_are_refused_and_nothing_is_landed(
    receiver: Running, client: httpx.Client
) -> None:
    assert post(client, receiver.url, BODY, secret=None).status_code == 401
    assert post(client, receiver.url, BODY, secret=b"someone-else").status_code == 403
    assert post(client, receiver.url, BODY, signature="sha256=nothex").status_code == 403
    assert post(client, receiver.url, BODY, signature=sign(BODY + b" ", SECRET)).status_code == 403
    assert landed(receiver.options.landing_dir) == []
    health = client.get(f"{receiver.url}/healthz").json()
    assert health["landed"] == 0
    assert health["rejected"] == {"signature_missing": 1, "signature_mismatch": 2, "signature_malformed": 1}


def test_rotation_accepts_old_and_new_secret(options: ReceiverOptions, client: httpx.Client) -> None:
    rotating = with_options(options, app_secrets=(SECRET, OLD_SECRET))
    with serve_in_thread(rotating) as running:
        assert post(client, running.url, BODY, secret=OLD_SECRET).status_code == 200
        assert post(client, running.url, BODY, secret=SECRET).status_code == 200
        assert post(client, running.url, BODY, secret=b"retired-long-ago").status_code == 403
    assert [r["secret_index"] for r in landed(options.landing_dir)] == [1, 0]


def test_too_large_body_is_413(options: ReceiverOptions, client: httpx.Client) -> None:
    with serve_in_thread(with_options(options, max_body_bytes=1000)) as running:
        assert post(client, running.url, b"x" * 1001).status_code == 413
        # without Content-Length (chunked), the limit holds while reading
        chunked = client.post(
            f"{running.url}/webhook",
            content=iter([b"y" * 600, b"y" * 600]),
            headers={"content-type": "application/json", "x-hub-signature-256": sign(b"y" * 1200, SECRET)},
        )
        assert chunked.status_code == 413
        assert post(client, running.url, b'{"a":' + b" " * 993 + b"1}").status_code == 200  # exactly 1000
    assert len(landed(options.landing_dir)) == 1


def test_wrong_content_type_is_415(receiver: Running, client: httpx.Client) -> None:
    assert post(client, receiver.url, BODY, content_type="text/plain").status_code == 415
    assert post(client, receiver.url, BODY, content_type=None).status_code == 415
    assert post(client, receiver.url, BODY, content_type="Application/JSON; charset=utf-8").status_code == 200
    assert len(landed(receiver.options.landing_dir)) == 1


def test_invalid_json_with_a_valid_signature_is_landed_raw(receiver: Running, client: httpx.Client) -> None:
    broken = b'{"object": "whatsapp_business_account", "entry": [ \xe2\x9c\x93'
    assert post(client, receiver.url, broken).status_code == 200
    assert landed_bodies(receiver.options.landing_dir) == [broken]


def test_body_that_is_not_utf8_is_kept_as_base64(receiver: Running, client: httpx.Client) -> None:
    raw = b'{"text": "\xff\xfe caf\xe9"}'
    assert post(client, receiver.url, raw).status_code == 200
    [record] = landed(receiver.options.landing_dir)
    assert record["body"] is None and base64.b64decode(record["body_b64"]) == raw


def test_without_an_app_secret_posts_are_refused_with_503(
    options: ReceiverOptions, client: httpx.Client
) -> None:
    with serve_in_thread(with_options(options, app_secrets=())) as running:
        assert post(client, running.url, BODY, secret=b"anything").status_code == 503
        assert client.get(f"{running.url}/healthz").json()["signatures"] == "not configured"
    assert landed(options.landing_dir) == []


def test_health_and_unknown_routes(receiver: Running, client: httpx.Client) -> None:
    health = client.get(f"{receiver.url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert client.get(f"{receiver.url}/").status_code == 404
    assert client.put(f"{receiver.url}/webhook", content=b"{}").status_code == 405


def test_landing_file_is_closed_at_shutdown(options: ReceiverOptions, client: httpx.Client) -> None:
    with serve_in_thread(options) as running:
        post(client, running.url, BODY)
        [open_file] = [p for p in Path(options.landing_dir).rglob("*") if p.is_file()]
        assert open_file.name.endswith(".ndjson.open")
    [closed] = [p for p in Path(options.landing_dir).rglob("*") if p.is_file()]
    assert closed == open_file.with_name(open_file.name.removesuffix(".open"))
    assert closed.read_bytes().endswith(b"\n")


def test_a_3_mb_body_is_accepted_with_the_default_limit(settings: Settings, client: httpx.Client) -> None:
    # Meta's largest payloads: many statuses in one body, up to 3 MB
    big = status("wamid.BIG", "sent", 1_760_000_000, "4915123456789")
    value = big["entry"][0]["changes"][0]["value"]
    item = value["statuses"][0]
    per_item = len(json.dumps({**item, "id": "wamid.BIG000000"})) + 2  # and the ", " between items
    value["statuses"] = [{**item, "id": f"wamid.BIG{i:06d}"} for i in range(2_990_000 // per_item)]
    raw = json.dumps(big).encode()
    assert 2_900_000 < len(raw) <= 3_000_000
    options = ReceiverOptions(landing_dir=settings.landing_path, app_secrets=(SECRET,))
    with serve_in_thread(options) as running:
        assert post(client, running.url, raw).status_code == 200
        assert post(client, running.url, BODY).status_code == 200
    assert landed_bodies(settings.landing_path) == [raw, BODY]
