"""Actions: the playbook's action plan, the contact list and the segment exports."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, CTX, _rfm_frames


def test_action_plan_uses_the_playbook():
    customers, orders = _rfm_frames()
    plan = seg.action_plan(seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF)), seg.RFM_PLAYBOOK)
    plan = plan.set_index("segment")
    assert plan.loc["champions", "action"] == seg.RFM_PLAYBOOK["champions"]
    assert plan.loc["loyal", "customers"] == 2
    abc = pd.DataFrame({"customer_id": ["a", "b", "c"], "abc_class": ["A", "C", "Z"],
                        "revenue_y0": [10.0, 30.0, 0.0]})
    plan = seg.action_plan(abc, seg.ABC_PLAYBOOK, segment_col="abc_class", revenue_col="revenue_y0")
    plan = plan.set_index("segment")
    assert plan.loc["A", "action"] == seg.ABC_PLAYBOOK["A"]
    assert plan.loc["C", "revenue_share"] == pytest.approx(0.75)
    assert "No strategy" in plan.loc["Z", "action"]


def test_export_segments_ids_only_when_masked(tmp_path):
    assignments = pd.DataFrame({"customer_id": ["c2", "c1", "c3"], "segment": ["at risk", "at risk", "new"]})
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "name": ["Ann", "Bo", "Cy"],
                              "phone": ["1", "2", "3"]})
    paths = seg.export_segments(assignments, tmp_path / "out", customers=customers)
    assert [p.name for p in paths] == ["segment_at_risk.csv", "segment_new.csv"]
    first = pd.read_csv(paths[0], dtype=str)
    assert first.columns.tolist() == ["customer_id"] and first["customer_id"].tolist() == ["c1", "c2"]
    assert "Ann" not in paths[0].read_text(encoding="utf-8-sig")
    paths = seg.export_segments(assignments, tmp_path / "full", customers=customers, mask_personal=False)
    full = pd.read_csv(paths[0], dtype=str)
    assert full.columns.tolist() == ["customer_id", "name", "phone"]
    assert full["name"].tolist() == ["Ann", "Bo"]


def test_contact_list_orders_by_urgency_then_value():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    lst = seg.contact_table(seg.contact_list(scored, segments=("cant_lose", "loyal", "missing"), n_per_segment=1),
                            CTX)
    assert lst["customer_id"].tolist() == ["C10", "C02"]  # loyal: C02 (800) before C06 (450)
    assert lst["priority"].tolist() == [1, 2]
    assert lst.loc[0, "why"] == "Can't lose: 2,000 CNY over 5 orders, last order 700 days ago"
    assert seg.contact_table(seg.contact_list(scored, segments=("lost",)), CTX).loc[0, "why"] == \
        "Lost: 20 CNY over 1 order, last order 400 days ago"
    assert lst.loc[0, "action"] == seg.RFM_PLAYBOOK["cant_lose"]
    assert seg.contact_list(scored, segments=()).empty


def test_exported_segment_lists_cannot_run_formulas(tmp_path):
    assignments = pd.DataFrame({"customer_id": ["=1+1", "C2"], "segment": ["at risk", "at risk"]})
    customers = pd.DataFrame({"customer_id": ["=1+1", "C2"], "name": ["@SUM(A1)", "Ann"]})
    (path,) = seg.export_segments(assignments, tmp_path, mask_personal=False, customers=customers)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text and "\n=" not in text
