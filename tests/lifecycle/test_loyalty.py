"""crmbook.lifecycle.loyalty: tiers derived from a rule, their movement, spend and retention, referrals, points.

The small case (as_of 2025-12-31, thresholds bronze 0 / silver 100 / gold 500 on spend to date):

| customer | sign-up    | referred by | orders (date: revenue)                              | recorded tier |
|----------|------------|-------------|-----------------------------------------------------|---------------|
| C1       | 2024-01-01 |             | 2024-01-01: 60, 2024-06-01: 50, 2025-03-01: 400     | gold          |
| C2       | 2024-02-01 |             | 2024-02-01: 30, 2025-02-01: 20                      | bronze        |
| C3       | 2025-03-01 | C1          | 2025-03-01: 200, 2025-04-01: 10                     | silver        |
| C4       | 2024-05-01 | C1          | 2024-05-01: 600                                     | gold          |
| C5       | 2024-07-01 | C2          | (none: a prospect)                                  | silver (wrong)|

Spend at 2024-12-31: C1 110 (silver), C2 30, C4 600 (gold), C5 0 (bronze); C3 not yet signed up. At as_of:
C1 510 (gold), C2 50, C3 210 (silver), C4 600 (gold), C5 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.lifecycle import loyalty as L

RULE = L.TierRule({"bronze": 0, "silver": 100, "gold": 500})
AS_OF = "2025-12-31"


def _customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4", "C5"],
        "signup_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2025-03-01", "2024-05-01", "2024-07-01"]),
        "referred_by": [None, None, "C1", "C1", "C2"],
        "member_tier": ["gold", "bronze", "silver", "gold", "silver"],
    })


def _orders() -> pd.DataFrame:
    rows = [("O1", "C1", "2024-01-01", 60), ("O2", "C1", "2024-06-01", 50), ("O3", "C1", "2025-03-01", 400),
            ("O4", "C2", "2024-02-01", 30), ("O5", "C2", "2025-02-01", 20), ("O6", "C3", "2025-03-01", 200),
            ("O7", "C3", "2025-04-01", 10), ("O8", "C4", "2024-05-01", 600)]
    o = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "revenue"])
    o["order_date"] = pd.to_datetime(o["order_date"])
    return o


@pytest.fixture()
def facts() -> CustomerFacts:
    return CustomerFacts(_customers(), _orders(), AS_OF, currency="CNY")


# ---- intervals --------------------------------------------------------------------------------------




def test_tier_rule_from_notebook_parameters():
    rule = L.TierRule.from_text("bronze=0, silver=2000,gold = 8000", basis="orders", window_months=0)
    assert dict(rule.thresholds) == {"bronze": 0.0, "silver": 2000.0, "gold": 8000.0}
    assert (rule.basis, rule.window_months, rule.tiers) == ("orders", None, ("bronze", "silver", "gold"))
    assert L.TierRule.from_text("a=0,b=5", window_months=12).window_months == 12
    assert L.TierRule.from_text("bronze:0, silver: 2000, gold=8000") == L.TierRule.from_text("bronze=0, silver=2000,gold = 8000")
    with pytest.raises(ValueError, match="part 'silver 2000'"):
        L.TierRule.from_text("bronze:0, silver 2000")
    with pytest.raises(ValueError, match="part 'silver'"):
        L.TierRule.from_text("bronze=0, silver")


def test_derive_tiers_at_two_dates(facts):
    start = L.derive_tiers(facts, "2024-12-31", RULE).set_index("customer_id")
    assert start["tier"].to_dict() == {"C1": "silver", "C2": "bronze", "C4": "gold", "C5": "bronze"}
    assert start.loc["C1", "basis"] == 110.0  # C3 signed up later: not there
    now = L.derive_tiers(facts, None, RULE).set_index("customer_id")["tier"].to_dict()
    assert now == {"C1": "gold", "C2": "bronze", "C3": "silver", "C4": "gold", "C5": "bronze"}
    with pytest.raises(ValueError, match="on or before as_of"):
        L.derive_tiers(facts, "2026-01-01", RULE)


def test_tier_movement_rows_sum_to_the_customers_at_start(facts):
    """bronze (C2, C5) stay; silver C1 -> gold (up); gold C4 stays; C3 is new, now silver."""
    mv = L.tier_movement(facts, None, RULE).set_index("from_tier")
    assert mv.loc["bronze", ["bronze", "silver", "gold"]].tolist() == [2, 0, 0]
    assert mv.loc["silver", "gold"] == 1 and mv.loc["gold", "gold"] == 1 and mv.loc["new", "silver"] == 1
    assert mv.drop(index="new")["customers"].sum() == 4  # the customers who existed at the start
    assert mv["customers"].sum() == 5
    assert (mv.attrs["up"], mv.attrs["down"], mv.attrs["same"]) == (1, 0, 3)
    assert mv.attrs["derived"] is True


def test_a_windowed_rule_lets_customers_move_down(facts):
    """Spend in the 12 months before each date: at 2024-12-31 C1 110 (silver), C4 600 (gold); in 2025 C1 spends
    400 (silver), C4 nothing (bronze: down two tiers)."""
    rule = L.TierRule({"bronze": 0, "silver": 100, "gold": 500}, window_months=12)
    mv = L.tier_movement(facts, None, rule).set_index("from_tier")
    assert mv.loc["gold", "bronze"] == 1 and mv.loc["silver", "silver"] == 1
    assert (mv.attrs["up"], mv.attrs["down"], mv.attrs["same"]) == (0, 1, 3)


def test_tiers_by_orders_and_by_referrals(facts):
    """Orders to date: C1 3, C2 2, C3 2, C4 1, C5 0. Referrals: C1 referred C4 (2024) and C3 (2025), C2 C5."""
    by_orders = L.derive_tiers(facts, None, L.TierRule({"one": 0, "regular": 2}, basis="orders"))
    assert by_orders.set_index("customer_id")["tier"].to_dict() == {
        "C1": "regular", "C2": "regular", "C3": "regular", "C4": "one", "C5": "one"}
    rule = L.TierRule({"member": 0, "ambassador": 2}, basis="referrals")
    assert L.tier_basis(facts, "2024-12-31", rule).to_dict() == {"C1": 1.0, "C2": 1.0, "C4": 0.0, "C5": 0.0}
    assert L.derive_tiers(facts, None, rule).set_index("customer_id").loc["C1", "tier"] == "ambassador"


def test_tier_check_counts_agreement_with_the_recorded_tier(facts):
    """C5 is recorded silver but spent nothing: 4 of 5 agree."""
    check = L.tier_check(facts, RULE)
    assert (check["customers"], check["agree"]) == (5, 4) and check["agree_share"] == pytest.approx(0.8)
    assert check["crosstab"].loc["silver", "bronze"] == 1


def test_tier_summary_by_recorded_tier(facts):
    """Revenue in 2025: C1 400, C2 20, C3 210 (total 630). gold = C1 + C4, silver = C3 + C5, bronze = C2."""
    s = L.tier_summary(facts, RULE).set_index("tier")
    assert list(s.index) == ["bronze", "silver", "gold"]
    assert s["customers"].tolist() == [1, 2, 2] and s["buyers_12m"].tolist() == [1, 1, 1]
    assert s["revenue"].tolist() == [20.0, 210.0, 400.0]
    assert s.loc["gold", "revenue_share"] == pytest.approx(400 / 630)
    assert s.loc["gold", "revenue_per_customer"] == pytest.approx(200.0)
    assert s.attrs["derived"] is False


def test_tier_retention_groups_by_the_tier_held_at_start(facts):
    """Active in 2024: C1 (silver then), C2 (bronze), C4 (gold). Bought again in 2025: C1, C2, not C4.
    Wilson of 1/1 = (0.2065, 1)."""
    r = L.tier_retention(facts, None, RULE).set_index("tier")
    assert r["active_customers"].to_dict() == {"bronze": 1, "silver": 1, "gold": 1}
    assert r["retention"].to_dict() == {"bronze": 1.0, "silver": 1.0, "gold": 0.0}
    assert r.loc["silver", "retention_low"] == pytest.approx(0.2065, abs=1e-4)


# ---- referrals --------------------------------------------------------------------------------------

def test_referral_comparison_first_year(facts):
    """Eligible (first order on or before 2024-12-31): C1, C2, C4. Referred: C4, one order of 600 (no repeat).
    Others: C1 repeats within 365 days (2024-06-01), first-year revenue 110 (2025-03-01 is 425 days later);
    C2's second order is 366 days after the first (2024 is a leap year): no repeat, revenue 30."""
    ref = L.referral_comparison(facts).set_index("referral_group")
    assert ref.loc["referred", ["customers", "repeat_rate", "first_year_revenue"]].tolist() == [1, 0.0, 600.0]
    assert ref.loc["others", ["customers", "repeat_rate", "first_year_revenue"]].tolist() == [2, 0.5, 70.0]
    assert ref.loc["difference", "repeat_rate"] == pytest.approx(-0.5)
    assert ref.loc["difference", "first_year_revenue"] == pytest.approx(530.0)
    assert np.isnan(ref.loc["referred", "revenue_low"])  # one value: no interval


