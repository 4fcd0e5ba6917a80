"""P(alive) beside the stages: the wiring to crmbook.models and the agreement table (the BG/NBD fit itself
is tested in tests/models against Fader, Hardie & Lee's CDNOW estimates)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crmbook import lifecycle as lc
from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook.models import customer_summary, fit_bgnbd

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.fixture(scope="module")
def sample():
    facts = CustomerFacts.from_dataset(load("sample", as_of="2025-12-31"))
    stages = lc.lifecycle_stages(facts)
    return facts, stages, lc.p_alive_table(facts, horizon_days=91)


def test_p_alive_table_is_the_fitted_models_answer(sample):
    """The table holds what fit_bgnbd(...).p_alive and .expected_purchases give for the same summary, the
    horizon of 91 days being 13 weeks."""
    facts, _, palive = sample
    s = customer_summary(facts.orders, facts.as_of, time_unit="W")
    model = fit_bgnbd(s["frequency"], s["recency"], s["T"])
    assert palive.attrs["params"] == pytest.approx(model.params)
    assert palive["p_alive"].to_numpy() == pytest.approx(np.asarray(model.p_alive(s["frequency"], s["recency"], s["T"])))
    expected = np.asarray(model.expected_purchases(13.0, s["frequency"], s["recency"], s["T"]))
    assert palive["expected_purchases"].to_numpy() == pytest.approx(expected)
    assert palive["customer_id"].tolist() == sorted(s.index.astype(str))


def test_a_one_time_buyer_is_alive_for_bgnbd(sample):
    """x = 0: P(alive) = 1 whatever the silence (dropout only after a repeat purchase)."""
    _, _, palive = sample
    once = palive[palive["frequency"] == 0]
    assert len(once) > 0 and (once["p_alive"] == 1).all()
    assert palive["p_alive"].between(0, 1).all() and (palive["expected_purchases"] >= 0).all()


def test_agreement_table_counts_every_buyer_once(sample):
    """Each stage's bands add up to its buying customers; prospects have no P(alive); lapsed buyers have a
    lower mean P(alive) than loyal ones (both methods see the same silence)."""
    _, stages, palive = sample
    agree = lc.stage_agreement(stages, palive).set_index("stage")
    buyers = stages[stages["orders"] > 0]["stage"].value_counts()
    assert (agree[["low", "middle", "high"]].sum(axis=1) == agree["customers"]).all()
    assert agree["customers"].to_dict() == buyers.reindex(agree.index).to_dict() and "prospect" not in agree.index
    assert agree.loc["lapsed", "mean_p_alive"] < agree.loc["loyal", "mean_p_alive"]
    f = lc.agreement_facts(stages, palive)
    assert f["buyers"] == len(palive) and f["one_time_p_alive"] == 1.0
    assert f["lapsed_one_time"] <= f["lapsed_high"] <= f["lapsed"]
