"""Benchmark of the case-company generator (:mod:`crmbook.sample`): generation and writing, step by step.

Generates a company with :func:`crmbook.sample.generate` and writes it as :func:`crmbook.sample.write_sample`
does (tables in CSV or Parquet, ``truth.json`` and ``truth_customers.parquet``), and prints the seconds of
every step of the generator (in the order of :mod:`crmbook.sample.generator`), of writing every table, the
totals, the number of orders and the peak resident memory (``resource.getrusage``) of the process. Each
round runs in a fresh Python process, so its peak memory is its own; with ``--repeat`` the times are the
minimum over the rounds (the machine is shared), the memory the maximum.

Targets (issue 15): a million customers generated and written as CSV in well under a minute (aim 40 s on
the 2-core machine) and well under 4 GB.

Usage::

    python benchmarks/bench_sample.py --customers 1000000 [--seed 7] [--repeat 2] [--format csv|parquet]
    python benchmarks/bench_sample.py --customers 1000000 --start 2016-01-01 --purchase-rate 3  # ~10M orders

From Python: ``measure(n_customers, ...)`` runs one round in the calling process and returns the figures
as a dict; ``bench(n_customers, ..., repeat=2)`` runs the rounds in subprocesses and returns their minimum.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

#: The generator's steps, in the order it runs them (functions of crmbook.sample.generator), with a label.
STEPS = {
    "_draw_customer_base": "customer base",
    "_draw_buying": "purchase processes (BG/NBD)",
    "_draw_organic_orders": "organic orders",
    "_draw_campaigns": "campaigns",
    "_draw_orders": "campaign-converted orders",
    "_merge_orders": "merge and sort orders",
    "_customer_ids": "customer ids",
    "_customers_table": "customers table",
    "_draw_contacts": "contacts",
    "_draw_surveys": "surveys",
    "_draw_costs": "costs",
    "_orders_table": "orders table",
    "_contacts_table": "contacts table",
    "_campaigns_table": "campaigns table",
    "_campaign_members_table": "campaign members table",
    "_market_table": "market table",
    "_draw_points": "points ledger",
    "_add_defects": "defects",
    "_truth": "truth",
}


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB on Linux


def measure(n_customers: int, seed: int = 7, start: str | None = None, end: str | None = None,
            purchase_rate: float = 1.0, fmt: str = "csv", out: str | Path | None = None) -> dict[str, Any]:
    """One round in this process: generate, write into ``out`` (a temporary folder if None), time each step.

    Returns
    -------
    dict
        ``steps`` (seconds per generator step; "organic orders" includes drawing their values,
        "campaign-converted orders" is the same drawing for the campaigns' extra orders), ``generate`` (seconds), ``write`` (seconds per file), ``write_total``,
        ``total`` (generate + write), ``orders``, ``customers``, ``peak_rss_gb``, and the arguments.
    """
    from crmbook.csv_writer import write_csv
    from crmbook.sample import company, generator
    from crmbook.sample.truth import _write_truth

    kwargs: dict[str, Any] = {"start": start or company.START, "end": end or company.END,
                              "purchase_rate": purchase_rate}
    seconds: dict[str, float] = defaultdict(float)
    rss_after: dict[str, float] = {}
    originals = {name: getattr(generator, name) for name in STEPS}

    def timed(name, fn):
        def wrapper(*args, **kw):
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                seconds[name] += time.perf_counter() - t
                rss_after[name] = _peak_rss_gb()
        return wrapper

    for name, fn in originals.items():
        setattr(generator, name, timed(name, fn))
    try:
        t0 = time.perf_counter()
        data = generator.generate(n_customers, seed=seed, **kwargs)
        t_generate = time.perf_counter() - t0
    finally:
        for name, fn in originals.items():
            setattr(generator, name, fn)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(out) if out is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        writes = {}
        t1 = time.perf_counter()
        for name, frame in data.tables.items():
            t = time.perf_counter()
            path = folder / f"{name}.{fmt}"
            if fmt == "csv":
                write_csv(frame, path)
            else:
                frame.to_parquet(path, index=False)
            writes[path.name] = time.perf_counter() - t
        t = time.perf_counter()
        _write_truth(data.truth, folder)
        writes["truth.json + truth_customers.parquet"] = time.perf_counter() - t
        t_write = time.perf_counter() - t1
        sizes_mb = {p.name: p.stat().st_size / 1e6 for p in folder.iterdir()}
    return {"customers": n_customers, "seed": seed, **kwargs, "format": fmt,
            "orders": len(data.tables["orders"]), "steps": dict(seconds), "peak_rss_gb_after": rss_after,
            "generate": t_generate,
            "write": writes, "write_total": t_write, "total": t_generate + t_write,
            "files_mb": sizes_mb, "peak_rss_gb": _peak_rss_gb()}


def bench(n_customers: int, repeat: int = 2, **kwargs: Any) -> dict[str, Any]:
    """``repeat`` rounds of :func:`measure`, each in a fresh process: per figure the minimum time and the
    maximum memory."""
    rounds = []
    for _ in range(repeat):
        here = str(Path(__file__).resolve().parent)
        code = (f"import json, sys; sys.path.insert(0, {here!r}); from bench_sample import measure; "
                "print(json.dumps(measure(**json.loads(sys.argv[1]))))")
        done = subprocess.run([sys.executable, "-c", code, json.dumps({"n_customers": n_customers, **kwargs})],
                              check=True, capture_output=True, text=True)
        rounds.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = dict(rounds[0])
    for key in ("generate", "write_total", "total"):
        best[key] = min(r[key] for r in rounds)
    best["peak_rss_gb_after"] = {k: max(r["peak_rss_gb_after"][k] for r in rounds)
                                 for k in rounds[0]["peak_rss_gb_after"]}
    for key in ("steps", "write"):
        best[key] = {k: min(r[key][k] for r in rounds) for k in rounds[0][key]}
    best["peak_rss_gb"] = max(r["peak_rss_gb"] for r in rounds)
    best["rounds"] = [{k: r[k] for k in ("generate", "write_total", "total", "peak_rss_gb")} for r in rounds]
    return best


def _print(fig: dict[str, Any]) -> None:
    print(f"crmbook sample: {fig['customers']:,} customers, seed {fig['seed']}, {fig['start']}..{fig['end']}, "
          f"purchase rate x{fig['purchase_rate']:g}, {fig['orders']:,} orders, format {fig['format']}")
    print("generate, per step (s; peak RSS so far, GB):")
    for name, label in STEPS.items():
        if name in fig["steps"]:
            print(f"  {label:32s} {fig['steps'][name]:7.2f}   {fig['peak_rss_gb_after'][name]:5.2f}")
    print(f"  {'generate (total)':32s} {fig['generate']:7.2f}")
    print("write, per file (s):")
    for name, sec in fig["write"].items():
        print(f"  {name:32s} {sec:7.2f}")
    print(f"  {'write (total)':32s} {fig['write_total']:7.2f}")
    print(f"total generate + write: {fig['total']:.1f} s (target well under 60 s at 1M customers, aim 40 s)")
    print(f"peak RSS: {fig['peak_rss_gb']:.2f} GB (target well under 4 GB)")
    print("files (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(fig["files_mb"].items())))
    if "rounds" in fig:
        print("rounds: " + "; ".join(f"{r['total']:.1f} s, {r['peak_rss_gb']:.2f} GB" for r in fig["rounds"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default=None, help="first day of the history (default: the generator's)")
    parser.add_argument("--end", default=None, help="last day of the history (default: the generator's)")
    parser.add_argument("--purchase-rate", type=float, default=1.0)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--repeat", type=int, default=2, help="rounds, each in a fresh process (default 2)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead")
    args = parser.parse_args(argv)
    fig = bench(args.customers, repeat=args.repeat, seed=args.seed, start=args.start, end=args.end,
                purchase_rate=args.purchase_rate, fmt=args.format)
    if args.json:
        print(json.dumps(fig, indent=1))
    else:
        _print(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main())
