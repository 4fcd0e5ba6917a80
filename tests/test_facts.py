"""crmbook.facts: the per-customer facts every topic shares, on a small hand-made case."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook.facts import CustomerFacts, window_mask

T = pd.Timestamp("2025-12-31")


def _frames():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "late"],
                              "signup_date": pd.to_datetime(["2023-01-01", "2024-06-30", "2025-01-01",
                                                             "2026-02-01"])})
    orders = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b"],
        "order_date": pd.to_datetime(["2023-03-01", "2024-12-31", "2025-12-31", "2025-01-01", "2026-01-02"]),
        "revenue": [100.0, 50.0, 25.0, 10.0, 999.0],  # b's second order is after as_of
    })
    return customers, orders


def test_base_values_by_hand():
    facts = CustomerFacts(*_frames(), as_of="2025-12-31", currency="CNY")
    base = facts.base.set_index("customer_id")
    assert list(base.index) == ["a", "b", "c"]  # "late" signed up after as_of
    assert base.loc["a", "frequency"] == 3 and base.loc["a", "monetary"] == 175.0
    assert base.loc["a", "recency_days"] == 0.0 and base.loc["b", "recency_days"] == 364.0
    assert base.loc["b", "frequency"] == 1 and base.loc["b", "monetary"] == 10.0  # 2026 order ignored
    assert base.loc["c", "frequency"] == 0 and pd.isna(base.loc["c", "recency_days"])
    assert base.loc["a", "tenure_days"] == 1095.0  # 2023-01-01 -> 2025-12-31
    assert facts.base is facts.base  # computed once


def test_yearly_revenue_windows_by_hand():
    facts = CustomerFacts(*_frames(), as_of="2025-12-31")
    yr = facts.yearly_revenue(3).set_index("customer_id")
    # year 0 = 2025-01-01..2025-12-31, year 1 = 2024, year 2 = 2023
    assert yr.loc["a"].tolist() == [25.0, 50.0, 100.0]
    assert yr.loc["b"].tolist() == [10.0, 0.0, 0.0]
    assert "c" not in yr.index and facts.yearly_revenue_all(3).set_index("customer_id").loc["c"].sum() == 0.0
    assert window_mask(pd.Series([pd.Timestamp("2025-01-01"), pd.Timestamp("2024-12-31")]), T, 0).tolist() == [
        True, False]
    assert len(facts.orders_in_year(0)) == 2


def test_precompute_is_one_scan_with_the_same_values():
    together = CustomerFacts(*_frames(), as_of="2025-12-31")
    together.precompute(3)
    assert [name for name, _ in together._engine.rows_returned] == [
        "customer facts and yearly revenue (3 years)"]  # one query for both
    apart = CustomerFacts(*_frames(), as_of="2025-12-31")
    pd.testing.assert_frame_equal(together.base, apart.base, check_exact=True)
    for years in (1, 2, 3):
        pd.testing.assert_frame_equal(together.yearly_revenue(years), apart.yearly_revenue(years), check_exact=True)
    assert together.yearly_revenue(3).set_index("customer_id").loc["a"].tolist() == [25.0, 50.0, 100.0]
    assert "c" not in set(together.yearly_revenue(3)["customer_id"])  # no orders: not a buying customer
    # on the sample, with its thousands of customers and ids out of order, too
    from crmbook import data

    ds = data.check("sample", as_of="2025-12-31")  # checked afresh: no stored facts to take
    assert not ds.precomputed
    sample = CustomerFacts.from_dataset(ds)
    sample.precompute(3)
    fresh = CustomerFacts.from_dataset(ds)
    pd.testing.assert_frame_equal(sample.base, fresh.base, check_exact=True)
    pd.testing.assert_frame_equal(sample.yearly_revenue(3), fresh.yearly_revenue(3), check_exact=True)


def test_fewer_years_are_the_first_windows_of_more():
    """Asked in any order, 1, 2 and 3 (and 5) years give the same windows as by hand; a customer whose only
    orders lie before the windows asked for is still a buying customer (zeros)."""
    for order in ((1, 2, 3, 5), (5, 3, 1), (2,)):
        facts = CustomerFacts(*_frames(), as_of="2025-12-31")
        for years in order:
            yr = facts.yearly_revenue(years).set_index("customer_id")
            assert list(yr.columns) == [f"revenue_y{y}" for y in range(years)]
            assert yr.loc["a"].tolist() == [25.0, 50.0, 100.0, 0.0, 0.0][:years]
            assert yr.loc["b"].tolist() == [10.0, 0.0, 0.0, 0.0, 0.0][:years]
            assert list(yr.index) == ["a", "b"]


def test_errors_name_the_problem():
    customers, orders = _frames()
    with pytest.raises(ValueError, match="not unique"):
        CustomerFacts(pd.concat([customers, customers]), orders, "2025-12-31")
    with pytest.raises(ValueError, match="not in the customers table"):
        CustomerFacts(customers[customers.customer_id != "a"], orders, "2025-12-31")
    with pytest.raises(ValueError, match="'revenue' missing"):
        CustomerFacts(customers, orders.drop(columns="revenue"), "2025-12-31")
    with pytest.raises(ValueError, match="as_of is required"):
        CustomerFacts(customers, orders)


def test_from_dataset_uses_the_dataset_date():
    from crmbook.data import load

    ds = load("sample", as_of="2024-12-31")
    facts = CustomerFacts.from_dataset(ds, currency="CNY", language="zh")
    assert facts.as_of == pd.Timestamp("2024-12-31") and facts.context.language == "zh"
    assert facts.orders["order_date"].max() <= facts.as_of


def test_money_is_summed_exactly():
    customers = pd.DataFrame({"customer_id": ["a", "b"]})
    orders = pd.DataFrame({"customer_id": ["a", "a", "a"],
                           "order_date": pd.to_datetime(["2025-03-01", "2025-03-02", "2024-05-01"]),
                           "revenue": [0.1, 0.2, 0.3]})
    facts = CustomerFacts(customers, orders, "2025-12-31")
    assert 0.1 + 0.2 + 0.3 != 0.6 and facts.base["monetary"].tolist() == [0.6, 0.0]
    assert facts.yearly_revenue(2).loc[0, ["revenue_y0", "revenue_y1"]].tolist() == [0.3, 0.3]


def test_whole_days_with_a_time_of_day():
    customers = pd.DataFrame({"customer_id": ["a"], "signup_date": pd.to_datetime(["2025-12-29 08:00"])})
    orders = pd.DataFrame({"customer_id": ["a", "a"],
                           "order_date": pd.to_datetime(["2025-12-30 10:00", "2025-12-31 09:00"]),
                           "revenue": [1.0, 2.0]})
    base = CustomerFacts(customers, orders, "2025-12-31").base
    # the order of 31 December 09:00 is after as_of (midnight); 30 December 10:00 is 14 hours before: 0 days
    assert base.loc[0, ["frequency", "recency_days", "tenure_days"]].tolist() == [1, 0.0, 1.0]
    noon = CustomerFacts(customers, orders, "2025-12-31 12:00").base  # computed by pandas
    assert noon.loc[0, ["frequency", "recency_days", "tenure_days"]].tolist() == [2, 0.0, 2.0]
