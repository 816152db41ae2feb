"""The ``[alerts]`` settings: rules (``[[alerts.rules]]``) and channels (``[[alerts.channels]]``).

These models depend only on pydantic and :mod:`core`, so they can move into ``core/config.py``
unchanged (``Settings.alerts``); until then :func:`load_alerts_settings` reads the section from the
workspace's ``wagate.toml`` itself and reports problems as one-line :class:`ConfigError` s.

Durations are written ``"90s"``, ``"30m"``, ``"2h"``, ``"7d"``, ``"1w"`` or combined (``"1h30m"``);
a bare number means seconds. Secrets (webhook URLs with tokens, signing secrets, SMTP passwords)
are never written in the file: a channel names the environment variable that holds them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from core.config import read_toml
from core.errors import ConfigError

CONFIG_FILE_NAME = "wagate.toml"

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)")
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: object) -> timedelta:
    """``"2h"``, ``"1h30m"``, ``"7d"``, ``90`` (seconds) or a timedelta -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text such as '30m', '2h', '7d'")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return timedelta(seconds=float(value))
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if text in ("0", ""):
            return timedelta(0)
        parts = _DURATION.findall(text)
        if parts and "".join(f"{n}{u}" for n, u in parts) == text:
            return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))
    raise ValueError(f"invalid duration {value!r}; write e.g. '30m', '2h', '7d' or '1h30m'")


