"""The mapping file: which event type sends which utility template, with which parameters.

Example (docs/triggers.md)::

    [consent]                       # how the shop establishes the transactional relationship
    method = "checkout_opt_in"
    source = "acme.example/checkout"
    text_version = "checkout-2025-01"
    business_name = "Acme"

    [events."order.shipped"]
    drafts = ["order_shipped_en.json", "order_shipped_de.json"]   # Meta template JSON, one per language
    fallback_language = "en_US"
    campaign = "trigger:order.shipped"                              # the default

    free_form = "Hi {{ customer.first_name }}, order {{ order_id }} has shipped."  # optional

    [events."order.shipped".parameters]                             # Jinja2 over the event
    body = ["{{ customer.first_name }}", "{{ order_id }}"]

``free_form`` (optional, Jinja2 over the event) is sent instead of the template when the
customer's 24-hour service window is open.

Paths are relative to the mapping file. Parameters follow the campaign plan's ``[parameters]``
(lists for positional templates, tables for named ones, ``buttons = { 1 = [...] }``).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from core.errors import InputError
from triggers.events import Event, EventError

_PARAMETER_KEYS = ("header", "body", "buttons")
_CONSENT_KEYS = ("method", "source", "text_version", "business_name")


@dataclass(frozen=True, slots=True)
class DraftFile:
    """One language of the template: its file, template name and language code."""

    path: Path
    name: str
    language: str
    category: str
    brand: str | None = None  # x-wagate.brand: the business name the customer knows

    def serves(self, language: str) -> bool:
        """Whether this draft is in ``language`` (or its primary language: ``de`` for ``de_AT``)."""
        return _norm(self.language).split("_")[0] == _norm(language).split("_")[0]


@dataclass(frozen=True, slots=True)
class ConsentBasis:
    """The consent record every triggered contact row carries unless the event brings its own."""

    method: str = "checkout_opt_in"
    source: str = "shop checkout"
    text_version: str = "order-updates-v1"
    business_name: str | None = None  # default: the drafts' x-wagate brand


@dataclass(frozen=True, slots=True)
class EventRule:
    """What one event type sends."""

    event_type: str
    drafts: tuple[DraftFile, ...]
    fallback_language: str
    campaign: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    header_media: str | None = None
    accept_warnings: bool = False
    # Jinja2 over the event: the free-form reply sent instead of the template while the
    # customer's 24-hour service window is open (docs/triggers.md)
    free_form: str | None = None

    def draft_for(self, language: str | None) -> DraftFile:
        """The draft in the customer's language: exact (``pt-BR`` = ``pt_BR``), else the same primary
        language, else the fallback language."""
        if language:
            wanted = _norm(language)
            for draft in self.drafts:
                if _norm(draft.language) == wanted:
                    return draft
            primary = wanted.split("_")[0]
            for draft in self.drafts:
                if _norm(draft.language).split("_")[0] == primary:
                    return draft
        fallback = _norm(self.fallback_language)
        return next((d for d in self.drafts if _norm(d.language) == fallback), self.drafts[0])


@dataclass(frozen=True, slots=True)
class TriggerMapping:
    """The whole mapping file."""

    path: Path
    rules: Mapping[str, EventRule]
    consent: ConsentBasis

    def rule(self, event_type: str) -> EventRule:
        """The rule of an event type; :class:`EventError` when the mapping has none."""
        rule = self.rules.get(event_type)
        if rule is None:
            known = ", ".join(sorted(self.rules)) or "none"
            raise EventError(f"no mapping for event type {event_type!r} (mapped: {known})")
        return rule


def load_mapping(path: Path) -> TriggerMapping:
    """Read and check a mapping file; problems are one-line :class:`InputError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: mapping file not found", hint="pass --mapping FILE") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    events = data.get("events")
    if not isinstance(events, dict) or not events:
        raise InputError(f'{path}: no [events."TYPE"] table', hint='add [events."order.shipped"]')
    rules = {name: _rule(path, name, value) for name, value in events.items()}
    return TriggerMapping(path=path, rules=rules, consent=_consent(path, data.get("consent", {})))


def _consent(path: Path, value: object) -> ConsentBasis:
    if not isinstance(value, dict):
        raise InputError(f"{path}: [consent] must be a table")
    unknown = set(value) - set(_CONSENT_KEYS)
    if unknown:
        raise InputError(
            f"{path}: [consent] has unknown keys {sorted(unknown)}; known: {list(_CONSENT_KEYS)}"
        )
    if any(not isinstance(v, str) or not v.strip() for v in value.values()):
        raise InputError(f"{path}: [consent] values must be non-empty strings")
    return ConsentBasis(**value)


def _rule(path: Path, name: str, value: object) -> EventRule:
    where = f'{path}: [events."{name}"]'
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a table")
    raw = value.get("drafts", value.get("draft"))
    files = [raw] if isinstance(raw, str) else raw
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise InputError(f"{where}: drafts must list the template's JSON files, one per language")
    drafts = tuple(_draft(path.parent / f, where) for f in files)
    if len({d.name for d in drafts}) > 1:
        raise InputError(f"{where}: the drafts name different templates; give the languages of one template")
    template = value.get("template")
    if template is not None and template != drafts[0].name:
        raise InputError(f"{where}: template {template!r} but the drafts are {drafts[0].name!r}")
    fallback = value.get("fallback_language", drafts[0].language)
    if not isinstance(fallback, str) or _norm(fallback) not in {_norm(d.language) for d in drafts}:
        raise InputError(f"{where}: fallback_language {fallback!r} is not the language of one of the drafts")
    parameters = value.get("parameters", {})
    if not isinstance(parameters, dict) or set(parameters) - set(_PARAMETER_KEYS):
        raise InputError(f"{where}: parameters may have {', '.join(_PARAMETER_KEYS)} only")
    campaign = value.get("campaign", f"trigger:{name}")
    media = value.get("header_media")
    free_form = value.get("free_form")
    for key, item in (("campaign", campaign), ("header_media", media), ("free_form", free_form)):
        if item is not None and (not isinstance(item, str) or not item.strip()):
            raise InputError(f"{where}: {key} must be a non-empty string")
    return EventRule(
        event_type=name,
        drafts=drafts,
        fallback_language=fallback,
        campaign=str(campaign),
        parameters=parameters,
        header_media=media,
        accept_warnings=bool(value.get("accept_warnings", False)),
        free_form=free_form,
    )


def _draft(path: Path, where: str) -> DraftFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{where}: draft {path} not found") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: draft {path} is not valid JSON: {exc.msg}") from None
    name, language = data.get("name"), data.get("language")
    if not isinstance(name, str) or not isinstance(language, str):
        raise InputError(f"{where}: draft {path} needs a name and a language (Meta template JSON)")
    extra = data.get("x-wagate")
    brand = extra.get("brand") if isinstance(extra, dict) else None
    category = str(data.get("category", "")).upper()
    return DraftFile(path.resolve(), name, language, category, brand if isinstance(brand, str) else None)


def _norm(language: str) -> str:
    return language.strip().replace("-", "_").lower()


_ENV = jinja2.sandbox.ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
)


def render(template: str, event: Event, what: str) -> str:
    """``template`` rendered over the event; an unknown name is an :class:`EventError`."""
    try:
        return _ENV.from_string(template).render(event.context())
    except jinja2.UndefinedError as exc:
        raise EventError(f"{what} {template!r}: {exc.message}; the event does not have it") from None
    except jinja2.TemplateError as exc:
        raise EventError(f"{what} {template!r} is not a valid Jinja2 template: {exc}") from None


@dataclass(frozen=True, slots=True)
class RenderedParameters:
    """Parameter values rendered over one event, as contact columns plus the plan that reads them."""

    columns: dict[str, str]  # column name -> value
    plan: dict[str, Any]  # the [parameters] table, each value replaced by "{{ column }}"


def render_parameters(rule: EventRule, event: Event) -> RenderedParameters:
    """Every parameter rendered over ``event``; the plan refers to them as contact columns, so the
    linter checks exactly the values that are sent."""
    columns: dict[str, str] = {}

    def walk(value: Any, where: str) -> Any:
        if isinstance(value, str):
            column = f"wg_param_{len(columns) + 1}"
            columns[column] = render(value, event, f"parameter {where}")
            return "{{ " + column + " }}"
        if isinstance(value, list):
            return [walk(item, f"{where}[{index}]") for index, item in enumerate(value, start=1)]
        if isinstance(value, dict):
            return {key: walk(item, f"{where}.{key}") for key, item in value.items()}
        raise EventError(f"parameter {where}: use strings (Jinja2 templates), lists or tables")

    plan = {key: walk(value, key) for key, value in rule.parameters.items()}
    return RenderedParameters(columns, plan)
