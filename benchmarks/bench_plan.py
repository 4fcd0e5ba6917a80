"""Seconds of notebook 06's own work on a data folder: every call after loading the data and building the
customer facts (the 360 view, candidates, the plan and its control group, the budget curve, the scorecard,
plan vs actual against a plan dated six months earlier).

    .venv/bin/python benchmarks/bench_plan.py /work/data/sample100k 2025-12-31
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from crmbook import plan as cp
from crmbook.data import load
from crmbook.facts import CustomerFacts

TABLES = ("surveys", "contacts", "costs", "campaigns", "campaign_members")


def main(data: str = "sample", as_of: str = "2025-12-31") -> None:
    t0 = time.perf_counter()
    ds = load(data, as_of=as_of)
    facts = CustomerFacts.from_dataset(ds, currency="CNY")
    t = {n: ds[n] if n in ds else None for n in TABLES}
    print(f"load + facts {time.perf_counter() - t0:.1f} s (not counted)")
    marks: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        out = fn()
        marks[name] = time.perf_counter() - start
        return out

    cap = {"phone": 200, "field": 40}
    view = timed("360 view", lambda: cp.customer_360(facts, **t))
    up = cp.measured_uplifts(t["campaigns"], t["campaign_members"])
    cand = timed("candidates", lambda: cp.candidate_actions(view, uplifts=up, costs=cp.channel_costs(t["contacts"])))
    chosen = timed("plan", lambda: cp.assign_holdout(cp.optimise_plan(cand, budget=20000, capacity=cap), 0.1))
    timed("budget curve", lambda: cp.budget_curve(cand, cp.curve_budgets(20000, 5000, len(cand)), capacity=cap,
                                                  plan=chosen))
    timed("scorecard", lambda: cp.scorecard(cp.scorecard_values(facts, surveys=t["surveys"], uplifts=up,
                                                                campaigns=t["campaigns"])))
    before = (facts.as_of - pd.DateOffset(months=6)).date().isoformat()
    timed("plan vs actual", lambda: cp.plan_vs_actual(chosen, facts, t["contacts"], plan_as_of=before,
                                                      campaigns=t["campaigns"],
                                                      campaign_members=t["campaign_members"]))
    print({k: round(v, 2) for k, v in marks.items()})
    print(f"own work {sum(marks.values()):.1f} s: {len(view):,} customers, {len(cand):,} candidates, "
          f"{len(chosen):,} planned, optimality gap {chosen.attrs['optimality_gap']:.2f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
