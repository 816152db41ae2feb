"""Template components of a send request, checked against the approved template.

Meta's details name the component (``body: number of localizable_params (1) does not match the
expected number of params (2)``); the emulator follows that wording so a client's logs read the
same against both.
"""

from __future__ import annotations

import re
from typing import Any

from sender.emulator.errors import GraphError
from sender.emulator.templates import MEDIA_FORMATS, Button, TemplateSpec, hydrate

MAX_HEADER = 60
MAX_BODY = 1024
MAX_URL = 2000
MAX_AUTH_PARAM = 15
MAX_COUPON = 20
_BAD_SPACING = re.compile(r"[\n\t]| {5,}")
PARAM_RULE = "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"
_SUB_TYPES = {
    "quick_reply": ("QUICK_REPLY",),
    "url": ("URL", "OTP"),
    "copy_code": ("COPY_CODE",),
    "flow": ("FLOW",),
    "catalog": ("CATALOG",),
    "mpm": ("MPM",),
    "voice_call": ("VOICE_CALL",),
}
_TEXT_LIKE = ("text", "currency", "date_time")


def check_components(spec: TemplateSpec, raw: Any) -> tuple[tuple[int, str], ...]:
    """Check the ``components`` of a template send; returns the quick-reply payloads it sets."""
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise GraphError(100, "Param template['components'] must be a list of objects")
    header: list[dict[str, Any]] | None = None
    body: list[dict[str, Any]] = []
    buttons: dict[int, dict[str, Any]] = {}
    for position, component in enumerate(raw):
        kind = str(component.get("type", "")).lower()
        params = _parameters(component, kind or f"components[{position}]")
        if kind == "header":
            header = params
        elif kind == "body":
            body = params
        elif kind == "button":
            index = _button_index(component)
            buttons[index] = component
        else:
            raise GraphError(100, f"components[{position}].type must be header, body or button, got {kind!r}")
    values = _header(spec, header or [])
    body_values = _text_params(spec, "body", body, spec.body_params)
    _check_length("body", hydrate(spec.body_text, body_values), MAX_BODY)
    if values:
        _check_length("header", hydrate(spec.header_text, values), MAX_HEADER)
    return _buttons(spec, buttons)


def _parameters(component: dict[str, Any], where: str) -> list[dict[str, Any]]:
    params = component.get("parameters", [])
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        raise GraphError(100, f"{where}: parameters must be a list of objects")
    return params


def _mismatch(where: str, given: int, expected: int) -> GraphError:
    return GraphError(
        132000,
        f"{where}: number of localizable_params ({given}) does not match the expected number of params ({expected})",
    )


def _header(spec: TemplateSpec, params: list[dict[str, Any]]) -> dict[str, str]:
    if spec.header_format is None or spec.header_format == "TEXT":
        return _text_params(spec, "header", params, spec.header_params)
    if len(params) != 1:
        raise _mismatch("header", len(params), 1)
    given = str(params[0].get("type", "")).upper()
    if given != spec.header_format:
        raise GraphError(132012, f"header: Format mismatch, expected {spec.header_format}, received {given}")
    media = params[0].get(given.lower())
    if given in MEDIA_FORMATS[:3]:
        if not isinstance(media, dict) or not (media.get("id") or media.get("link")):
            raise GraphError(131009, f"header: {given.lower()} needs an id or a link")
    elif not isinstance(media, dict) or "latitude" not in media or "longitude" not in media:
        raise GraphError(131009, "header: location needs latitude and longitude")
    return {}


def _text_params(
    spec: TemplateSpec, where: str, params: list[dict[str, Any]], expected: tuple[str, ...]
) -> dict[str, str]:
    if len(params) != len(expected):
        raise _mismatch(where, len(params), len(expected))
    values: dict[str, str] = {}
    named = spec.parameter_format == "named"
    for position, param in enumerate(params):
        text = _param_text(where, param)
        if spec.category == "AUTHENTICATION" and len(text) > MAX_AUTH_PARAM:
            raise GraphError(
                131009,
                f"{where}: authentication templates take parameters of at most {MAX_AUTH_PARAM} characters, "
                f"parameter {position + 1} has {len(text)}",
            )
        key = _param_key(where, param, position, expected) if named else expected[position]
        if key in values:
            raise GraphError(132000, f"{where}: parameter {key!r} is given twice")
        values[key] = text
    return values


def _param_key(where: str, param: dict[str, Any], position: int, expected: tuple[str, ...]) -> str:
    name = param.get("parameter_name")
    if not isinstance(name, str) or not name:
        raise GraphError(
            100,
            f"{where}: parameter {position + 1} has no parameter_name; this template uses named parameters",
        )
    if name not in expected:
        raise GraphError(
            132000,
            f"{where}: parameter name {name!r} is not in the template (expected {', '.join(expected)})",
        )
    return name


