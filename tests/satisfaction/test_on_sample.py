"""The satisfaction analyses on the bundled sample against the generator's truth (datasets/sample/truth.json)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import satisfaction as sat
from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook.sample import read_truth

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.fixture(scope="module")
def sample():
    ds = load("sample", as_of="2025-12-31")
    truth = read_truth(SAMPLE)
    return ds, CustomerFacts.from_dataset(ds), truth


def test_drivers_rank_the_attributes_as_the_generator_weighs_them(sample):
    """truth: rating loadings quality 0.9 > service 0.7 > delivery 0.5 > price 0.3."""
    ds, _, truth = sample
    weights = truth["satisfaction"]["survey"]["ratings"]
    d = sat.driver_importance(ds["surveys"])
    assert d["attribute"].tolist() == sorted(weights, key=weights.get, reverse=True)


def test_the_satisfaction_churn_effect_of_the_generator_is_found(sample):
    """The generator lowers each repeat order's dropout logit by beta_s = 0.8 per unit of latent
    satisfaction s (truth bgnbd.satisfaction_churn_effect); the survey answers see s through noise
    (NPS = 7.3 + 2.2 (s + e), e ~ N(0, 0.6), rounded and clipped).

    Sign: the adjusted effect of NPS on churn (no order within 365 days) is negative, its interval below 0.

    Magnitude: 0.8 acts per order on the dropout chance, our outcome is a year without orders, so the two
    are on different scales. We carry the truth to our scale by fitting the same model with the truth's
    latent s in place of the answer (the oracle effect, per unit of s); our NPS coefficient, divided by the
    regression slope of s on the answer (cov(s, NPS) / var(NPS): the errors-in-variables correction, which
    needs the truth only for that slope), must agree with it within two standard errors. On the sample:
    measured -0.069 +- 0.024 per NPS point, slope 0.35, corrected -0.197 +- 0.069 per unit of s, oracle
    -0.176 +- 0.060. Both are negative and smaller than 0.8 in size: a year without orders mixes dropouts
    (what 0.8 acts on) with slow buyers who are still alive, and a customer can only drop out after a repeat
    order. Carrying 0.8 through the generator's own formula, P(no order in 365 days) = p + (1 - p)
    exp(-365 lambda) with each customer's true p and lambda, gives about -0.26 to -0.36 per unit of s
    depending on how the first order (no dropout) is counted - the same order of size, not asserted."""
    ds, facts, truth = sample
    beta_true = truth["bgnbd"]["satisfaction_churn_effect"]
    out = sat.loyalty_outcomes(ds["surveys"], facts)
    measured = sat.loyalty_effect(out, outcome="churned", score="nps")
    assert measured["coef"] < 0 and measured["high"] < 0 and measured["verdict"] == "supports"
    s = truth["customers"].set_index("customer_id")["satisfaction"]
    out["s_true"] = out["customer_id"].map(s)
    oracle = sat.loyalty_effect(out, outcome="churned", score="s_true")
    assert -beta_true < oracle["coef"] < 0
    both = out[["nps", "s_true"]].apply(pd.to_numeric, errors="coerce").dropna()
    slope = np.cov(both["s_true"], both["nps"])[0, 1] / both["nps"].var()
    corrected, se = measured["coef"] / slope, measured["se"] / slope
    assert abs(corrected - oracle["coef"]) < 2 * np.hypot(se, oracle["se"])
    assert -beta_true < corrected < 0


def test_scores_and_repair_list_on_the_sample(sample):
    ds, facts, _ = sample
    scores = sat.score_table(ds["surveys"]).set_index("score")
    assert scores.loc["nps", "n"] == ds["surveys"]["nps"].notna().sum()  # the blanked NPS of 11 left out
    gaps = sat.target_gaps(scores.reset_index())
    assert set(gaps["status"]) <= {"misses", "meets", "cannot_tell"}
    repair = sat.repair_list(facts, surveys=ds["surveys"], complaints=sat.complaints(ds["contacts"]))
    assert repair["customer_id"].is_unique and len(repair) > 0
    assert repair["step"].map(sat.STEPS.index).is_monotonic_increasing
