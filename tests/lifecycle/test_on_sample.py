"""The lifecycle on the bundled sample against the generator's truth (truth.json, per customer: alive_at_end,
dropout_date, satisfaction).

Tolerances: the sample has 4,000 buying customers, so a share near 0.45 has a sampling standard error of
about 0.8 percentage points; the rule-based churn (no order for more than the data-derived threshold)
misclassifies slow buyers as churned and recent dropouts as active - errors that largely cancel in the
totals - so totals are held to 3 percentage points (about four standard errors) and the median lifetime
to 10% (it sits where the curve is flat: a 1.5-point shift of the curve moves it by weeks).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import lifecycle as lc
from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook.sample import read_truth

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"
pytestmark = pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="the sample's truth.json is not there")


@pytest.fixture(scope="module")
def run():
    facts = CustomerFacts.from_dataset(load("sample", as_of="2025-12-31"))
    truth = read_truth(SAMPLE)["customers"].set_index("customer_id")
    stages = lc.lifecycle_stages(facts)
    return facts, truth, stages


def test_churned_share_agrees_with_the_truth(run):
    """Share of buying customers lapsed by the rules vs the share the generator let drop out by as_of."""
    facts, truth, stages = run
    b = stages[stages["orders"] > 0].set_index("customer_id").join(truth, how="inner")
    assert len(b) >= 3900
    assert (b["stage"] == "lapsed").mean() == pytest.approx((~b["alive_at_end"]).mean(), abs=0.03)


def test_retention_agrees_with_the_truth(run):
    """Retention (last year's buyers who bought again) vs the share of last year's buyers still alive at the
    end by the truth (dropout_date missing or after as_of)."""
    facts, truth, stages = run
    r = lc.lifecycle_rates(facts, **lc.stage_rules(stages))
    o = facts.orders
    last = o.loc[(o["order_date"] > r["previous_start"]) & (o["order_date"] <= r["start"]), "customer_id"].unique()
    dropout = pd.to_datetime(truth.loc[last, "dropout_date"])
    alive = (dropout.isna() | (dropout > facts.as_of)).mean()
    assert r["retention"] == pytest.approx(alive, abs=0.03)
    assert r["churn"] == pytest.approx(1 - alive, abs=0.03)


def test_survival_curve_agrees_with_the_true_lifetimes(run):
    """Kaplan-Meier of the observed lifetimes vs Kaplan-Meier of the true ones (first order to dropout,
    censored at as_of when alive) at one, two and three years, and the median."""
    facts, truth, stages = run
    lt = lc.customer_lifetimes(facts, inactive_days=stages.attrs["inactive_days"]).set_index("customer_id")
    first = facts.base.set_index("customer_id")["first_order"].reindex(lt.index)
    dropout = pd.to_datetime(truth["dropout_date"].reindex(lt.index))
    end = dropout.where(dropout.notna(), facts.as_of)
    true_days = (end - first).dt.days.clip(lower=0)
    km = lc.kaplan_meier(lt["duration_days"], lt["churned"])
    true = lc.kaplan_meier(true_days, dropout.notna())
    years = [365, 730, 1095]
    assert lc.survival_at(km, years) == pytest.approx(lc.survival_at(true, years), abs=0.03)
    assert km.attrs["median"] == pytest.approx(true.attrs["median"], rel=0.10)


def test_the_generators_satisfaction_effect_on_churn_is_visible(run):
    """The generator lowers the dropout probability with satisfaction (logit effect 0.8 per unit). Checked by
    cutting the buyers into thirds by their true satisfaction: the least satisfied third has lapsed more often
    than the most satisfied by at least 8 points, the thirds are in order, and the log-rank test of their
    observed lifetimes rejects equal curves (p < 0.001) with the lowest third's median lifetime the shortest."""
    facts, truth, stages = run
    b = stages[stages["orders"] > 0].set_index("customer_id").join(truth, how="inner")
    third = pd.qcut(b["satisfaction"], 3, labels=["low", "mid", "high"])
    lapsed = (b["stage"] == "lapsed").groupby(third, observed=True).mean()
    assert lapsed["low"] > lapsed["mid"] > lapsed["high"] and lapsed["low"] - lapsed["high"] >= 0.08
    lt = lc.customer_lifetimes(facts, inactive_days=stages.attrs["inactive_days"]).set_index("customer_id")
    lt["third"] = third.reindex(lt.index).astype(str)
    test = lc.logrank_test(lt[lt["third"] != "nan"], by="third")
    assert test["groups"] == 3 and test["p_value"] < 1e-3
    medians = {g: c.attrs["median"] for g, c in lc.km_by_group(lt, by="third").items()}
    assert medians["low"] == min(medians.values()) and np.isfinite(medians["low"])
