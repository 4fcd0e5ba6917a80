"""Time the ROI topic's own work (everything after loading the data) on a data folder.

    python benchmarks/bench_roi.py /work/data/sample100k 2025-12-31

Prints the wall-clock and CPU seconds of each step of notebook 05_roi and their total (the per-topic
budget is 20 s); on a shared machine the CPU time is the fairer figure.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from crmbook import costing, models, roi
from crmbook.data import load
from crmbook.facts import CustomerFacts


def main(folder: str, as_of: str) -> float:
    t0 = time.perf_counter()
    ds = load(folder, as_of=as_of)
    facts = CustomerFacts.from_dataset(ds, currency="CNY")
    print(f"loading (not counted): {time.perf_counter() - t0:.1f} s, {len(facts.customers):,} customers, "
          f"{len(facts.orders):,} orders")
    t = {name: ds[name] if name in ds else None for name in ("costs", "contacts", "campaigns", "campaign_members")}
    steps: dict[str, float] = {}

    cpu: dict[str, float] = {}

    def step(name, fn):
        s, c = time.perf_counter(), time.process_time()
        out = fn()
        steps[name], cpu[name] = time.perf_counter() - s, time.process_time() - c
        return out

    margin = step("gross margin rate", lambda: roi.gross_margin_rate(facts.orders))
    pnl = step("customer P&L (costing)", lambda: costing.customer_pnl(facts, t["costs"], t["contacts"], t["campaigns"],
                                                                      t["campaign_members"]))
    r = step("customer ROI", lambda: roi.customer_roi(facts, pnl=pnl))
    step("segment ROI", lambda: roi.segment_roi(r, facts.customers.set_index("customer_id")["account_type"]))
    closed = step("CLV closed forms", lambda: roi.clv_closed_forms(facts, horizon_years=5))
    prob = step("CLV probabilistic (BG/NBD + Gamma-Gamma, 60 months)",
                lambda: roi.probabilistic_clv(facts, horizon=60, time_unit="M", margin_rate=margin)[0])
    step("CLV three ways", lambda: roi.clv_three_ways(closed, facts, prob))

    def tracking():
        cal, ho = models.calibration_holdout(facts.orders, facts.as_of - pd.DateOffset(months=12), facts.as_of,
                                             time_unit="M")
        return roi.holdout_by_frequency(cal, ho, models.fit_bgnbd(cal["frequency"], cal["recency"], cal["T"]))

    step("holdout tracking", tracking)
    step("LTV:CAC", lambda: roi.ltv_cac(facts, costing.cac(facts, t["costs"])))
    res = step("campaign ROI", lambda: roi.campaign_results(t["campaigns"], t["campaign_members"], margin_rate=margin))
    step("channels", lambda: roi.channel_effectiveness(t["contacts"], facts.orders, campaign_results=res,
                                                       as_of=facts.as_of))
    step("loyalty", lambda: roi.loyalty_comparison(facts))
    # wall time depends on what else runs on the machine; CPU time of this process does much less
    print(f"{'step':55s} {'wall':>8s} {'CPU':>8s}")
    for name in steps:
        print(f"{name:55s} {steps[name]:7.2f}s {cpu[name]:7.2f}s")
    total = sum(steps.values())
    print(f"{'total (own work)':55s} {total:7.2f}s {sum(cpu.values()):7.2f}s")
    return total


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "datasets/sample", sys.argv[2] if len(sys.argv) > 2 else "2025-12-31")
