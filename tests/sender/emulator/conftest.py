"""Emulators on loopback, template files, and a webhook sink that checks signatures like the receiver."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.signatures import check_signature
from sender.emulator import EmulatorConfig, EmulatorHandle, Profile, load_profile, running_emulator
from sender.emulator.profile import Delay
from sender.emulator.server import bind

TOKEN = "test-access-token"
SECRET = b"test-app-secret"
PHONE_ID = "106540352242922"
WABA_ID = "102290129340398"
DISPLAY = "15550001234"
MESSAGES = f"/v25.0/{PHONE_ID}/messages"
DE = "+4915123456789"

TEMPLATES: dict[str, dict[str, Any]] = {
    "spring_sale": {
        "name": "spring_sale",
        "language": "en_US",
        "category": "MARKETING",
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Spring sale for {{1}}",
                "example": {"header_text": ["Ana"]},
            },
            {
                "type": "BODY",
                "text": "Hi {{1}}, everything is {{2}} off until Sunday.",
                "example": {"body_text": [["Ana", "20%"]]},
            },
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Show me"},
                    {"type": "QUICK_REPLY", "text": "Stop promotions"},
                    {"type": "URL", "text": "Shop", "url": "https://acme.example/s/{{1}}", "example": ["x1"]},
                ],
            },
        ],
    },
    "order_update": {
        "name": "order_update",
        "language": "es",
        "category": "UTILITY",
        "parameter_format": "named",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["h"]}},
            {
                "type": "BODY",
                "text": "Hola {{first_name}}, tu pedido {{order_id}} está en camino.",
                "example": {
                    "body_text_named_params": [
                        {"param_name": "first_name", "example": "Ana"},
                        {"param_name": "order_id", "example": "A-1"},
                    ]
                },
            },
        ],
    },
    "login_code": {
        "name": "login_code",
        "language": "en_US",
        "category": "AUTHENTICATION",
        "components": [
            {
                "type": "BODY",
                "text": "{{1}} is your verification code.",
                "example": {"body_text": [["123456"]]},
            },
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]},
        ],
    },
    "old_promo": {
        "name": "old_promo",
        "language": "en_US",
        "category": "MARKETING",
        "status": "PAUSED",
        "components": [{"type": "BODY", "text": "Old promo"}],
    },
    "dead_promo": {
        "name": "dead_promo",
        "language": "en_US",
        "category": "MARKETING",
        "status": "DISABLED",
        "components": [{"type": "BODY", "text": "Dead promo"}],
    },
    "draft_promo": {
        "name": "draft_promo",
        "language": "en_US",
        "category": "MARKETING",
        "status": "PENDING",
        "components": [{"type": "BODY", "text": "Draft promo"}],
    },
}


@pytest.fixture
def template_files(tmp_path: Path) -> tuple[Path, ...]:
    folder = tmp_path / "templates"
    folder.mkdir()
    paths = []
    for name, body in TEMPLATES.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return tuple(paths)


def fast(**changes: Any) -> Profile:
    """The fast profile with sections replaced, e.g. ``fast(engagement={"complaint": 1.0})``."""
    profile = load_profile("fast")
    values: dict[str, Any] = {}
    for section, fields in changes.items():
        if isinstance(fields, dict):
            current = getattr(profile, section)
            typed = {k: _typed(getattr(current, k), v) for k, v in fields.items()}
            values[section] = dataclasses.replace(current, **typed)
        else:
            values[section] = fields
    return dataclasses.replace(profile, **values)


def _typed(default: Any, value: Any) -> Any:
    if isinstance(default, Delay):
        return Delay(*value)
    if isinstance(default, tuple):
        return tuple(value)
    return value


def quiet(**changes: Any) -> Profile:
    """Fast, and nothing goes wrong and nobody answers (unless ``changes`` say so)."""
    failures = {k: 0.0 for k in ("unreachable", "marketing_limit", "holdout", "transient", "spam_limit")}
    engagement = {
        k: 0.0
        for k in ("reply", "stop_text", "complaint", "button", "stop_button", "preference_stop", "block")
    }
    sections = {"failures": failures, "engagement": engagement}
    for name, fields in changes.items():
        sections[name] = {**sections.get(name, {}), **fields}
    return fast(**sections)


def config(templates: tuple[Path, ...], webhook_url: str | None = None, **changes: Any) -> EmulatorConfig:
    values: dict[str, Any] = {
        "templates": templates,
        "access_token": TOKEN,
        "app_secret": SECRET,
        "webhook_url": webhook_url,
        "display_phone_number": DISPLAY,
        "profile": quiet(),
    }
    values.update(changes)
    return EmulatorConfig(**values)


@pytest.fixture
def emulator(template_files: tuple[Path, ...]) -> Iterator[EmulatorHandle]:
    """An emulator without webhooks (fast profile, nothing fails)."""
    with running_emulator(config(template_files, throughput_mps=1000)) as running:
        yield running


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.base_url, headers={"authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as http:
        yield http


def template_body(
    to: str = DE,
    name: str = "spring_sale",
    language: str = "en_US",
    components: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A valid spring_sale send unless told otherwise."""
    if components is None and name == "spring_sale":
        components = spring_components()
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components is not None:
        template["components"] = components
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": template,
        **extra,
    }