def test_referral_comparison_keeps_to_the_referred_account_types():
    """A key account among the others would inflate their revenue: with account types, it is left out."""
    c = _customers().assign(account_type=["retail", "key_account", "retail", "retail", "retail"])
    f = CustomerFacts(c, _orders(), AS_OF)
    ref = L.referral_comparison(f).set_index("referral_group")
    assert ref.loc["others", "customers"] == 1  # C1 only (C2 is a key account)
    assert L.referral_comparison(f, same_account_types=False).set_index("referral_group").loc["others", "customers"] == 2


def test_referral_yield_and_top_referrers(facts):
    """Referrers C1 (C3, C4) and C2 (C5): 3 referred, 1.5 each; their revenue 210 + 600 + 0 = 810 of 1,370."""
    y = L.referral_yield(facts, reward_per_referral=10)
    assert (y["referrers"], y["referred"], y["referred_per_referrer"]) == (2, 3, 1.5)
    assert y["referred_revenue"] == pytest.approx(810.0)
    assert y["referred_revenue_share"] == pytest.approx(810 / 1370)
    assert (y["new_last_12m"], y["referred_last_12m"]) == (1, 1)
    assert y["reward_cost"] == 30.0 and y["revenue_per_reward"] == pytest.approx(27.0)
    top = L.top_referrers(facts)
    assert top[["customer_id", "referred", "referred_revenue", "monetary"]].values.tolist() == [
        ["C1", 2, 810.0, 510.0], ["C2", 1, 0.0, 50.0]]


