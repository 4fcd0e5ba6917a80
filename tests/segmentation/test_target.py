"""The target-customer matrix and its summary."""

from __future__ import annotations

import pytest

from crmbook import segmentation as seg

from .cases import CTX, CTX_ZH, _target_case, facts_of_target_case


def test_target_matrix_quadrants():
    m = _target_case().set_index("customer_id")
    # active (revenue in the last 12 months): T1 1000, T2 500, T3 100; T4 bought only in 2024 -> dormant
    assert m.loc["T4", "quadrant"] == seg.TARGET_DORMANT == "dormant"
    assert m.loc["T4", ["value", "attractiveness"]].isna().all()  # not placed on the value axis
    assert m.loc[["T1", "T2", "T3"], "value"].tolist() == pytest.approx([1.0, 2 / 3, 1 / 3])
    # trend: T1 900/1100, T2 -500/1500, T3 +1 (new); percentiles among the 3 active: 2/3, 1/3, 1
    assert m["trend"].tolist() == pytest.approx([900 / 1100, -1 / 3, 1.0, -1.0])
    # recency (2025-12-31): T1 30 d, T2 333 d, T3 10 d -> 2/3, 1/3, 1; order trend: T1 (2-1)/3, T2 (1-1)/2,
    # T3 +1 -> 2/3, 1/3, 1. Mean: T1 2/3, T2 1/3, T3 1 (re-ranked: the same)
    assert m.loc[["T1", "T2", "T3"], "frequency_trend"].tolist() == pytest.approx([1 / 3, 0.0, 1.0])
    assert m.loc[["T1", "T2", "T3"], "attractiveness"].tolist() == pytest.approx([2 / 3, 1 / 3, 1.0])
    # split 0.6: T1 high/high, T2 high/low, T3 low/high
    assert m["quadrant"].tolist() == ["focus", "passive", "opportunistic", "dormant"]
    assert m.attrs == {"split": 0.6, "evidence": ("trend", "recency", "frequency_trend")}
    assert seg.TARGET_PLAYBOOK.label(m.loc["T1", "quadrant"], "zh") == "重点选择"
    assert seg.TARGET_PLAYBOOK.label("dormant", "zh") == "近 12 个月无收入"


def test_target_matrix_evidence_of_potential():
    m = _target_case(account_type=True).set_index("customer_id")  # T2 is a key account
    assert m.attrs["evidence"] == ("trend", "recency", "frequency_trend", "breadth", "account")
    # breadth: T1 2 categories in the last 12 months, T2 1, T3 1 -> 1, 1/2, 1/2; account: T2 1, others 1/2
    assert m.loc[["T1", "T2", "T3"], "categories"].tolist() == [2, 1, 1]
    # means: T1 (2/3+2/3+2/3+1+1/2)/5 = .70, T2 (1/3+1/3+1/3+1/2+1)/5 = .50, T3 (1+1+1+1/2+1/2)/5 = .80
    assert m.loc[["T1", "T2", "T3"], "attractiveness"].tolist() == pytest.approx([2 / 3, 1 / 3, 1.0])
    lower = seg.target_matrix(facts_of_target_case(), split=0.3).set_index("customer_id")
    assert lower.loc["T2", "quadrant"] == "focus"  # 1/3 > 0.3 on both axes
    with pytest.raises(ValueError, match="split"):
        seg.target_matrix(facts_of_target_case(), split=1.0)
    with pytest.raises(ValueError, match="evidence"):
        seg.target_matrix(facts_of_target_case(), evidence=("size",))


def test_target_summary_interpretation_and_kpis():
    summary = seg.target_summary(_target_case())
    assert summary["segment"].tolist() == ["focus", "opportunistic", "passive", "dormant"]  # no abandon here
    assert seg.readable(summary, CTX_ZH)["segment"].tolist() == ["重点选择", "择机选择", "消极选择", "近 12 个月无收入"]
    # annual revenue: T1 1000, T3 100, T2 500, T4 0 of 1600; shares of the 4 buying customers
    assert summary["annual_revenue"].tolist() == [1000.0, 100.0, 500.0, 0.0]
    assert summary.attrs["split"] == 0.6
    assert "mean_recency_days" not in summary.columns and "revenue" not in summary.columns
    text = seg.target_interpretation(summary, CTX)
    assert text[0] == ("Value is the percentile of annual revenue among the 3 customers with revenue in the last "
                       "12 months; attractiveness combines the revenue trend, recency and the trend in the number "
                       "of orders; \"high\" means the top 40% on an axis.")
    assert text[1] == "*Focus*: 1 customer (25.0%) with 62.5% of annual revenue."
    assert text[3] == "*Passive*: 1 customer (25.0%) with 31.2% of annual revenue."
    assert text[4] == ("1 buying customer (25.0%) had no revenue in the last 12 months: *No revenue in 12 months*, "
                       "kept off the matrix.")
    assert text[5] == ("*Focus* selects 25.0% of buying customers, who bring 62.5% of annual revenue: that is where "
                       "the first sales and service time goes.")
    assert seg.target_interpretation(summary, CTX_ZH)[0].endswith("某个轴上位于前 40% 即为“高”。")
    kpis = seg.target_kpis(summary, CTX)
    assert kpis[0] == {"name": "target_focus_share", "value": 25.0, "unit": "%",
                       "label": "Target matrix: Focus, share of buying customers", "language": "en"}
    assert seg.target_kpis(summary, CTX_ZH)[0]["label"] == "客户选择矩阵：重点选择，占购买客户的比例"
    assert [k["name"] for k in kpis][1:] == ["target_opportunistic_share", "target_passive_share",
                                             "target_dormant_share"]
