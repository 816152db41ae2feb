"""The templates the emulated WABA holds: loaded from Meta template JSON, with a status that can change.

Each file is a template draft as ``POST /<WABA_ID>/message_templates`` takes it (read with
:func:`lint.inputs.drafts.load_draft`), plus an optional top-level ``"status"`` (default
``APPROVED``) and ``"quality_score"`` (default ``UNKNOWN``, as for every new template).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ConfigError, InputError
from lint.inputs.drafts import Draft, load_draft

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
STATUSES = (
    "APPROVED",
    "PENDING",
    "REJECTED",
    "PAUSED",
    "DISABLED",
    "IN_APPEAL",
    "FLAGGED",
    "LIMIT_EXCEEDED",
    "ARCHIVED",
    "DELETED",
)
QUALITY_SCORES = ("GREEN", "YELLOW", "RED", "UNKNOWN")
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
# opt-out quick replies, in the languages replies come in (labels are compared lower-cased)
_STOP_LABELS = re.compile(
    r"stop|unsubscribe|opt[ -]?out|no more|parar|baja|cancelar|退订|退訂|取消订阅|إلغاء|ايقاف|बंद|berhenti",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Button:
    """One button of a template, by its position (the send request's ``index``)."""

    index: int
    type: str  # QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, ...
    text: str
    url: str | None
    dynamic: bool  # a URL button whose URL ends in a parameter

    @property
    def is_stop(self) -> bool:
        """Whether this quick reply is an opt-out ("Stop promotions", "退订", ...)."""
        return self.type == "QUICK_REPLY" and bool(_STOP_LABELS.search(self.text))


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    """What the emulator checks a send against."""

    id: str
    name: str
    language: str
    category: str  # MARKETING, UTILITY, AUTHENTICATION
    parameter_format: str  # positional | named
    header_format: str | None  # TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION, or None without a header
    header_text: str
    header_params: tuple[str, ...]  # "1", "2", ... or names, in order
    body_text: str
    body_params: tuple[str, ...]
    buttons: tuple[Button, ...]
    components: tuple[dict[str, Any], ...]  # as in the file, for GET message_templates
    initial_status: str
    initial_quality: str

    @property
    def quick_replies(self) -> tuple[Button, ...]:
        """The quick-reply buttons."""
        return tuple(b for b in self.buttons if b.type == "QUICK_REPLY")


class TemplateState:
    """The changing part of a template: status, quality, pauses, and the feedback counted so far."""

    __slots__ = ("accepted", "delivered", "negatives", "pauses", "quality", "status")

    def __init__(self, status: str, quality: str) -> None:
        self.status = status
        self.quality = quality
        self.pauses = 0
        self.accepted = 0
        self.delivered = 0
        self.negatives = 0


class Registry:
    """Templates by (name, language), each with its state."""

    def __init__(self, specs: list[TemplateSpec]) -> None:
        self._specs: dict[tuple[str, str], TemplateSpec] = {}
        self._names: set[str] = set()
        self.state: dict[tuple[str, str], TemplateState] = {}
        for spec in specs:
            key = (spec.name, spec.language)
            if key in self._specs:
                raise ConfigError(f"template {spec.name} ({spec.language}) is given twice")
            self._specs[key] = spec
            self._names.add(spec.name)
            self.state[key] = TemplateState(spec.initial_status, spec.initial_quality)

    @classmethod
    def from_files(cls, paths: tuple[Path, ...]) -> Registry:
        """Load every template file; an unusable file raises ConfigError naming it."""
        return cls([template_from_file(path) for path in paths])

    def get(self, name: str, language: str) -> TemplateSpec | None:
        """The template in that exact language, if the WABA has it."""
        return self._specs.get((name, language))

    def has_name(self, name: str) -> bool:
        """Whether any language of this template exists."""
        return name in self._names

    def specs(self) -> list[TemplateSpec]:
        """Every template, in load order."""
        return list(self._specs.values())


def template_from_file(path: Path) -> TemplateSpec:
    """Read one template file into a spec."""
    try:
        draft = load_draft(path)
    except InputError as exc:
        raise ConfigError(exc.message, hint=exc.hint) from None
    if draft.kind != "template" or not draft.name or not draft.language:
        raise ConfigError(f"{path}: not a template (it needs name, language and components)")
    return _spec(path, draft)


def _spec(path: Path, draft: Draft) -> TemplateSpec:
    assert draft.name is not None and draft.language is not None  # checked by the caller
    raw = draft.raw
    status = str(raw.get("status", "APPROVED")).upper()
    if status not in STATUSES:
        raise ConfigError(f"{path}: unknown template status {status!r}", hint=", ".join(STATUSES))
    quality = str(raw.get("quality_score", "UNKNOWN")).upper()
    if quality not in QUALITY_SCORES:
        raise ConfigError(f"{path}: unknown quality_score {quality!r}", hint=", ".join(QUALITY_SCORES))
    header = draft.component("HEADER")
    body = draft.component("BODY")
    if body is None:
        raise ConfigError(f"{path}: a template needs a BODY component")
    header_format = (header.header_format or "TEXT") if header is not None else None
    header_text = header.text if header is not None and header_format == "TEXT" else ""
    buttons = tuple(
        Button(
            index=i,
            type=(b.button_type or "").upper(),
            text=b.text,
            url=b.url,
            dynamic=b.url is not None and PLACEHOLDER.search(b.url) is not None,
        )
        for i, b in enumerate(draft.buttons)
    )
    components = raw.get("components", [])
    return TemplateSpec(
        id=_template_id(draft.name, draft.language),
        name=draft.name,
        language=draft.language,
        category=draft.category if draft.category != "SERVICE" else "UTILITY",
        parameter_format=draft.parameter_format,
        header_format=header_format,
        header_text=header_text,
        header_params=placeholders(header_text),
        body_text=body.text,
        body_params=placeholders(body.text),
        buttons=buttons,
        components=tuple(c for c in components if isinstance(c, dict)),
        initial_status=status,
        initial_quality=quality,
    )


def placeholders(text: str) -> tuple[str, ...]:
    """Parameter names of a text in order of first use (``{{1}}`` gives ``"1"``)."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(text):
        seen.setdefault(match.group(1), None)
    names = tuple(seen)
    if names and all(n.isdigit() for n in names):
        # positional: the highest number counts, as Meta numbers parameters 1..n
        return tuple(str(i) for i in range(1, max(int(n) for n in names) + 1))
    return names


def hydrate(text: str, values: dict[str, str]) -> str:
    """The text with every placeholder replaced by its value."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _template_id(name: str, language: str) -> str:
    digest = hashlib.sha256(f"{name}\x1f{language}".encode()).digest()
    return str(10**15 + int.from_bytes(digest[:8], "big") % (9 * 10**15))
