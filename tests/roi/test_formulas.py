"""Closed-form CLV, campaign intervals and ROI on hand-computed cases."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmbook import roi


def test_course_clv_is_order_value_times_frequency_times_lifespan():
    """300 per order x 2 orders a year x 4 years = 2,400."""
    assert roi.course_clv(300, 2, 4) == 2400
    assert list(roi.course_clv(np.array([100.0, 50.0]), 3, 2)) == [600.0, 300.0]


def test_retention_clv_infinite_and_finite():
    """m=100, r=0.8, d=0.1: infinite 100*0.8/(1.1-0.8) = 266.667; two years 100*0.8/1.1 + 100*0.64/1.21
    = 72.727 + 52.893 = 125.620; one year 72.727; zero years 0."""
    assert float(roi.retention_clv(100, 0.8, 0.1)) == pytest.approx(266.6667, abs=1e-4)
    assert float(roi.retention_clv(100, 0.8, 0.1, periods=2)) == pytest.approx(125.6198, abs=1e-4)
    assert float(roi.retention_clv(100, 0.8, 0.1, periods=1)) == pytest.approx(72.7273, abs=1e-4)
    assert float(roi.retention_clv(100, 0.8, 0.1, periods=0)) == 0
    # the finite sum converges to the closed form
    assert float(roi.retention_clv(100, 0.8, 0.1, periods=500)) == pytest.approx(266.6667, abs=1e-4)


def test_retention_clv_rejects_impossible_inputs():
    with pytest.raises(ValueError, match="retention"):
        roi.retention_clv(100, 1.2, 0.1)
    with pytest.raises(ValueError, match="discount"):
        roi.retention_clv(100, 0.5, -0.1)


def test_wilson_interval_hand_case():
    """x=8, n=20, z=1.95996: p=0.4, centre=(0.4+0.096040)/1.192079=0.416113,
    half=1.95996/1.192079*sqrt(0.012+0.002401)=0.197303 -> (0.218810, 0.613416)."""
    lo, hi = roi.wilson_interval(8, 20)
    assert lo == pytest.approx(0.21881, abs=1e-4) and hi == pytest.approx(0.61342, abs=1e-4)


def test_newcombe_interval_matches_the_published_example():
    """Newcombe (1998), Statistics in Medicine 17:873-890, table II, example (a) 56/70 vs 48/80, method 10:
    0.0524 to 0.3339."""
    lo, hi = roi.newcombe_interval(56, 70, 48, 80)
    assert lo == pytest.approx(0.0524, abs=1e-4) and hi == pytest.approx(0.3339, abs=1e-4)


def test_welch_interval_hand_case_and_scipy():
    """a = 1,2,3,4 (mean 2.5, var 1.6667), b = 2,4,6 (mean 4, var 4): d=-1.5, se=sqrt(0.41667+1.33333)=1.32288,
    df=1.75^2/(0.41667^2/3+1.33333^2/2)=3.0625/(0.05787+0.88889)=3.2347; t(0.975, 3.2347)=3.0557 (tables),
    half-width 3.0557 x 1.32288 = 4.0423 ->
    (-5.542, 2.542)."""
    d, lo, hi = roi.welch_interval([1, 2, 3, 4], [2, 4, 6])
    assert d == -1.5
    assert lo == pytest.approx(-5.542, abs=0.005) and hi == pytest.approx(2.542, abs=0.005)
    ci = stats.ttest_ind([1, 2, 3, 4], [2, 4, 6], equal_var=False).confidence_interval()
    assert (lo, hi) == pytest.approx((ci.low, ci.high), abs=1e-9)


def _members(campaign, treated, control):
    rows = [(campaign, f"T{i}", "treatment", r > 0, r) for i, r in enumerate(treated)]
    rows += [(campaign, f"C{i}", "control", r > 0, r) for i, r in enumerate(control)]
    return pd.DataFrame(rows, columns=["campaign_id", "customer_id", "group", "responded", "revenue"])


def test_campaign_roi_hand_case():
    """60 treated: 12 spend 100 (mean 20, rate 0.2); 60 control: 6 spend 100 (mean 10, rate 0.1).
    Incremental revenue 10 x 60 = 600; margin 40% -> 240; cost 200 -> ROI (240-200)/200 = 0.2."""
    m = _members("X", [100] * 12 + [0] * 48, [100] * 6 + [0] * 54)
    c = pd.DataFrame({"campaign_id": ["X"], "channel": ["sms"], "cost": [200.0]})
    r = roi.campaign_results(c, m, margin_rate=0.4).iloc[0]
    assert r["status"] == "ok"
    assert r["response_uplift"] == pytest.approx(0.1)
    assert r["incremental_revenue"] == pytest.approx(600)
    assert r["incremental_margin"] == pytest.approx(240)
    assert r["roi"] == pytest.approx(0.2)
    d, lo, hi = roi.welch_interval([100] * 12 + [0] * 48, [100] * 6 + [0] * 54)
    assert r["roi_low"] == pytest.approx((lo * 60 * 0.4 - 200) / 200)
    assert (r["response_low"], r["response_high"]) == pytest.approx(roi.newcombe_interval(12, 60, 6, 60))


def test_no_roi_claimed_without_or_with_a_tiny_control_group():
    m = pd.concat([_members("A", [100] * 30 + [0] * 30, []), _members("B", [100] * 30 + [0] * 30, [0] * 10)])
    c = pd.DataFrame({"campaign_id": ["A", "B"], "channel": ["sms", "email"], "cost": [100.0, 100.0]})
    r = roi.campaign_results(c, m, margin_rate=0.4, min_control=50).set_index("campaign_id")
    assert r.loc["A", "status"] == "no_control" and r.loc["B", "status"] == "small_control"
    assert r["roi"].isna().all() and r["response_uplift"].isna().all()
    from crmbook.context import Context
    text = " ".join(roi.campaign_lines(r.reset_index(), Context(as_of="2025-12-31")))
    assert "A: no control group" in text and "too small to judge" in text
    assert text.count("no ROI is claimed") == 2 and not re.search(r"ROI -?\d", text)


def test_more_responders_without_more_revenue_is_said_so():
    """Treated: 60 of 200 respond, 10 each (mean 3); control: 20 of 200, one of them spends 5,000 (mean
    (19 x 10 + 5,000) / 200 = 25.95). The response uplift 0.2 has a Newcombe interval above 0, the revenue
    uplift -22.95 an interval around 0: verdict response_only, and the sentence says so."""
    from crmbook.context import Context

    m = _members("R", [10] * 60 + [0] * 140, [10] * 19 + [5000] + [0] * 180)
    r = roi.campaign_results(pd.DataFrame({"campaign_id": ["R"], "cost": [100.0]}), m, margin_rate=0.4)
    row = r.iloc[0]
    assert row["response_low"] > 0 and row["revenue_low"] < 0 < row["revenue_high"]
    assert row["revenue_uplift"] == pytest.approx(3 - 25.95)
    assert row["verdict"] == "response_only"
    text = " ".join(roi.campaign_lines(r, Context(as_of="2025-12-31")))
    assert "more buyers, not shown to bring more revenue" in text
