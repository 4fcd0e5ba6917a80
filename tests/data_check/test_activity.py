"""crmbook.data_check.activity: orders, buyers and revenue per calendar month."""

from __future__ import annotations

import pandas as pd

from crmbook import data_check as dc


def test_monthly_activity_fills_empty_months(ds):
    act = dc.monthly_activity(ds["orders"])
    assert [str(m) for m in act["month"]] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert act["orders"].tolist() == [1, 0, 2, 2]
    assert act["customers"].tolist() == [1, 0, 2, 2]
    assert act["revenue"].tolist() == [100, 0, 80, 220]


def test_monthly_activity_of_no_orders_is_empty():
    empty = pd.DataFrame({"order_date": pd.to_datetime([]), "revenue": [], "customer_id": []})
    assert dc.monthly_activity(empty).empty
