"""The Cloud API body of one template message (whatsapp-platform.md §6), and of a free-form text.

A :class:`TemplateSpec` is worked out once per draft from the template's components and the
plan's ``[parameters]``; :meth:`TemplateSpec.payload` then fills in one recipient's rendered
values. The rendered values are the ones the linter checked (``lint.inputs.plan``), column for
column: ``header.1``, ``body.first_name``, ``button.2.1`` and so on.

Mapping rules:

* header and body parameters keep the plan's order; a template with ``parameter_format`` named
  sends each with its ``parameter_name``;
* plan button ``N`` is the template's ``N``-th button (``BUTTONS[N]`` in lint findings), sent
  with the API's zero-based ``index`` ``N-1``; a URL button's value is its URL suffix, a copy-code
  button's its coupon code, a quick reply's its payload;
* a media header (IMAGE, VIDEO, DOCUMENT) takes its media from the plan's ``header_media`` (a
  link, or an uploaded media id).

A free-form draft (a service reply inside the customer's 24-hour window) becomes a
:class:`TextSpec`: a ``type: text`` message whose body is the draft's text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import InputError
from lint.inputs.drafts import Draft
from lint.inputs.plan import Plan, parameter_expressions
from lint.text import placeholders

_MEDIA = ("IMAGE", "VIDEO", "DOCUMENT")
FREE_FORM_TEMPLATE = "-"  # the template column of a free-form send (docs/metrics.md)
MAX_TEXT_BODY = 4096  # Cloud API limit of text.body
_BUTTONS: dict[str, tuple[str, str]] = {  # draft button type -> (API sub_type, parameter type)
    "URL": ("url", "text"),
    "COPY_CODE": ("copy_code", "coupon_code"),
    "QUICK_REPLY": ("quick_reply", "payload"),
}


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: the rendered column it comes from, and its name for named templates."""

    column: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Button:
    """Parameters of one button."""

    index: int  # zero-based, as the API wants it
    sub_type: str
    param_type: str
    params: tuple[Param, ...]


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """How to build the payload of one template for any recipient."""

    name: str
    language: str
    header: tuple[Param, ...]
    media: tuple[str, dict[str, str]] | None  # ("image", {"link": ...}) for a media header
    body: tuple[Param, ...]
    buttons: tuple[Button, ...]

    def payload(self, to: str, values: Mapping[str, str]) -> dict[str, Any]:
        """The POST /messages body for one recipient (without ``biz_opaque_callback_data``)."""
        components: list[dict[str, Any]] = []
        if self.media is not None:
            kind, ref = self.media
            components.append({"type": "header", "parameters": [{"type": kind, kind: dict(ref)}]})
        elif self.header:
            components.append({"type": "header", "parameters": _texts(self.header, values)})
        if self.body:
            components.append({"type": "body", "parameters": _texts(self.body, values)})
        for button in self.buttons:
            components.append(
                {
                    "type": "button",
                    "sub_type": button.sub_type,
                    "index": str(button.index),
                    "parameters": [
                        {"type": button.param_type, button.param_type: values[p.column]}
                        for p in button.params
                    ],
                }
            )
        template: dict[str, Any] = {"name": self.name, "language": {"code": self.language}}
        if components:
            template["components"] = components
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": template,
        }


@dataclass(frozen=True, slots=True)
class TextSpec:
    """A free-form text message: the same body for every recipient."""

    body: str
    language: str
    name: str = FREE_FORM_TEMPLATE

    def payload(self, to: str, values: Mapping[str, str]) -> dict[str, Any]:
        """The POST /messages body of a text message (``values`` are unused: the text is final)."""
        del values
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"preview_url": False, "body": self.body},
        }


