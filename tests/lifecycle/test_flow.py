"""The transition matrix on the hand case: rows sum to the customers at the first date."""

from __future__ import annotations

import pytest

from crmbook import lifecycle as lc

from .cases import RULES, stage_facts


@pytest.fixture
def matrix():
    return lc.transition_matrix(stage_facts(), "2025-06-30", **RULES)


def test_rows_sum_to_the_customers_at_the_first_date(matrix):
    """At 2025-06-30 the customers are P (prospect), W and X (lapsed) and Y (repeat): 4 customers; at the
    end P stays prospect, W is won back, X stays lapsed, Y has lapsed. N, R, L, K, S signed up later and are
    in no row: they are counted in attrs["joined"] by their stage at the end (new 1, repeat 2, loyal 1,
    at risk 1)."""
    at_start = lc.stages_at(stage_facts().customers, stage_facts().orders, "2025-06-30", **RULES)
    assert matrix.sum(axis=1).to_dict() == at_start["stage"].value_counts().reindex(lc.STAGES, fill_value=0).to_dict()
    assert int(matrix.to_numpy().sum()) == 4
    assert matrix.loc["prospect", "prospect"] == 1 and matrix.loc["lapsed", "won_back"] == 1
    assert matrix.loc["lapsed", "lapsed"] == 1 and matrix.loc["repeat", "lapsed"] == 1
    joined = matrix.attrs["joined"]
    assert joined.to_dict() == {"prospect": 0, "new": 1, "repeat": 2, "loyal": 1, "won_back": 0, "at_risk": 1,
                                "lapsed": 0}


def test_rates_flow_facts_and_phases(matrix):
    """Rates: the lapsed row is won back 1/2, lapsed 1/2; an empty row is NaN. Flow facts: 1 active at the
    start (Y), none stayed active, 1 lapsed from active, 1 won back (W) of 2 lapsed, 5 joined of which 4 are
    active (N, R, L, S; K is at risk). Phases: decline -> growth 1 (W), decline -> decline 1 (X)."""
    rates = lc.transition_rates(matrix)
    assert rates.loc["lapsed", "won_back"] == pytest.approx(0.5) and rates.loc["lapsed"].sum() == pytest.approx(1)
    assert rates.loc["loyal"].isna().all()
    f = lc.flow_facts(matrix)
    assert (f["customers_start"], f["active_start"], f["stayed_active"], f["lapsed_from_active"]) == (4, 1, 0, 1)
    assert (f["won_back"], f["lapsed_start"], f["joined"], f["joined_active"]) == (1, 2, 5, 4)
    phases = lc.phase_matrix(matrix)
    assert phases.loc["decline", "growth"] == 1 and phases.loc["decline", "decline"] == 1
    assert phases.loc["growth", "decline"] == 1 and int(phases.to_numpy().sum()) == 4


def test_dates_are_checked():
    facts = stage_facts()
    with pytest.raises(ValueError, match="must be before"):
        lc.transition_matrix(facts, "2026-01-31", "2025-12-31", **RULES)
    with pytest.raises(ValueError, match="after the analysis date"):
        lc.transition_matrix(facts, "2025-06-30", "2026-06-30", **RULES)
