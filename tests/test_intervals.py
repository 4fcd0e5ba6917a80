"""The shared confidence intervals, against published values and independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from crmbook import intervals


def test_wilson_by_hand_and_against_scipy() -> None:
    """8 of 10 at 95 %: z = 1.95996, centre (0.8 + z²/20) / (1 + z²/10) = 0.7167, half-width
    z / (1 + z²/10) * sqrt(0.016 + z²/400) = 0.2265, so (0.4902, 0.9433)."""
    assert intervals.wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    ci = stats.binomtest(8, 10).proportion_ci(confidence_level=0.95, method="wilson")
    assert intervals.wilson_interval(8, 10) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert intervals.wilson_interval(0, 10)[0] == 0.0 and intervals.wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert all(math.isnan(v) for v in intervals.wilson_interval(0, 0))
    with pytest.raises(ValueError, match="between 0 and n=10"):
        intervals.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        intervals.wilson_interval(1, 10, confidence=95)


def test_newcombe_reproduces_the_published_example() -> None:
    """Newcombe (1998), Table II, example (a): 56/70 against 48/80, method 10 gives (0.0524, 0.3339)."""
    assert intervals.newcombe_interval(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert all(math.isnan(v) for v in intervals.newcombe_interval(1, 0, 1, 2))


def test_mean_interval_against_scipy_and_missing_values() -> None:
    """1, 2, 3, 4: mean 2.5, s = 1.2910, t(3, 0.975) = 3.1824, half-width 2.0543: (0.4457, 4.5543)."""
    assert intervals.mean_interval([1.0, 2, 3, 4, np.nan]) == pytest.approx((0.4457, 4.5543), abs=1e-4)
    assert all(math.isnan(v) for v in intervals.mean_interval([5.0]))


def test_welch_against_scipy() -> None:
    a, b = [1.0, 2, 3, 4], [2.0, 4, 6]
    d, lo, hi = intervals.welch_interval(a, b)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert d == pytest.approx(-1.5) and (lo, hi) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert intervals.welch_interval([3.0, 3.0], [1.0, 1.0]) == (2.0, 2.0, 2.0)
    assert math.isnan(intervals.welch_interval([1.0], [1.0, 2.0])[1])


def test_a_bonferroni_level_widens_the_interval() -> None:
    """Over m = 6 comparisons the level 1 - 0.05/6 has z = 2.638 instead of 1.960."""
    assert intervals.z_value(1 - 0.05 / 6) == pytest.approx(2.6383, abs=1e-4)
    narrow = intervals.newcombe_interval(30, 100, 20, 100)
    wide = intervals.newcombe_interval(30, 100, 20, 100, confidence=1 - 0.05 / 6)
    assert wide[0] < narrow[0] and wide[1] > narrow[1]
