"""Rate rules on cohort counts worked out by hand: the bar, the baseline fallback, minimum volume."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.config import RuleConfig
from alerts.evaluate import evaluate_rate
from alerts.model import make_labels
from alerts.rules import Rule, build_rule

A = make_labels({"campaign": "a"})
B = make_labels({"campaign": "b"})
C = make_labels({"campaign": "c"})


def rule(**changes: object) -> Rule:
    """A complaint rule with a 2-bucket window and a 4-bucket baseline, Wilson only."""
    base: dict[str, object] = {
        "name": "complaints",
        "metric": "complaint_rate",
        "group_by": ("campaign",),
        "threshold": 0.01,
        "factor": 2.0,
        "min_volume": 200,
        "bucket": "1h",
        "window": "2h",
        "baseline": "4h",
        "methods": ("wilson",),
        "confidence": 0.99,
    }
    base.update(changes)
    return build_rule(RuleConfig.model_validate(base))


# campaign a: current buckets 0-1 hold 12 complaints in 600 deliveries (2 %),
# baseline buckets 2-5 hold 4 in 2000 (0.2 %)
COUNTS_A = {0: (300, 6), 1: (300, 6), 2: (500, 1), 3: (500, 1), 4: (500, 1), 5: (500, 1)}

# Hand arithmetic, z = 2.326348 (one-sided 99 %), z^2 = 5.411894:
# baseline upper bound U_b of 4/2000: centre 0.002 + 0.00135297 = 0.00335297,
#   spread z*sqrt(0.001996/2000 + 3.3824e-7) = z*0.00115596 = 0.00268916 -> U_b = 0.00604213/1.00270595 = 0.0060258
# current lower bound of 12/600: centre 0.02 + 5.411894/1200 = 0.02450991,
#   spread z*sqrt(0.0196/600 + 5.411894/1.44e6) = z*0.0060353 = 0.0140402 -> L = 0.0104697/1.00901982 = 0.0103761
U_B = 0.0060258
L_A = 0.0103761


def test_the_rise_must_clear_the_baseline_times_factor() -> None:
    # bar = max(0.01, 2 * U_b) = 0.0120516 > L = 0.0103761: not significant enough
    [obs] = evaluate_rate(rule(), {A: COUNTS_A})
    assert not obs.active
    assert obs.value == pytest.approx(0.02)
    assert obs.threshold == pytest.approx(2 * U_B, rel=1e-4)
    assert obs.detail["lower"] == pytest.approx(L_A, rel=1e-4)
    assert obs.detail["baseline"]["scope"] == "own"


def test_a_smaller_factor_lets_the_absolute_threshold_decide() -> None:
    # bar = max(0.01, 1.5 * 0.0060258 = 0.0090387) = 0.01 < L = 0.0103761: fires
    [obs] = evaluate_rate(rule(factor=1.5), {A: COUNTS_A})
    assert obs.active
    assert obs.threshold == pytest.approx(0.01)
    assert obs.detail["signals"] == ["wilson"]


def test_a_group_without_its_own_baseline_is_compared_with_everyone() -> None:
    # b has only current messages; everyone's baseline is a's 4/2000, so b gets the same bar
    counts_b = {0: (300, 6), 1: (300, 6)}
    observations = {o.labels: o for o in evaluate_rate(rule(factor=1.5), {A: COUNTS_A, B: counts_b})}
    assert observations[B].detail["baseline"] == {
        "scope": "all",
        "n": 2000,
        "x": 4,
        "rate": 0.002,
        "upper": pytest.approx(U_B, rel=1e-4),
    }
    assert observations[B].active


def test_without_any_baseline_only_the_absolute_threshold_applies() -> None:
    [obs] = evaluate_rate(rule(), {B: {0: (300, 6), 1: (300, 6)}})
    assert obs.detail["baseline"]["scope"] == "none"
    assert obs.threshold == 0.01
    assert obs.active  # L = 0.0103761 > 0.01


def test_below_minimum_volume_never_fires_however_bad() -> None:
    # 50 complaints in 150 deliveries is dreadful, but 150 < min_volume 200
    [obs] = evaluate_rate(rule(), {C: {0: (150, 50)}})
    assert not obs.active
    assert obs.detail["note"] == "below min_volume"


def test_groups_without_current_messages_give_no_observation() -> None:
    assert evaluate_rate(rule(), {A: {3: (500, 1)}}) == []


def test_ztest_needs_significance_and_the_factor() -> None:
    # current 12/600 = 2 %, baseline 4/2000 = 0.2 %: pooled 16/2600 = 0.0061538,
    # var = 0.0061538 * 0.9938462 * (1/600 + 1/2000) = 1.32516e-5, sd = 0.00364027; continuity
    # correction (1/600 + 1/2000)/2 = 0.00108333: z = (0.018 - 0.00108333) / 0.00364027 = 4.6471
    [obs] = evaluate_rate(rule(methods=("ztest",)), {A: COUNTS_A})
    assert obs.detail["ztest"]["z"] == pytest.approx(4.6471, rel=1e-3)
    assert obs.active  # 2 % >= max(1 %, 2 * 0.2 %) and p < 0.01
    [high] = evaluate_rate(rule(methods=("ztest",), threshold=0.03), {A: COUNTS_A})
    assert not high.active  # significant, but below the absolute threshold of 3 %


def test_cusum_signals_on_a_run_of_bad_buckets() -> None:
    # p0 = U_b = 0.0060258, p1 = bar = 0.0120516: an event adds ln 2 = 0.693147,
    # a non-event ln(0.9879484/0.9939742) = -0.0060808. Current buckets (oldest first):
    # (300, 6): 6*0.693147 - 294*0.0060808 = 4.158882 - 1.787755 = 2.371127; (300, 6): 4.742254 > h = 4
    [obs] = evaluate_rate(rule(methods=("cusum",), cusum_h=4.0), {A: COUNTS_A})
    assert obs.detail["cusum"]["s"] == pytest.approx(4.7423, rel=1e-3)
    assert obs.active
    [calm] = evaluate_rate(rule(methods=("cusum",), cusum_h=5.0), {A: COUNTS_A})
    assert not calm.active


def test_window_and_baseline_must_be_whole_buckets() -> None:
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="multiple of bucket"):
        rule(window="90m")
    assert rule().window == timedelta(hours=2)
