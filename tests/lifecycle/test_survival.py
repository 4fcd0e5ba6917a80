"""Kaplan-Meier against hand-computed values and statsmodels' own numbers; lifetimes; the log-rank test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from crmbook import lifecycle as lc

from .cases import RULES, stage_facts

T = [1, 2, 2, 3, 4, 5]
E = [True, True, False, True, False, True]


def test_kaplan_meier_by_hand():
    """Six customers; churn at 1, 2, 3, 5; censored at 2 and 4.
    t=1: 6 at risk, 1 event -> S = 5/6; t=2: 5 at risk (the one censored at 2 still counts), 1 event ->
    5/6 * 4/5 = 2/3; t=3: 3 at risk -> 2/3 * 2/3 = 4/9; t=5: 1 at risk -> 0. Greenwood at t=1:
    S * sqrt(1 / (6 * 5)) = 0.15215; at t=2: S * sqrt(1/30 + 1/20) = 0.19245. Median: first S <= 0.5 -> 3."""
    km = lc.kaplan_meier(T, E)
    assert km["time"].tolist() == [1, 2, 3, 5]
    assert km["at_risk"].tolist() == [6, 5, 3, 1] and km["events"].tolist() == [1, 1, 1, 1]
    assert km["survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0.0])
    assert km["se"].iloc[:2].tolist() == pytest.approx([5 / 6 * math.sqrt(1 / 30), 2 / 3 * math.sqrt(1 / 30 + 1 / 20)])
    assert km.attrs["median"] == 3 and km.attrs["n"] == 6 and km.attrs["total_events"] == 4
    assert lc.survival_at(km, [0, 1, 2.5, 4, 6]).tolist() == pytest.approx([1, 5 / 6, 2 / 3, 4 / 9, 0])
    assert (km["lower"] <= km["survival"]).all() and (km["survival"] <= km["upper"]).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels at S = 0
def test_kaplan_meier_matches_statsmodels_on_a_larger_sample():
    rng = np.random.default_rng(7)
    t = rng.exponential(100, 400).round()
    e = rng.random(400) < 0.7
    km = lc.kaplan_meier(t, e)
    sf = SurvfuncRight(t, e.astype(float))
    assert km["survival"].to_numpy() == pytest.approx(sf.surv_prob)
    assert km["se"].to_numpy() == pytest.approx(sf.surv_prob_se, nan_ok=True)
    assert km.attrs["median"] == sf.quantile(0.5)
    lo, hi = sf.quantile_ci(0.5)
    assert (km.attrs["median_lower"], km.attrs["median_upper"]) == (lo, hi)
    assert km.attrs["median_lower"] <= km.attrs["median"] <= km.attrs["median_upper"]


def test_a_median_not_reached_is_nan_not_a_number_made_up():
    km = lc.kaplan_meier([1, 2, 3, 4], [True, False, False, False])
    assert math.isnan(km.attrs["median"]) and km["survival"].iloc[-1] == pytest.approx(0.75)


def test_log_rank_by_hand():
    """Group a churns at 1, 2, 3; group b at 4, 5, 6. Expected events of a: 3/6 + 2/5 + 1/4 = 1.15 (none
    after 3); variance 0.25 + 0.24 + 0.1875 = 0.6775; chi2 = (3 - 1.15)^2 / 0.6775 = 5.0517, 1 degree of
    freedom, p = 0.0246."""
    lt = pd.DataFrame({"duration_days": [1, 2, 3, 4, 5, 6], "churned": [True] * 6, "g": list("aaabbb")})
    out = lc.logrank_test(lt, by="g", min_customers=1)
    assert out["chi2"] == pytest.approx(1.85 ** 2 / 0.6775) and out["df"] == 1
    assert out["p_value"] == pytest.approx(0.02460, abs=1e-4)
    chi2, p = survdiff(lt["duration_days"].to_numpy(float), np.ones(6), lt["g"].to_numpy())
    assert out["chi2"] == pytest.approx(chi2)
    assert lc.logrank_test(lt, by="g", min_customers=4)["groups"] == 0


def test_customer_lifetimes_on_the_hand_case():
    """inactive 60 days, as_of 2025-12-31: X churned (324 days silent): lifetime 2025-01-10 -> 2025-02-10 =
    31 days; Y churned: 2025-04-15 -> 2025-06-01 = 47 days; K (41 days silent) is censored at 2025-11-20 ->
    as_of = 41 days; W censored at 305 days. P never bought: counted, no lifetime."""
    lt = lc.customer_lifetimes(stage_facts(), inactive_days=RULES["inactive_days"]).set_index("customer_id")
    assert lt.loc["X", "duration_days"] == 31 and lt.loc["X", "churned"]
    assert lt.loc["Y", "duration_days"] == 47 and lt.loc["Y", "churned"]
    assert lt.loc["K", "duration_days"] == 41 and not lt.loc["K", "churned"]
    assert lt.loc["W", "duration_days"] == 305 and lt["churned"].sum() == 2
    assert "P" not in lt.index and lt.attrs["no_purchase"] == 1


def test_groups_and_bad_input():
    lt = pd.DataFrame({"duration_days": [1, 2, 3, 4, 5, 6], "churned": [True, False] * 3, "g": list("aaabbb")})
    groups = lc.km_by_group(lt, by="g", min_customers=3)
    assert set(groups) == {"a", "b"} and groups["a"].attrs["n"] == 3
    with pytest.raises(ValueError, match="no event"):
        lc.kaplan_meier([1, 2], [False, False])
    with pytest.raises(ValueError, match="negative"):
        lc.kaplan_meier([1, -2], [True, True])