def format_duration(value: timedelta) -> str:
    """The shortest exact text for a duration: ``timedelta(hours=2)`` -> ``"2h"``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Language = Literal["en", "zh", "both"]
Severity = Literal["critical", "warning", "info"]
Method = Literal["wilson", "ztest", "ewma", "cusum"]
Metric = Literal[
    "complaint_rate",
    "opt_out_rate",
    "block_rate_est",
    "failure_rate",
    "template_status",
    "template_quality",
    "phone_quality",
    "account_status",
    "sends_after_opt_out",
    "receipts_stale",
]
ChannelType = Literal["slack", "webhook", "email", "dingtalk", "wecom", "feishu"]
_NAME = r"^[A-Za-z0-9_.-]+$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleConfig(_Model):
    """One ``[[alerts.rules]]`` entry.

    A rule whose ``name`` is a shipped default changes only the fields it sets; any other name is
    a new rule and needs ``metric``. Unset rate parameters take the metric's defaults
    (docs/alerts.md lists them).
    """

    name: str = Field(pattern=_NAME, description="Rule name, e.g. 'complaint_rate_by_campaign'.")
    metric: Metric | None = Field(None, description="What the rule watches (required for a new rule).")
    enabled: bool | None = Field(None, description="false switches the rule (a default one too) off.")
    severity: Severity | None = Field(None, description="critical, warning or info.")
    group_by: tuple[str, ...] | None = Field(
        None, description="Labels the rule is evaluated per, e.g. ['campaign'] or ['template']."
    )
    action: Literal["notify", "pause"] | None = Field(
        None, description="'pause' also sets a pause flag for the campaign, template or number it fired on."
    )
    for_: Duration | None = Field(None, alias="for", description="Pending period before firing.")
    keep_firing_for: Duration | None = Field(
        None, description="Stay firing this long after the condition clears."
    )
    repeat_interval: Duration | None = Field(None, description="Re-notify a firing alert this often.")
    threshold: float | None = Field(None, ge=0, description="Absolute floor (rates: a fraction, e.g. 0.01).")
    factor: float | None = Field(None, ge=1, description="The rise over the baseline that matters, e.g. 2.0.")
    min_volume: int | None = Field(None, ge=1, description="Smallest denominator in the current window.")
    age: Duration | None = Field(
        None, description="Equal-age horizon: count events within this age of sending."
    )
    window: Duration | None = Field(None, description="Current window (of send times).")
    baseline: Duration | None = Field(None, description="Baseline window, just before the current one.")
    bucket: Duration | None = Field(
        None, description="Cohort bucket for CUSUM/EWMA (divides window and baseline)."
    )
    methods: tuple[Method, ...] | None = Field(
        None, description="Tests, any of which fires: wilson, ztest, ewma, cusum."
    )
    confidence: float | None = Field(None, gt=0.5, lt=1, description="One-sided confidence, e.g. 0.99.")
    cusum_h: float | None = Field(None, gt=0, description="CUSUM decision interval (log-likelihood units).")
    ewma_lambda: float | None = Field(None, gt=0, le=1, description="EWMA smoothing weight per bucket.")
    ewma_l: float | None = Field(None, gt=0, description="EWMA band width in standard deviations.")
    events: tuple[str, ...] | None = Field(None, description="Event values that count (event rules).")
    lookback: Duration | None = Field(
        None, description="Event rules: how long an event keeps the alert active."
    )
    stale_after: Duration | None = Field(
        None, description="receipts_stale: minutes without receipts after a send."
    )
    channels: tuple[str, ...] | None = Field(
        None, description="Only these channels (default: every channel)."
    )
    description: str | None = Field(None, description="Free text shown in `wagate alerts rules`.")


class ChannelConfig(_Model):
    """One ``[[alerts.channels]]`` entry: where notifications go."""

    name: str = Field(pattern=_NAME, description="Channel name, e.g. 'ops-dingtalk'.")
    type: ChannelType = Field(description="slack, webhook, email, dingtalk, wecom or feishu.")
    url: str | None = Field(None, description="Endpoint URL when it holds no secret.")
    url_env: str | None = Field(
        None, description="Environment variable holding the URL (bot URLs carry tokens)."
    )
    secret_env: str | None = Field(
        None,
        description="Environment variable holding the signing secret (webhook HMAC, DingTalk/Feishu sign).",
    )
    language: Language | None = Field(None, description="en, zh or both (default: [alerts] language).")
    min_severity: Severity = Field("info", description="Send only alerts at least this severe.")
    rules: tuple[str, ...] = Field((), description="Send only these rules (default: all).")
    send_resolved: bool | None = Field(
        None, description="Also send recoveries (default: [alerts] send_resolved)."
    )
    smtp_host: str | None = Field(None, description="Email: SMTP server.")
    smtp_port: int = Field(587, ge=1, le=65535, description="Email: SMTP port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="Email: transport security."
    )
    username: str | None = Field(None, description="Email: SMTP user.")
    password_env: str | None = Field(
        None, description="Email: environment variable holding the SMTP password."
    )
    sender: str | None = Field(None, alias="from", description="Email: From address.")
    to: tuple[str, ...] = Field((), description="Email: recipients.")

    @model_validator(mode="after")
    def _complete(self) -> ChannelConfig:
        if self.type == "email":
            missing = [n for n, v in (("smtp_host", self.smtp_host), ("from", self.sender)) if not v]
            if missing or not self.to:
                raise ValueError(f"email channel {self.name!r} needs smtp_host, from and to")
        elif not (self.url or self.url_env):
            raise ValueError(f"{self.type} channel {self.name!r} needs url or url_env")
        if self.type == "webhook" and not self.secret_env:
            raise ValueError(f"webhook channel {self.name!r} needs secret_env (payloads are signed)")
        return self


class AlertsSettings(_Model):
    """Alert rules, notification channels and how often people hear about a firing alert."""

    enabled: bool = Field(True, description="Evaluate alerts in `wagate watch` after each ingest.")
    default_rules: bool = Field(True, description="Include the shipped rules (docs/alerts.md).")
    language: Language = Field("en", description="Notification text: en, zh or both.")
    title: str = Field("wagate", description="Name shown at the start of every notification.")
    group_by: tuple[str, ...] = Field(
        ("rule",), description="Alerts sharing these labels go out in one message ('rule' is the rule name)."
    )
    repeat_interval: Duration = Field(
        timedelta(hours=4), description="Re-notify a firing, unacknowledged alert this often."
    )
    send_resolved: bool = Field(True, description="Tell people when an alert resolves.")
    attempts: int = Field(3, ge=1, le=10, description="Delivery attempts per channel and message.")
    backoff_seconds: float = Field(2.0, ge=0, description="First retry delay; doubles on each retry.")
    timeout_seconds: float = Field(10.0, gt=0, description="HTTP and SMTP timeout per attempt.")
    dashboard_url: str = Field("", description="Link added to notifications (optional).")
    rules: tuple[RuleConfig, ...] = Field(
        (), description="[[alerts.rules]]: overrides of defaults and new rules."
    )
    channels: tuple[ChannelConfig, ...] = Field((), description="[[alerts.channels]]: notification targets.")

    @model_validator(mode="after")
    def _unique(self) -> AlertsSettings:
        for kind, names in (
            ("rule", [r.name for r in self.rules]),
            ("channel", [c.name for c in self.channels]),
        ):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"{kind} {twice[0]!r} is defined twice")
        known = {c.name for c in self.channels}
        for rule in self.rules:
            unknown = sorted(set(rule.channels or ()) - known)
            if unknown:
                raise ValueError(f"rule {rule.name!r} names unknown channel {unknown[0]!r}")
        return self


def load_alerts_settings(workspace: Path, settings: object | None = None) -> AlertsSettings:
    """The ``[alerts]`` settings of a workspace.

    When ``settings`` (a :class:`core.config.Settings`) already carries an ``alerts`` section, it
    wins; otherwise the section is read from ``<workspace>/wagate.toml``.
    """
    carried = getattr(settings, "alerts", None)
    if isinstance(carried, AlertsSettings):
        return carried
    path = workspace / CONFIG_FILE_NAME
    return parse_alerts_settings(read_toml(path), path)


def parse_alerts_settings(data: dict[str, Any], path: Path | None = None) -> AlertsSettings:
    """Validate the ``alerts`` table of a parsed wagate.toml (a missing table gives the defaults)."""
    section = data.get("alerts", {})
    where = str(path) if path else CONFIG_FILE_NAME
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: [alerts] must be a table")
    try:
        return AlertsSettings(**section)
    except ValidationError as exc:
        raise ConfigError(_describe(exc), hint=f"check [alerts] in {where}; see docs/alerts.md") from None


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in ("alerts", *first["loc"]))
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"invalid setting {where}: {message}{more}"
