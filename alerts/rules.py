"""Alert rules: the metrics they can watch, the defaults shipped, and how configuration overrides them.

A :class:`Rule` is fully resolved (every parameter set); :func:`resolve_rules` builds the active
rules from the shipped defaults and ``[[alerts.rules]]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Literal

from alerts.config import AlertsSettings, Method, Metric, RuleConfig, Severity
from core.errors import ConfigError

Kind = Literal["rate", "event", "breach", "freshness"]

# labels a rate rule may be evaluated per (the dimensions of marts.message_facts)
MESSAGE_KEYS = ("campaign", "template", "category", "country", "phone_number_id")


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """What a metric is, which labels it can be grouped by, and its default parameters."""

    kind: Kind
    keys: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)


_RATE = {
    "min_volume": 200,
    "factor": 2.0,
    "age": timedelta(hours=6),
    "window": timedelta(hours=24),
    "baseline": timedelta(days=7),
    "bucket": timedelta(hours=1),
    "methods": ("wilson", "cusum"),
    "confidence": 0.99,
    "cusum_h": 4.0,
    "ewma_lambda": 0.1,
    "ewma_l": 3.0,
    "for_": timedelta(minutes=30),
    "keep_firing_for": timedelta(hours=1),
}

METRICS: dict[str, MetricInfo] = {
    "complaint_rate": MetricInfo("rate", MESSAGE_KEYS, {**_RATE, "threshold": 0.01}),
    "opt_out_rate": MetricInfo("rate", MESSAGE_KEYS, {**_RATE, "threshold": 0.02}),
    "block_rate_est": MetricInfo("rate", MESSAGE_KEYS, {**_RATE, "threshold": 0.02}),
    "failure_rate": MetricInfo(
        "rate",
        (*MESSAGE_KEYS, "error_class"),
        {**_RATE, "threshold": 0.05, "factor": 3.0, "age": timedelta(hours=1), "window": timedelta(hours=6)},
    ),
    "template_status": MetricInfo(
        "event", ("template", "language"), {"events": ("PAUSED", "DISABLED", "LOCKED", "FLAGGED")}
    ),
    "template_quality": MetricInfo("event", ("template", "language"), {"events": ("YELLOW", "RED")}),
    "phone_quality": MetricInfo("event", ("phone_number",), {"events": ("FLAGGED", "DOWNGRADE")}),
    "account_status": MetricInfo(
        "event",
        ("waba_id", "event"),
        {"events": ("ACCOUNT_RESTRICTION", "ACCOUNT_VIOLATION", "DISABLED_UPDATE", "ACCOUNT_DELETED")},
    ),
    "sends_after_opt_out": MetricInfo("breach", MESSAGE_KEYS, {"window": timedelta(hours=24)}),
    "receipts_stale": MetricInfo(
        "freshness", (), {"stale_after": timedelta(minutes=30), "window": timedelta(hours=24)}
    ),
}

# labels a pause can be set on, and the pause kind each becomes
PAUSABLE = {"campaign": "campaign", "template": "template", "phone_number_id": "phone_number_id"}


@dataclass(frozen=True, slots=True)
class Rule:
    """One active rule with every parameter resolved."""

    name: str
    metric: str
    kind: Kind
    severity: Severity
    group_by: tuple[str, ...]
    action: Literal["notify", "pause"]
    for_: timedelta = timedelta(0)
    keep_firing_for: timedelta = timedelta(0)
    repeat_interval: timedelta | None = None
    threshold: float = 0.0
    factor: float = 1.0
    min_volume: int = 1
    age: timedelta = timedelta(0)
    window: timedelta = timedelta(hours=24)
    baseline: timedelta = timedelta(days=7)
    bucket: timedelta = timedelta(hours=1)
    methods: tuple[Method, ...] = ("wilson",)
    confidence: float = 0.99
    cusum_h: float = 4.0
    ewma_lambda: float = 0.1
    ewma_l: float = 3.0
    events: tuple[str, ...] = ()
    lookback: timedelta = timedelta(days=7)
    stale_after: timedelta = timedelta(minutes=30)
    channels: tuple[str, ...] = ()
    description: str = ""

    @property
    def window_buckets(self) -> int:
        """Cohort buckets in the current window."""
        return round(self.window / self.bucket)

    @property
    def baseline_buckets(self) -> int:
        """Cohort buckets in the baseline window."""
        return round(self.baseline / self.bucket)


def _default(
    name: str, metric: Metric, severity: Severity, group_by: tuple[str, ...], **extra: Any
) -> RuleConfig:
    return RuleConfig(name=name, metric=metric, severity=severity, group_by=group_by, **extra)


DEFAULT_RULES: tuple[RuleConfig, ...] = (
    _default(
        "complaint_rate_by_campaign",
        "complaint_rate",
        "critical",
        ("campaign",),
        action="pause",
        description="Complaints per delivered message of a campaign rise above the baseline.",
    ),
    _default(
        "complaint_rate_by_template",
        "complaint_rate",
        "critical",
        ("template",),
        action="pause",
        description="Complaints per delivered message of a template rise above the baseline.",
    ),
    _default(
        "opt_out_rate_by_campaign",
        "opt_out_rate",
        "warning",
        ("campaign",),
        description="Opt-outs per delivered message of a campaign rise above the baseline.",
    ),
    _default(
        "opt_out_rate_by_template",
        "opt_out_rate",
        "warning",
        ("template",),
        description="Opt-outs per delivered message of a template rise above the baseline.",
    ),
    _default(
        "block_rate_est_by_campaign",
        "block_rate_est",
        "critical",
        ("campaign",),
        action="pause",
        description="Estimated blocks per accepted message of a campaign rise above the baseline.",
    ),
    _default(
        "block_rate_est_by_template",
        "block_rate_est",
        "critical",
        ("template",),
        action="pause",
        description="Estimated blocks per accepted message of a template rise above the baseline.",
    ),
    _default(
        "failure_spike_by_error_class",
        "failure_rate",
        "warning",
        ("error_class",),
        description="Failures of one error class (policy, quality, recipient, ...) spike.",
    ),
    _default(
        "template_paused",
        "template_status",
        "critical",
        ("template", "language"),
        action="pause",
        description="WhatsApp paused, disabled, locked or flagged a template.",
    ),
    _default(
        "template_quality_downgraded",
        "template_quality",
        "warning",
        ("template", "language"),
        description="A template's quality rating dropped to yellow or red.",
    ),
    _default(
        "phone_number_quality",
        "phone_quality",
        "critical",
        ("phone_number",),
        description="A sending number was flagged, downgraded or its messaging tier lowered.",
    ),
    _default(
        "account_restricted",
        "account_status",
        "critical",
        ("waba_id", "event"),
        description="The WhatsApp Business Account was restricted, found in violation or disabled.",
    ),
    _default(
        "sends_after_opt_out",
        "sends_after_opt_out",
        "critical",
        ("campaign",),
        action="pause",
        description="Messages were sent to people after their opt-out arrived.",
    ),
    _default(
        "receipts_stale",
        "receipts_stale",
        "warning",
        (),
        description="Sends happened but no delivery receipt arrived for a while (webhooks down?).",
    ),
)


def resolve_rules(settings: AlertsSettings) -> tuple[Rule, ...]:
    """The enabled rules: shipped defaults (unless switched off) overridden by ``[[alerts.rules]]``."""
    configs: dict[str, RuleConfig] = {r.name: r for r in DEFAULT_RULES} if settings.default_rules else {}
    for override in settings.rules:
        base = configs.get(override.name)
        if base is None:
            configs[override.name] = override
        else:
            changes = {k: getattr(override, k) for k in override.model_fields_set if k != "name"}
            configs[override.name] = base.model_copy(update=changes)
    rules = [build_rule(config) for config in configs.values() if config.enabled is not False]
    return tuple(rules)


def build_rule(config: RuleConfig) -> Rule:
    """One resolved :class:`Rule` from its configuration and the metric's defaults."""
    if config.metric is None:
        raise ConfigError(
            f"rule {config.name!r} has no metric",
            hint=f"set metric = one of {', '.join(METRICS)} (or use a default rule's name to change it)",
        )
    info = METRICS[config.metric]
    values: dict[str, Any] = dict(info.defaults)
    for key in Rule.__dataclass_fields__:
        if key in ("name", "metric", "kind"):
            continue
        given = getattr(config, key, None)
        if given is not None:
            values[key] = given
    rule = Rule(
        name=config.name,
        metric=config.metric,
        kind=info.kind,
        severity=values.pop("severity", "warning"),
        group_by=tuple(values.pop("group_by", ())),
        action=values.pop("action", "notify"),
        **values,
    )
    _check(rule, info)
    return rule


