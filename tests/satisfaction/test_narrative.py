"""Facts before words: the verdict on the chain, and sentences that agree with the numbers beside them."""

from __future__ import annotations

import pandas as pd

from crmbook import satisfaction as sat
from crmbook.context import Context

EN, ZH = Context("2025-12-31", language="en"), Context("2025-12-31", language="zh")


def _by():
    return pd.DataFrame({"group": ["promoter", "detractor"], "n": [100, 80], "repurchase_180": [0.6, 0.4],
                         "churned": [0.2, 0.5]})


def test_verdict_on_the_chain():
    ok, none, bad = {"verdict": "supports"}, {"verdict": "not_shown"}, {"verdict": "contradicts"}
    assert sat.loyalty_facts(_by(), {"a": ok, "b": ok})["verdict"] == "supports"
    assert sat.loyalty_facts(_by(), {"a": ok, "b": none})["verdict"] == "partly"
    assert sat.loyalty_facts(_by(), {"a": ok, "b": bad})["verdict"] == "contradicts"
    assert sat.loyalty_facts(_by(), {"a": none})["verdict"] == "not_shown"
    f = sat.loyalty_facts(_by(), {"a": ok})
    assert (f["window"], f["promoter_repurchase"], f["detractor_churn"]) == (180, 0.6, 0.5)


def test_score_sentences_follow_the_interval_not_the_point():
    gaps = pd.DataFrame({"score": ["csat", "ces"], "n": [200, 200], "value": [0.78, 3.4], "low": [0.72, 3.3],
                         "high": [0.84, 3.5], "target": [0.8, 3.0], "status": ["cannot_tell", "misses"]})
    text = sat.scores_interpretation(gaps, EN, confidence=0.95).text
    assert "cannot yet tell" in text and "78.0%" in text and "72.0% to 84.0%" in text
    assert "misses the target of 3.00" in text
    zh = sat.scores_interpretation(gaps, ZH, confidence=0.95).text
    assert "尚不能判断" in zh and "未达到目标 3.00" in zh


def test_groups_sentence_says_when_intervals_overlap_and_names_small_groups():
    by = pd.DataFrame({"group": ["E", "W", "N"], "score": "nps", "n": [300, 200, 5], "value": [10.0, 5.0, 40.0],
                       "low": [2.0, -4.0, -20.0], "high": [18.0, 14.0, 90.0], "judged": [True, True, False],
                       "rank": pd.array([1, 2, pd.NA], dtype="Int64")})
    by.attrs.update(by="region", min_n=30)
    text = sat.groups_interpretation(by, EN).text
    assert "intervals overlap" in text and "E has the best" in text
    assert "1 group has fewer than 30 answers" in text and ": N." in text


def test_score_kpis_headline_and_bounds():
    """NPS -8.14 (-10.76, -5.52) and CSAT 0.5213 -> 52.13 %: the cards carry the three scores, the bounds
    and the number of answers are recorded apart; together they are everything."""
    scores = pd.DataFrame({"score": ["nps", "csat"], "n": [400, 401], "value": [-8.14, 0.5213],
                           "low": [-10.76, 0.5058], "high": [-5.52, 0.5367], "better": ["up", "up"]})
    head = {k["name"]: k["value"] for k in sat.score_kpis(scores, EN, part="headline")}
    bounds = {k["name"]: k["value"] for k in sat.score_kpis(scores, EN, part="bounds")}
    assert head == {"nps": -8.14, "csat": 52.13}
    assert bounds == {"nps_low": -10.76, "nps_high": -5.52, "csat_low": 50.58, "csat_high": 53.67,
                      "survey_answers": 401}
    assert len(sat.score_kpis(scores, EN)) == len(head) + len(bounds)
