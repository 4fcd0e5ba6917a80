"""Each exercise accepts the right answer and names the plausible wrong one, in both languages."""

import pandas as pd
import pytest

from crmbook.context import Context
from crmbook.plan import CHOICE_CASE, exercises, greedy_choice


@pytest.fixture(params=["en", "zh"])
def ctx(request) -> Context:
    return Context("2025-12-31", "CNY", request.param)


PLAN = pd.DataFrame({"customer_id": ["X1"], "action": ["retention_offer"], "channel": ["sms"], "cost": [2.0],
                     "rate": [0.1], "value_at_risk": [300.0]})
CURVE = pd.DataFrame({"budget": [1000.0, 2000.0], "net_value": [5000.0, 5600.0], "marginal_value": [None, 0.6]})


def test_q1_rejects_both_sorts(ctx) -> None:
    """Hand-solved in tests/plan/test_optimise.py: best A, D, E; by net value A, C; by value per cost B, C, E."""
    c = pd.DataFrame(CHOICE_CASE, columns=["customer_id", "action", "channel", "cost", "expected_value"])
    assert greedy_choice(c, budget=12, capacity={"phone": 1}, key="net") == ["A", "C"]
    assert greedy_choice(c, budget=12, capacity={"phone": 1}, key="ratio") == ["B", "C", "E"]
    ex = exercises(PLAN, ctx, curve=CURVE)
    assert ex.q1.check(["A", "D", "E"]).correct
    sorted_msg = ex.q1.check(["A", "C"]).message
    ratio_msg = ex.q1.check(["B", "C", "E"]).message
    assert sorted_msg != ratio_msg
    assert ("net value" in sorted_msg) if ctx.language == "en" else ("净价值排序" in sorted_msg)
    assert not ex.q1.check(["A", "D"]).correct


def test_q2_net_value_and_its_traps(ctx) -> None:
    """300 x 0.1 - 2 = 28; forgetting the cost gives 30, forgetting the rate 298."""
    ex = exercises(PLAN, ctx, curve=CURVE)
    assert ex.q2.check(28).correct
    assert ex.q2.check(30).message != ex.q2.check(298).message
    assert not ex.q2.check(30).correct and not ex.q2.check(298).correct


def test_q3_and_q4(ctx) -> None:
    """q4: (5600 - 5000) / (2000 - 1000) = 0.6; the average 5600 / 2000 = 2.8 is the trap."""
    ex = exercises(PLAN, ctx, curve=CURVE, rates=(0.4, 0.2, 0.35))
    assert ex.q3.check("contacted_vs_control").correct
    assert not ex.q3.check("contacted_vs_not_contacted").correct
    assert ex.q3.check("contacted_vs_not_contacted").message != ex.q3.check("contacted_rate").message
    assert ex.q4.check(0.6).correct
    assert not ex.q4.check(2.8).correct and ex.q4.check(2.8).message != ex.q4.check(5).message


def test_without_a_plan_the_exercise_says_so(ctx) -> None:
    ex = exercises(None, ctx)
    assert not ex.q2.check(1).correct
