"""Targets judged on the interval, and the drivers (relative weights) with the quadrants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import satisfaction as sat


@pytest.mark.parametrize("low,high,target,better,want", [
    (0.70, 0.78, 0.80, "up", "misses"),       # whole interval below
    (0.75, 0.85, 0.80, "up", "cannot_tell"),  # point below the target would not be enough
    (0.81, 0.90, 0.80, "up", "meets"),
    (3.2, 3.6, 3.0, "down", "misses"),        # CES: lower is better, the whole interval above the target
    (2.5, 2.9, 3.0, "down", "meets"),
    (2.8, 3.1, 3.0, "down", "cannot_tell"),
])
def test_target_status(low, high, target, better, want):
    assert sat.target_status(low, high, target, better) == want


def test_target_gaps():
    scores = pd.DataFrame({"score": ["nps", "csat"], "n": [100, 100], "value": [25.0, 0.78], "low": [10.0, 0.70],
                           "high": [40.0, 0.79], "better": ["up", "up"]})
    gaps = sat.target_gaps(scores, {"nps": 30, "csat": 0.8}).set_index("score")
    assert gaps.loc["nps", "status"] == "cannot_tell" and gaps.loc["csat", "status"] == "misses"
    assert gaps.loc["nps", "gap"] == pytest.approx(-5) and gaps.loc["csat", "gap_high"] == pytest.approx(-0.01)


@pytest.mark.parametrize("imp,perf,want", [(0.5, 4.0, "keep_up"), (0.5, 3.0, "concentrate"),
                                           (0.1, 3.0, "low_priority"), (0.1, 4.0, "overkill"),
                                           (0.3, 3.5, "keep_up")])
def test_ipa_quadrant(imp, perf, want):
    """Splits 0.3 (importance) and 3.5 (performance); a value on a split counts as high."""
    assert sat.ipa_quadrant(imp, perf, 0.3, 3.5) == want


def test_relative_weights_of_uncorrelated_ratings_are_squared_correlations():
    """x1 = (1, -1, 1, -1, ...), x2 = (1, 1, -1, -1, ...) are uncorrelated; y = 2 x1 + x2 exactly:
    r(x1, y)² = 4/5, r(x2, y)² = 1/5, R² = 1 -> weights 0.8 and 0.2, standardized betas 2/√5 and 1/√5."""
    x1 = np.tile([1, -1, 1, -1], 5).astype(float) + 3
    x2 = np.tile([1, 1, -1, -1], 5).astype(float) + 3
    surveys = pd.DataFrame({"csat": 2 * x1 + x2, "rating_quality": x1, "rating_price": x2})
    d = sat.driver_importance(surveys).set_index("attribute")
    assert d.loc["quality", "importance"] == pytest.approx(0.8) and d.loc["price", "importance"] == pytest.approx(0.2)
    assert d.loc["quality", "beta"] == pytest.approx(2 / np.sqrt(5))
    assert d.attrs["r2"] == pytest.approx(1.0)
    # both perform 3.0: equal to the split, so high; quality above the mean importance 0.5, price below
    assert d.loc["quality", "quadrant"] == "keep_up" and d.loc["price", "quadrant"] == "overkill"


def test_relative_weights_sum_to_r2_with_correlated_ratings_and_missing_answers():
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    surveys = pd.DataFrame({"rating_a": x + rng.normal(0, 0.5, 400), "rating_b": x + rng.normal(0, 1.0, 400),
                            "rating_c": rng.normal(size=400)})
    surveys["csat"] = x + rng.normal(0, 0.5, 400)
    surveys.loc[:9, "rating_c"] = np.nan
    d = sat.driver_importance(surveys)
    assert d["importance"].sum() == pytest.approx(d.attrs["r2"]) and d.attrs["left_out"] == 10
    assert d["attribute"].tolist() == ["a", "b", "c"]


def test_drivers_need_two_varying_ratings():
    with pytest.raises(ValueError, match="at least two"):
        sat.driver_importance(pd.DataFrame({"csat": [1, 2, 3, 4], "rating_a": [1, 2, 3, 3]}))
