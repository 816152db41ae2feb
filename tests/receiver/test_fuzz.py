"""Random bodies, headers, methods and raw bytes: never a 5xx, never a crash, every 200 landed intact."""

from __future__ import annotations

import json
import random
import socket

import httpx

from pipelines.receiver import ReceiverOptions, sign
from tests.pipelines.bodies import status
from tests.receiver.conftest import OLD_SECRET, SECRET, landed, serve_in_thread, with_options

ROUNDS = 1000
LIMIT = 4096

METHODS = ["GET", "POST", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
PATHS = [
    "/webhook",
    "/webhook",
    "/webhook",
    "/healthz",
    "/",
    "/webhook/",
    "/WEBHOOK",
    "/webhook/../healthz",
    "/%00",
]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
    ";;;",
    "application/json ; foo=bar",
    None,
]


def random_body(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 2 * LIMIT))  # arbitrary bytes, sometimes over the limit
    if kind == 1:
        return json.dumps(
            status(f"wamid.F{rng.random()}", "sent", rng.randrange(2**31), "4915123456789")
        ).encode()
    if kind == 2:
        alphabet = 'a{}[]":,\\ \n\t\u0000é中🎉\u2028\ud7ff'
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(200))).encode("utf-8")
    if kind == 3:
        return b""
    if kind == 4:
        return b'{"object":"whatsapp_business_account","entry":' + b"[" * rng.randrange(1, 2000)
    return bytes([0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF4, 0x90])  # overlong and surrogate encodings


def random_signature(rng: random.Random, body: bytes) -> str | None:
    choice = rng.randrange(8)
    options: list[str | None] = [
        sign(body, SECRET),
        sign(body, OLD_SECRET),
        sign(body, SECRET).upper(),
        None,
        "sha256=" + "0" * 64,
        "sha256=",
        "sha1=" + "a" * 40,
        rng.randbytes(40).hex() + "é",
    ]
    return options[choice]


def random_headers(rng: random.Random, body: bytes) -> dict[str, bytes]:
    headers: dict[str, bytes] = {}
    content_type = rng.choice(CONTENT_TYPES)
    if content_type is not None:
        headers["content-type"] = content_type.encode()
    signature = random_signature(rng, body)
    if signature is not None:
        headers["x-hub-signature-256"] = signature.encode("utf-8")  # raw bytes, non-ASCII included
    for _ in range(rng.randrange(3)):
        name = "x-" + "".join(rng.choice("abcdefgh-") for _ in range(rng.randrange(1, 12)))
        value = bytes(rng.randrange(33, 256) for _ in range(rng.randrange(0, 300)))
        headers[name] = value.replace(b"\x7f", b"")
    return headers


def random_query(rng: random.Random) -> dict[str, str]:
    keys = ["hub.mode", "hub.verify_token", "hub.challenge", "x", "hub.mode"]
    return {
        rng.choice(keys): "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(20)))
        for _ in range(rng.randrange(4))
    }


def test_random_requests_never_get_a_5xx(options: ReceiverOptions) -> None:
    rng = random.Random(20261125)
    accepted: list[bytes] = []
    statuses: dict[int, int] = {}
    with (
        serve_in_thread(
            with_options(options, app_secrets=(SECRET, OLD_SECRET), max_body_bytes=LIMIT)
        ) as running,
        httpx.Client(timeout=30) as http,
    ):
        for _ in range(ROUNDS):
            method, path, body = rng.choice(METHODS), rng.choice(PATHS), random_body(rng)
            answer = http.request(
                method,
                running.url + path,
                params=random_query(rng),
                content=body if method not in ("GET", "HEAD") else None,
                headers=random_headers(rng, body),
            )
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            assert answer.status_code < 500, (method, path, answer.status_code, answer.text[:200])
            if answer.status_code == 200 and method == "POST" and path == "/webhook":
                accepted.append(body)
        assert http.get(running.url + "/healthz").status_code == 200
    # the fuzz really reached each branch
    assert {200, 401, 403, 404, 405, 413, 415} <= set(statuses)
    records = landed(options.landing_dir)
    assert [r["body"].encode() if r["body"] is not None else None for r in records] == [
        body if _utf8(body) else None for body in accepted
    ]


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_malformed_http_is_refused_and_the_server_keeps_serving(options: ReceiverOptions) -> None:
    rng = random.Random(7)
    garbage = [
        b"\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"POST /webhook HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 11\r\n\r\n0123456789",
        b"POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
        b"GET /webhook?hub.mode=subscribe HTTP/1.1\r\nHost: x\r\nX: \x00\x01\r\n\r\n",
        b"POST /webhook HTTP/1.1\r\nHost: x\r\n" + b"X-Long: " + b"a" * 100_000 + b"\r\n\r\n",
        *(rng.randbytes(rng.randrange(1, 500)) for _ in range(30)),
    ]
    with serve_in_thread(options) as running:
        port = int(running.url.rsplit(":", 1)[1])
        for payload in garbage:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                try:
                    conn.sendall(payload)
                    conn.shutdown(socket.SHUT_WR)
                    answer = conn.recv(200)
                except (ConnectionResetError, BrokenPipeError):
                    answer = b""
            assert not answer.startswith(b"HTTP/1.1 5"), (payload[:80], answer)
        assert httpx.get(running.url + "/healthz", timeout=10).status_code == 200
    assert landed(options.landing_dir) == []
