"""Penetration and market share by region."""

from __future__ import annotations

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
        {"name": "penetration", "value": 6.67, "unit": "%", "label": "Penetration, all regions"},
        {"name": "market_share", "value": 5.0, "unit": "%", "label": "Market share, all regions"}]
    no_rev = seg.market_penetration(CustomerFacts(customers, orders, AS_OF), market.drop(columns="market_revenue"))
    assert [k["name"] for k in seg.penetration_kpis(no_rev, CTX)] == ["penetration"]
    assert "market share" not in seg.penetration_interpretation(no_rev, CTX)[0]
    with pytest.raises(ValueError, match="All regions"):
        seg.penetration_interpretation(p[p["region"] != "All regions"], CTX)
