"""The statistics on cases worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from alerts.detectors import bernoulli_cusum, ewma, two_proportion_z, wilson_bounds, z_quantile

Z99 = 2.326348  # one-sided 99 %: Phi^-1(0.99)


def test_normal_quantiles_are_the_textbook_ones() -> None:
    assert z_quantile(0.99) == pytest.approx(Z99, abs=1e-6)
    assert z_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)


def test_wilson_with_no_events_has_lower_bound_zero_and_a_positive_upper_bound() -> None:
    # x = 0, n = 100, z^2 = 5.411894: centre = z^2/2n = 0.02705947, spread = z*sqrt(z^2/4n^2) = z^2/2n,
    # so lower = 0 and upper = (z^2/n) / (1 + z^2/n) = 0.05411894 / 1.05411894 = 0.051340
    lower, upper = wilson_bounds(0, 100, 0.99)
    assert lower == 0.0
    assert upper == pytest.approx(0.051340, abs=1e-6)


def test_wilson_two_percent_of_two_thousand() -> None:
    # x = 40, n = 2000, p = 0.02: centre = 0.02 + 5.411894/4000 = 0.02135297
    # spread = z * sqrt(0.0196/2000 + 5.411894/16e6) = 2.326348 * sqrt(1.013824e-5) = 0.0074071
    # scale = 1 + 5.411894/2000 = 1.00270595
    # lower = 0.01394587 / 1.00270595 = 0.0139082 ; upper = 0.02876007 / 1.00270595 = 0.0286825
    lower, upper = wilson_bounds(40, 2000, 0.99)
    assert lower == pytest.approx(0.0139082, rel=1e-4)
    assert upper == pytest.approx(0.0286825, rel=1e-4)


def test_wilson_rejects_impossible_counts_and_is_uninformative_without_data() -> None:
    assert wilson_bounds(0, 0, 0.99) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_bounds(5, 4, 0.99)


def test_two_proportion_z_three_percent_against_one_percent() -> None:
    # pooled p = 40/2000 = 0.02; var = 0.02 * 0.98 * (1/1000 + 1/1000) = 3.92e-5; sd = 0.00626099
    # continuity correction (1/1000 + 1/1000)/2 = 0.001: z = (0.03 - 0.01 - 0.001) / 0.00626099 = 3.03467
    # one-sided p = 1 - Phi(3.03467) = 0.001204
    test = two_proportion_z(30, 1000, 10, 1000)
    assert test.z == pytest.approx(3.03467, rel=1e-5)
    assert test.p_value == pytest.approx(0.001204, rel=1e-2)


def test_two_proportion_z_without_events_or_data_gives_no_evidence() -> None:
    assert two_proportion_z(0, 100, 0, 100).p_value == 1.0
    assert two_proportion_z(3, 0, 1, 100).p_value == 1.0
    # a current rate below the baseline is never significant for "rising"
    assert two_proportion_z(10, 1000, 30, 1000).p_value > 0.99


def test_cusum_accumulates_evidence_and_restarts_at_zero() -> None:
    # p0 = 0.01, p1 = 0.02: an event adds ln 2 = 0.693147, a non-event ln(0.98/0.99) = -0.01015237
    # bucket 1 (100, 1): 0.693147 - 99 * 0.01015237 = -0.311937 -> restarts at 0
    # bucket 2 (100, 5): 5 * 0.693147 - 95 * 0.01015237 = 3.465736 - 0.964475 = 2.501261
    assert bernoulli_cusum([(100, 1), (100, 5)], 0.01, 0.02) == pytest.approx(2.501261, rel=1e-5)
    # (10, 3): 3 * 0.693147 - 7 * 0.01015237 = 2.008375; then (1000, 0) pulls it down to 0
    assert bernoulli_cusum([(10, 3)], 0.01, 0.02) == pytest.approx(2.008375, rel=1e-5)
    assert bernoulli_cusum([(10, 3), (1000, 0)], 0.01, 0.02) == 0.0


def test_cusum_needs_a_rise_to_look_for() -> None:
    with pytest.raises(ValueError):
        bernoulli_cusum([(10, 1)], 0.02, 0.02)


def test_ewma_with_unequal_and_empty_buckets() -> None:
    # w = 0.5, p0 = 0.01. (100, 3): z = 0.5*0.03 + 0.5*0.01 = 0.02, var = 0.25 * 0.0099/100 = 2.475e-5
    # (0, 0) is skipped. (50, 0): z = 0.5*0 + 0.5*0.02 = 0.01,
    # var = 0.25 * 0.0099/50 + 0.25 * 2.475e-5 = 4.95e-5 + 6.1875e-6 = 5.56875e-5, sd = 0.00746241
    result = ewma([(100, 3), (0, 0), (50, 0)], 0.01, 0.5)
    assert result.value == pytest.approx(0.01, abs=1e-12)
    assert result.sd == pytest.approx(math.sqrt(5.56875e-5), rel=1e-9)
    assert ewma([], 0.01, 0.5).value == 0.01
