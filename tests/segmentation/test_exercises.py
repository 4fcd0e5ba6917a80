"""The exercises of notebook 01, in English and Chinese."""

from __future__ import annotations

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, CTX, CTX_ZH, _abc_frames, _customers_of, _rfm_frames, facts


def test_exercises_right_wrong_and_unattempted():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    abc_c, abc_o = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(abc_c, abc_o, AS_OF))
    target = seg.target_matrix(facts(_customers_of(abc_o), abc_o))
    ex = seg.exercises(scored, abc, target, CTX)
    assert list(ex) == ["q1", "q2", "q3", "q4"]
    for q in ex.values():
        fb = q.check(...)
        assert fb.status == "unattempted" and "not attempted yet" in str(fb).lower()
        assert q.check("certainly wrong").status == "wrong"
    # q1: the chosen customer's code, by hand from the question's counts
    who = scored.set_index("customer_id").loc[ex.q1.question.split()[1]]
    assert ex.q1.check(int(who["rfm_code"])).correct and ex.q1.check(who["rfm_code"]).correct
    assert ex.q1.check(int(who["rfm_code"]) + 1).status == "wrong"
    table = seg.abc_exercise_table(abc)
    b_ids = [c for c, k in table.attrs["answer"].items() if k == "B"]
    assert b_ids and set(b_ids) <= {"B1", "B2"}
    assert ex.q2.check(b_ids).correct and ex.q2.check(["A1"]).status == "wrong"
    assert ex.q3.check(1900 / 2911).correct and ex.q3.check(100 * 1900 / 2911).correct
    assert ex.q3.check(0.8).status == "wrong"
    pick = target.set_index("customer_id").loc[ex.q4.question.split()[1]]
    assert ex.q4.check(pick["quadrant"]).correct
    assert "q4" not in seg.exercises(scored, abc, None, CTX)


def test_exercises_in_chinese_accept_the_chinese_quadrant_names():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    abc_c, abc_o = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(abc_c, abc_o, AS_OF))
    target = seg.target_matrix(facts(_customers_of(abc_o), abc_o))
    ex = seg.exercises(scored, abc, target, CTX_ZH)
    assert ex.q1.question.startswith("客户 ") and "分位数规则" in ex.q1.question
    assert ex.q1.check(...).status == "unattempted" and "尚未作答" in str(ex.q1.check(...))
    pick = target.set_index("customer_id").loc[ex.q4.question.split()[1]]
    chinese = seg.TARGET_PLAYBOOK.label(pick["quadrant"], "zh")
    assert ex.q4.check(chinese).correct and ex.q4.check(pick["quadrant"]).correct
    assert ex.q4.check("放弃选择" if chinese != "放弃选择" else "重点选择").status == "wrong"
    assert "提示" in str(ex.q2.hint()) and ex.q4.solution().status == "solution"
