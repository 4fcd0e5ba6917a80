"""Reader tables, charts, sentences and KPI records of the lifecycle on the hand case (in both languages)."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import lifecycle as lc
from crmbook.context import Context

from .cases import RULES, stage_facts


@pytest.fixture(params=["en", "zh"])
def ctx(request):
    return Context("2025-12-31", currency="CNY", language=request.param)


@pytest.fixture
def done():
    facts = stage_facts(birth_date=["1990-01-05"] * 9)
    st = lc.lifecycle_stages(facts, **RULES)
    return facts, st, lc.stage_summary(st), lc.transition_matrix(facts, "2025-06-30", **RULES)


def test_tables_show_words_not_codes(done, ctx):
    facts, st, summary, matrix = done
    shown = lc.readable(summary, ctx)
    assert "at_risk" not in set(shown["stage"]) and lc.stage_label("at_risk", ctx) in set(shown["stage"])
    html = lc.transition_display(matrix, ctx).to_html()
    assert lc.stage_label("won_back", ctx) in html
    plan = lc.plan_display(lc.contact_plan(facts, st), ctx)
    assert plan["why"].str.len().gt(0).all() and "birthday" in set(lc.contact_plan(facts, st)["action"])
    assert ("birthday on 2026-01-05" in " ".join(plan["why"])) or ("生日 2026-01-05" in " ".join(plan["why"]))
    rates = lc.readable(lc.rates_table(lc.lifecycle_rates(facts, **RULES)), ctx)
    assert list(rates.columns[:2]) == ["rate", "definition"] and "/" in rates["definition"].iloc[0]


def test_sentences_agree_with_the_numbers(done, ctx):
    """Active: N, R, L, W, S = 5 of 9; at risk K = 1; lapsed X, Y = 2."""
    _, _, summary, matrix = done
    f = lc.stage_facts(summary)
    assert (f["active"], f["at_risk"], f["lapsed"], f["customers"]) == (5, 1, 2, 9)
    text = lc.stages_interpretation(summary, ctx).text
    assert "5" in text and "9" in text and "56%" in text
    flow = lc.flow_interpretation(lc.flow_facts(matrix), ctx).text
    assert "2025-06-30" in flow and "2025-12-31" in flow


def test_charts_draw_with_titles_in_the_language(done, ctx):
    facts, st, summary, matrix = done
    assert lc.plot_stages(summary, ctx).get_title() == lc.say("chart.stages.title", ctx)
    assert "2025-06-30" in lc.plot_flow(matrix, ctx).get_title()
    co = lc.cohort_retention(facts)
    assert lc.plot_cohort_heatmap(co["customers"], ctx).get_title() == lc.say("chart.cohort.customers", ctx)
    lt = lc.customer_lifetimes(facts, inactive_days=RULES["inactive_days"])
    km = lc.kaplan_meier(lt["duration_days"], lt["churned"])
    ax = lc.plot_survival(km, {}, ctx)
    assert ax.get_title() == lc.say("chart.survival.title", ctx) and ax.get_ylim()[1] <= 1.05
    agree = pd.DataFrame({"stage": ["new", "lapsed"], "low": [0, 3], "middle": [1, 1], "high": [2, 0]})
    assert len(lc.plot_p_alive(agree, ctx).patches) == 6


def test_kpi_records(done, ctx):
    facts, st, summary, matrix = done
    rates = lc.lifecycle_rates(facts, **RULES)
    kpis = lc.lifecycle_kpis(st, rates, ctx, median_lifetime=float("nan"), revenue_at_risk=100.0, won_back=1)
    by = {k["name"]: k for k in kpis}
    assert by["active_customers"]["value"] == 5 and by["median_lifetime_days"]["value"] is None
    assert by["won_back_customers"]["value"] == 1 and by["at_risk_revenue"]["unit"] == "CNY"
    assert {k["name"] for k in lc.headline_kpis(kpis)} == {"active_customers", "retention_rate",
                                                           "median_lifetime_days", "at_risk_revenue"}
    assert len(lc.headline_kpis(kpis)) + len(lc.headline_kpis(kpis, headline=False)) == len(kpis)
    assert {k["name"] for k in lc.stage_kpis(summary, ctx)} == {f"stage_{s}_customers" for s in lc.STAGES}


def test_at_risk_revenue_by_hand(done):
    """K is the only customer at risk: one order of 100 in 2025 (year 0), none in year 1 -> 100 / 2 = 50."""
    facts, st, _, _ = done
    assert lc.at_risk_revenue(facts, st) == 50.0


def test_plan_preview_shows_every_action_first():
    """Six rows a, a, a, b, c, c with room for 3: one of each action first (a1, b1, c1), then the rest in order."""
    plan = pd.DataFrame({"action": list("aaabcc"), "n": [1, 2, 3, 1, 1, 2]})
    out = lc.plan_preview(plan, 3)
    assert list(zip(out["action"], out["n"], strict=True)) == [("a", 1), ("b", 1), ("c", 1), ("a", 2), ("a", 3),
                                                               ("c", 2)]
