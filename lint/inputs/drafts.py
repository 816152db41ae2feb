"""Drafts: Meta template JSON as submitted to the Graph API, and free-form session messages.

A **template draft** is the JSON body of ``POST /<WABA_ID>/message_templates``::

    {"name": "spring_sale", "language": "en_US", "category": "MARKETING",
     "parameter_format": "positional",
     "components": [
       {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}", "example": {"header_text": ["Ana"]}},
       {"type": "BODY", "text": "...", "example": {"body_text": [["..."]]}},
       {"type": "FOOTER", "text": "Reply STOP to opt out"},
       {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop promotions"}]}],
     "x-wagate": {"brand": "Acme", "purpose": "campaign"}}

A **free-form draft** (a session message inside the 24-hour window) is a small JSON or TOML
file ``{"kind": "free_form", "text": "...", "language": "en", "category": "UTILITY"}``, or a
``.txt`` file holding just the text.

wagate's own metadata (§10.4 of the catalog) sits under ``"x-wagate"`` in the same file, or in a
sidecar ``<draft stem>.meta.toml`` next to it (the sidecar wins key by key); see
:data:`META_FIELDS`. Syntax errors name the file, line and column.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import InputError

META_KEY = "x-wagate"
META_FIELDS: dict[str, str] = {
    "brand": "brand or legal name the message speaks for (P001, C004)",
    "purpose": "campaign, opt_in_confirmation, opt_out_confirmation, consent_request or service",
    "subject_key": "subject of the message, for same-subject frequency caps (F001)",
    "product_category": "product taxonomy, for soft opt-in 'similar products' (C007) and P003",
    "offer_end_at": "ISO date/time the offer ends (P005 urgency claims)",
    "prior_price_30d": "lowest price in the 30 days before a price reduction (P005)",
    "stock_evidence": "where the scarcity claim comes from (P005)",
    "unsubscribe_valid_days": "how long the opt-out keeps working after the send (O001: CA 60, AU/SG 30)",
    "advertiser": "own or third_party (C007)",
    "sender_display_name": "WhatsApp display name of the sending number (C004, P006)",
    "translations": "languages with an approved translation of this template (T006)",
    "contact_block": "postal address and contact details shown in the message (P002)",
    "kind": "template or free_form (a session message inside the 24-hour window)",
}
CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION", "SERVICE")
_COMPONENT_LINE = re.compile(r'"type"\s*:\s*"([A-Za-z_]+)"')


@dataclass(frozen=True, slots=True)
class Component:
    """One text-bearing part of a draft."""

    label: str  # BODY, HEADER, FOOTER, BUTTONS[1], text
    kind: str  # HEADER, BODY, FOOTER, BUTTON, TEXT
    text: str
    line: int | None = None
    header_format: str | None = None
    button_type: str | None = None
    url: str | None = None
    examples: tuple[str, ...] = ()  # positional examples, in order
    named_examples: dict[str, str] = field(default_factory=dict)
    has_example: bool = False  # the component carries an "example" object at all


@dataclass(frozen=True, slots=True)
class DraftMeta:
    """wagate metadata of a draft (``x-wagate`` or the sidecar)."""

    brand: str | None = None
    purpose: str = "campaign"
    subject_key: str | None = None
    product_category: str | None = None
    offer_end_at: str | None = None
    prior_price_30d: str | None = None
    stock_evidence: str | None = None
    unsubscribe_valid_days: int | None = None
    advertiser: str = "own"
    sender_display_name: str | None = None
    translations: tuple[str, ...] = ()
    contact_block: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft ready for the rules."""

    path: Path
    display: str
    kind: str  # template | free_form
    name: str | None
    language: str | None
    category: str  # declared: MARKETING, UTILITY, AUTHENTICATION or SERVICE
    declared_category: str | None  # as written in the file (None when absent)
    parameter_format: str  # positional | named
    components: tuple[Component, ...]
    meta: DraftMeta
    raw: dict[str, Any]

    def component(self, kind: str) -> Component | None:
        """The first component of a kind (``BODY``, ``HEADER``, ``FOOTER``, ``TEXT``)."""
        return next((c for c in self.components if c.kind == kind), None)

    @property
    def buttons(self) -> tuple[Component, ...]:
        """Button components in order."""
        return tuple(c for c in self.components if c.kind == "BUTTON")

    @property
    def texts(self) -> tuple[Component, ...]:
        """Components whose text a reader sees: header, body, footer, free-form text."""
        return tuple(c for c in self.components if c.kind in ("HEADER", "BODY", "FOOTER", "TEXT"))

    @property
    def label(self) -> str:
        """Name for messages: the template name, else the file name."""
        return self.name or Path(self.display).name


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _load_document(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{path}: the draft is empty")
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return {"kind": "free_form", "text": text.strip("\n")}, text
    if suffix == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{path}: invalid TOML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a draft must be a JSON object, not {type(data).__name__}")
    return data, text


def _read_meta(path: Path, data: dict[str, Any]) -> DraftMeta:
    merged: dict[str, Any] = {}
    inline = data.get(META_KEY, {})
    if not isinstance(inline, dict):
        raise InputError(f"{path}: {META_KEY} must be an object")
    merged.update(inline)
    sidecar = path.with_name(f"{path.stem}.meta.toml")
    if sidecar.exists():
        try:
            merged.update(tomllib.loads(sidecar.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{sidecar}: invalid TOML: {exc}") from None
    unknown = sorted(set(merged) - set(META_FIELDS))
    if unknown:
        raise InputError(
            f"{path}: unknown {META_KEY} key {unknown[0]!r}", hint=f"known keys: {', '.join(META_FIELDS)}"
        )
    merged.pop("kind", None)
    return _meta_from(path, merged)


def _meta_from(path: Path, values: dict[str, Any]) -> DraftMeta:
    def text(key: str) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.isoformat()
        if not isinstance(value, str | int | float):
            raise InputError(f"{path}: {META_KEY}.{key} must be text")
        return str(value)

    days = values.get("unsubscribe_valid_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise InputError(f"{path}: {META_KEY}.unsubscribe_valid_days must be a whole number of days")
    translations = values.get("translations", [])
    if not isinstance(translations, list) or not all(isinstance(t, str) for t in translations):
        raise InputError(f"{path}: {META_KEY}.translations must be a list of language codes")
    return DraftMeta(
        brand=text("brand"),
        purpose=(text("purpose") or "campaign").lower(),
        subject_key=text("subject_key"),
        product_category=text("product_category"),
        offer_end_at=text("offer_end_at"),
        prior_price_30d=text("prior_price_30d"),
        stock_evidence=text("stock_evidence"),
        unsubscribe_valid_days=days,
        advertiser=(text("advertiser") or "own").lower(),
        sender_display_name=text("sender_display_name"),
        translations=tuple(translations),
        contact_block=text("contact_block"),
    )


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(_string(v) for v in value)
    return (_string(value),) if value is not None else ()


def _named(value: Any) -> dict[str, str]:
    if not isinstance(value, list):
        return {}
    return {
        _string(item.get("param_name")): _string(item.get("example"))
        for item in value
        if isinstance(item, dict) and item.get("param_name") is not None
    }


def _text_component(raw: dict[str, Any], kind: str, line: int | None) -> Component:
    example = raw.get("example")
    example = example if isinstance(example, dict) else {}
    if kind == "HEADER":
        positional = _strings(example.get("header_text"))
        named = _named(example.get("header_text_named_params"))
    elif kind == "BODY":
        rows = example.get("body_text")
        positional = _strings(rows[0]) if isinstance(rows, list) and rows else ()
        named = _named(example.get("body_text_named_params"))
    else:
        positional, named = (), {}
    return Component(
        label=kind,
        kind=kind,
        text=_string(raw.get("text")),
        line=line,
        header_format=_string(raw.get("format")).upper() or None if kind == "HEADER" else None,
        examples=positional,
        named_examples=named,
        has_example="example" in raw,
    )


def _button(raw: Any, index: int, line: int | None) -> Component:
    if not isinstance(raw, dict):
        raw = {}
    button_type = _string(raw.get("type")).upper()
    url = raw.get("url")
    return Component(
        label=f"BUTTONS[{index}]",
        kind="BUTTON",
        text=_string(raw.get("text")),
        line=line,
        button_type=button_type or None,
        url=_string(url) if url is not None else None,
        examples=_strings(raw.get("example")),
        has_example="example" in raw,
    )


def _components(path: Path, data: dict[str, Any], source: str) -> tuple[Component, ...]:
    raw = data.get("components", [])
    if not isinstance(raw, list):
        raise InputError(f"{path}: components must be a list")
    lines = iter(_position(source, m.start())[0] for m in _COMPONENT_LINE.finditer(source))
    out: list[Component] = []
    for item in raw:
        if not isinstance(item, dict):
            raise InputError(f"{path}: every component must be an object")
        kind = _string(item.get("type")).upper()
        line = next(lines, None)
        if kind == "BUTTONS":
            buttons = item.get("buttons", [])
            buttons = buttons if isinstance(buttons, list) else []
            out += [_button(b, i + 1, next(lines, line)) for i, b in enumerate(buttons)]
        elif kind in ("HEADER", "BODY", "FOOTER"):
            out.append(_text_component(item, kind, line))
    return tuple(out)


def load_draft(path: Path, display: str | None = None) -> Draft:
    """Read a template or free-form draft (JSON, TOML or plain text)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    data, source = _load_document(path)
    meta = _read_meta(path, data)
    sidecar_kind = data.get(META_KEY, {}).get("kind") if isinstance(data.get(META_KEY), dict) else None
    kind = _string(data.get("kind") or sidecar_kind or ("template" if "components" in data else "free_form"))
    kind = kind.lower().replace("-", "_")
    if kind not in ("template", "free_form"):
        raise InputError(f"{path}: kind must be template or free_form, not {kind!r}")
    declared = _string(data.get("category")).upper() or None
    if kind == "template":
        components = _components(path, data, source)
    else:
        components = (Component(label="text", kind="TEXT", text=_string(data.get("text")), line=1),)
    return Draft(
        path=path,
        display=display or str(path),
        kind=kind,
        name=_string(data.get("name")) or None,
        language=_string(data.get("language")) or None,
        category=declared if declared in CATEGORIES else ("MARKETING" if kind == "template" else "SERVICE"),
        declared_category=declared,
        parameter_format=_string(data.get("parameter_format") or "positional").lower(),
        components=components,
        meta=meta,
        raw=data,
    )
