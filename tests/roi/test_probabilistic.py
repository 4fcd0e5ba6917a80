"""Probabilistic CLV on crmbook.models, its time-unit conversions, and the holdout tracking table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import models, roi
from crmbook.data import load
from crmbook.facts import CustomerFacts

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def test_unit_discount_and_horizon_units():
    """1.10 ** (30.4375 / 365.25) - 1 = 1.10 ** (1/12) - 1 = 0.0079741; 1.10 ** (7/365.25) - 1 = 0.0018283;
    5 years = 60 months = 261 weeks (5 x 365.25 / 7 = 260.9)."""
    assert roi.unit_discount(0.10, "M") == pytest.approx(0.0079741, abs=1e-7)
    assert roi.unit_discount(0.10, "W") == pytest.approx(0.0018283, abs=1e-7)
    assert roi.horizon_units(5, "M") == 60 and roi.horizon_units(5, "W") == 261
    with pytest.raises(ValueError, match="time_unit"):
        roi.unit_discount(0.1, "Y")


@pytest.fixture(scope="module")
def sample_clv():
    ds = load(str(SAMPLE), as_of="2025-12-31")
    facts = CustomerFacts.from_dataset(ds)
    return facts, roi.probabilistic_clv(facts, horizon=3, time_unit="M", discount=0.0, margin_rate=0.5)


def test_probabilistic_clv_is_the_sum_of_expected_purchases_times_value(sample_clv):
    """Undiscounted, the CLV over 3 months is E[X(3) | x, t_x, T] x E[M] x margin (the increments telescope)."""
    facts, (clv, bg, gg) = sample_clv
    e3 = bg.expected_purchases(3, clv["frequency"].to_numpy(), clv["recency"].to_numpy(), clv["T"].to_numpy())
    assert clv["clv"].to_numpy() == pytest.approx(e3 * clv["expected_value"].to_numpy() * 0.5)
    p, q, g = gg.params["p"], gg.params["q"], gg.params["gamma"]
    one_time = clv["frequency"] == 0
    assert clv.loc[one_time, "expected_value"].to_numpy() == pytest.approx(p * g / (q - 1))
    assert clv.attrs["gg_excluded"] == int(one_time.sum()) and clv.attrs["time_unit"] == "M"


def test_discounting_lowers_the_clv(sample_clv):
    facts, (undiscounted, _, _) = sample_clv
    discounted, _, _ = roi.probabilistic_clv(facts, horizon=3, time_unit="M", discount=0.10, margin_rate=0.5)
    ratio = discounted["clv"].sum() / undiscounted["clv"].sum()
    # each month's purchases are discounted by 1/(1.00797)^k, k = 1..3: the ratio lies between the two ends
    assert 1 / 1.0079741 ** 3 < ratio < 1 / 1.0079741


def test_zero_spend_repeat_buyers_are_counted_not_dropped():
    """The sample plus customer ZB whose two repeat orders are worth 0: Gamma-Gamma cannot use them; ZB is
    counted in nonpositive_spend and still gets a CLV (the population mean order value)."""
    ds = load(str(SAMPLE), as_of="2025-12-31")
    extra = pd.DataFrame({"customer_id": ["ZB"] * 3, "order_date": pd.to_datetime(["2024-01-05", "2024-05-05",
                                                                                  "2024-09-05"]),
                          "revenue": [100.0, 0.0, 0.0]})
    customers = pd.concat([ds["customers"], pd.DataFrame({"customer_id": ["ZB"]})], ignore_index=True)
    facts = CustomerFacts(customers, pd.concat([ds["orders"], extra], ignore_index=True), "2025-12-31")
    clv, _, gg = roi.probabilistic_clv(facts, horizon=12, time_unit="M")
    assert clv.attrs["nonpositive_spend"] == 1 and "ZB" in clv.index
    p, q, g = gg.params["p"], gg.params["q"], gg.params["gamma"]
    assert clv.loc["ZB", "expected_value"] == pytest.approx(p * g / (q - 1)) and clv.loc["ZB", "clv"] > 0


class _Linear:
    """A stand-in purchases model: 0.1 purchase per time unit per past repeat purchase, plus 0.05."""

    def expected_purchases(self, t, frequency, recency, T):
        return (0.1 * np.asarray(frequency) + 0.05) * np.asarray(t)


def test_holdout_by_frequency_hand_case():
    """Customers with calibration frequency 0, 0, 2, 9 over a 10-unit holdout: predicted 0.5, 0.5, 2.5, 9.5;
    actual 1, 0, 2, 8 -> group 0: 2 customers, predicted 0.5, actual 0.5; group 2: 2.5 vs 2; group 7+: 9.5 vs 8."""
    cal = pd.DataFrame({"frequency": [0, 0, 2, 9], "recency": [0, 0, 5, 9], "T": [10, 10, 10, 10]},
                       index=["a", "b", "c", "d"])
    ho = pd.DataFrame({"frequency_holdout": [1, 0, 2, 8], "duration_holdout": [10.0] * 4}, index=cal.index)
    t = roi.holdout_by_frequency(cal, ho, _Linear()).set_index("frequency_group")
    assert t.loc["0", "customers"] == 2 and t.loc["0", "predicted"] == pytest.approx(0.5)
    assert t.loc["0", "actual"] == 0.5 and t.loc["2", "error"] == pytest.approx(0.5)
    assert t.loc["7+", "predicted"] == pytest.approx(9.5) and t.loc["7+", "actual"] == 8
    assert t.attrs["predicted_total"] == pytest.approx(13.0) and t.attrs["actual_total"] == 11


def test_tracking_on_the_sample_is_close():
    """BG/NBD fitted on 2022-2024 predicts the 2025 purchases of the sample within 5% in total (the sample
    follows the BG/NBD story)."""
    ds = load(str(SAMPLE), as_of="2025-12-31")
    facts = CustomerFacts.from_dataset(ds)
    cal, ho = models.calibration_holdout(facts.orders, "2024-12-31", facts.as_of, time_unit="M")
    t = roi.holdout_by_frequency(cal, ho, models.fit_bgnbd(cal["frequency"], cal["recency"], cal["T"]))
    assert abs(t.attrs["predicted_total"] / t.attrs["actual_total"] - 1) < 0.05


def test_long_horizons_step_over_several_units_with_a_tiny_error(sample_clv):
    """60 months are 20 steps of 3 (ceil(60/24) = 3); against one evaluation per month (the exact sum, here
    with MAX_STEPS raised) the total CLV differs by well under 0.1%; undiscounted both are E[X(60)]."""
    from crmbook.roi import probabilistic as p

    assert p._steps(60)[:2] == [(1, 3), (4, 6)] and len(p._steps(60)) == 20 and p._steps(12) == [
        (k, k) for k in range(1, 13)]
    assert p._step_discount(1, 1, 0.01) == pytest.approx(1 / 1.01)
    assert p._step_discount(1, 3, 0.01) == pytest.approx((1 / 1.01 + 1 / 1.01 ** 2 + 1 / 1.01 ** 3) / 3)
    facts = sample_clv[0]
    stepped, _, _ = roi.probabilistic_clv(facts, horizon=60, time_unit="M", discount=0.10)
    saved, p.MAX_STEPS = p.MAX_STEPS, 60
    try:
        exact, _, _ = roi.probabilistic_clv(facts, horizon=60, time_unit="M", discount=0.10)
    finally:
        p.MAX_STEPS = saved
    assert stepped["clv"].sum() == pytest.approx(exact["clv"].sum(), rel=1e-3)
