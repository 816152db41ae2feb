"""The campaign plan (``campaign.toml``): what is sent, to whom, when, with which parameters.

Example::

    name = "spring-sale"
    draft = "spring_sale.json"          # or drafts = ["a.json", "b.json"]
    contacts = "contacts.csv"
    consent = "consent.csv"             # optional events file
    phone_number_id = "106540352242922" # optional: the sending number (default: [send] in wagate.toml)
    header_media = "https://..."        # optional: media (link or id) of an IMAGE/VIDEO/DOCUMENT header
    send_at = 2025-06-02T10:00:00+08:00 # or a [window] with start and end

    [parameters]                        # Jinja2 over contact columns
    header = ["{{ first_name }}"]
    body = ["{{ first_name | title }}", "{{ city }}"]
    buttons = { 1 = ["{{ order_id }}"] } # URL suffix of button 1

Named-parameter templates use tables: ``[parameters.body] first_name = "{{ first_name }}"``.
Paths are relative to the plan file. Parameters are rendered per contact with strict undefined
handling: a name that is not a contact column is an input error before anything is checked; an
empty cell renders as an empty string (and the linter reports it).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import polars as pl

from core.errors import InputError

_MAX_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Plan:
    """A parsed campaign plan."""

    path: Path
    display: str
    name: str | None
    drafts: tuple[Path, ...]
    contacts: Path | None
    consent: Path | None
    send_at: datetime | None
    window: tuple[datetime, datetime] | None
    parameters: dict[str, Any] = field(default_factory=dict)  # header / body / buttons
    header_media: str | None = None  # link or uploaded media id for an IMAGE/VIDEO/DOCUMENT header
    phone_number_id: str | None = None  # the sending number, when not the workspace's [send] one


def _when(path: Path, value: Any, what: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(f"{path}: {what} is not an ISO-8601 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise InputError(f"{path}: {what} must be a date and time")
    if value.tzinfo is None:
        raise InputError(f"{path}: {what} needs a UTC offset", hint="e.g. 2025-06-02T10:00:00+08:00")
    return value


def _relative(path: Path, value: Any, what: str) -> Path:
    if not isinstance(value, str) or not value:
        raise InputError(f"{path}: {what} must be a file name")
    candidate = Path(value)
    return candidate if candidate.is_absolute() else path.parent / candidate


def load_plan(path: Path, display: str | None = None) -> Plan:
    """Read ``campaign.toml``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    known = {
        "name",
        "draft",
        "drafts",
        "contacts",
        "consent",
        "send_at",
        "window",
        "parameters",
        "header_media",
        "phone_number_id",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r}", hint=f"known keys: {', '.join(sorted(known))}"
        )
    drafts = [data["draft"]] if "draft" in data else list(data.get("drafts", []))
    window = None
    if "window" in data:
        raw = data["window"]
        if not isinstance(raw, dict) or "start" not in raw or "end" not in raw:
            raise InputError(f"{path}: [window] needs start and end")
        window = (_when(path, raw["start"], "window.start"), _when(path, raw["end"], "window.end"))
        if not window[0] < window[1] <= window[0] + _MAX_WINDOW:
            raise InputError(f"{path}: the window must end after it starts, within 7 days")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise InputError(f"{path}: [parameters] must be a table")
    return Plan(
        path=path,
        display=display or str(path),
        name=data.get("name") if isinstance(data.get("name"), str) else None,
        drafts=tuple(_relative(path, d, "draft") for d in drafts),
        contacts=_relative(path, data["contacts"], "contacts") if "contacts" in data else None,
        consent=_relative(path, data["consent"], "consent") if "consent" in data else None,
        send_at=_when(path, data["send_at"], "send_at") if "send_at" in data else None,
        window=window,
        parameters=parameters,
        header_media=_text(path, data, "header_media"),
        phone_number_id=_text(path, data, "phone_number_id"),
    )


def _text(path: Path, data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a number id written without quotes
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{path}: {key} must be text")
    return value.strip()


def parameter_expressions(plan: Plan) -> dict[str, str]:
    """Plan parameters flattened: ``{"header.1": ..., "body.2": ..., "body.first_name": ..., "button.1.1": ...}``."""
    out: dict[str, str] = {}

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value, start=1):
                out[f"{prefix}.{index}"] = _expression(plan, f"{prefix}.{index}", item)
        elif isinstance(value, dict):
            for name, item in value.items():
                out[f"{prefix}.{name}"] = _expression(plan, f"{prefix}.{name}", item)
        else:
            raise InputError(f"{plan.path}: parameters.{prefix} must be a list or a table")

    for section in ("header", "body"):
        if section in plan.parameters:
            add(section, plan.parameters[section])
    buttons = plan.parameters.get("buttons", {})
    if not isinstance(buttons, dict):
        raise InputError(f"{plan.path}: parameters.buttons must be a table keyed by button number")
    for index, value in buttons.items():
        add(f"button.{index}", value if isinstance(value, list | dict) else [value])
    unknown = sorted(set(plan.parameters) - {"header", "body", "buttons"})
    if unknown:
        raise InputError(
            f"{plan.path}: unknown parameters section {unknown[0]!r} (use header, body, buttons)"
        )
    return out


def _expression(plan: Plan, where: str, value: Any) -> str:
    if not isinstance(value, str | int | float):
        raise InputError(f"{plan.path}: parameter {where} must be text")
    return str(value)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=lambda value: "" if value is None else value,
        keep_trailing_newline=True,
    )


def render_parameters(plan: Plan, contacts: pl.DataFrame, variables: dict[str, str]) -> pl.DataFrame:
    """Rendered parameter values per contact: ``_row`` plus one text column per parameter.

    ``variables`` maps a template variable name to a column of ``contacts``. Each distinct
    combination of the columns an expression uses is rendered once.
    """
    env = _environment()
    out = contacts.select("_row")
    for where, source in parameter_expressions(plan).items():
        try:
            parsed = env.parse(source)
            template = env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise InputError(
                f"{plan.path}: parameter {where}: template syntax error: {exc.message}"
            ) from None
        names = sorted(jinja2.meta.find_undeclared_variables(parsed))
        missing = [n for n in names if n not in variables]
        if missing:
            raise InputError(
                f"{plan.path}: parameter {where} ({source!r}) uses {missing[0]!r}, which is not a contact column",
                hint=f"contact columns: {', '.join(sorted(variables)) or 'none'}",
            )
        columns = [variables[n] for n in names]
        distinct = contacts.select(columns).unique() if columns else pl.DataFrame({"_": [0]})
        values = []
        for row in distinct.iter_rows():
            # an empty cell is an empty string to filters too ('{{ name | upper }}' must not give 'NONE')
            context = {n: ("" if v is None else v) for n, v in zip(names, row, strict=True)}
            try:
                values.append(template.render(context))
            except jinja2.TemplateError as exc:
                raise InputError(
                    f"{plan.path}: parameter {where} ({source!r}) cannot be rendered: {exc}"
                ) from None
        rendered = distinct.with_columns(pl.Series(where, values, dtype=pl.String))
        if columns:
            value = contacts.select(columns).join(
                rendered, on=columns, how="left", nulls_equal=True, maintain_order="left"
            )
            out = out.with_columns(value[where])
        else:
            out = out.with_columns(pl.lit(values[0]).alias(where))
    return out
