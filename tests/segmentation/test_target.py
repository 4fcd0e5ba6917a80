"""The target-customer matrix and its summary."""

from __future__ import annotations

import pytest

from crmbook import segmentation as seg

from .cases import CTX, CTX_ZH, _target_case


def test_target_matrix_quadrants():
    m = _target_case().set_index("customer_id")
    # value pct: T4 0 -> .25, T3 100 -> .5, T2 500 -> .75, T1 1000 -> 1
    assert m["value"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.25])
    # trend: T1 900/1100, T2 -500/1500, T3 +1 (new), T4 -1 (gone)
    assert m["trend"].tolist() == pytest.approx([900 / 1100, -1 / 3, 1.0, -1.0])
    # attractiveness = mean(recency pct, trend pct): T1 (.75+.75)/2, T2 (.5+.5)/2, T3 1, T4 .25
    assert m["attractiveness"].tolist() == pytest.approx([0.75, 0.5, 1.0, 0.25])
    assert m["quadrant"].tolist() == ["focus", "passive", "opportunistic", "abandon"]
    assert seg.TARGET_PLAYBOOK.label(m.loc["T1", "quadrant"], "zh") == "重点选择"
    assert seg.TARGET_PLAYBOOK.label(m.loc["T4", "quadrant"], "zh") == "放弃选择"


def test_target_summary_interpretation_and_kpis():
    summary = seg.target_summary(_target_case())
    assert summary["segment"].tolist() == ["focus", "opportunistic", "passive", "abandon"]
    assert seg.readable(summary, CTX_ZH)["segment"].tolist() == ["重点选择", "择机选择", "消极选择", "放弃选择"]
    # annual revenue: T1 1000, T3 100, T2 500, T4 0 of 1600
    assert summary["annual_revenue"].tolist() == [1000.0, 100.0, 500.0, 0.0]
    assert "mean_recency_days" not in summary.columns and "revenue" not in summary.columns
    text = seg.target_interpretation(summary, CTX)
    assert text[0] == "*Focus*: 1 customer (25.0%) with 62.5% of annual revenue."
    assert text[2] == "*Passive*: 1 customer (25.0%) with 31.2% of annual revenue."
    assert text[4].startswith("50% of buying customers sit on the diagonal")  # focus + abandon
    kpis = seg.target_kpis(summary, CTX)
    assert kpis[0] == {"name": "target_focus_share", "value": 25.0, "unit": "%",
                       "label": "Target matrix: Focus, share of buying customers"}
    assert seg.target_kpis(summary, CTX_ZH)[0]["label"] == "客户选择矩阵：重点选择，占购买客户的比例"
    assert [k["name"] for k in kpis][1:] == ["target_opportunistic_share", "target_passive_share",
                                             "target_abandon_share"]
