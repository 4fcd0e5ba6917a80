"""KPI records of the segmentation, labelled in the report language."""

from __future__ import annotations

import pandas as pd

from crmbook import segmentation as seg

from .cases import CTX, CTX_ZH


def test_segment_kpis():
    summary = pd.DataFrame({"segment": ["champions", "at risk"], "customers": [3, 1],
                            "customer_share": [0.75, 0.25]})
    kpis = seg.segment_kpis(summary, CTX)
    assert kpis[0] == {"name": "rfm_champions_customers", "value": 3, "unit": "customers",
                       "label": "RFM Champions: customers", "language": "en"}
    assert kpis[3]["name"] == "rfm_at_risk_share" and kpis[3]["value"] == 25.0 and kpis[3]["unit"] == "%"
    assert kpis[3]["label"] == "RFM at risk: share of customers"
    from crmbook.kpis import record_kpi  # the records are valid record_kpi arguments

    assert all(record_kpi(**k, display=False)["name"] == k["name"] for k in kpis)
    zh = seg.segment_kpis(summary, CTX_ZH)
    assert [(k["name"], k["value"]) for k in zh] == [(k["name"], k["value"]) for k in kpis]  # labels only differ
    assert zh[0]["label"] == "RFM 重要价值客户：客户数"


def test_pareto_and_named_kpis():
    revenue = pd.Series([10.0, 100.0, 0.0, 50.0, 30.0, 10.0], index=list("abcdef"))
    (top20,) = seg.pareto_kpis(revenue, CTX)  # one record: the parameter-free headline
    assert (top20["name"], top20["value"], top20["unit"]) == ("top20_revenue_share", 50.0, "%")
    assert seg.kpi("clusters_k", 3, "clusters", CTX_ZH) == {"name": "clusters_k", "value": 3, "unit": "clusters",
                                                            "label": "行为群组数（轮廓系数最优）", "language": "zh"}
