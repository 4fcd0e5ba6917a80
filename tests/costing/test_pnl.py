import numpy as np
import pandas as pd
import pytest

from crmbook import costing
from crmbook.facts import CustomerFacts

from . import cases


def test_customer_pnl_by_hand():
    """A: revenue 200 - cogs 110 = margin 90; logistics 11.67 (direct), service 0.60 (retention), marketing
    150 (acquisition) -> profit 90 - 162.27 = -72.27, total cost 272.27.
    B: 100 - 50 = 50; 3.33 + 35.00 + 150 -> -138.33. C: 300 - 200 = 100; 7.00 + 100 -> -7.00.
    D: never bought; marketing 50 -> -50. The research pool (no driver) is in nobody's P&L."""
    pnl = costing.customer_pnl(cases.facts(), cases.costs(), contacts=cases.contacts())
    assert list(pnl.columns[:9]) == list(costing.PNL_COLUMNS)
    assert pnl.attrs["basis"] == "costs"
    assert pnl["gross_margin"].to_dict() == {"A": 90.0, "B": 50.0, "C": 100.0, "D": 0.0}
    assert pnl.loc["A", "direct_cost"] == pytest.approx(11.67)
    assert pnl.loc["A", "retention_cost"] == pytest.approx(0.60)
    assert pnl.loc["A", "acquisition_cost"] == pytest.approx(150.0)
    assert pnl.loc["A", "total_cost"] == pytest.approx(272.27)
    assert pnl["profit"].round(2).to_dict() == {"A": -72.27, "B": -138.33, "C": -7.0, "D": -50.0}
    assert pnl["indirect_cost"].sum() == 0.0
    assert pnl.attrs["unallocated"] == pytest.approx(9.99 + 0.01)
    assert pnl["orders"].to_dict() == {"A": 3, "B": 1, "C": 1, "D": 0}


def test_customer_pnl_falls_back_to_gross_margin():
    pnl = costing.customer_pnl(cases.facts())
    assert pnl.attrs["basis"] == "gross_margin"
    assert "no costs table" in pnl.attrs["note"]
    assert pnl["profit"].to_dict() == {"A": 90.0, "B": 50.0, "C": 100.0, "D": 0.0}


def test_customer_pnl_without_cost_of_goods_says_what_is_missing():
    facts = CustomerFacts(cases.customers(), cases.orders().drop(columns="cost_of_goods"), cases.AS_OF)
    pnl = costing.customer_pnl(facts, cases.costs(), contacts=cases.contacts())
    assert pnl.attrs["missing"] == ["cost_of_goods"]
    assert pnl["profit"].isna().all() and pnl["gross_margin"].isna().all()
    assert pnl["direct_cost"].sum() == pytest.approx(22.0)  # the allocation still stands


def test_an_order_without_cogs_leaves_that_customers_profit_missing():
    o = cases.orders()
    o.loc[3, "cost_of_goods"] = np.nan  # C's only order
    pnl = costing.customer_pnl(CustomerFacts(cases.customers(), o, cases.AS_OF))
    assert np.isnan(pnl.loc["C", "profit"]) and pnl.loc["A", "profit"] == 90.0
    assert pnl.attrs["unknown_cogs_customers"] == 1


def test_pnl_by_group():
    """By account type: retail A, B, D profit -72.27 - 138.33 - 50 = -260.60, key account C -7;
    total -267.60; retail's unprofitable share 3/3."""
    pnl = costing.customer_pnl(cases.facts(), cases.costs(), contacts=cases.contacts())
    by = costing.pnl_by(pnl, cases.customers().set_index("customer_id")["account_type"], name="account_type")
    row = by.set_index("account_type").loc["retail"]
    assert row["customers"] == 3 and row["profit"] == pytest.approx(-260.60)
    assert row["profit_share"] == pytest.approx(-260.60 / -267.60)
    assert row["unprofitable_share"] == 1.0
    assert by["account_type"].tolist() == ["key_account", "retail"]  # largest profit first


def test_main_order_channel():
    """A: online 200; B: store; C: b2b; D: none."""
    ch = costing.main_order_channel(cases.facts())
    assert ch.loc[["A", "B", "C"]].tolist() == ["online", "store", "b2b"] and pd.isna(ch.loc["D"])


def test_profit_distribution_bands():
    """Profits A -72.27, B -138.33, C -7, D -50; lower edges are included, so D (-50) is in '-50 ~ 0':
    '-250 ~ -50' holds A and B, '-50 ~ 0' holds C and D."""
    pnl = costing.customer_pnl(cases.facts(), cases.costs(), contacts=cases.contacts())
    d = costing.profit_distribution(pnl).set_index("band")
    assert d.loc["-250 ~ -50", "customers"] == 2 and d.loc["-50 ~ 0", "customers"] == 2
    assert d["customers"].sum() == 4


def test_pnl_interpretation_splits_the_unprofitable():
    """Cases: all four customers lose money; contributions (margin - direct - retention) A 77.73, B 11.67,
    C 93, D 0: none is negative before acquisition costs, so the split sentence is left out. With B's
    service cost raised by a 100.00 February complaint pool, B's contribution is 11.67 - 100 < 0: 1 of them."""
    from crmbook.context import Context

    ctx = Context(cases.AS_OF, currency="CNY")
    pnl = costing.customer_pnl(cases.facts(), cases.costs(), contacts=cases.contacts())
    f = costing.pnl_facts(pnl)
    assert f["unprofitable"] == 4 and f["negative_contribution"] == 0
    assert not any("before acquisition" in s for s in costing.pnl_interpretation(pnl, ctx))
    more = pd.concat([cases.costs(), pd.DataFrame([{"period": "2025-02", "pool": "service", "amount": 100.0,
                                                    "kind": "retention", "driver": "contacts"}])], ignore_index=True)
    pnl = costing.customer_pnl(cases.facts(), more, contacts=cases.contacts())
    assert pnl.loc["B", "contribution"] == pytest.approx(11.67 - 100.0)
    text = costing.pnl_interpretation(pnl, ctx)
    assert "1 of them loses money even before acquisition" in text.text and "the other 3" in text.text


def test_by_note_names_the_unknown_group_in_the_report_language():
    from crmbook.context import Context

    by = pd.DataFrame({"channel": ["b2b", "unknown"], "profit": [10.0, -1.0], "unprofitable_share": [0.1, 1.0]})
    zh = costing.by_note(by, "channel", Context(cases.AS_OF, language="zh"))
    assert "*未知* 最低" in zh.text and "unknown" not in zh.text
