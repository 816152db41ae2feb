"""The Graph API routes: POST messages, GET the phone number, GET the WABA's message templates."""

from __future__ import annotations

import json
from typing import Any

import phonenumbers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sender.emulator.errors import GraphError, error_body
from sender.emulator.state import Emulator, check_version, unknown_object
from sender.emulator.templates import TemplateSpec

PHONE_FIELDS = (
    "id",
    "display_phone_number",
    "verified_name",
    "quality_rating",
    "throughput",
    "whatsapp_business_manager_messaging_limit",
    "code_verification_status",
    "platform_type",
    "name_status",
)
DEFAULT_PHONE_FIELDS = (
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "platform_type",
    "throughput",
    "id",
)
TEMPLATE_FIELDS = (
    "name",
    "language",
    "status",
    "category",
    "components",
    "id",
    "parameter_format",
    "quality_score",
)
VERIFIED_NAME = "wagate emulator"
_QUALITY_ORDER = {"GREEN": 0, "UNKNOWN": 0, "YELLOW": 1, "RED": 2}


def json_response(status: int, body: Any) -> Response:
    """A compact JSON answer, non-ASCII kept as is (the Graph API answers UTF-8)."""
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        status_code=status,
        media_type="application/json",
    )


def graph_error(error: GraphError) -> Response:
    """A Meta-shaped error answer."""
    return json_response(error.status, error_body(error))


def routes(emulator: Emulator) -> list[Route]:
    """The Graph API routes bound to one emulator."""

    async def messages(request: Request) -> Response:
        body = await request.body()
        status, answer = emulator.send(
            request.path_params["version"],
            request.path_params["node"],
            request.headers.get("authorization"),
            request.query_params.get("access_token"),
            body,
        )
        return json_response(status, answer)

    async def node(request: Request) -> Response:
        try:
            version, node_id = request.path_params["version"], request.path_params["node"]
            emulator.check_call(
                version, None, request.headers.get("authorization"), request.query_params.get("access_token")
            )
            fields = _fields(request)
            if node_id == emulator.config.phone_number_id:
                return json_response(200, phone_number(emulator, fields))
            if node_id == emulator.config.waba_id:
                return json_response(200, {"id": node_id, "name": VERIFIED_NAME})
            raise unknown_object(node_id)
        except GraphError as exc:
            return graph_error(exc)

    async def templates(request: Request) -> Response:
        try:
            version, node_id = request.path_params["version"], request.path_params["node"]
            emulator.check_call(
                version, None, request.headers.get("authorization"), request.query_params.get("access_token")
            )
            if node_id != emulator.config.waba_id:
                raise unknown_object(node_id)
            return json_response(200, message_templates(emulator, request))
        except GraphError as exc:
            return graph_error(exc)

    return [
        Route("/{version}/{node}/messages", messages, methods=["POST"]),
        Route("/{version}/{node}/message_templates", templates, methods=["GET"]),
        Route("/{version}/{node}", node, methods=["GET"]),
    ]


async def unknown_path(request: Request) -> Response:
    """Anything else: Meta's answer for a path it does not know."""
    first = request.url.path.strip("/").split("/", 1)[0]
    try:
        check_version(first)
        error = GraphError(2500, f"Unknown path components: {request.url.path}")
    except GraphError as exc:
        error = exc
    return graph_error(error)


def _fields(request: Request) -> tuple[str, ...]:
    raw = request.query_params.get("fields")
    if not raw:
        return DEFAULT_PHONE_FIELDS
    return tuple(f.strip() for f in raw.split(",") if f.strip())


def phone_number(emulator: Emulator, fields: tuple[str, ...]) -> dict[str, Any]:
    """The phone-number node with the asked-for fields."""
    config = emulator.config
    for name in fields:
        if name not in PHONE_FIELDS:
            raise GraphError(
                100, f"Tried accessing nonexisting field ({name}) on node type (WhatsAppBusinessPhoneNumber)"
            )
    values: dict[str, Any] = {
        "id": config.phone_number_id,
        "display_phone_number": _formatted(config.display_phone_number),
        "verified_name": VERIFIED_NAME,
        "quality_rating": phone_quality(emulator),
        "throughput": {"level": "HIGH" if config.throughput_mps >= 1000 else "STANDARD"},
        "whatsapp_business_manager_messaging_limit": "TIER_UNLIMITED",
        "code_verification_status": "VERIFIED",
        "platform_type": "CLOUD_API",
        "name_status": "APPROVED",
    }
    answer = {name: values[name] for name in fields}
    answer.setdefault("id", config.phone_number_id)
    return answer


def phone_quality(emulator: Emulator) -> str:
    """The number's quality: the worst quality among its templates (GREEN while none is rated)."""
    worst = "GREEN"
    for state in emulator.registry.state.values():
        if _QUALITY_ORDER.get(state.quality, 0) > _QUALITY_ORDER[worst]:
            worst = state.quality
    return worst


def message_templates(emulator: Emulator, request: Request) -> dict[str, Any]:
    """GET /{waba}/message_templates: filter by name, status, language; choose fields."""
    params = request.query_params
    wanted = tuple(f.strip() for f in params.get("fields", ",".join(TEMPLATE_FIELDS)).split(",") if f.strip())
    for name in wanted:
        if name not in TEMPLATE_FIELDS:
            raise GraphError(
                100, f"Tried accessing nonexisting field ({name}) on node type (WhatsAppMessageTemplate)"
            )
    rows = []
    for spec in emulator.registry.specs():
        state = emulator.registry.state[(spec.name, spec.language)]
        if params.get("name") and spec.name != params["name"]:
            continue
        if params.get("status") and state.status != params["status"].upper():
            continue
        if params.get("language") and spec.language != params["language"]:
            continue
        row = _template_row(spec, state.status, state.quality)
        rows.append({k: row[k] for k in wanted if k in row} | {"id": spec.id})
    return {
        "data": rows,
        "paging": {"cursors": {"before": "QVFIUmlzX2JlZm9yZQ", "after": "QVFIUmlzX2FmdGVy"}},
    }


def _template_row(spec: TemplateSpec, status: str, quality: str) -> dict[str, Any]:
    return {
        "name": spec.name,
        "language": spec.language,
        "status": status,
        "category": spec.category,
        "components": list(spec.components),
        "parameter_format": spec.parameter_format.upper(),
        "quality_score": {"score": quality},
        "id": spec.id,
    }


def _formatted(digits: str) -> str:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return "+" + digits
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
