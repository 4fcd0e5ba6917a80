import pandas as pd
import pytest

from crmbook import costing

from . import cases


def test_cac_per_year_pro_rata():
    """2025 acquisition spend 300 + 100 + 50 = 450 (April set aside: after as_of); new customers A, B
    (online_ads), C, D (store) = 4; spend not split by channel -> pro rata: 225 each, CAC 112.50."""
    t = costing.cac(cases.facts(), cases.costs())
    assert t.attrs["by_channel"] is False and "pro rata" in t.attrs["rule"]
    assert t.to_dict("list") == {"acquisition_channel": ["online_ads", "store"], "period": ["2025", "2025"],
                                 "acquisition_spend": [225.0, 225.0], "new_customers": [2, 2],
                                 "cac": [112.5, 112.5]}


def test_cac_per_month():
    """January 300 / 2 online_ads = 150; February 100 / 1 store; March 50 / 1 store."""
    t = costing.cac(cases.facts(), cases.costs(), period="month")
    assert t[["acquisition_channel", "period", "cac"]].values.tolist() == [
        ["online_ads", "2025-01", 150.0], ["store", "2025-02", 100.0], ["store", "2025-03", 50.0]]


def test_cac_by_channel_when_spend_says_the_channel():
    """Spend tagged by channel: online_ads 300 / 2 = 150, store (100 + 50) / 2 = 75. Dividing by all four
    customers would give 450 / 4 = 112.50 for both - the mistake this rule avoids."""
    c = cases.costs()
    c["acquisition_channel"] = pd.Series(None, index=c.index, dtype=object)
    c.loc[c["period"] == "2025-01", "acquisition_channel"] = "online_ads"
    c.loc[c["period"].isin(["2025-02", "2025-03", "2025-04"]), "acquisition_channel"] = "store"
    c.loc[c["kind"] != "acquisition", "acquisition_channel"] = None
    t = costing.cac(cases.facts(), c)
    assert t.attrs["by_channel"] is True
    assert t.set_index("acquisition_channel")["cac"].to_dict() == {"online_ads": 150.0, "store": 75.0}


def test_cac_spend_without_new_customers_is_kept():
    """A December 2024 events cost, before anyone signed up: its 10.00 is on an 'unknown' row with no new
    customer and no CAC, and the totals still hold all 460.00."""
    c = pd.concat([cases.costs(), pd.DataFrame([{"period": "2024-12", "pool": "events", "amount": 10.0,
                                                 "kind": "acquisition", "driver": ""}])], ignore_index=True)
    t = costing.cac(cases.facts(), c, period="month")
    dec = t[t["period"] == "2024-12"].iloc[0]
    assert dec["acquisition_channel"] == "unknown" and dec["new_customers"] == 0 and pd.isna(dec["cac"])
    assert costing.cac_summary(t)["acquisition_spend"].sum() == pytest.approx(460.0)


def test_retention_cost_per_active_customer():
    """2025 retention spend 15.60 + 20.00 + 9.99 = 45.59 over the 3 customers who ordered (A, B, C);
    per month: Jan 15.60 / 2 (A, B) = 7.80, Feb 20 / 1 (C), Mar 9.99 / 1 (A)."""
    y = costing.retention_cost(cases.facts(), cases.costs())
    assert y["retention_cost"].iloc[0] == pytest.approx(45.59 / 3)
    m = costing.retention_cost(cases.facts(), cases.costs(), period="month")
    assert m["retention_cost"].round(2).tolist() == [7.80, 20.0, 9.99]


def test_cac_needs_signup_date():
    from crmbook.facts import CustomerFacts
    f = CustomerFacts(cases.customers().drop(columns="signup_date"), cases.orders(), cases.AS_OF)
    with pytest.raises(ValueError, match="signup_date"):
        costing.cac(f, cases.costs())
