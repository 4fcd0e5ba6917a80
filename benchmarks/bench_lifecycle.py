"""Time the lifecycle topic's own work (everything after loading the data) on a data folder.

    python benchmarks/bench_lifecycle.py /work/data/sample100k 2025-12-31

Runs the calls of notebook 02_lifecycle in its order - analyses, sentences, reader tables rendered to HTML
and charts rendered to PNG as the notebook's inline backend does - and prints the seconds of each step and
their total (the per-topic budget is 20 s). Loading and the customer facts' construction are not counted.
"""

from __future__ import annotations

import io
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from crmbook import lifecycle as lc  # noqa: E402
from crmbook.data import load  # noqa: E402
from crmbook.facts import CustomerFacts  # noqa: E402
from crmbook.plots import set_theme  # noqa: E402


def _png(ax) -> None:
    ax.figure.savefig(io.BytesIO(), format="png", dpi=90)
    plt.close("all")


def main(folder: str, as_of: str) -> float:
    t0 = time.perf_counter()
    ds = load(folder, as_of=as_of)
    facts = CustomerFacts.from_dataset(ds, currency="CNY")
    ctx = facts.context
    set_theme()
    print(f"loading (not counted): {time.perf_counter() - t0:.1f} s, {len(facts.customers):,} customers, "
          f"{len(facts.orders):,} orders")
    steps: dict[str, float] = {}

    def step(name, fn):
        s = time.perf_counter()
        out = fn()
        steps[name] = time.perf_counter() - s
        return out

    stages = step("stages (thresholds from the data)", lambda: lc.lifecycle_stages(facts))
    summary = lc.stage_summary(stages)
    rules = lc.stage_rules(stages)
    step("stages: chart, tables, sentences", lambda: (_png(lc.plot_stages(summary, ctx)),
                                                      lc.table(summary, ctx).to_html(),
                                                      lc.strategy_table(summary, ctx).to_html(),
                                                      lc.stages_interpretation(summary, ctx)))
    matrix = step("customer flow (stages at two dates)",
                  lambda: lc.transition_matrix(facts, facts.as_of - pd.DateOffset(months=12), **rules))
    step("flow: chart, tables, sentences", lambda: (_png(lc.plot_flow(matrix, ctx)),
                                                    lc.transition_display(matrix, ctx).to_html(),
                                                    lc.phase_display(matrix, ctx).to_html(),
                                                    lc.flow_interpretation(lc.flow_facts(matrix), ctx)))
    cohorts = step("cohorts", lambda: lc.cohort_retention(facts))
    curves = step("channel curves", lambda: lc.retention_curves(facts, max_months=24))
    step("cohorts: two heatmaps, curves, sentences",
         lambda: (_png(lc.plot_cohort_heatmap(cohorts["customers"], ctx)),
                  _png(lc.plot_cohort_heatmap(cohorts["revenue"], ctx, kind="revenue")),
                  _png(lc.plot_retention_curves(curves, ctx)), lc.cohort_interpretation(cohorts, curves, ctx)))
    rates = step("rates", lambda: lc.lifecycle_rates(facts, **rules))
    lifetimes = step("lifetimes", lambda: lc.customer_lifetimes(facts, inactive_days=rules["inactive_days"]))
    survival = step("Kaplan-Meier (all)", lambda: lc.kaplan_meier(lifetimes["duration_days"], lifetimes["churned"]))
    groups = step("Kaplan-Meier by channel", lambda: lc.km_by_group(lifetimes))
    logrank = step("log-rank test", lambda: lc.logrank_test(lifetimes))
    step("survival: chart, table, sentences", lambda: (_png(lc.plot_survival(survival, groups, ctx)),
                                                       lc.survival_table(survival, groups, ctx).to_html(),
                                                       lc.survival_interpretation(survival, groups, logrank, ctx)))
    palive = step("P(alive): BG/NBD fit and scores (crmbook.models)", lambda: lc.p_alive_table(facts))
    agreement = step("P(alive) vs stages", lambda: lc.stage_agreement(stages, palive))
    step("P(alive): chart, table, sentences", lambda: (_png(lc.plot_p_alive(agreement, ctx)),
                                                       lc.table(agreement, ctx).to_html(),
                                                       lc.p_alive_interpretation(lc.agreement_facts(stages, palive),
                                                                                 palive, ctx)))
    contacts = ds["contacts"] if "contacts" in ds else None
    plan = step("contact plan", lambda: lc.contact_plan(facts, stages, p_alive=palive, contacts=contacts))
    step("contact plan: reasons, tables, CSV text", lambda: (
        lc.table(lc.plan_display(plan, ctx), ctx, max_rows=20).to_html(),
        lc.plan_display(plan, ctx).to_csv(io.StringIO(), index=False),
        lc.plan_summary_display(lc.plan_summary(plan), ctx).to_html()))
    step("exercises and KPIs", lambda: (lc.exercises(rates, lifetimes, matrix, facts.customers, ctx).q2.expected,
                                        lc.lifecycle_kpis(stages, rates, ctx, median_lifetime=survival.attrs["median"],
                                                          revenue_at_risk=lc.at_risk_revenue(facts, stages))))
    for name, s in steps.items():
        print(f"{name:55s} {s:6.2f} s")
    total = sum(steps.values())
    print(f"{'total (own work)':55s} {total:6.2f} s")
    return total


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "datasets/sample", sys.argv[2] if len(sys.argv) > 2 else "2025-12-31")