def test_without_referrals_or_tiers_the_analyses_say_so():
    c = _customers().drop(columns=["referred_by", "member_tier"])
    f = CustomerFacts(c, _orders(), AS_OF)
    assert L.referral_comparison(f).empty and L.referral_yield(f) == {} and L.top_referrers(f).empty
    assert L.tier_summary(f, RULE).attrs["derived"] is True
    lf = L.loyalty_facts(f, rule=RULE)
    text = L.loyalty_narrative(lf, Context(AS_OF, "CNY", "en"))
    assert any("no member tier" in s for s in text) and any("names a referrer" in s for s in text)
    assert any("no points ledger" in s for s in text)


# ---- points -----------------------------------------------------------------------------------------

def _points() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["C1", "C1", "C1", "C1", "C2", "C2"],
        "date": pd.to_datetime(["2024-01-01", "2024-06-01", "2025-03-01", "2025-12-31", "2025-02-01", "2026-01-05"]),
        "points": [60, 50, -100, -10, 20, 5],
        "kind": ["earn", "earn", "redeem", "expire", "earn", "earn"],
    })


def test_points_summary_and_liability():
    """Earned 60 + 50 + 20 = 130 (the 5 after as_of left out), redeemed 100, expired 10: 20 outstanding, all
    C2's; at 0.01 a point, a liability of 0.20."""
    p = L.points_summary(_points(), AS_OF, value_per_point=0.01)
    assert (p["earned"], p["redeemed"], p["expired"], p["outstanding"]) == (130, 100, 10, 20)
    assert p["liability"] == pytest.approx(0.20)
    assert p["entries_after_as_of"] == 1 and p["members"] == 2 and p["members_with_balance"] == 1
    assert p["redemption_rate"] == pytest.approx(100 / 130) and p["breakage"] == pytest.approx(10 / 130)


def test_points_by_month_balance():
    m = L.points_by_month(_points(), AS_OF).set_index("month")
    assert len(m) == 24  # 2024-01 .. 2025-12
    assert m.loc["2024-06", "balance"] == 110 and m.loc["2025-03", "balance"] == 30
    assert m.loc["2025-12", ["expired", "balance"]].tolist() == [10, 20]


@pytest.mark.parametrize("kind, points", [("bonus", 10), ("earn", -10), ("redeem", 10)])
def test_points_reject_a_bad_kind_or_sign(kind, points):
    bad = pd.concat([_points(), pd.DataFrame({"customer_id": ["C1"], "date": pd.to_datetime(["2025-01-01"]),
                                              "points": [points], "kind": [kind]})], ignore_index=True)
    with pytest.raises(ValueError, match="wrong sign|valid date, points or kind"):
        L.points_summary(bad, AS_OF)


# ---- words ------------------------------------------------------------------------------------------

def test_narrative_says_the_tiers_are_derived_and_the_numbers_beside_it(facts):
    lf = L.loyalty_facts(facts, _points(), rule=RULE)
    en = L.loyalty_narrative(lf, Context(AS_OF, "CNY", "en"))
    assert any("**derived**" in s and "only 80.0%" in s for s in en)
    assert any("1 customers moved up a tier, 0 moved down and 3 stayed" in s for s in en)
    assert any("liability of **0.20 CNY**" in s and "20 points are outstanding with 1 members" in s for s in en)
    zh = L.loyalty_narrative(lf, Context(AS_OF, "CNY", "zh"))
    assert any("推算" in s for s in zh) and zh.language == "zh"


def test_loyalty_table_names_the_groups(facts):
    html = L.loyalty_table(L.referral_comparison(facts), Context(AS_OF, "CNY", "zh")).to_html()
    assert "被推荐客户" in html and "首年复购率" in html and "首年客均收入（CNY）" in html


def test_recorded_tiers_the_rule_does_not_know_are_shown_last_and_not_called_the_top():
    """C5 recorded as "vip", a tier the rule does not name: it comes after gold in the table, the check lists it,
    and the top tier the narrative names is still gold (2 of 5 customers, 400 of 630 revenue)."""
    c = _customers()
    c.loc[4, "member_tier"] = "vip"
    f = CustomerFacts(c, _orders(), AS_OF, currency="CNY")
    assert L.tier_summary(f, RULE)["tier"].tolist() == ["bronze", "silver", "gold", "vip"]
    assert L.tier_check(f, RULE)["unknown_tiers"] == ["vip"]
    text = L.loyalty_narrative(L.loyalty_facts(f, rule=RULE), Context(AS_OF, "CNY", "en"))
    assert "the top tier, *gold*, holds 40.0% of customers and brings 63.5%" in text[0]
