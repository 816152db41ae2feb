"""Typed settings: one source for every part of wagate.

Settings come from three places, later ones winning:

1. the defaults written below (each field documents itself; ``docs/config.md`` is generated
   from these descriptions by ``wagate config-docs``),
2. ``wagate.toml`` in the workspace,
3. ``WAGATE_<SECTION>__<FIELD>`` environment variables, e.g.
   ``WAGATE_METRICS__ATTRIBUTION_WINDOW_HOURS=48``.

Secrets (``WAGATE_ACCESS_TOKEN``, ``WAGATE_APP_SECRET``, ``WAGATE_VERIFY_TOKEN``, the dashboard
passwords) are read from the environment or from owner-only files named by ``<VARIABLE>_FILE``,
and never written to a file, a log or a report (``core.redact`` hides them).

Settings are built once at the edge (the CLI, the dashboard entry point, a test fixture) and
passed down; nothing below reads the environment on its own.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ConfigError
from core.secrets import Secrets as Secrets  # re-exported: settings are built with them
from core.send_config import SendSettings

CONFIG_FILE_NAME = "wagate.toml"
ENV_PREFIX = "WAGATE_"
DEFAULT_WORKSPACE = Path("data")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WarehouseSettings(_Section):
    """Where the DuckDB warehouse lives and how much of the machine it may use."""

    path: str = Field(
        "warehouse.duckdb",
        description="DuckDB file, relative to the workspace unless absolute.",
    )
    memory_limit: str = Field(
        "1500MB",
        description="DuckDB memory_limit for pipeline runs (DuckDB size syntax, e.g. 4GB); the process peaks about 200 MB above it.",
    )
    threads: int = Field(0, ge=0, description="DuckDB worker threads; 0 lets DuckDB use every core.")
    snapshot: bool = Field(
        True,
        description="After each load, publish a read-only copy that the dashboard and `wagate metrics` read, so they never wait for a running load.",
    )
    read_retry_seconds: float = Field(
        5.0,
        ge=0,
        description="How long a reader (dashboard, metrics) retries while a load holds the lock.",
    )


class CsvMapping(_Section):
    """How to read one kind of CSV export from another tool as a wagate send log."""

    name: str = Field(description="A label for reports, e.g. 'gupshup-export'.")
    match: str = Field(description="Glob matched against the file name (not the folder), e.g. 'bsp_*.csv'.")
    columns: dict[str, str] = Field(
        description=(
            "Send-log column -> header in the foreign file, e.g. {to = '手机号'}. "
            "Optional extra targets: status, status_at, complaint, blocked."
        )
    )
    defaults: dict[str, str] = Field(
        default_factory=dict,
        description="Values for send-log columns the file does not have, e.g. {category = 'marketing'}.",
    )
    encoding: Literal["auto", "utf-8", "utf-8-sig", "gb18030"] = Field(
        "auto", description="Text encoding; 'auto' tries UTF-8 (with or without BOM), then GB18030."
    )
    delimiter: str = Field(",", min_length=1, max_length=1, description="Field separator.")
    timestamp_format: str | None = Field(
        None,
        description=(
            "strptime format for attempted_at when it is not ISO-8601, e.g. '%Y/%m/%d %H:%M'. "
            "Times without an offset are read in `timezone`."
        ),
    )
    timezone: str = Field("UTC", description="IANA zone for timestamps without an offset.")


class IngestSettings(_Section):
    """What `wagate ingest` reads and how."""

    landing_dir: str = Field(
        "landing",
        description="The receiver's landing zone, relative to the workspace; `wagate ingest` with no path reads it.",
    )
    csv_mappings: tuple[CsvMapping, ...] = Field(
        (), description="Column mappings for CSV exports of other tools ([[ingest.csv_mappings]])."
    )


class MetricsSettings(_Section):
    """Parameters of the metric definitions in docs/metrics.md."""

    attribution_window_hours: float = Field(
        72.0,
        gt=0,
        description="A reply without context.id is attributed to the latest message sent to the same person within this many hours before it.",
    )
    stale_sent_hours: float = Field(
        72.0,
        gt=0,
        description="A message still at `sent` this many hours after its last status (measured against the newest receipt) counts towards the estimated block rate.",
    )
    reporting_timezone: str = Field("UTC", description="IANA time zone that defines the reporting day.")

    @field_validator("reporting_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class DashboardSettings(_Section):
    """Who may open the dashboard and who may see full phone numbers (docs/dashboard.md, "Access and secrets")."""

    require_login: bool = Field(
        False,
        description="Ask for a login even on localhost (beyond localhost a login is always required).",
    )
    reveal_numbers: tuple[str, ...] = Field(
        (),
        description="E-mail addresses (OIDC login) allowed to reveal full phone numbers; in password mode the admin password grants it.",
    )
    oidc_provider: str | None = Field(
        None,
        description="Name of the [auth.NAME] provider in .streamlit/secrets.toml to log in with; unset uses [auth] itself.",
    )
    max_login_failures: int = Field(
        5, ge=1, description="Wrong passwords in a row (per client address) before the login locks."
    )
    lockout_seconds: float = Field(300.0, gt=0, description="How long a locked login stays locked.")

    @field_validator("reveal_numbers", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        # from the environment the list arrives as one comma-separated string
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


class PrivacySettings(_Section):
    """Pseudonymisation of phone numbers in analytics tables."""

    key_file: str = Field(
        ".wagate-key",
        description="File (owner-only permissions) holding the secret that keys contact pseudonyms; created on first use.",
    )


# D007: consent and opt-out evidence must outlive the longest period in which a sending can be
# challenged: 5 years for US do-not-call requests (47 CFR 64.1200(d)(6)), which also covers the
# 4-year TCPA limitation (28 U.S.C. 1658) and 3 years after the last contact elsewhere (CNIL).
CONSENT_EVIDENCE_MIN_DAYS = 1827  # 5 years including leap days


class RetentionSettings(_Section):
    """How long each kind of personal data is kept; `wagate privacy purge` (and `wagate watch`, daily) applies it."""

    landing_days: int = Field(
        90,
        ge=1,
        description="Landing files (raw webhook bodies with numbers) are deleted this many days after they were written, once ingested.",
    )
    raw_body_days: int = Field(
        90,
        ge=1,
        description="The raw JSON kept next to each warehouse event is cleared after this many days (parsed columns stay).",
    )
    inbound_text_days: int = Field(
        365,
        ge=1,
        description="Texts of inbound messages are redacted this many days after they arrived (classification stays).",
    )
    send_log_days: int = Field(
        1095,
        ge=1,
        description="Send-log files (with numbers) are deleted this many days after they were written, once ingested.",
    )
    triggers_journal_days: int = Field(
        90,
        ge=1,
        description="Records of the `wagate triggers` journal (events, outcomes, quarantined and ignored bodies, with numbers and names) are deleted this many days after they were written; quarantined bodies not replayed by then go too.",
    )
    consent_evidence_days: int = Field(
        CONSENT_EVIDENCE_MIN_DAYS,
        description=f"Consent and opt-out evidence (lifted suppressions, consent signals) is kept this long; at least {CONSENT_EVIDENCE_MIN_DAYS} days (D007). Active opt-outs are never purged.",
    )

    @field_validator("consent_evidence_days")
    @classmethod
    def _legal_minimum(cls, value: int) -> int:
        if value < CONSENT_EVIDENCE_MIN_DAYS:
            raise ValueError(
                f"{value} days is shorter than the legal minimum of {CONSENT_EVIDENCE_MIN_DAYS} days "
                "(5 years, D007: US do-not-call records, TCPA limitation, GDPR Art. 7(1) proof)"
            )
        return value


class Settings(_Section):
    """Every setting of a workspace."""

    workspace: Path = Field(DEFAULT_WORKSPACE, description="The workspace folder.")
    warehouse: WarehouseSettings = WarehouseSettings()
    ingest: IngestSettings = IngestSettings()
    metrics: MetricsSettings = MetricsSettings()
    dashboard: DashboardSettings = DashboardSettings()
    privacy: PrivacySettings = PrivacySettings()
    retention: RetentionSettings = RetentionSettings()
    send: SendSettings = SendSettings()
    # sections owned and validated by their packages (docs/rules.md, docs/alerts.md)
    lint: dict[str, Any] = Field(default_factory=dict, description="The linter's [lint] section.")
    alerts: dict[str, Any] = Field(default_factory=dict, description="The alerts' [alerts] section.")
    secrets: Secrets = Field(default_factory=Secrets, exclude=True)

    def resolve(self, relative: str) -> Path:
        """A path from the settings, relative to the workspace unless absolute."""
        path = Path(relative)
        return path if path.is_absolute() else self.workspace / path

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file."""
        return self.resolve(self.warehouse.path)

    @property
    def landing_path(self) -> Path:
        """The receiver's landing zone."""
        return self.resolve(self.ingest.landing_dir)

    @property
    def key_path(self) -> Path:
        """The pseudonymisation key file."""
        return self.resolve(self.privacy.key_file)


