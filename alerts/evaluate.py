"""Rate rules: equal-age cohort counts in, one observation per group out (pure).

Counts arrive per group and cohort bucket: ``{labels: {index: (n, x)}}`` where ``index`` 0 is the
newest bucket of messages old enough to be judged (sent at least ``rule.age`` before the newest
receipt), ``n`` the denominator (delivered or accepted messages) and ``x`` the events that
happened within ``rule.age`` of sending. Every cohort is therefore looked at the same age, so a
young campaign is neither clean nor dirty: it is simply not counted yet.

The current window is buckets ``[0, W)``, the baseline ``[W, W + B)``. A group's own baseline is
used when it has ``min_volume``; otherwise the baseline of all groups together; otherwise only
the absolute threshold applies.

The bar a group must clear is ``max(threshold, factor * U_b)`` where ``U_b`` is the upper Wilson
bound of the baseline rate (so a noisy baseline cannot make the bar too low). Tests:

- ``wilson``: the lower Wilson bound of the current rate is above the bar;
- ``ztest``: the current rate is at least ``max(threshold, factor * baseline rate)`` and the
  two-proportion z-test of current > baseline is significant at ``1 - confidence``;
- ``cusum``: the CUSUM of the current buckets for a shift from ``U_b`` to the bar exceeds ``h``;
- ``ewma``: the EWMA of the current buckets, less ``L`` standard deviations, is above the bar.

The rule's condition holds when any configured test signals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alerts.detectors import bernoulli_cusum, ewma, two_proportion_z, wilson_bounds
from alerts.model import Labels, Observation
from alerts.rules import Rule

Counts = Mapping[int, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Baseline:
    """The baseline a group is compared with."""

    scope: str  # own | all | none
    n: int = 0
    x: int = 0
    upper: float = 0.0

    @property
    def rate(self) -> float | None:
        """The baseline rate (None without a baseline)."""
        return self.x / self.n if self.n else None


def evaluate_rate(rule: Rule, groups: Mapping[Labels, Counts]) -> list[Observation]:
    """Observations of one rate rule for every group that has messages in the current window."""
    window, base = rule.window_buckets, rule.baseline_buckets
    everyone: dict[int, tuple[int, int]] = {}
    for counts in groups.values():
        for index, (n, x) in counts.items():
            if window <= index < window + base:
                old = everyone.get(index, (0, 0))
                everyone[index] = (old[0] + n, old[1] + x)
    fallback = _total(everyone, window, window + base)
    observations = []
    for labels, counts in sorted(groups.items()):
        current = [counts.get(i, (0, 0)) for i in range(window - 1, -1, -1)]  # oldest first
        n = sum(c[0] for c in current)
        if n == 0:
            continue
        own = _total(counts, window, window + base)
        baseline = _baseline(rule, own, fallback)
        observations.append(_judge(rule, labels, current, baseline))
    return observations


def _total(counts: Counts, start: int, stop: int) -> tuple[int, int]:
    n = x = 0
    for index, (bn, bx) in counts.items():
        if start <= index < stop:
            n += bn
            x += bx
    return n, x


def _baseline(rule: Rule, own: tuple[int, int], everyone: tuple[int, int]) -> Baseline:
    for scope, (n, x) in (("own", own), ("all", everyone)):
        if n >= rule.min_volume:
            return Baseline(scope, n, x, wilson_bounds(x, n, rule.confidence)[1])
    return Baseline("none")


def _judge(rule: Rule, labels: Labels, current: list[tuple[int, int]], baseline: Baseline) -> Observation:
    n = sum(c[0] for c in current)
    x = sum(c[1] for c in current)
    rate = x / n
    lower, upper = wilson_bounds(x, n, rule.confidence)
    bar = max(rule.threshold, rule.factor * baseline.upper) if baseline.scope != "none" else rule.threshold
    detail: dict[str, Any] = {
        "n": n,
        "x": x,
        "lower": round(lower, 6),
        "upper": round(upper, 6),
        "baseline": {
            "scope": baseline.scope,
            "n": baseline.n,
            "x": baseline.x,
            "rate": _round(baseline.rate),
            "upper": round(baseline.upper, 6),
        },
        "min_volume": rule.min_volume,
        "age_hours": rule.age.total_seconds() / 3600,
        "signals": [],
    }
    if n < rule.min_volume:
        detail["note"] = "below min_volume"
        return Observation(rule.name, labels, False, rate, bar, detail)
    signals: list[str] = detail["signals"]
    for method in rule.methods:
        if _signals(method, rule, current, baseline, bar, lower, detail):
            signals.append(method)
    return Observation(rule.name, labels, bool(signals), rate, bar, detail)


def _signals(
    method: str,
    rule: Rule,
    current: list[tuple[int, int]],
    baseline: Baseline,
    bar: float,
    lower: float,
    detail: dict[str, Any],
) -> bool:
    if method == "wilson":
        return lower > bar
    if method == "ztest":
        return _ztest(rule, current, baseline, detail)
    p0, p1 = baseline.upper, bar
    if baseline.scope == "none" or not 0.0 < p0 < p1 < 1.0:
        return False  # a sequential test needs an in-control rate below the bar
    if method == "cusum":
        statistic = bernoulli_cusum(current, p0, p1)
        detail["cusum"] = {
            "s": round(statistic, 4),
            "h": rule.cusum_h,
            "p0": round(p0, 6),
            "p1": round(p1, 6),
        }
        return statistic > rule.cusum_h
    smoothed = ewma(current, p0, rule.ewma_lambda)
    band = smoothed.value - rule.ewma_l * smoothed.sd
    detail["ewma"] = {"value": round(smoothed.value, 6), "lower": round(band, 6)}
    return band > bar


def _ztest(rule: Rule, current: list[tuple[int, int]], baseline: Baseline, detail: dict[str, Any]) -> bool:
    n = sum(c[0] for c in current)
    x = sum(c[1] for c in current)
    if baseline.scope == "none" or baseline.rate is None:
        return False
    test = two_proportion_z(x, n, baseline.x, baseline.n)
    detail["ztest"] = {"z": round(test.z, 4), "p_value": round(test.p_value, 6)}
    floor = max(rule.threshold, rule.factor * baseline.rate)
    return x / n >= floor and test.p_value < 1.0 - rule.confidence


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
