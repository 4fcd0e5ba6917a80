"""Exercises (right answer, each named trap, unattempted) and the catalogues in both languages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from crmbook import costing, roi
from crmbook.context import Context
from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook.language import _flatten, placeholders

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"
TEXT = Path(roi.__file__).parent / "text"


@pytest.fixture(scope="module", params=["en", "zh"])
def ex(request):
    ds = load(str(SAMPLE), as_of="2025-12-31")
    facts = CustomerFacts.from_dataset(ds, language=request.param)
    results = roi.campaign_results(ds["campaigns"], ds["campaign_members"], margin_rate=roi.gross_margin_rate(facts.orders))
    closed = roi.clv_closed_forms(facts)
    pnl = costing.customer_pnl(facts, ds["costs"], ds["contacts"], ds["campaigns"], ds["campaign_members"])
    r = roi.customer_roi(facts, pnl=pnl)
    seg = roi.segment_roi(r, facts.customers.set_index("customer_id")["account_type"], name="account_type")
    return roi.exercises(facts.context, members=ds["campaign_members"], campaign_results=results, closed=closed,
                         roi=r, segments=seg), results, closed, seg, ds["campaign_members"]


def test_each_exercise_accepts_the_right_answer_and_names_each_trap(ex):
    ex, results, closed, seg, members = ex
    for q in ex.values():
        assert q.check(...).status == "unattempted"
        assert q.check(q.expected).status == "correct"
        assert q.check(q.expected * 3 + 7).status == "wrong"
        traps = q._traps() if callable(q._traps) else q._traps
        assert len(traps) == 2
        for message, value in traps.items():
            fb = q.check(value)
            assert fb.status == "wrong" and message in fb.message


def test_campaign_exercise_answer_is_computed_by_hand_from_the_members(ex):
    """q2 on CMP2025C (the largest judged campaign): 218/1128 - 95/1110 = 0.193262 - 0.085586 = 0.107677."""
    ex = ex[0]
    assert ex.q2.expected == pytest.approx(0.107677, abs=1e-6)


def test_unavailable_without_data():
    ex = roi.exercises(Context(as_of="2025-12-31"))
    assert all(q.check(1.0).status == "unavailable" for q in ex.values())


def test_catalogues_have_the_same_keys_and_placeholders():
    en = _flatten(yaml.safe_load((TEXT / "en.yaml").read_text(encoding="utf-8")))
    zh = _flatten(yaml.safe_load((TEXT / "zh.yaml").read_text(encoding="utf-8")))
    assert set(en) == set(zh)
    assert {k for k in en if placeholders(en[k]) != placeholders(zh[k])} == set()


def test_narratives_render_in_both_languages_with_no_missing_value():
    ds = load(str(SAMPLE), as_of="2025-12-31")
    for lang in ("en", "zh"):
        facts = CustomerFacts.from_dataset(ds, language=lang, currency="CNY")
        ctx = facts.context
        results = roi.campaign_results(ds["campaigns"], ds["campaign_members"], margin_rate=0.33)
        lines = roi.campaign_lines(results, ctx)
        assert len(lines) == 6  # effect and ROI of each of the three campaigns
        assert any(("not shown" in x) if lang == "en" else ("无法说明" in x) for x in lines)
        loy = roi.loyalty_interpretation(roi.loyalty_comparison(facts), ctx)
        assert ("selection bias" in loy.text) if lang == "en" else ("选择偏差" in loy.text)


def test_the_one_time_buyer_sentence_follows_the_numbers():
    """The sentence about one-time buyers says the model gives them more, or less, as its numbers do."""
    ctx = Context(as_of="2025-12-31")
    clv = pd.DataFrame({"clv_course": [10.0, 10.0], "clv_retention": [5.0, 5.0], "clv_probabilistic": [8.0, 1.0]})
    one = pd.Series([True, False])
    methods = ["clv_course", "clv_retention", "clv_probabilistic"]
    higher = roi.clv_interpretation(clv, methods, ctx, one_time=one).text
    assert "the model expects the repeat purchases" in higher and "8 on average against 5" in higher
    clv["clv_probabilistic"] = [2.0, 1.0]
    lower = roi.clv_interpretation(clv, methods, ctx, one_time=one).text
    assert "have not come back" in lower and "2 on average against 5" in lower


def test_loyalty_says_why_when_there_is_no_member():
    """Every customer in the base tier: no member to compare, said in words (the notebook shows it)."""
    ds = load(str(SAMPLE), as_of="2025-12-31")
    customers = ds["customers"].assign(member_tier="bronze")
    facts = CustomerFacts(customers, ds["orders"], "2025-12-31")
    table, why = roi.loyalty_comparison_or_reason(facts)
    assert table is None and "0 member(s)" in why