def spring_components(
    header: str = "Ana", first: str = "Ana", second: str = "20%", suffix: str = "spring"
) -> list[dict[str, Any]]:
    return [
        {"type": "header", "parameters": [{"type": "text", "text": header}]},
        {"type": "body", "parameters": [{"type": "text", "text": first}, {"type": "text", "text": second}]},
        {"type": "button", "sub_type": "url", "index": "2", "parameters": [{"type": "text", "text": suffix}]},
    ]


@dataclass
class Sink:
    """A webhook endpoint on loopback that records every POST and checks its signature."""

    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    verdicts: list[bool] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # status codes answered, in order
    fail_first: int = 0  # answer 500 to this many POSTs first
    always: int | None = None  # answer this to everything

    def changes(self, wanted: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """(field, value) of every change received, optionally of one field."""
        found = []
        for body in self.bodies:
            for entry in body["entry"]:
                for change in entry["changes"]:
                    if wanted is None or change["field"] == wanted:
                        found.append((change["field"], change["value"]))
        return found

    def statuses(self) -> list[dict[str, Any]]:
        return [s for _, value in self.changes("messages") for s in value.get("statuses", [])]

    def inbound(self) -> list[dict[str, Any]]:
        return [m for _, value in self.changes("messages") for m in value.get("messages", [])]


@contextmanager
def webhook_sink(**options: Any) -> Iterator[Sink]:
    sock = bind("127.0.0.1", 0)
    sink = Sink(f"http://127.0.0.1:{sock.getsockname()[1]}/webhook", **options)
    lock = threading.Lock()

    async def receive(request: Request) -> Response:
        raw = await request.body()
        with lock:
            if sink.always is not None:
                status = sink.always
            elif len(sink.answers) < sink.fail_first:
                status = 500
            else:
                status = 200
            sink.answers.append(status)
            if status == 200:
                sink.raw.append(raw)
                sink.bodies.append(json.loads(raw))
                check = check_signature(raw, request.headers.get("x-hub-signature-256"), (SECRET,))
                sink.verdicts.append(check.valid)
        return Response("ok" if status == 200 else "no", status_code=status)

    app = Starlette(routes=[Route("/webhook", receive, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "sink did not start"
        time.sleep(0.01)
    try:
        yield sink
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()


def send_all(base_url: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    with httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {TOKEN}"}, timeout=10) as http:
        return [http.post(MESSAGES, json=body) for body in bodies]


Sender = Callable[[dict[str, Any]], httpx.Response]