def text_spec(draft: Draft) -> TextSpec:
    """The payload recipe of a free-form draft; InputError when its text cannot be sent."""
    text = draft.component("TEXT")
    body = text.text if text is not None else ""
    if not body.strip():
        raise InputError(f"{draft.display}: the free-form draft has no text to send")
    if len(body) > MAX_TEXT_BODY:
        raise InputError(
            f"{draft.display}: the free-form text has {len(body)} characters; the Cloud API takes "
            f"at most {MAX_TEXT_BODY}"
        )
    return TextSpec(body=body, language=draft.language or "")


def _texts(params: Sequence[Param], values: Mapping[str, str]) -> list[dict[str, str]]:
    out = []
    for param in params:
        item = {"type": "text", "text": values[param.column]}
        if param.name is not None:
            item = {"type": "text", "parameter_name": param.name, "text": values[param.column]}
        out.append(item)
    return out


def template_spec(draft: Draft, plan: Plan) -> TemplateSpec:
    """The payload recipe of a draft under a plan; InputError for what the API cannot be sent."""
    if draft.name is None or draft.language is None:
        raise InputError(f"{draft.display}: a template needs a name and a language to be sent")
    keys = list(parameter_expressions(plan)) if plan.parameters else []
    named = draft.parameter_format == "named"
    header = tuple(_param(k, "header.", named) for k in keys if k.startswith("header."))
    body = tuple(_param(k, "body.", named) for k in keys if k.startswith("body."))
    for kind, given in (("HEADER", header), ("BODY", body)):
        component = draft.component(kind)
        wanted = placeholders(component.text) if component is not None else []
        if wanted and not given:
            # the linter compares plan and template only when the plan has [parameters] at all
            raise InputError(
                f"{plan.display}: template {draft.label} has {kind.lower()} variables but the plan gives "
                f"no {kind.lower()} parameters; every message would be rejected (Cloud API error 132000)",
                hint=f"add [parameters] {kind.lower()} = [...] to the plan",
            )
    return TemplateSpec(
        name=draft.name,
        language=draft.language,
        header=header,
        media=_media(draft, plan),
        body=body,
        buttons=_buttons(draft, plan, keys),
    )


def _param(key: str, prefix: str, named: bool) -> Param:
    return Param(column=key, name=key[len(prefix) :] if named else None)


def _media(draft: Draft, plan: Plan) -> tuple[str, dict[str, str]] | None:
    header = draft.component("HEADER")
    kind = header.header_format if header is not None else None
    if kind == "LOCATION":
        raise InputError(f"{draft.display}: templates with a LOCATION header cannot be sent by wagate yet")
    if kind not in _MEDIA:
        return None
    media = plan.header_media
    if not isinstance(media, str) or not media.strip():
        raise InputError(
            f"{plan.display}: template {draft.label} has a {kind} header but the plan gives no media",
            hint='add header_media = "https://..." (a link) or the id of uploaded media to the plan',
        )
    media = media.strip()
    reference = {"link": media} if media.startswith(("https://", "http://")) else {"id": media}
    return kind.lower(), reference


def _buttons(draft: Draft, plan: Plan, keys: Sequence[str]) -> tuple[Button, ...]:
    groups: dict[int, list[str]] = {}
    for key in keys:
        if key.startswith("button."):
            text = key.split(".")[1]
            if not text.isdigit() or int(text) < 1:
                raise InputError(
                    f"{plan.display}: parameters.buttons keys are button numbers from 1, not {text!r}"
                )
            groups.setdefault(int(text), []).append(key)
    out = []
    for number, columns in sorted(groups.items()):
        if number > len(draft.buttons):
            raise InputError(
                f"{plan.display}: parameters for button {number}, but template {draft.label} "
                f"has {len(draft.buttons)} button{'' if len(draft.buttons) == 1 else 's'}"
            )
        kind = draft.buttons[number - 1].button_type or ""
        if kind not in _BUTTONS:
            raise InputError(f"{plan.display}: button {number} of {draft.label} ({kind}) takes no parameter")
        sub_type, param_type = _BUTTONS[kind]
        out.append(Button(number - 1, sub_type, param_type, tuple(Param(c) for c in columns)))
    return tuple(out)
