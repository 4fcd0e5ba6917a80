"""crmbook.playbook: playbooks as data, action plans in the report language."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook.context import Context
from crmbook.playbook import Playbook, action_plan

BOOK = Playbook("demo", {
    "A": {"label": {"en": "Class A", "zh": "A 类"}, "action": {"en": "Serve first.", "zh": "优先服务。"}},
    "C": {"label": {"en": "Class C", "zh": "C 类"}, "action": {"en": "Serve cheaply.", "zh": "低成本服务。"}},
}, order=["A", "C"])


def test_action_plan_sizes_shares_and_actions_in_both_languages():
    a = pd.DataFrame({"customer_id": ["a", "b", "c"], "abc_class": ["A", "C", "Z"], "revenue_y0": [10.0, 30.0, 0.0]})
    plan = action_plan(a, BOOK, segment_col="abc_class", revenue_col="revenue_y0").set_index("segment")
    assert plan.loc["A", "action"] == "Serve first." == BOOK["A"]
    assert plan.loc["C", "revenue_share"] == pytest.approx(0.75)
    assert "No strategy" in plan.loc["Z", "action"]
    zh = action_plan(a, BOOK, Context("2025-12-31", language="zh"), segment_col="abc_class",
                     revenue_col="revenue_y0").set_index("segment")
    assert zh.loc["C", "action"] == "低成本服务。" and "策略" in zh.loc["Z", "action"]
    assert list(plan.index) == ["A", "C", "Z"]  # the playbook's order first


def test_playbook_needs_every_language_and_names_groups():
    assert BOOK.label("A", "zh") == "A 类" and BOOK.label("Q") == "Q"
    with pytest.raises(ValueError, match="zh"):
        Playbook("bad", {"A": {"label": {"en": "A"}, "action": {"en": "x", "zh": "y"}}})
