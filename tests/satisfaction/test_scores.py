"""Scores and their intervals, on hand-computed cases and against independent computations (scipy)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmbook import satisfaction as sat


def test_wilson_interval_of_8_out_of_10_by_hand():
    """p = 0.8, n = 10, z = 1.959964: centre = (0.8 + z²/20) / (1 + z²/10) = 0.99208 / 1.38415 = 0.71674;
    half = z / 1.38415 * sqrt(0.016 + z²/400) = 1.41600 * 0.16001 = 0.22658 -> (0.4902, 0.9433), the
    textbook Wilson interval of 8/10."""
    low, high = sat.wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)


@pytest.mark.parametrize("k,n", [(0, 12), (3, 40), (52, 100), (999, 1000)])
def test_wilson_interval_agrees_with_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson")
    assert sat.wilson_interval(k, n, 0.9) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_csat_is_the_share_of_4_and_5_not_the_mean():
    """[5, 4, 3, 2, 5, missing]: 3 of 5 answers are 4-5 -> 0.6 (the mean / 5 would be 0.76)."""
    r = sat.csat_score([5, 4, 3, 2, 5, None])
    assert r["n"] == 5 and r["value"] == pytest.approx(0.6)
    assert (r["low"], r["high"]) == pytest.approx(sat.wilson_interval(3, 5))


def test_nps_and_its_multinomial_interval_by_hand():
    """5 promoters (9, 10), 3 passives (7, 8), 2 detractors (0-6) of 10: NPS = 100 (0.5 - 0.2) = 30;
    Var = (0.5 + 0.2 - 0.3²) / 10 = 0.061, se = 0.24698; 30 +- 1.959964 * 24.698 = (-18.41, 78.41).
    The same as the t-free normal interval of the mean of the +1/0/-1 values (population variance / n)."""
    answers = [9, 10, 9, 10, 9, 7, 8, 7, 3, 6]
    r = sat.nps_score(answers)
    assert r["value"] == pytest.approx(30.0)
    assert (r["promoters"], r["passives"], r["detractors"]) == pytest.approx((0.5, 0.3, 0.2))
    assert r["low"] == pytest.approx(-18.41, abs=0.01) and r["high"] == pytest.approx(78.41, abs=0.01)
    y = np.where(np.array(answers) >= 9, 1, np.where(np.array(answers) <= 6, -1, 0))
    se = y.std(ddof=0) / math.sqrt(len(y))
    assert r["high"] - r["value"] == pytest.approx(100 * stats.norm.ppf(0.975) * se)


def test_nps_interval_is_wider_than_two_independent_shares():
    """Independent shares would give Var = (0.5*0.5 + 0.2*0.8) / 10 = 0.041 < 0.061: the covariance counts."""
    r = sat.nps_score([9, 10, 9, 10, 9, 7, 8, 7, 3, 6])
    independent = 100 * stats.norm.ppf(0.975) * math.sqrt(0.041)
    assert r["high"] - r["value"] > independent


def test_ces_t_interval_agrees_with_scipy():
    values = [2, 3, 3, 4, 5, 1, 2]
    r = sat.ces_score(values)
    want = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert r["value"] == pytest.approx(20 / 7) and (r["low"], r["high"]) == pytest.approx(want)


def test_score_table_and_groups_too_small_are_not_ranked():
    surveys = pd.DataFrame({"customer_id": list("abcdefgh"), "response_date": pd.Timestamp("2025-01-01"),
                            "nps": [10, 9, 9, 0, 10, 10, 3, 4], "csat": [5, 5, 4, 1, 5, 4, 2, 2],
                            "ces": [1, 2, 2, 6, 1, 2, 5, 6],
                            "region": ["E"] * 4 + ["W"] * 3 + ["N"]})
    table = sat.score_table(surveys)
    assert table["score"].tolist() == ["nps", "csat", "ces"] and table["n"].tolist() == [8, 8, 8]
    by = sat.scores_by(surveys, "region", min_n=3)
    nps = by[by["score"] == "nps"].set_index("group")
    # E: 3 promoters, 1 detractor of 4 -> +50; W: 2 and 1 of 3 -> +33.3; N: 1 answer, too small
    assert nps.loc["E", "value"] == pytest.approx(50) and nps.loc["W", "value"] == pytest.approx(100 / 3)
    assert not nps.loc["N", "judged"] and pd.isna(nps.loc["N", "rank"])
    assert nps.loc["E", "rank"] == 1 and nps.loc["W", "rank"] == 2
    ces = by[by["score"] == "ces"].set_index("group")
    assert ces.loc["E", "rank"] == 2 and ces.loc["W", "rank"] == 1  # CES: lower is better (E 2.75, W 2.67)


@pytest.mark.parametrize("dtype", ["str", object])
def test_scores_by_a_customers_column_is_the_merge(dtype):
    """Groups from the customers table (Arrow text or objects): an answer of an unknown customer or of a
    customer without a region is left out; with a customer listed twice, the merge counts their answer twice."""
    surveys = pd.DataFrame({"customer_id": pd.Series(list("abcdezb"), dtype=dtype),
                            "nps": [10, 9, 0, 10, 3, 10, 6], "csat": [5, 4, 1, 5, 2, 5, 3]})
    customers = pd.DataFrame({"customer_id": pd.Series(list("edcba"), dtype=dtype),
                              "region": pd.Series(["W", None, "W", "E", "E"], dtype=dtype)})
    by = sat.scores_by(surveys, "region", customers=customers, min_n=1)
    nps = by[by["score"] == "nps"].set_index("group")
    # E: a (10), b (9), b (6) -> 1 promoter, 1 detractor of 3; W: c (0), e (3) -> -100; d: no region; z unknown
    assert nps["n"].to_dict() == {"E": 3, "W": 2} and by.attrs["unknown"] == 2
    assert nps.loc["E", "value"] == pytest.approx(100 / 3) and nps.loc["W", "value"] == pytest.approx(-100)
    twice = pd.concat([customers, customers.iloc[[0]]], ignore_index=True)
    assert sat.scores_by(surveys, "region", customers=twice, min_n=1).set_index(["group", "score"]).loc[
        ("W", "nps"), "n"] == 3  # e's answer counted twice, as the merge gives it


def test_monthly_scores_and_response_rates():
    surveys = pd.DataFrame({"customer_id": ["a", "b", "c"], "nps": [10, 0, 9], "category": ["post_purchase"] * 3,
                            "response_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-02"])})
    m = sat.monthly_scores(surveys, "nps", min_n=2)
    assert m["value"].tolist() == pytest.approx([0.0, 100.0]) and m["judged"].tolist() == [True, False]
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-01", "2025-01-10", "2025-01-11", "2025-02-01"])})
    rates = sat.response_rates(surveys, orders=orders, customers=6).set_index("occasion")
    # orders between the first and last answer: 01-10, 01-11, 02-01 -> 3 answers / 3 orders
    assert rates.loc["post_purchase", "rate"] == pytest.approx(1.0)
    assert rates.loc["surveyed_customers", "rate"] == pytest.approx(0.5)
