"""Lifecycle stages on a hand case; the data-derived thresholds by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import lifecycle as lc

from .cases import AS_OF, EXPECTED_STAGES, RULES, stage_facts, stage_frames


def test_stages_on_the_hand_case():
    """as_of 2025-12-31, at risk > 30 days, lapsed > 60, loyal from 3 orders (cases.ORDERS explains each):
    P prospect, N new (1 order, 11 days), R repeat (30 days is not > 30), L loyal, K at risk (41 days),
    X lapsed (324 days), W won back (284-day gap before an order 21 days ago), S repeat (2 orders on one
    day: no gap), Y lapsed (213 days)."""
    customers, orders = stage_frames()
    st = lc.stages_at(customers, orders, AS_OF, **RULES)
    assert dict(zip(st["customer_id"], st["stage"], strict=True)) == EXPECTED_STAGES
    row = st.set_index("customer_id")
    assert row.loc["W", "gap_before_last"] == 284 and row.loc["K", "days_since"] == 41
    assert np.isnan(row.loc["S", "gap_before_last"]) and row.loc["S", "orders"] == 2
    assert row.loc["P", "orders"] == 0 and np.isnan(row.loc["P", "days_since"])
    assert row.loc["W", "phase"] == "growth" and row.loc["K", "phase"] == "decline"


def test_stages_at_an_earlier_date_ignore_later_orders_and_signups():
    """At 2025-06-30: N, R, L, K, S had not signed up (left out); X lapsed (140 days), W lapsed (one order,
    121 days), Y repeat (2 orders, last 29 days ago), P prospect."""
    customers, orders = stage_frames()
    st = lc.stages_at(customers, orders, "2025-06-30", **RULES)
    assert dict(zip(st["customer_id"], st["stage"], strict=True)) == {"P": "prospect", "W": "lapsed",
                                                                      "X": "lapsed", "Y": "repeat"}


def test_inter_purchase_days_and_customer_weights():
    """Gaps (same-day orders count once): R 30; L 31, 44; X 31; W 284; Y 47. Weights 1 per customer: L's
    two gaps weigh 1/2 each."""
    _, orders = stage_frames()
    gaps, weights = lc.inter_purchase_days(orders, weights=True)
    assert sorted(gaps.tolist()) == [30, 31, 31, 44, 47, 284]
    assert sorted(weights.tolist()) == [0.5, 0.5, 1, 1, 1, 1] and weights.sum() == 5


def test_thresholds_are_customer_weighted_quantiles():
    """Sorted gaps with weights: 30 (1, R), 31 (1, X), 31 (0.5, L), 44 (0.5, L), 47 (1, Y), 284 (1, W);
    total 5. Cumulative shares 0.2, 0.4, 0.5, 0.6, 0.8, 1.0: the 70% quantile is 47 (first share >= 0.7),
    the 50% quantile 31. Unweighted, numpy's 70% quantile of the six gaps is 44 + 0.5 * 3 = 45.5 -> 46:
    weighting each customer once changes the answer."""
    _, orders = stage_frames()
    t = lc.inactivity_thresholds(orders, at_risk_quantile=0.5, inactive_quantile=0.7)
    assert t == {"at_risk_days": 31, "inactive_days": 47, "gaps": 6, "repeat_customers": 5}
    assert int(np.ceil(np.quantile(lc.inter_purchase_days(orders), 0.7))) == 46


def test_lifecycle_stages_derives_or_takes_thresholds():
    facts = stage_facts()
    derived = lc.lifecycle_stages(facts, loyal_orders=3)
    assert derived.attrs["derived"] and derived.attrs["inactive_days"] >= derived.attrs["at_risk_days"]
    given = lc.lifecycle_stages(facts, **RULES)
    assert not given.attrs["derived"] and lc.stage_rules(given) == RULES
    assert dict(zip(given["customer_id"], given["stage"], strict=True)) == EXPECTED_STAGES


def test_stage_summary_counts_every_stage():
    st = lc.lifecycle_stages(stage_facts(), **RULES)
    s = lc.stage_summary(st).set_index("stage")
    assert list(s.index) == list(lc.STAGES)
    assert s.loc["repeat", "customers"] == 2 and s.loc["lapsed", "customers"] == 2 and s["customers"].sum() == 9
    assert s["customer_share"].sum() == pytest.approx(1.0)


def test_bad_thresholds_and_no_gaps_are_clear_errors():
    customers, orders = stage_frames()
    with pytest.raises(ValueError, match="at_risk_days <= inactive_days"):
        lc.stages_at(customers, orders, AS_OF, at_risk_days=90, inactive_days=60)
    with pytest.raises(ValueError, match="loyal_orders"):
        lc.stages_at(customers, orders, AS_OF, at_risk_days=30, inactive_days=60, loyal_orders=1)
    one = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2025-01-01"])})
    with pytest.raises(ValueError, match="give at_risk_days and inactive_days"):
        lc.inactivity_thresholds(one)
    with pytest.raises(ValueError, match="must not exceed"):
        lc.inactivity_thresholds(orders, at_risk_quantile=0.9, inactive_quantile=0.5)
