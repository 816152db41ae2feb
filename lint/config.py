"""Linter settings: ``[tool.wagate.lint]`` in pyproject.toml and ``[lint]`` in the workspace's wagate.toml.

Both may exist; the workspace file wins key by key (it belongs to the people who send, the
pyproject to the people who build). Relative paths are relative to the file that names them.
Command-line options win over both. Example::

    [lint]
    brand_names = ["Acme", "Acme Trading Co."]
    brand_domains = ["acme.com"]
    default_region = "CN"
    ignore = ["T003"]
    severity = { Q008 = "error" }
    waivers = "waivers.toml"

    [lint.countries.US]
    severity = { N003 = "error" }

    [lint.options.N005]
    max_consent_age_days = 60
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ConfigError
from lint.findings import Severity

WORKSPACE_FILE = "wagate.toml"
PROJECT_FILE = "pyproject.toml"


class CountryOverride(BaseModel):
    """Rules switched off or re-graded for contacts whose number is in one region."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ignore: tuple[str, ...] = Field((), description="Codes, prefixes or names not checked for this region.")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Severity per code/prefix/name.")


class LintConfig(BaseModel):
    """Every setting of the linter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    select: tuple[str, ...] = Field(
        (), description="Only these codes, prefixes, names or groups (empty: all)."
    )
    ignore: tuple[str, ...] = Field((), description="Codes, prefixes, names or groups not checked.")
    severity: dict[str, Severity] = Field(
        default_factory=dict, description="Severity overrides per selector."
    )
    countries: dict[str, CountryOverride] = Field(default_factory=dict, description="Per-region overrides.")
    brand_names: tuple[str, ...] = Field(
        (), description="Brand and legal names that identify the sender (P001)."
    )
    brand_domains: tuple[str, ...] = Field(
        (), description="Domains the sender owns; links elsewhere warn (D004)."
    )
    brand_allowlist: tuple[str, ...] = Field(
        (),
        description=(
            "Other brands the sender may speak for, e.g. as their authorised dealer; naming any other "
            "known brand as the sender is impersonation (P006)."
        ),
    )
    automated_flow: bool = Field(
        False, description="The sending number answers with a bot or automated conversation flow (P008)."
    )
    human_escalation_channels: tuple[str, ...] = Field(
        (),
        description=(
            "How a customer reaches a person from the automated flow: agent, phone, web_form, email or "
            "store, optionally with details, e.g. ['agent', 'phone: +86 755 1234 5678'] (P008)."
        ),
    )
    evidence_retention_months: int | None = Field(
        None,
        ge=0,
        description=(
            "How long consent and opt-out evidence is kept after the last contact with a person, in "
            "months (D007)."
        ),
    )
    default_region: str | None = Field(None, description="Region for numbers typed without a country code.")
    meta_us_marketing_enabled: bool = Field(
        False, description="Set true only if Meta delivers marketing templates to US numbers again (S001)."
    )
    paused_templates: tuple[str, ...] = Field(
        (),
        description=(
            "Templates paused by a firing, unacknowledged alert (S006). `wagate lint` fills it from the "
            "workspace's pause flags; set it by hand only for testing."
        ),
    )
    columns: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Extra contact header aliases."
    )
    consent_columns: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Extra consent-events header aliases."
    )
    country_names: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Extra country names per ISO code, e.g. {DE = ['Alemania']}."
    )
    waivers: Path | None = Field(None, description="Waivers file (TOML).")
    suppression: Path | None = Field(
        None, description="Suppression list file (CSV) when no warehouse is used."
    )
    send_log: Path | None = Field(
        None, description="Send history file (CSV or JSONL) when no warehouse is used."
    )
    replies: Path | None = Field(
        None,
        description=(
            "Inbound replies file (CSV or JSONL: phone, received_at, text, reviewed) when no warehouse "
            "is used (O004)."
        ),
    )
    controller_country: str | None = Field(
        None,
        description="ISO code of the country where the sender (data controller) is established (S002, S003).",
    )
    eu_representative: str | None = Field(
        None, description="Name of the GDPR Art. 27 representative in the EU (S002)."
    )
    uk_representative: str | None = Field(
        None, description="Name of the UK GDPR Art. 27 representative in the UK (S002)."
    )
    processing_countries: tuple[str, ...] = Field(
        (),
        description=(
            "ISO codes of the countries where contact data is stored or processed (S003); empty: the "
            "controller_country."
        ),
    )
    transfer_mechanism: str | None = Field(
        None, description="Safeguard for EU/UK data leaving the EEA/UK, e.g. 'EU SCCs 2021 + TIA' (S003)."
    )
    tx_solicitor_registration: str | None = Field(
        None, description="Texas telephone-solicitor registration number (S004)."
    )
    messaging_limit_tier: str | None = Field(
        None,
        description=(
            "WhatsApp messaging limit of the business: TIER_250, TIER_2K, TIER_10K, TIER_100K, "
            "TIER_UNLIMITED or a number of users per 24 hours (S005)."
        ),
    )
    quality_rating: str | None = Field(
        None, description="Quality rating of the sending number: GREEN, YELLOW or RED (S005)."
    )
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Rule parameters per code.")

    @field_validator("default_region")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None

    @field_validator("controller_country")
    @classmethod
    def _upper_country(cls, value: str | None) -> str | None:
        return value.strip().upper() if value and value.strip() else None

    @field_validator("processing_countries")
    @classmethod
    def _upper_countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(code.strip().upper() for code in value if code.strip())

    @field_validator("countries")
    @classmethod
    def _upper_keys(cls, value: dict[str, CountryOverride]) -> dict[str, CountryOverride]:
        return {key.upper(): override for key, override in value.items()}

    def updated(self, **changes: Any) -> LintConfig:
        """A copy with command-line values applied (``None`` values are ignored)."""
        data = self.model_dump()
        data.update({key: value for key, value in changes.items() if value is not None})
        return LintConfig.model_validate(data)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _anchor_paths(section: dict[str, Any], base: Path) -> dict[str, Any]:
    out = dict(section)
    for key in ("waivers", "suppression", "send_log", "replies"):
        if isinstance(out.get(key), str):
            path = Path(out[key])
            out[key] = str(path if path.is_absolute() else base / path)
    return out


def find_project_file(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start``."""
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def load_lint_config(workspace: Path | None, start: Path | None = None) -> LintConfig:
    """Settings from ``[tool.wagate.lint]`` (nearest pyproject.toml) and ``<workspace>/wagate.toml`` ``[lint]``."""
    merged: dict[str, Any] = {}
    sources: list[str] = []
    project = find_project_file(start or Path.cwd())
    if project is not None:
        section = _read(project).get("tool", {}).get("wagate", {}).get("lint")
        if isinstance(section, dict):
            merged.update(_anchor_paths(section, project.parent))
            sources.append(f"{project} [tool.wagate.lint]")
    if workspace is not None and (workspace / WORKSPACE_FILE).is_file():
        path = workspace / WORKSPACE_FILE
        section = _read(path).get("lint")
        if isinstance(section, dict):
            merged.update(_anchor_paths(section, path.parent))
            sources.append(f"{path} [lint]")
    try:
        return LintConfig.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"invalid linter setting {where}: {first['msg']}",
            hint=f"check {' and '.join(sources) or 'the linter settings'}",
        ) from None