def _check(rule: Rule, info: MetricInfo) -> None:
    bad = [key for key in rule.group_by if key not in info.keys]
    if bad:
        allowed = ", ".join(info.keys) or "nothing (this rule has no labels)"
        raise ConfigError(
            f"rule {rule.name!r}: cannot group {rule.metric} by {bad[0]!r}", hint=f"use {allowed}"
        )
    if rule.action == "pause" and not any(key in PAUSABLE for key in _pause_keys(rule)):
        raise ConfigError(
            f"rule {rule.name!r}: action 'pause' needs group_by with campaign, template or phone_number_id"
        )
    if rule.kind != "rate":
        return
    for name, span in (("window", rule.window), ("baseline", rule.baseline)):
        if span <= timedelta(0) or span % rule.bucket:
            raise ConfigError(f"rule {rule.name!r}: {name} must be a positive multiple of bucket")
    if {"cusum", "ewma"} & set(rule.methods) and rule.factor <= 1.0:
        raise ConfigError(f"rule {rule.name!r}: cusum and ewma need factor > 1 (the rise they look for)")
    if not rule.methods:
        raise ConfigError(f"rule {rule.name!r}: methods is empty", hint="use wilson, ztest, ewma or cusum")


def _pause_keys(rule: Rule) -> tuple[str, ...]:
    # a phone-number rule is labelled by the display number; its pause uses the phone_number_id
    return (*rule.group_by, "phone_number_id") if rule.metric == "phone_quality" else rule.group_by


def replace_rule(rule: Rule, **changes: Any) -> Rule:
    """A copy of ``rule`` with some parameters changed (tests, simulations)."""
    return replace(rule, **changes)