def _param_text(where: str, param: dict[str, Any]) -> str:
    kind = param.get("type")
    if kind not in _TEXT_LIKE:
        raise GraphError(132012, f"{where}: Format mismatch, expected TEXT, received {str(kind).upper()}")
    if kind == "text":
        text = param.get("text")
        if not isinstance(text, str):
            raise GraphError(100, f"{where}: Parameter of type text is missing text value")
    else:
        inner = param.get(str(kind))
        text = inner.get("fallback_value") if isinstance(inner, dict) else None
        if not isinstance(text, str):
            raise GraphError(100, f"{where}: Parameter of type {kind} is missing fallback_value")
    if not text.strip():
        raise GraphError(131008, f"{where}: a parameter's text is empty")
    if _BAD_SPACING.search(text):
        raise GraphError(132018, PARAM_RULE)
    return text


def _check_length(where: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise GraphError(132005, f"{where}: hydrated text is {len(text)} characters, more than {limit}")


def _button_index(component: dict[str, Any]) -> int:
    raw = component.get("index")
    if raw is None:
        raise GraphError(131008, "button: the parameter index is required")
    text = str(raw)
    if isinstance(raw, bool) or not text.isdigit():
        raise GraphError(131009, f"button: index must be a number, got {raw!r}")
    return int(text)


def _buttons(spec: TemplateSpec, given: dict[int, dict[str, Any]]) -> tuple[tuple[int, str], ...]:
    payloads: list[tuple[int, str]] = []
    for index, component in sorted(given.items()):
        if index >= len(spec.buttons):
            raise GraphError(
                131009,
                f"button at index {index} does not exist (the template has {len(spec.buttons)} buttons)",
            )
        payload = _button(spec, spec.buttons[index], component)
        if payload is not None:
            payloads.append((index, payload))
    for button in spec.buttons:
        if (button.dynamic or button.type == "OTP") and button.index not in given:
            raise _mismatch(f"button at index {button.index}", 0, 1)
    return tuple(payloads)


def _button(spec: TemplateSpec, button: Button, component: dict[str, Any]) -> str | None:
    where = f"button at index {button.index}"
    sub_type = str(component.get("sub_type", "")).lower()
    if button.type not in _SUB_TYPES.get(sub_type, (sub_type.upper(),)):
        raise GraphError(132012, f"{where}: Format mismatch, expected {button.type}, received {sub_type}")
    params = _parameters(component, where)
    if button.type == "QUICK_REPLY":
        return _quick_reply(where, params)
    if button.type == "URL":
        expected = 1 if button.dynamic else 0
        if len(params) != expected:
            raise _mismatch(where, len(params), expected)
        if expected:
            _url_suffix(where, button, params[0])
    elif button.type == "OTP":
        if len(params) != 1:
            raise _mismatch(where, len(params), 1)
        code = _param_text(where, params[0])
        if len(code) > MAX_AUTH_PARAM:
            raise GraphError(
                131009, f"{where}: the code has {len(code)} characters, at most {MAX_AUTH_PARAM}"
            )
    elif button.type == "COPY_CODE":
        _coupon(where, params)
    return None


def _quick_reply(where: str, params: list[dict[str, Any]]) -> str | None:
    if not params:
        return None
    if (
        len(params) != 1
        or params[0].get("type") != "payload"
        or not isinstance(params[0].get("payload"), str)
    ):
        raise GraphError(131009, f"{where}: a quick reply takes one parameter of type payload")
    payload: str = params[0]["payload"]
    return payload


def _url_suffix(where: str, button: Button, param: dict[str, Any]) -> None:
    if param.get("type") != "text" or not isinstance(param.get("text"), str) or not param["text"]:
        raise GraphError(132012, f"{where}: the URL suffix must be a parameter of type text")
    suffix: str = param["text"]
    if any(ch.isspace() for ch in suffix):
        raise GraphError(131009, f"{where}: the URL suffix must be percent-encoded (it contains whitespace)")
    url = hydrate(button.url or "", {"1": suffix})
    if len(url) > MAX_URL:
        raise GraphError(132005, f"{where}: the URL is {len(url)} characters, more than {MAX_URL}")


def _coupon(where: str, params: list[dict[str, Any]]) -> None:
    if len(params) != 1:
        raise _mismatch(where, len(params), 1)
    code = params[0].get("coupon_code")
    if params[0].get("type") != "coupon_code" or not isinstance(code, str) or not code:
        raise GraphError(132012, f"{where}: a copy-code button takes one parameter of type coupon_code")
    if len(code) > MAX_COUPON:
        raise GraphError(131009, f"{where}: the coupon code has {len(code)} characters, at most {MAX_COUPON}")
