import matplotlib
import pytest

from crmbook import costing
from crmbook.context import Context

from . import cases

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def built():
    facts = cases.facts()
    alloc = costing.allocate_costs(facts, cases.costs(), contacts=cases.contacts())
    pnl = costing.customer_pnl(facts, allocation=alloc)
    cac_total = costing.cac_summary(costing.cac(facts, cases.costs()))
    retention = costing.retention_cost(facts, cases.costs())
    return facts, alloc, pnl, cac_total, retention


def _ex(built, language="en"):
    facts, alloc, pnl, cac_total, retention = built
    return costing.exercises(facts, pnl, Context(cases.AS_OF, language=language), allocation=alloc,
                             contacts=cases.contacts(), cac_total=cac_total, retention=retention)


def test_q1_allocation_by_the_contact_driver(built):
    """Latest contact-driven month with two customers: January service 15.60 (February has one customer).
    Contact cost B 150, A 6 (of 156); revenue A 150, B 100 (of 250). B's contact share (96%) most exceeds
    its revenue share (40%): B is asked. Right: 15.60 x 150 / 156 = 15.00; by revenue 15.60 x 0.4 = 6.24
    (named); split equally 7.80 (named)."""
    ex = _ex(built)
    assert "B" in ex.q1.question and "15.60" in ex.q1.question
    assert ex.q1.check(...).status == "unattempted"
    assert ex.q1.check(15.0).status == "correct"
    fb = ex.q1.check(6.24)
    assert fb.status == "wrong" and "by revenue" in fb.message
    assert "equally" in ex.q1.check(7.80).message
    assert ex.q1.check(3.0).status == "wrong"


def test_q2_cac_rejects_dividing_by_all_customers(built):
    """2025 spend 450 over 4 new customers = 112.50; all 4 customers had signed up by then, so the
    all-customers trap equals the right answer here and the right answer wins; dividing by the 3 active
    customers (150) is named."""
    ex = _ex(built)
    assert ex.q2.check(112.5).status == "correct"
    fb = ex.q2.check(150.0)
    assert fb.status == "wrong" and "active customers" in fb.message


def test_q3_whale_share_rejects_ranking_by_revenue():
    """Profits x 100, y 50, z -50 (total 100), revenues x 10, y 500, z 1000. Top 20% = 1 customer: by
    profit x: 100%; by revenue z: -50% (named)."""
    import pandas as pd

    pnl = pd.DataFrame({"profit": [100.0, 50.0, -50.0], "revenue": [10.0, 500.0, 1000.0]},
                       index=pd.Index(["x", "y", "z"], name="customer_id"))
    ex = costing.exercises(None, pnl, Context(cases.AS_OF))
    assert ex.q3.check(1.0).status == "correct" and ex.q3.check(100).status == "correct"
    fb = ex.q3.check(-0.5)
    assert fb.status == "wrong" and "by revenue" in fb.message


def test_exercises_in_chinese(built):
    ex = _ex(built, "zh")
    assert "获客" in ex.q2.question and ex.q2.check(150.0).status == "wrong"


def test_charts_draw(built):
    import matplotlib.pyplot as plt

    facts, alloc, pnl, cac_total, retention = built
    ctx = Context(cases.AS_OF, currency="CNY")
    ax = costing.plot_cost_classes(costing.cost_classes(cases.costs(), facts.as_of), ctx)
    assert ax.get_title() == "The four cost classes"
    p = pnl.assign(profit=[30.0, 20.0, -5.0, -1.0])
    ax = costing.plot_whale(costing.whale_curve(p["profit"]), ctx)
    assert ax.get_title() == "The whale curve" and ax.lines
    costing.plot_profit_distribution(costing.profit_distribution(pnl), ctx)
    costing.plot_cac(cac_total, retention, ctx)
    plt.close("all")


def test_kpis_and_summary(built):
    facts, alloc, pnl, cac_total, retention = built
    ctx = Context(cases.AS_OF, currency="CNY")
    k = {r["name"]: r["value"] for r in costing.pnl_kpis(pnl, ctx)}
    assert k == {"unprofitable_share": 100.0, "profit_total": -267.6}
    assert costing.whale_kpis(costing.whale_facts(costing.whale_curve(pnl["profit"])), ctx) == []
    c = {r["name"]: r["value"] for r in costing.cac_kpis(costing.cac(facts, cases.costs()), cac_total, retention, ctx)}
    assert c["cac"] == 112.5 and c["cac_online_ads"] == 112.5 and c["retention_cost_per_customer"] == 15.2
    s = costing.summary_points(pnl, None, cac_total, None, ctx)
    assert "4 customers (100.0%) lose money" in s[0] and "112 CNY" in s[1]


def test_reconciliation_summary_adds_up(built):
    _, alloc, *_ = built
    s = costing.reconciliation_summary(alloc.reconciliation).set_index("pool")
    assert s.loc["total", "amount"] == pytest.approx(s.loc["total", "allocated"] + s.loc["total", "unallocated"])
    assert s.loc["service", "unallocated_lines"] == 1 and s.loc["research", "unallocated"] == 0.01
