"""Benchmark of the loyalty-programme and customer-journey analyses (crmbook.lifecycle.loyalty, .journey).

Loads a data folder once (not timed), then times each call the notebook makes, in the notebook's order:
``loyalty_facts`` (tiers, movement, retention, referrals, yield, points), ``top_referrers``, ``touchpoints``,
``pain_points`` and ``journey_facts`` (touchpoint and stage summaries). Prints each time and the total; the
target on the 100,000-customer case company is <= 5 s together.

Usage::

    python benchmarks/bench_loyalty.py [DATA] [--as-of 2025-12-31]
"""

from __future__ import annotations

import argparse
import time

from crmbook.data import load
from crmbook.facts import CustomerFacts
from crmbook.lifecycle import journey, loyalty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="sample")
    parser.add_argument("--as-of", default="2025-12-31")
    args = parser.parse_args()
    ds = load(args.data, as_of=args.as_of)
    facts = CustomerFacts.from_dataset(ds, currency="CNY")
    _ = facts.base  # the shared facts, computed once per notebook (not timed)
    get = {name: (ds[name] if name in ds else None) for name in ("points", "contacts", "campaign_members", "campaigns")}
    out: dict = {}
    steps = [
        ("loyalty_facts", lambda: loyalty.loyalty_facts(facts, get["points"])),
        ("top_referrers", lambda: loyalty.top_referrers(facts)),
        ("touchpoints", lambda: journey.touchpoints(facts, get["contacts"], get["campaign_members"],
                                                    get["campaigns"])),
        ("pain_points", lambda: None if get["contacts"] is None else journey.pain_points(facts, get["contacts"])),
        ("journey_facts", lambda: journey.journey_facts(out["touchpoints"], out["pain_points"])),
    ]
    total = 0.0
    for name, step in steps:
        start = time.perf_counter()
        out[name] = step()
        took = time.perf_counter() - start
        total += took
        print(f"{name:15s} {took:6.2f} s")
    print(f"{'total':15s} {total:6.2f} s  ({len(facts.customers):,} customers, {len(facts.orders):,} orders, "
          f"{0 if get['contacts'] is None else len(get['contacts']):,} contacts, points table "
          f"{'present' if get['points'] is not None else 'absent'})")


if __name__ == "__main__":
    main()
