"""The issue's acceptance check on the bundled sample: a plan made at an earlier as_of and compared at a later
one recovers the direction of the generator's true campaign uplift (truth.json, campaigns).

How: the plan is made before a campaign starts; at the later date the planned customers who were members
of that campaign's random split are compared, treated vs control (plan_vs_actual + uplift_estimate, basis
"campaign"). The generator gave CMP2025C (app push, June 2025) a true response uplift of +0.0896 and
CMP2024B (e-mail, November 2024) none: the first estimate's 95% interval must lie above zero, the second's
must hold zero.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook.plan import (
    candidate_actions,
    channel_costs,
    customer_360,
    measured_uplifts,
    optimise_plan,
    plan_vs_actual,
    uplift_estimate,
)

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"
TABLES = ("surveys", "contacts", "costs", "campaigns", "campaign_members")


def _plan_and_compare(plan_at: str, later: str) -> dict:
    ds = load(str(SAMPLE), as_of=plan_at)
    facts = CustomerFacts.from_dataset(ds)
    t = {n: ds[n] for n in TABLES}
    view = customer_360(facts, **t)
    cand = candidate_actions(view, uplifts=measured_uplifts(t["campaigns"], t["campaign_members"]),
                             costs=channel_costs(t["contacts"]))
    plan = optimise_plan(cand, budget=20000, capacity={"phone": 200, "field": 40}, node_limit=200)
    ds2 = load(str(SAMPLE), as_of=later)
    out = plan_vs_actual(plan, CustomerFacts.from_dataset(ds2), ds2["contacts"], plan_as_of=plan_at,
                         campaigns=ds2["campaigns"], campaign_members=ds2["campaign_members"])
    return uplift_estimate(out)


@pytest.mark.slow
@pytest.mark.parametrize(("campaign", "plan_at", "later"), [("CMP2025C", "2025-05-31", "2025-07-31"),
                                                            ("CMP2024B", "2024-10-31", "2024-12-31")])
def test_plan_vs_actual_recovers_the_true_uplift_direction(campaign, plan_at, later):
    truth = {c["campaign_id"]: c for c in json.loads((SAMPLE / "truth.json").read_text())["campaigns"]}
    true_uplift = truth[campaign]["true_response_uplift"]
    u = _plan_and_compare(plan_at, later)
    assert u["basis"] == "campaign" and u["randomised"] and u["treated"] > 100 and u["compared"] > 50
    if true_uplift > 0:
        assert u["low"] > 0, u
    else:
        assert u["low"] <= 0 <= u["high"], u
