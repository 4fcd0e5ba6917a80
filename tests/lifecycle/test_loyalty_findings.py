"""The loyalty and journey sections as notebook 02 uses them: the package re-exports, the summary sentences
(only what the numbers support), the KPI records and exercise 5 (retention per member tier)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from crmbook import lifecycle as lc
from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.topics import get

from .test_journey import _many
from .test_loyalty import AS_OF, RULE, _customers, _orders, _points

EN, ZH = Context(AS_OF, "CNY", "en"), Context(AS_OF, "CNY", "zh")


def test_the_package_reexports_every_module_once():
    """Every name of loyalty, journey and loyalty_charts is reachable as lc.<name> and is that module's."""
    for module in (lc.loyalty, lc.journey, lc.loyalty_charts):
        for name in module.__all__:
            assert getattr(lc, name) is getattr(module, name), name
    assert len(lc.__all__) == len(set(lc.__all__))


def _lf(with_points: bool = True):
    f = CustomerFacts(_customers(), _orders(), AS_OF, currency="CNY")
    return f, lc.loyalty_facts(f, _points() if with_points else None, rule=RULE, value_per_point=0.01)


def test_summary_says_the_liability_and_leaves_out_an_unclear_referral_difference():
    """Ledger (test_loyalty): 130 earned, 100 redeemed, 10 expired -> 20 outstanding, 0.20 CNY at 0.01 a point,
    redemption 77 %, breakage 8 %. Referred customers: C3 (first order 2025-03-01, no full first year) and C4
    (2024-05-01, no second order) -> one or no customer per group: the interval spans zero, no sentence."""
    _, lf = _lf()
    en = lc.loyalty_summary(lf, EN)
    assert en == ["20 loyalty points are outstanding: a liability of 0.20 CNY at 0.01 CNY a point (77% of the "
                  "points earned were redeemed, 8% expired)."]
    assert "积分负债为 0.20 CNY" in lc.loyalty_summary(lf, ZH)[0]
    _, lf = _lf(with_points=False)
    assert lc.loyalty_summary(lf, EN) == []


def test_summary_names_a_pain_point_or_says_none_was_found():
    """_many(40, 40, 40, 0): 100 % vs 0 % inactive after unresolved vs resolved complaints -> named.
    _many(40, 20, 40, 20): 50 % vs 50 % -> no pain point, 1 comparison (resolved only: no response times)."""
    f, contacts = _many(40, 40, 40, 0)
    jf = lc.journey_facts(lc.touchpoints(f, contacts), lc.pain_points(f, contacts, window_days=90))
    assert lc.journey_summary(jf, EN) == ["Pain point on the journey: Complaint (not resolved) - customers placed "
                                          "no order afterwards clearly more often."]
    f, contacts = _many(40, 20, 40, 20)
    pain = lc.pain_points(f, contacts, window_days=90)
    jf = lc.journey_facts(lc.touchpoints(f, contacts), pain)
    (text,) = lc.journey_summary(jf, EN)
    assert text.startswith("No touchpoint of the journey stands out") and f"({pain.attrs['comparisons']} comparisons)" in text
    assert lc.journey_summary(lc.journey_facts(lc.touchpoints(f), None), EN) == []


def test_loyalty_kpis_are_declared_and_computed():
    """Liability 0.20 CNY, redemption 100 / 130 = 76.9 %, referred revenue 810 / 1,370 = 59.1 %; retention at
    2024-12-31 (test_loyalty): bronze 1/1, gold 0/1 -> top minus lowest = -100 points; pain points 1."""
    f, lf = _lf()
    fj, contacts = _many(40, 40, 40, 0)
    jf = lc.journey_facts(lc.touchpoints(fj, contacts), lc.pain_points(fj, contacts, window_days=90))
    got = {r["name"]: r["value"] for r in lc.loyalty_kpis(lf, jf, EN)}
    assert got["points_liability"] == pytest.approx(0.20)
    assert got["points_redemption_rate"] == 76.9 and got["referred_revenue_share"] == 59.1
    assert got["tier_retention_gap"] == -100.0 and got["pain_points_found"] == 1
    assert "referral_repeat_gap" in got
    declared = {k.pattern: k for k in get("lifecycle").kpis}
    for name in got:
        assert name in declared, name
    assert declared["points_liability"].kind == "money" and "value_per_point" in declared["points_liability"].depends_on
    _, lf = _lf(with_points=False)
    assert "points_liability" not in {r["name"] for r in lc.loyalty_kpis(lf, None, EN)}


def _tier_case() -> CustomerFacts:
    """Rule bronze 0 / silver 100 / gold 500; start 2024-12-31, as_of 2025-12-31.

    A: 2024-03-01 600                    -> gold at start, bought in 2024, not in 2025
    B: 2024-04-01 200, 2025-05-01 400    -> silver at start, gold today, bought again
    C: 2023-01-01 700                    -> gold at start, no order in 2024 (not a buyer of last year)
    D: 2024-06-01 550, 2025-06-01 10     -> gold at start, bought again
    """
    rows = [("A", "2024-03-01", 600), ("B", "2024-04-01", 200), ("B", "2025-05-01", 400), ("C", "2023-01-01", 700),
            ("D", "2024-06-01", 550), ("D", "2025-06-01", 10)]
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    first = orders.groupby("customer_id")["order_date"].min()
    customers = pd.DataFrame({"customer_id": first.index, "signup_date": first.to_numpy()})
    return CustomerFacts(customers, orders, AS_OF, currency="CNY")


@pytest.mark.parametrize("ctx", [EN, ZH], ids=["en", "zh"])
def test_tier_retention_exercise_rejects_todays_tier(ctx):
    """Gold at start among last year's buyers: A, D; D bought again -> 1/2 = 0.5 (lc.tier_retention agrees).
    Today's gold among last year's buyers: A, B, D; B and D bought again -> 2/3 (circular, named).
    Every gold customer at start: A, C, D -> 1/3 (named)."""
    f = _tier_case()
    assert lc.tier_retention(f, None, RULE).set_index("tier").loc["gold", "retention"] == 0.5
    q = lc.tier_retention_exercise(f, ctx, RULE, tier="gold")
    assert q.check(0.5).correct and q.check(50).correct
    today, everyone = q.check(2 / 3), q.check(1 / 3)
    assert today.status == "wrong" and any(w in today.message for w in ("today", "今天"))
    assert everyone.status == "wrong" and any(w in everyone.message for w in ("every customer", "全部客户"))
    assert not q.check(0.9).correct


def test_tier_retention_exercise_default_tier_and_absence():
    """Default: above the lowest, most of last year's buyers - gold (A, D) over silver (B). With every
    threshold above everyone's spend but the lowest, no tier above the lowest has buyers: no exercise."""
    f = _tier_case()
    q = lc.tier_retention_exercise(f, EN, RULE)
    assert "*gold*" in q.question and math.isclose(q.expected, 0.5)
    high = lc.TierRule({"bronze": 0, "silver": 10_000})
    assert lc.tier_retention_exercise(f, EN, high) is None
    ex = lc.exercises({"previous_start": pd.Timestamp("2023-12-31"), "start": pd.Timestamp("2024-12-31"),
                       "end": pd.Timestamp("2025-12-31"), "last_year_buyers": 3, "retained": 2,
                       "this_year_buyers": 2, "retention": 2 / 3, "churn": 1 / 3},
                      pd.DataFrame({"duration_days": [1, 2], "churned": [True, False]}), None, f.customers, EN,
                      facts=f, tier_rule=RULE)
    assert "q5" in ex and ex.q5.check(0.5).correct
