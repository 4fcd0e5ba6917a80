"""Benchmark of the cost accounting topic's own work (notebook 04) on a data folder, loading excluded.

Loads the data once (``crmbook.data.load`` and the customer facts with their base values: the runner's
part), then times, best of ``--repeat`` rounds, everything notebook 04 computes: cost classes, the
allocation and its reconciliation, CAC and retention cost, the customer P&L, the RFM and ABC labels it
reads the P&L by, the whale curve, the good/bad comparison and actions, the exercises, and its four
charts (drawn, then closed). The per-topic budget of the scale issue is 20 s on 100,000 customers.
Wall-clock seconds per part and in total, and the CPU seconds of the whole (``total_cpu``: the stable
figure on a shared machine, where other processes stretch the wall clock).

Usage::

    python benchmarks/bench_costing.py DATA [--as-of 2025-12-31] [--repeat 2]
"""

from __future__ import annotations

import argparse
import time


def _work(ds, facts) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmbook import costing
    from crmbook import segmentation as seg

    ctx = facts.context
    costs, contacts = ds["costs"], ds["contacts"] if "contacts" in ds else None
    t = {}
    t0 = time.perf_counter()
    classes = costing.cost_classes(costs, facts.as_of)
    alloc = costing.allocate_costs(facts, costs, contacts=contacts)
    costing.reconciliation_summary(alloc.reconciliation)
    costing.rates_table(alloc.reconciliation)
    t["allocation"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cac_table = costing.cac(facts, costs)
    cac_total = costing.cac_summary(cac_table)
    retention = costing.retention_cost(facts, costs)
    t["cac"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pnl = costing.customer_pnl(facts, allocation=alloc)
    rfm, abc = seg.rfm_segmentation(facts), seg.abc_classes(facts)
    for labels in (rfm.set_index("customer_id")["segment"], abc.set_index("customer_id")["abc_class"],
                   costing.main_order_channel(facts)):
        costing.pnl_by(pnl, labels)
    dist = costing.profit_distribution(pnl)
    t["pnl"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    curve = costing.whale_curve(pnl["profit"])
    whale = costing.whale_facts(curve)
    profile = costing.customer_profile(facts, pnl, contacts)
    costing.compare_good_bad(profile)
    profile["action_group"] = costing.unprofitable_actions(profile)
    ex = costing.exercises(facts, pnl, ctx, allocation=alloc, contacts=contacts, cac_total=cac_total,
                           retention=retention)
    [q.expected for q in ex.values()]
    costing.summary_points(pnl, whale, cac_total, profile["action_group"], ctx)
    t["whale_goodbad_exercises"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    costing.plot_cost_classes(classes, ctx)
    costing.plot_cac(cac_total, retention, ctx)
    costing.plot_profit_distribution(dist, ctx)
    costing.plot_whale(curve, ctx)
    plt.close("all")
    t["charts"] = time.perf_counter() - t0
    t["total"] = sum(t.values())
    return t


def _timed(ds, facts) -> dict:
    cpu = time.process_time()
    t = _work(ds, facts)
    t["total_cpu"] = time.process_time() - cpu
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from crmbook.data import load
    from crmbook.facts import CustomerFacts

    t0 = time.perf_counter()
    ds = load(args.data, as_of=args.as_of)
    facts = CustomerFacts.from_dataset(ds, currency="CNY")
    _ = facts.base
    print(f"load (not counted): {time.perf_counter() - t0:.1f} s, {len(facts.customers):,} customers, "
          f"{len(facts.orders):,} orders")
    best: dict = {}
    for _ in range(max(1, args.repeat)):
        for k, v in _timed(ds, facts).items():
            best[k] = min(v, best.get(k, float("inf")))
    for k, v in best.items():
        print(f"{k:>26}: {v:6.2f} s")


if __name__ == "__main__":
    main()
