"""Penetration and market share by region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, CTX, _penetration_case


def test_market_penetration():
    customers, orders, market = _penetration_case()
    p = seg.market_penetration(CustomerFacts(customers, orders, AS_OF), market).set_index("region")
    assert p.loc["East", ["customers", "active_customers"]].tolist() == [3, 2]
    assert p.loc["East", "penetration"] == pytest.approx(0.1)
    assert p.loc["East", "active_penetration"] == pytest.approx(2 / 30)
    assert p.loc["East", "market_share"] == pytest.approx(150 / 1500)
    assert p.loc["West", "revenue"] == 0 and p.loc["West", "market_share"] == 0  # 2024 order is outside y0
    assert p.loc["North", "customers"] == 0 and p.loc["North", "penetration"] == 0
    assert p.loc["All regions", "penetration"] == pytest.approx(4 / 60)
    assert p.loc["All regions", "market_share"] == pytest.approx(150 / 3000)
    unknown = customers.assign(region=["East", "East", None, "West"])  # E3 has no region
    u = seg.market_penetration(CustomerFacts(unknown, orders, AS_OF), market).set_index("region")
    assert u.loc["unknown", "customers"] == 1 and pd.isna(u.loc["unknown", "potential_customers"])
    assert u.loc["All regions", "customers"] == 3  # only regions with a market size count in the total
    no_rev = seg.market_penetration(CustomerFacts(customers, orders, AS_OF), market.drop(columns="market_revenue"))
    assert no_rev["market_share"].isna().all()
    with pytest.raises(ValueError, match="region"):
        seg.market_penetration(CustomerFacts(customers.drop(columns="region"), orders, AS_OF), market)


def test_penetration_interpretation_and_kpis():
    customers, orders, market = _penetration_case()
    p = seg.market_penetration(CustomerFacts(customers, orders, AS_OF), market)
    text = seg.penetration_interpretation(p, CTX)
    # 4 of 60 potential = 6.7%; active E1, E2 = 2 of 60 = 3.3%; revenue 150 of 3000 = 5.0%
    assert text[0] == ("Overall we reach 6.7% of the potential customers (3.3% active in the last 12 months) and a "
                       "market share of 5.0%.")
    # East 3/30 = 10% and West 1/10 = 10% tie: the first (East); North 0/20 = 0%
    assert text[1].startswith("Penetration is highest in **East** (10.0%) and lowest in **North** (0.0%)")
    assert seg.penetration_kpis(p, CTX) == [
        {"name": "penetration", "value": 6.67, "unit": "%", "label": "Penetration, all regions", "language": "en"},
        {"name": "market_share", "value": 5.0, "unit": "%", "label": "Market share, all regions", "language": "en"}]
    no_rev = seg.market_penetration(CustomerFacts(customers, orders, AS_OF), market.drop(columns="market_revenue"))
    assert [k["name"] for k in seg.penetration_kpis(no_rev, CTX)] == ["penetration"]
    assert "market share" not in seg.penetration_interpretation(no_rev, CTX)[0]
    with pytest.raises(ValueError, match="All regions"):
        seg.penetration_interpretation(p[p["region"] != "All regions"], CTX)


def test_headroom_and_market_share_decomposition():
    c, o, market = _penetration_case()
    p = seg.market_penetration(CustomerFacts(c, o, AS_OF), market).set_index("region")
    # East: 3 customers of 30 potential -> headroom 27; revenue 150 over 3 customers = 50 each, the market
    # 1500 / 30 = 50 per potential customer -> relative spend 1; share 150 / 1500 = 0.1 = 0.1 x 1
    assert p.loc["East", "headroom"] == 27 and p.loc["East", "relative_spend"] == pytest.approx(1.0)
    # West: 1 of 10, revenue 0 in the last 12 months -> relative spend 0, share 0; North: no customer
    assert p.loc["West", "headroom"] == 9 and p.loc["West", "relative_spend"] == 0.0
    assert p.loc["North", "headroom"] == 20 and np.isnan(p.loc["North", "relative_spend"])
    known = p.dropna(subset=["relative_spend"])
    assert (known["penetration"] * known["relative_spend"]).tolist() == pytest.approx(known["market_share"].tolist())
    f = seg.penetration_facts(p.reset_index())
    assert (f["roomiest"], f["roomiest_headroom"], f["lowest"]) == ("East", 27.0, "North")
    text = seg.penetration_interpretation(p.reset_index(), CTX)
    assert text[2] == ("A low rate is not the most room: **East** (penetration 10.0%) still has 27 potential "
                       "customers not won, against 20 in North.")
    assert text[3].startswith("Market share = penetration x relative spend per customer: in **West** we reach "
                              "10.0% of the potential customers but hold 0.0% of the market")
