"""crmbook.data_check.exercises: answers computed from the data, text in the report language."""

from __future__ import annotations

import pytest

from crmbook import data_check as dc
from crmbook.context import Context
from crmbook.data import check


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
    assert ex.q1.hint().status == "hint" and "rows_rejected" in ex.q1.hint().message and "6 行" in ex.q1.hint().message


def test_q1_names_rows_read_and_q2_names_all_customers_on_the_tiny_data(ds, ctx):
    """tiny: 6 orders read, O6 (negative revenue) set aside; 3 customers, of whom C3 never bought."""
    ex = dc.exercises(ds, ctx)
    rows_read = ex.q1.check(6)
    assert rows_read.status == "wrong" and "That is rows read (6); subtract the rows set aside (1 orders)" in (
        rows_read.message)
    assert "6 rows read" in ex.q1.hint().message
    per_customer = ex.q2.check(5 / 3)  # 5 usable orders / 3 customers, C3 included
    assert "You divided by all customers (3), not buying ones (2): 1 customers have no usable order" in (
        per_customer.message)
    assert "other way round" in ex.q2.check(0.4).message  # 2 buyers / 5 orders
    assert "not by the 3 rows of customers: 1 customers have no usable order" in ex.q2.hint().message
    assert ex.q2.check(2.5).correct and ex.q2.check(2.51).correct and not ex.q2.check(2.6).correct


@pytest.fixture(scope="module")
def sample_ds():
    return check("sample", as_of="2025-12-31")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_exercises_discriminate_on_the_sample(sample_ds, language):
    """The sample: 18,833 orders read, 8 set aside (10 rows in all tables); 4,060 customers, 60 prospects."""
    ds = sample_ds
    ex = dc.exercises(ds, Context(as_of="2025-12-31", currency="CNY", language=language))
    read = int(ds.reconciliation().set_index("table").loc["orders", "rows_read"])
    used, buyers, customers = len(ds["orders"]), ds["orders"]["customer_id"].nunique(), len(ds["customers"])
    assert (read, used, buyers, customers) == (18_833, 18_825, 4_000, 4_060)
    assert ex.q1.check(used).correct and ex.q2.check(used / buyers).correct and ex.q2.check(4.71).correct
    q1_read, q1_all = ex.q1.check(read), ex.q1.check(read - 10)
    q2_all, q2_inv = ex.q2.check(used / customers), ex.q2.check(buyers / used)
    assert all(f.status == "wrong" for f in (q1_read, q1_all, q2_all, q2_inv))
    if language == "en":
        assert q1_read.message.startswith("That is rows read (18,833); subtract the rows set aside (8 orders).")
        assert q1_all.message.startswith("You subtracted the rows set aside in every table (10)")
        assert q2_all.message.startswith("You divided by all customers (4,060), not buying ones (4,000)")
        assert q2_inv.message.startswith("You divided the other way round")
        assert "18,833 rows read" in ex.q1.hint().message and "60 customers" in ex.q2.hint().message
    else:
        assert q1_read.message.startswith("这是读取行数（18,833）")
        assert q2_all.message.startswith("你除以了全部客户（4,060 位），而不是有购买的客户（4,000 位）")
        assert q2_inv.message.startswith("你除反了")
        assert ex.q3.check("问卷调查").correct
    assert ex.q3.check("surveys").correct and ex.q3.check("customers").status == "wrong"
