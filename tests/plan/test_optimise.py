"""The budgeted contact plan against a case solved by hand (budget and phone capacity both binding)."""

import itertools

import pandas as pd
import pytest

from crmbook.plan import budget_curve, optimise_plan

#: (customer, action, channel, cost, expected value); net value = value - cost
CASE = [("A", "win_back_call", "phone", 6, 16),      # net 10
        ("B", "win_back_call", "phone", 4, 11),      # net 7
        ("C", "retention_offer", "sms", 5, 11),      # net 6
        ("D", "retention_offer", "sms", 4, 8),       # net 4
        ("E", "retention_offer", "sms", 2, 5),       # net 3
        ("A", "retention_offer", "sms", 3, 6.5)]     # net 3.5


def _case() -> pd.DataFrame:
    return pd.DataFrame(CASE, columns=["customer_id", "action", "channel", "cost", "expected_value"])


def _brute_force(budget: float, phone: int) -> float:
    best = 0.0
    for r in range(len(CASE) + 1):
        for pick in itertools.combinations(CASE, r):
            if (len({p[0] for p in pick}) == len(pick) and sum(p[3] for p in pick) <= budget
                    and sum(p[2] == "phone" for p in pick) <= phone):
                best = max(best, sum(p[4] - p[3] for p in pick))
    return best


def test_budget_and_capacity_both_binding_hand_solved() -> None:
    """Budget 12, one phone call.

    By hand: with A's call (cost 6, net 10) 6 is left for texts: D + E (cost 6, net 7) beats C alone (net 6)
    -> 17. With B's call (cost 4, net 7) 8 is left: C + A's text (cost 8, net 9.5) -> 16.5; C + E -> 16.
    Without a call the texts C + D + E cost 11 -> net 13. Best: A call, D, E = 17, spending all 12 (budget
    binds) and the one call (capacity binds: with two calls A + B + E = 20).
    A sort by net value takes A's call (10), not B's (no call left), C (cost 11), then nothing fits: 16.
    A sort by net value per cost takes B's call (1.75), not A's (no call left), E (1.5), C (1.2; cost 11),
    then nothing fits: 16. Neither sort finds 17.
    """
    plan = optimise_plan(_case(), budget=12, capacity={"phone": 1})
    assert set(zip(plan["customer_id"], plan["action"], strict=True)) == {
        ("A", "win_back_call"), ("D", "retention_offer"), ("E", "retention_offer")}
    assert plan.attrs["net_value"] == pytest.approx(17) == _brute_force(12, 1)
    assert plan.attrs["cost"] == 12 and (plan["channel"] == "phone").sum() == 1
    assert plan["customer_id"].is_unique
    # the capacity is what holds it back: two calls give 20
    assert optimise_plan(_case(), budget=12, capacity={"phone": 2}).attrs["net_value"] == pytest.approx(20)


def test_budget_curve_marginal_value() -> None:
    """V(11) = 16 (B call + C + E, or A call + C), V(12) = 17, V(13) = 19 (A call + C + E): the step 11 -> 12
    buys 1 per unit of money, 12 -> 13 buys 2 (brute force agrees)."""
    curve = budget_curve(_case(), [13, 11, 12], capacity={"phone": 1})
    assert curve["budget"].tolist() == [11, 12, 13]
    assert curve["net_value"].tolist() == pytest.approx([_brute_force(b, 1) for b in (11, 12, 13)])
    assert curve["net_value"].tolist() == pytest.approx([16, 17, 19])
    assert curve["marginal_value"].iloc[1:].tolist() == pytest.approx([1, 2])
    assert pd.isna(curve["marginal_value"].iloc[0])


def test_actions_that_do_not_pay_are_never_chosen_and_bad_rows_are_named() -> None:
    """An action worth less than it costs (net -1) is left out even with budget to spare."""
    c = pd.DataFrame([("A", "x", "sms", 2, 1)], columns=["customer_id", "action", "channel", "cost",
                                                          "expected_value"])
    plan = optimise_plan(c, budget=100)
    assert plan.empty and plan.attrs["not_worth"] == 1
    with pytest.raises(ValueError, match="budget must be"):
        optimise_plan(c, budget=-1)
    with pytest.raises(ValueError, match=r"1 row\(s\) without a cost"):
        optimise_plan(c.assign(cost=[None]), budget=1)