SECTIONS: dict[str, type[BaseModel]] = {
    "warehouse": WarehouseSettings,
    "ingest": IngestSettings,
    "metrics": MetricsSettings,
    "dashboard": DashboardSettings,
    "privacy": PrivacySettings,
    "retention": RetentionSettings,
    "send": SendSettings,
}


def load_settings(workspace: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings of a workspace from its wagate.toml and the environment.

    ``workspace`` wins over ``WAGATE_WORKSPACE``, which wins over ``./data``.
    """
    env = os.environ if env is None else env
    root = workspace or Path(env.get("WAGATE_WORKSPACE") or DEFAULT_WORKSPACE)
    data: dict[str, Any] = read_toml(root / CONFIG_FILE_NAME)
    _merge_env(data, env)
    try:
        return Settings(workspace=root, secrets=Secrets.from_env(env), **data)
    except ValidationError as exc:
        raise ConfigError(
            _describe(exc), hint=f"check {root / CONFIG_FILE_NAME} and WAGATE_* variables"
        ) from None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict ({} when it does not exist); a bad file is one-line ConfigError."""
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _merge_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, field = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in SECTIONS:
            raise ConfigError(
                f"{name}: unknown section {section!r}",
                hint=f"sections are {', '.join(sorted(SECTIONS))}",
            )
        if field not in SECTIONS[section].model_fields:
            raise ConfigError(f"{name}: unknown setting {section}.{field}", hint="see docs/config.md")
        data.setdefault(section, {})[field] = value


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"invalid setting {where}: {first['msg']}{more}"


def config_reference() -> str:
    """Markdown reference of every setting, generated from the field descriptions."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `wagate config-docs` from core/config.py. Do not edit. -->",
        "",
        f"Settings live in `{CONFIG_FILE_NAME}` in the workspace (`--workspace DIR`, else",
        "`WAGATE_WORKSPACE`, else `./data`). Each can be overridden by an environment variable",
        "`WAGATE_<SECTION>__<FIELD>`. Secrets come from the environment only:",
        "`WAGATE_ACCESS_TOKEN`, `WAGATE_APP_SECRET` (comma-separated during a rotation),",
        "`WAGATE_VERIFY_TOKEN`, `WAGATE_DASHBOARD_PASSWORD` and `WAGATE_DASHBOARD_ADMIN_PASSWORD`;",
        "each may instead name a file with owner-only permissions in `<VARIABLE>_FILE`",
        "(e.g. `WAGATE_ACCESS_TOKEN_FILE`).",
        "",
    ]
    for section, model in SECTIONS.items():
        lines += [f"## [{section}]", "", (model.__doc__ or "").strip(), ""]
        lines += _field_table(model, f"WAGATE_{section.upper()}__")
    lines += ["## [[ingest.csv_mappings]]", "", (CsvMapping.__doc__ or "").strip(), ""]
    lines += _field_table(CsvMapping, None)
    return "\n".join(lines).rstrip() + "\n"


def _field_table(model: type[BaseModel], env_prefix: str | None) -> list[str]:
    rows = ["| setting | default | environment | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        default = "(required)" if info.is_required() else repr(info.get_default(call_default_factory=True))
        env = f"`{env_prefix}{name.upper()}`" if env_prefix else "-"
        rows.append(f"| `{name}` | `{default}` | {env} | {info.description or ''} |")
    return [*rows, ""]
