"""Cohort retention on a hand case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import lifecycle as lc
from crmbook.facts import CustomerFacts


def _facts(as_of="2025-03-31", channels=True):
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "order_date": pd.to_datetime(["2025-01-05", "2025-02-10", "2025-03-01", "2025-01-20", "2025-03-15",
                                      "2025-02-01"]),
        "revenue": [100.0, 50.0, 30.0, 200.0, 100.0, 80.0]})
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
                              "signup_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-01"])})
    if channels:
        customers["acquisition_channel"] = ["store", "store", "online"]
    return CustomerFacts(customers, orders, as_of)


def test_customer_and_revenue_retention_by_hand():
    """Cohort 2025-01 = {a, b}: month 0 both (100%), month 1 (Feb) a only (50%), month 2 (Mar) a and b (100%).
    Cohort 2025-02 = {c}: month 0 100%, month 1 (Mar) 0%, month 2 (April) after as_of: not observed. No one
    started in March: the row is empty. Revenue of cohort 2025-01: 300 in January, 50 in February, 130 in
    March -> 1, 1/6, 130/300."""
    t = lc.cohort_retention(_facts())
    cust, rev = t["customers"], t["revenue"]
    assert list(cust.index) == ["2025-01", "2025-02", "2025-03"]
    assert cust.loc["2025-01", [0, 1, 2]].tolist() == [1.0, 0.5, 1.0]
    assert cust.loc["2025-02", 0] == 1.0 and cust.loc["2025-02", 1] == 0.0 and np.isnan(cust.loc["2025-02", 2])
    assert cust.loc["2025-03"].isna().all()
    assert rev.loc["2025-01", [0, 1, 2]].tolist() == pytest.approx([1.0, 50 / 300, 130 / 300])
    assert t["size"].tolist() == [2, 1, 0] and t["active"].loc["2025-01", 2] == 2
    assert not cust.attrs["partial_last_month"]
    assert lc.cohort_retention(_facts("2025-03-20"))["customers"].attrs["partial_last_month"]


def test_channel_curves_pool_the_cohorts_observed():
    """Channel store = {a, b} (both cohort 2025-01): month 1 -> 1/2, month 2 -> 2/2, n = 2. Channel online =
    {c}: month 0 1/1, month 1 0/1 (month 2 not observed)."""
    curves = lc.retention_curves(_facts(), max_months=2, min_customers=1)
    store = curves[curves["group"] == "store"].set_index("month")
    assert store["retention"].tolist() == [1.0, 0.5, 1.0] and set(store["customers"]) == {2}
    online = curves[curves["group"] == "online"].set_index("month")
    assert online["retention"].tolist() == [1.0, 0.0]
    small = lc.retention_curves(_facts(), max_months=2, min_customers=2)
    assert set(small["group"]) == {"store"} and small.attrs["left_out"] == {"online": 1}


def test_channel_curves_need_the_column():
    with pytest.raises(ValueError, match="acquisition_channel"):
        lc.retention_curves(_facts(channels=False))
