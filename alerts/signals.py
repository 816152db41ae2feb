"""Read what each rule needs from the warehouse and turn it into observations.

This is the only alerts module that queries the warehouse for metrics (through
:mod:`core.queries`); everything it hands on is plain data for the pure evaluators.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts import events
from alerts.error_classes import error_class
from alerts.evaluate import evaluate_rate
from alerts.model import Labels, Observation, make_labels
from alerts.rules import Rule
from core import alert_queries as queries
from core.errors import WagateError
from core.warehouse import Warehouse

log = logging.getLogger(__name__)

_SIGNAL = {"complaint_rate": "complaint", "opt_out_rate": "opt_out", "block_rate_est": "block"}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Observations of every rule, the time cohorts were judged at, and rules that failed."""

    observations: tuple[Observation, ...]
    as_of: datetime
    errors: tuple[tuple[str, str], ...] = ()


def evaluate_all(wh: Warehouse, rules: Sequence[Rule], now: datetime) -> Evaluation:
    """Evaluate every rule at ``now``; a rule whose query fails is reported, not fatal."""
    as_of = maturity_time(wh, rules, now)
    found: list[Observation] = []
    errors: list[tuple[str, str]] = []
    for rule in rules:
        try:
            found.extend(observe(wh, rule, now, as_of))
        except WagateError as exc:
            log.warning("alert rule %s failed: %s", rule.name, exc.one_line())
            errors.append((rule.name, exc.one_line()))
    return Evaluation(tuple(found), as_of, tuple(errors))


def maturity_time(wh: Warehouse, rules: Sequence[Rule], now: datetime) -> datetime:
    """The time cohort ages are measured at: now, or the newest receipt while receipts are stale.

    Quiet is only good news when the pipeline works: if sends are waiting for receipts longer
    than ``stale_after`` (the receiver or the webhooks are down), messages must not "age" into
    looking clean, because their complaints and blocks could not have reached us.
    """
    stale = next((r for r in rules if r.metric == "receipts_stale"), None)
    after = stale.stale_after if stale else timedelta(minutes=30)
    window = stale.window if stale else timedelta(hours=24)
    gap = queries.alert_receipt_gap(wh, now - window, now - after)
    newest = gap.get("newest_status")
    if int(gap.get("unanswered") or 0) and isinstance(newest, datetime):
        return min(now, newest)
    return now


def observe(wh: Warehouse, rule: Rule, now: datetime, as_of: datetime) -> list[Observation]:
    """Observations of one rule."""
    if rule.kind == "rate":
        return evaluate_rate(rule, rate_counts(wh, rule, as_of))
    since = now - (rule.window if rule.kind == "breach" else rule.lookback)
    if rule.metric == "template_status":
        rows = queries.alert_template_events(wh, "message_template_status_update", since, now)
        return events.template_status(rule, rows)
    if rule.metric == "template_quality":
        rows = queries.alert_template_events(wh, "message_template_quality_update", since, now)
        return events.template_quality(rule, rows)
    if rule.metric == "phone_quality":
        return events.phone_quality(rule, queries.alert_phone_events(wh, since, now))
    if rule.metric == "account_status":
        return events.account_status(rule, queries.alert_account_events(wh, since, now))
    if rule.metric == "sends_after_opt_out":
        return events.breaches(rule, queries.alert_breaches(wh, rule.group_by, since, now))
    if rule.metric == "receipts_stale":
        gap = queries.alert_receipt_gap(wh, now - rule.window, now - rule.stale_after)
        return events.receipts_stale(rule, gap, now)
    raise ValueError(f"no evaluator for metric {rule.metric!r}")


def rate_counts(wh: Warehouse, rule: Rule, as_of: datetime) -> dict[Labels, dict[int, tuple[int, int]]]:
    """Equal-age cohort counts of a rate rule: {labels: {bucket: (n, x)}}."""
    end = as_of - rule.age
    params: dict[str, Any] = {
        "end": end,
        "start": end - rule.window - rule.baseline,
        "age": int(rule.age.total_seconds()),
        "bucket": rule.bucket.total_seconds(),
    }
    keys = tuple(k for k in rule.group_by if k != "error_class")
    if rule.metric == "failure_rate":
        return _failure_counts(rule, queries.alert_failure_cohorts(wh, keys, params))
    counts: dict[Labels, dict[int, tuple[int, int]]] = {}
    for row in queries.alert_rate_cohorts(wh, _SIGNAL[rule.metric], keys, params):
        labels = make_labels({k: row[k] for k in keys})
        counts.setdefault(labels, {})[int(row["bucket"])] = (int(row["n"]), int(row["x"]))
    return counts


def _failure_counts(rule: Rule, rows: list[dict[str, Any]]) -> dict[Labels, dict[int, tuple[int, int]]]:
    """Failures per error class share the denominator of their other labels (every unit sent)."""
    keys = tuple(k for k in rule.group_by if k != "error_class")
    by_class = "error_class" in rule.group_by
    units: dict[tuple[Labels, int], int] = {}
    fails: dict[tuple[Labels, str, int], int] = {}
    for row in rows:
        base = make_labels({k: row[k] for k in keys})
        bucket = int(row["bucket"])
        units[base, bucket] = units.get((base, bucket), 0) + int(row["units"])
        if row["error_code"] is None:
            continue
        name = error_class(int(row["error_code"])) if by_class else "*"
        fails[base, name, bucket] = fails.get((base, name, bucket), 0) + int(row["units"])
    classes: dict[Labels, set[str]] = {}
    for base, name, _ in fails:
        classes.setdefault(base, set()).add(name)
    counts: dict[Labels, dict[int, tuple[int, int]]] = {}
    for (base, bucket), n in units.items():
        for name in classes.get(base, {"*"} if not by_class else set()):
            labels = tuple(sorted((*base, ("error_class", name)))) if by_class else base
            counts.setdefault(labels, {})[bucket] = (n, fails.get((base, name, bucket), 0))
    return counts
