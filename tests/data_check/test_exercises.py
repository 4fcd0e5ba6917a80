"""crmbook.data_check.exercises: answers computed from the data, text in the report language."""

from __future__ import annotations

from crmbook import data_check as dc


def test_exercises_expected_answers(ds, ctx):
    ex = dc.exercises(ds, ctx)
    assert ex.q1.check(5).correct and not ex.q1.check(6).correct
    assert ex.q2.check(2.5).correct  # 5 usable orders by 2 buyers
    assert ex.q3.check("surveys").correct and ex.q3.check("orders").status == "wrong"
    assert ex.q1.check(...).status == "unattempted"


def test_exercises_in_chinese(ds, ctx_zh):
    ex = dc.exercises(ds, ctx_zh)
    assert ex.q1.name == "练习 1" and ex.q1.question.startswith("分析可以使用多少笔订单")
    wrong = ex.q2.check(3)
    assert wrong.status == "wrong" and "偏高" in wrong.message and "不同 customer_id" in wrong.message
    assert ex.q3.check("问卷调查").correct  # the table's Chinese name is accepted
    assert ex.q3.check("订单").status == "wrong"
    assert str(ex.q1.check(...)).startswith("练习 1: 尚未作答")
    assert ex.q1.hint().status == "hint" and "rows_used" in ex.q1.hint().message
