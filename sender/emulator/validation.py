"""Checking a POST /messages body as the Cloud API does: each failure is a GraphError with Meta's code.

The order follows what a client notices first: envelope (``messaging_product``, ``to``,
``type``), then the template's existence and status, then its components, parameter by
parameter. Template component checks live in :mod:`sender.emulator.components`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sender.emulator.components import check_components
from sender.emulator.errors import GraphError
from sender.emulator.templates import Registry, TemplateSpec

_RECIPIENT = re.compile(r"\+?[0-9]{6,15}")
MAX_CALLBACK_DATA = 512
MAX_TEXT_BODY = 4096
SESSION_TYPES = frozenset(
    {
        "text",
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
    }
)


@dataclass(frozen=True, slots=True)
class SendRequest:
    """A send the emulator found valid (limits and account state are checked elsewhere)."""

    to: str  # as given
    wa_id: str  # digits
    type: str  # template, text, image, ...
    spec: TemplateSpec | None
    language: str | None
    callback_data: str | None
    button_payloads: tuple[tuple[int, str], ...] = ()  # quick-reply payloads set at send time

    @property
    def is_template(self) -> bool:
        """Whether this is a template message (the only kind allowed outside the 24-hour window)."""
        return self.spec is not None


def recipient_of(payload: Any) -> str | None:
    """The ``to`` of a body, when it has a text one (for the arrival log, whatever the verdict)."""
    if isinstance(payload, dict):
        to = payload.get("to")
        if isinstance(to, str):
            return to
    return None


def validate(payload: Any, registry: Registry, business_number: str) -> SendRequest:
    """Check a send body; returns what to send or raises the GraphError Meta would answer."""
    if not isinstance(payload, dict):
        raise GraphError(100, "The request body must be a JSON object")
    _check_product(payload)
    to, wa_id = _recipient(payload, business_number)
    callback = _callback_data(payload)
    kind = payload.get("type", "text")
    if not isinstance(kind, str):
        raise GraphError(100, "Param type must be a string")
    if kind == "template":
        spec, language, payloads = _template(payload.get("template"), registry)
        return SendRequest(to, wa_id, kind, spec, language, callback, payloads)
    if kind not in SESSION_TYPES:
        raise GraphError(
            100,
            f"Param type must be one of {{{', '.join(sorted(SESSION_TYPES | {'template'}))}}} - got {kind!r}",
        )
    _session_body(payload, kind)
    return SendRequest(to, wa_id, kind, None, None, callback)


def _check_product(payload: dict[str, Any]) -> None:
    product = payload.get("messaging_product")
    if product is None:
        raise GraphError(100, "The parameter messaging_product is required.")
    if product != "whatsapp":
        raise GraphError(100, f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".')
    recipient_type = payload.get("recipient_type", "individual")
    if recipient_type != "individual":
        raise GraphError(100, f'Param recipient_type must be "individual" here - got "{recipient_type}".')


def _recipient(payload: dict[str, Any], business_number: str) -> tuple[str, str]:
    to = payload.get("to")
    if to is None or to == "":
        raise GraphError(131008, "The parameter to is required.")
    if not isinstance(to, str) or not _RECIPIENT.fullmatch(to):
        raise GraphError(
            131009,
            f"Recipient phone number {to!r} is not valid: give the country code and number as digits, "
            "with an optional leading +",
        )
    wa_id = to.lstrip("+")
    if wa_id == business_number:
        raise GraphError(131021, "The recipient is the business phone number itself.")
    return to, wa_id


def _callback_data(payload: dict[str, Any]) -> str | None:
    value = payload.get("biz_opaque_callback_data")
    if value is None:
        return None
    if not isinstance(value, str):
        raise GraphError(100, "Param biz_opaque_callback_data must be a string.")
    if len(value) > MAX_CALLBACK_DATA:
        raise GraphError(
            100, f"Param biz_opaque_callback_data must be at most {MAX_CALLBACK_DATA} characters long."
        )
    return value


def _session_body(payload: dict[str, Any], kind: str) -> None:
    content = payload.get(kind)
    if not isinstance(content, dict):
        raise GraphError(131008, f"The parameter {kind} is required.")
    if kind == "text":
        body = content.get("body")
        if not isinstance(body, str) or not body:
            raise GraphError(131008, "The parameter text['body'] is required.")
        if len(body) > MAX_TEXT_BODY:
            raise GraphError(100, f"Param text['body'] must be at most {MAX_TEXT_BODY} characters long.")


def _template(raw: Any, registry: Registry) -> tuple[TemplateSpec, str, tuple[tuple[int, str], ...]]:
    if not isinstance(raw, dict):
        raise GraphError(131008, "The parameter template is required.")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise GraphError(131008, "The parameter template['name'] is required.")
    language = raw.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str) or not code:
        raise GraphError(131008, "The parameter template['language']['code'] is required.")
    spec = registry.get(name, code)
    if spec is None:
        raise GraphError(132001, f"template name ({name}) does not exist in {code}")
    _check_status(registry, spec)
    payloads = check_components(spec, raw.get("components", []))
    return spec, code, payloads


def _check_status(registry: Registry, spec: TemplateSpec) -> None:
    status = registry.state[(spec.name, spec.language)].status
    if status == "APPROVED":
        return
    if status == "PAUSED":
        raise GraphError(
            132015,
            f"template {spec.name} ({spec.language}) is paused because of low quality; try again later",
        )
    if status == "DISABLED":
        raise GraphError(
            132016,
            f"template {spec.name} ({spec.language}) was disabled after repeated pauses; create a new one",
        )
    raise GraphError(
        132001, f"template name ({spec.name}) in {spec.language} is not approved (status {status})"
    )
