"""The notebook's exercises: right answers accepted, the named wrong answers rejected by name."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import lifecycle as lc
from crmbook.context import Context

from .cases import RULES, stage_facts

RATES = {"previous_start": pd.Timestamp("2023-12-31"), "start": pd.Timestamp("2024-12-31"),
         "end": pd.Timestamp("2025-12-31"), "last_year_buyers": 200, "retained": 120, "this_year_buyers": 260,
         "retention": 0.6, "churn": 0.4}
LIFETIMES = pd.DataFrame({"duration_days": [1, 2, 2, 3, 4, 5], "churned": [True, True, False, True, False, True]})


@pytest.fixture(params=["en", "zh"])
def ex(request):
    ctx = Context("2025-12-31", language=request.param)
    facts = stage_facts(birth_date=["1988-02-29"] + ["1990-05-05"] * 8)
    matrix = lc.transition_matrix(facts, "2025-06-30", **RULES)
    return lc.exercises(RATES, LIFETIMES, matrix, facts.customers, ctx)


def test_retention_exercise(ex):
    """Right: 120 / 200 = 0.6 (or 60). Wrong and named: 260 / 200 = 1.3 (new customers counted), 0.4 (churn)."""
    assert ex.q1.check(0.6).correct and ex.q1.check(60).correct
    assert ex.q1.check(...).status == "unattempted"
    for wrong, word in ((1.3, ("new", "新客户")), (0.4, ("churn", "流失率"))):
        fb = ex.q1.check(wrong)
        assert fb.status == "wrong" and any(w in fb.message for w in word)
    assert "too" in ex.q1.check(0.7).message or "高" in ex.q1.check(0.7).message


def test_median_lifetime_exercise(ex):
    """Kaplan-Meier median 3 (test_survival). Churned only: median of 1, 2, 3, 5 = 2.5; all as churn:
    median of 1, 2, 2, 3, 4, 5 = 2.5 as well, so the first named trap answers."""
    assert ex.q2.check(3).correct
    fb = ex.q2.check(2.5)
    assert fb.status == "wrong" and ("churned" in fb.message or "已流失" in fb.message)


def test_leap_day_birthday_exercise(ex):
    """Customer P, born 1988-02-29; from 2025-12-31 the greeting is on 2026-02-28; 2026-03-01 and
    2028-02-29 are the named mistakes."""
    assert "P" in ex.q3.question and "1988-02-29" in ex.q3.question
    assert ex.q3.check("2026-02-28").correct
    assert ex.q3.check("2026-03-01").status == "wrong" and ("March" in ex.q3.check("2026-03-01").message
                                                           or "3 月 1 日" in ex.q3.check("2026-03-01").message)
    leap = ex.q3.check("2028-02-29").message
    assert "29 February" in leap or "2 月 29 日" in leap
    assert ex.q3.check("tomorrow").status == "wrong" and ex.q3.check("2026-02-27").status == "wrong"


def test_transition_exercise(ex):
    """The hand matrix (test_flow): the active rows new, repeat, loyal have 0, 1, 0 customers -> stage repeat;
    its row has 1 customer, lapsed 1: share 1.0. Column lapsed: 2 (X and Y) -> 0.5; all 4 customers -> 0.25."""
    assert ex.q4.check(1.0).correct
    assert ex.q4.check(0.5).status == "wrong" and ex.q4.check(0.25).status == "wrong"
    assert ex.q4.check(0.5).message != ex.q4.check(0.25).message
