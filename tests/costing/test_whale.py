import math

import pandas as pd
import pytest

from crmbook import costing


def _profits():
    return pd.Series({"a": 100.0, "b": 50.0, "c": -30.0, "d": 0.0, "e": -20.0, "f": float("nan")})


def test_whale_curve_by_hand():
    """Ranked: a 100, b 50, d 0, e -20, c -30 (f has no profit: left out); total 100; cumulative 100, 150,
    150, 130, 100 -> shares 1.0, 1.5, 1.5, 1.3, 1.0; customer shares 0.2 ... 1.0."""
    curve = costing.whale_curve(_profits())
    assert curve["customer_id"].tolist() == ["a", "b", "d", "e", "c"]
    assert curve["cumulative_share"].round(6).tolist() == [1.0, 1.5, 1.5, 1.3, 1.0]
    assert curve["customer_share"].tolist() == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert curve.attrs["left_out"] == 1


def test_whale_facts_by_hand():
    """Peak 150 = 150% of total, first reached after 2 of 5 customers (40%). Top 20% = ceil(1.0) = 1
    customer: 100 / 100 = 100%. Bottom 10% = 1 customer (c, -30): loses 30%. Unprofitable c and e: 2 of 5,
    they eat 50 = 50% of total, a third of the peak (50 / 150)."""
    w = costing.whale_facts(costing.whale_curve(_profits()))
    assert w["peak_share"] == pytest.approx(1.5) and w["peak_customer_share"] == pytest.approx(0.4)
    assert w["top20_share"] == pytest.approx(1.0)
    assert w["bottom10_loss"] == pytest.approx(0.3)
    assert w["unprofitable_customers"] == 2 and w["unprofitable_share"] == pytest.approx(0.4)
    assert w["loss_share"] == pytest.approx(0.5) and w["loss_of_peak"] == pytest.approx(1 / 3)


def test_whale_without_losses_peaks_at_100_percent():
    """Everyone profitable: the curve rises to exactly 100% at the end, no loss."""
    w = costing.whale_facts(costing.whale_curve(pd.Series({"a": 3.0, "b": 1.0})))
    assert w["peak_share"] == pytest.approx(1.0) and w["loss_share"] == 0.0


def test_whale_with_a_loss_overall_has_no_shares():
    """Total profit -10: a curve in % of total has no meaning; the facts say so with NaN shares."""
    curve = costing.whale_curve(pd.Series({"a": 10.0, "b": -20.0}))
    w = costing.whale_facts(curve)
    assert not w["positive_total"] and math.isnan(w["peak_share"]) and curve["cumulative_share"].isna().all()


def test_ties_rank_by_customer_id():
    curve = costing.whale_curve(pd.Series({"z": 5.0, "a": 5.0, "m": 1.0}))
    assert curve["customer_id"].tolist() == ["a", "z", "m"]
