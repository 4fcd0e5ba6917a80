"""Seconds of notebook 06's own work on a data folder: every call after loading the data and building the
customer facts (the 360 view, candidates, the plan and its control group, the budget curve, the scorecard,
plan vs actual against a plan dated six months earlier).

    .venv/bin/python benchmarks/bench_plan.py /work/data/sample100k 2025-12-31
"""
import sys, time
from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook import plan as cp
data = sys.argv[1] if len(sys.argv) > 1 else "sample"
as_of = sys.argv[2] if len(sys.argv) > 2 else "2025-12-31"
t0 = time.perf_counter()
ds = load(data, as_of=as_of); facts = CustomerFacts.from_dataset(ds, currency="CNY")
t = {n: ds[n] if n in ds else None for n in ("surveys","contacts","costs","campaigns","campaign_members")}
t1 = time.perf_counter(); print(f"load+facts {t1-t0:.1f} s")
marks = {}
s = time.perf_counter(); view = cp.customer_360(facts, **t); marks["360"] = time.perf_counter() - s
s = time.perf_counter(); up = cp.measured_uplifts(t["campaigns"], t["campaign_members"]); cand = cp.candidate_actions(view, uplifts=up, costs=cp.channel_costs(t["contacts"])); marks["candidates"] = time.perf_counter() - s
cap = {"phone": 200, "field": 40}
s = time.perf_counter(); p = cp.optimise_plan(cand, budget=20000, capacity=cap); p = cp.assign_holdout(p, 0.1); marks["plan"] = time.perf_counter() - s
s = time.perf_counter(); curve = cp.budget_curve(cand, cp.curve_budgets(20000, 5000, len(cand)), capacity=cap); marks["curve"] = time.perf_counter() - s
s = time.perf_counter(); cp.scorecard(cp.scorecard_values(facts, surveys=t["surveys"], uplifts=up, campaigns=t["campaigns"])); marks["scorecard"] = time.perf_counter() - s
s = time.perf_counter(); out = cp.plan_vs_actual(p.assign(plan_as_of="2025-06-30"), facts, t["contacts"], plan_as_of="2025-06-30", campaigns=t["campaigns"], campaign_members=t["campaign_members"]); marks["pva"] = time.perf_counter() - s
print({k: round(v, 2) for k, v in marks.items()}, "own work total", round(sum(marks.values()), 1), "s;", len(view), "customers,", len(cand), "candidates, gap", p.attrs["optimality_gap"])
