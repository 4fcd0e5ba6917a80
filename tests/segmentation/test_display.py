"""Tables for readers: codes in words, headers by declared column labels, values by kind."""

from __future__ import annotations

import pandas as pd

from crmbook import segmentation as seg

from .cases import CTX, CTX_ZH


def test_table_formats_by_declared_column_kinds_without_changing_the_table():
    table = pd.DataFrame({"segment": ["a"], "customers": [1234], "customer_share": [0.256],
                          "revenue": [1234567.8], "mean_frequency": [2.345],
                          "recency_days": [1269.0], "orders_per_customer": [1.5],
                          "potential_customers": [14000.0]})
    before = table.copy()
    html = seg.table(table, CTX).to_html()
    # revenue: money (header with the currency); customer_share: share; customers and potential_customers:
    # counts; recency_days: days; mean_frequency and orders_per_customer: numbers (two decimals)
    assert "Revenue (CNY)" in html and "1,234,568" in html
    assert "25.6%" in html and "1,234" in html and "2.35" in html and "1,269<" in html
    assert "Orders per customer (CNY)" not in html and "Orders per customer" in html and "1.50" in html
    assert "14,000<" in html  # a count shows no decimals
    assert "revenue_per_customer" not in html and "customer_share" not in html  # human headers
    pd.testing.assert_frame_equal(table, before)


def test_table_headers_and_codes_in_chinese():
    table = pd.DataFrame({"segment": ["cant_lose", "focus", "A"], "customers": [3, 2, 1],
                          "revenue": [10.0, 20.0, 30.0]})
    html = seg.table(table, CTX_ZH).to_html()
    assert "细分群体" in html and "客户数" in html and "收入（CNY）" in html
    assert "重要挽留客户" in html and "重点选择" in html and "A 类客户" in html
    shown = seg.readable(pd.DataFrame({"region": ["East", seg.ALL_REGIONS], "cluster": ["1", seg.NO_PURCHASE]}),
                         CTX_ZH)
    assert shown["region"].tolist() == ["East", "全部地区"] and shown["cluster"].tolist() == ["1", "未购买客户"]


def test_contact_portrait_crosstab_and_mix_tables():
    contacts = pd.DataFrame({"priority": [1], "customer_id": ["C1"], "segment": ["at_risk"], "monetary": [1500.0],
                             "frequency": [1], "recency_days": [1.0]})
    zh = seg.contact_table(contacts, CTX_ZH).iloc[0]
    assert zh["why"] == "流失风险客户：累计消费 1,500 CNY，共 1 笔订单，最近一次购买在 1 天前"
    assert zh["action"] == seg.RFM_PLAYBOOK.action("at_risk", "zh")
    assert seg.contact_table(contacts, CTX).iloc[0]["why"] == "At risk: 1,500 CNY over 1 order, last order 1 day ago"
    x = pd.DataFrame({"1": [2, 0], seg.NO_PURCHASE: [0, 1]}, index=pd.Index(["loyal", "lost"], name="segment"))
    html = seg.crosstab_table(x, CTX).to_html()
    assert "Loyal" in html and "No purchase yet" in html
    mix = pd.DataFrame({"web": [0.25, 1.0]}, index=pd.Index(["loyal", "lost"], name="segment"))
    assert "25.0%" in seg.mix_table(mix, CTX).to_html()
