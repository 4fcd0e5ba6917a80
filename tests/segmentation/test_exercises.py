"""The exercises of notebook 01, in English and Chinese."""

from __future__ import annotations

import pandas as pd

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, CTX, CTX_ZH, _abc_frames, _customers_of, _rfm_frames, facts


def _abc_with_one_loyal_grower():
    """The ABC case with B1's year-1 revenue split over two orders (2024-03-01: 10, 2024-12-31: 100): B1's longest
    gap is 365 days, B2's stays 550; with max_gap_days=400, B1 is B and B2 grew but is not loyal."""
    abc_c, abc_o = _abc_frames()
    b1 = (abc_o["customer_id"] == "B1") & (abc_o["order_date"] == "2024-12-31")
    abc_o.loc[b1, "revenue"] = 100.0
    extra = pd.DataFrame({"order_id": ["B1-1b"], "customer_id": ["B1"], "order_date": [pd.Timestamp("2024-03-01")],
                          "revenue": [10.0]})
    return abc_c, pd.concat([abc_o, extra], ignore_index=True)


def test_exercises_right_wrong_and_unattempted():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    abc_c, abc_o = _abc_with_one_loyal_grower()
    abc = seg.abc_classes(CustomerFacts(abc_c, abc_o, AS_OF), max_gap_days=400)
    target = seg.target_matrix(facts(_customers_of(abc_o), abc_o))
    ex = seg.exercises(scored, abc, target, CTX)
    assert list(ex) == ["q1", "q2", "q3", "q4"]
    for q in ex.values():
        fb = q.check(...)
        assert fb.status == "unattempted" and "not attempted yet" in str(fb).lower()
        assert q.check("certainly wrong").status == "wrong"
    # q1: the chosen customer's code, by hand from the question's counts; a wrong digit is named
    who = scored.set_index("customer_id").loc[ex.q1.question.split()[1]]
    code = str(who["rfm_code"])
    assert ex.q1.check(int(code)).correct and ex.q1.check(code).correct
    r = int(code[0])
    wrong_r = (str(r + 1) if r < 5 else str(r - 1)) + code[1:]
    fb = ex.q1.check(int(wrong_r))
    direction = "lower" if int(wrong_r[0]) > r else "higher"
    assert fb.status == "wrong" and f"Not quite: R is {wrong_r[0]}, it should be {direction}." in str(fb)
    assert "F is" not in str(fb) and "M is" not in str(fb)
    assert "not an RFM code" in str(ex.q1.check(12))
    # q2: B1 is B; B2 grew but went 550 days without ordering; the growth half alone is named
    table = seg.abc_exercise_table(abc)
    b_ids = [c for c, k in table.attrs["answer"].items() if k == "B"]
    assert b_ids == ["B1"] and table.attrs["reasons"]["B2"] == "growth_not_loyal"
    assert "longest_gap_days" in table.columns and "at most 400 days" in ex.q2.question
    assert ex.q2.check(b_ids).correct and ex.q2.check(["A1"]).status == "wrong"
    fb = ex.q2.check(["B1", "B2"])
    assert fb.status == "wrong" and "only the growth half of the B rule" in str(fb)
    # q3: of buying customers (10 with y0 > 0): top 2 = 1900 / 2911; of all 11 customers: top ceil(2.2) = 3
    assert "of buying customers" in ex.q3.question
    assert ex.q3.check(1900 / 2911).correct and ex.q3.check(100 * 1900 / 2911).correct
    assert ex.q3.check(0.8).status == "wrong"
    fb = ex.q3.check(2200 / 2911)  # 1000 + 900 + 300
    assert fb.status == "wrong" and "top share of all customers" in str(fb)
    # q4: a customer on the matrix, the hint with the split actually used
    pick = target.set_index("customer_id").loc[ex.q4.question.split()[1]]
    assert pick["quadrant"] != seg.TARGET_DORMANT and ex.q4.check(pick["quadrant"]).correct
    assert "above 0.60" in str(ex.q4.hint())
    assert "above 0.30" in str(seg.exercises(scored, abc, seg.target_matrix(facts(_customers_of(abc_o), abc_o),
                                                                             split=0.3), CTX).q4.hint())
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
