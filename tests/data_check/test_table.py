"""crmbook.data_check.table: the topic's tables with human labels in the report language."""

from __future__ import annotations

from crmbook import data_check as dc


def test_table_uses_this_topics_labels(ds, ctx, ctx_zh):
    en = dc.table(dc.tables_overview(ds, ctx=ctx), ctx).data.columns.tolist()
    assert en[:4] == ["Table", "Kind of data", "Required", "Present"]
    assert "Rows set aside" in en and "rows_rejected" not in en
    gaps = dc.table(dc.missing_values(ds, ctx=ctx_zh), ctx_zh)
    assert gaps.data.columns.tolist() == ["数据表", "字段", "必需", "状态", "缺失值个数", "缺失比例"]
    html = gaps.to_html()
    assert "33.3%" in html and "是" in html  # share as a percentage, bool as 是/否
