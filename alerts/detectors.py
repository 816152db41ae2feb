"""Statistics for "is this rate rising?", pure functions on counts.

- :func:`wilson_bounds`: one-sided Wilson score bounds of a proportion (good coverage at small n
  and near 0, where the plain normal interval fails).
- :func:`two_proportion_z`: the pooled two-proportion z-test, one-sided (current > baseline),
  with a continuity correction.
- :func:`ewma`: an exponentially weighted moving average of per-bucket rates with its standard
  deviation under a known in-control rate (slow drifts).
- :func:`bernoulli_cusum`: the log-likelihood-ratio CUSUM of binomial buckets for a shift from
  ``p0`` to ``p1`` (fast on persistent shifts, the best detector of a step).

Only the standard library: the normal quantile comes from :class:`statistics.NormalDist`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

_NORMAL = NormalDist()


def z_quantile(confidence: float) -> float:
    """The standard normal quantile for a one-sided confidence level (0.99 -> 2.3263)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    return _NORMAL.inv_cdf(confidence)


def wilson_bounds(x: int, n: int, confidence: float) -> tuple[float, float]:
    """One-sided Wilson score bounds (lower, upper) of the proportion x/n at ``confidence``.

    Each bound alone holds with probability ``confidence``. ``n == 0`` gives (0, 1).
    """
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= x <= n:
        raise ValueError(f"need 0 <= x <= n, got x={x}, n={n}")
    z = z_quantile(confidence)
    p = x / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


@dataclass(frozen=True, slots=True)
class ZTest:
    """Result of a one-sided two-proportion z-test."""

    z: float
    p_value: float


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> ZTest:
    """Pooled z-test of H0: p1 = p2 against p1 > p2 (``1`` is the current window).

    With Yates' continuity correction, z = (x1/n1 - x2/n2 - (1/n1 + 1/n2)/2) / se: at the small
    counts of complaint data (a few per window) the plain test fires noticeably more often than
    its level says (about 1.3 % instead of 1 % at 10 expected events); the correction restores it.
    """
    if n1 <= 0 or n2 <= 0:
        return ZTest(0.0, 1.0)
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        # all or none of both samples are events: no evidence either way
        return ZTest(0.0, 1.0)
    z = (x1 / n1 - x2 / n2 - (1 / n1 + 1 / n2) / 2) / math.sqrt(variance)
    return ZTest(z, 1.0 - _NORMAL.cdf(z))


@dataclass(frozen=True, slots=True)
class Ewma:
    """The EWMA of per-bucket rates at the last bucket and its standard deviation under p0."""

    value: float
    sd: float


def ewma(buckets: Sequence[tuple[int, int]], p0: float, weight: float) -> Ewma:
    """EWMA of the rates x/n of ``buckets`` (oldest first), started at ``p0``.

    z_t = w * x_t/n_t + (1 - w) * z_{t-1}; its variance under the in-control rate p0 follows
    Var_t = w^2 * p0(1-p0)/n_t + (1-w)^2 * Var_{t-1}, which handles unequal bucket sizes exactly.
    Empty buckets carry the previous value over.
    """
    if not 0.0 < weight <= 1.0:
        raise ValueError("the EWMA weight must be in (0, 1]")
    value, variance = p0, 0.0
    for n, x in buckets:
        if n <= 0:
            continue
        value = weight * (x / n) + (1 - weight) * value
        variance = weight * weight * p0 * (1 - p0) / n + (1 - weight) ** 2 * variance
    return Ewma(value, math.sqrt(variance))


def bernoulli_cusum(buckets: Sequence[tuple[int, int]], p0: float, p1: float) -> float:
    """The upper CUSUM statistic after the last bucket, for a shift of the rate from p0 to p1.

    Each event adds ln(p1/p0), each non-event ln((1-p1)/(1-p0)); the sum restarts at 0 whenever
    it would go negative: S_t = max(0, S_{t-1} + x_t ln(p1/p0) + (n_t - x_t) ln((1-p1)/(1-p0))).
    Signal when S exceeds the decision interval h.
    """
    if not 0.0 < p0 < p1 < 1.0:
        raise ValueError(f"need 0 < p0 < p1 < 1, got p0={p0}, p1={p1}")
    hit = math.log(p1 / p0)
    miss = math.log((1 - p1) / (1 - p0))
    s = 0.0
    for n, x in buckets:
        s = max(0.0, s + x * hit + (n - x) * miss)
    return s
