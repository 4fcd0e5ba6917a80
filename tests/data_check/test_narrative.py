"""crmbook.data_check.narrative: the facts behind the findings, then the sentences in two languages."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import data_check as dc
from crmbook.language import Narrative

from .conftest import TOPICS, dataset


def test_findings_report_set_aside_rows_and_absent_tables(ds, ctx):
    text = " ".join(dc.findings(ds, ctx, topics=TOPICS))
    assert "1 of 9 rows (11.1%) were set aside" in text
    assert "negative revenue" in text
    assert "Optional tables absent: surveys" in text
    assert "3 customers and 5 orders are usable, with revenue of 400 CNY" in text


def test_findings_on_the_sample_name_its_defects_and_never_round_them_to_zero(ctx, ctx_zh):
    """The sample sets aside 5 + 2 + 1 orders and 2 contacts of 49,109 rows read (43,451 in the eight tables
    before the points ledger + its 5,658 entries): 10 / 49,109 = 0.0204 %, shown with two significant
    digits as 0.02 % (``.2g`` drops the trailing zero)."""
    from crmbook.data import check

    ds = check("sample", as_of="2025-12-31")
    text = " ".join(dc.findings(ds, ctx, topics=TOPICS))
    assert ("10 of 49,109 rows (0.02%) were set aside; the main reasons: orders: unknown customer (5); "
            "orders: negative revenue (2); contacts: after as\\_of (2).") in text
    assert "4,060 customers and 18,825 orders are usable" in text
    zh = "".join(dc.findings(ds, ctx_zh, topics=TOPICS))
    assert "共读取 49,109 行，其中 10 行（0.02%）被剔除；主要原因：订单（orders）：unknown customer（5 行）" in zh


def test_findings_are_bullets_in_the_context_language(ds, ctx):
    found = dc.findings(ds, ctx, topics=TOPICS)
    assert isinstance(found, Narrative) and found.bullets and found.language == "en"
    assert found._repr_markdown_().startswith("- 1 of 9 rows")
    assert found[-1].startswith("4 of 5 analyses of the later topics lack data: Segmentation / ABC classes")


def test_findings_in_chinese(ds, ctx_zh):
    found = dc.findings(ds, ctx_zh, topics=TOPICS)
    assert found.language == "zh"
    text = "".join(found)
    assert "共读取 9 行，其中 1 行（11.1%）被剔除" in text
    assert "可用数据包括 3 位客户和 5 笔订单，收入合计 400 CNY。" in text
    assert "订单时间从 2024-01-20 到 2024-04-30（共 4 个月）。" in text
    assert "后续专题的 5 项分析中有 4 项缺少数据" in text
    assert "客户细分 / ABC 分类：订单只覆盖 4 个月，需要 36 个月" in text
    assert not any(word in text for word in ("rows", "customers and", "Orders run"))


def _hand_made():
    """Two customers, three orders in Jan and Mar 2024 (3 calendar months), 10 + 20 + 5 = 35 of revenue."""
    customers = pd.DataFrame({"customer_id": ["C1", "C2"],
                              "signup_date": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    orders = pd.DataFrame({"order_id": ["O1", "O2", "O3"], "customer_id": ["C1", "C1", "C2"],
                           "order_date": pd.to_datetime(["2024-01-05", "2024-03-31", "2024-03-01"]),
                           "revenue": [10.0, 20.0, 5.0]})
    return dataset(customers=customers, orders=orders)


def test_findings_facts_on_a_hand_made_dataset():
    facts = dc.findings_facts(_hand_made(), TOPICS)
    assert facts["usable"]
    assert (facts["rows_read"], facts["rows_used"], facts["rows_rejected"]) == (5, 5, 0)
    assert facts["reasons"] == [] and facts["absent"] == []
    assert str(facts["orders_first"]) == "2024-01-05" and str(facts["orders_last"]) == "2024-03-31"
    assert facts["orders_months"] == 3
    assert (facts["customers"], facts["orders"]) == (2, 3)
    assert facts["revenue"] == pytest.approx(35.0)
    assert facts["analyses"] == 5
    # ABC needs 36 months; account_type is absent; no market, no surveys table
    assert [b["analysis"] for b in facts["blocked"]] == ["abc", "key_accounts", "penetration", "scores"]


def test_findings_facts_count_set_aside_rows_by_reason(ds):
    facts = dc.findings_facts(ds, TOPICS)
    assert (facts["rows_read"], facts["rows_used"], facts["rows_rejected"]) == (9, 8, 1)
    assert len(facts["reasons"]) == 1
    table, reason, rows = facts["reasons"][0]
    assert (table, rows) == ("orders", 1) and "negative" in reason
    assert "surveys" in facts["absent"] and "orders" not in facts["absent"]


def test_kpi_labels_in_both_languages(ctx, ctx_zh):
    assert dc.kpi_label("customers_used", ctx) == "Usable customers"
    assert dc.kpi_label("history_months", ctx_zh) == "订单历史月数"


def test_kpi_records_carry_label_and_language(ds, ctx_zh):
    record = dc.kpi("customers_used", 3, "customers", ctx_zh)
    assert record == {"name": "customers_used", "value": 3, "unit": "customers",
                      "label": dc.kpi_label("customers_used", ctx_zh), "language": "zh"}


def test_actions_are_the_catalogues_advice_in_both_languages(ctx_zh):
    from crmbook.context import Context

    en = dc.actions(Context("2025-12-31"))
    assert en.lead == "Actions" and len(en) == len(dc.ACTIONS) and en[0].startswith("Fix rows set aside")
    zh = dc.actions(ctx_zh)
    assert zh.lead == "行动" and len(zh) == len(en) and zh[0].startswith("在源头")
