"""Benchmark of :mod:`crmbook.models` against lifetimes 0.11.3 on 100,000 customers, side by side.

Measures, in one invocation, on the same customer summary (frequency, recency, T in weeks, mean repeat
value):

- **fit BG/NBD** and **fit Gamma-Gamma** (customers with frequency > 0 and a positive value);
- **score** every customer: P(alive), expected purchases in the next ``--horizon`` weeks, expected spend
  per purchase;

once with crmbook and once with lifetimes, and prints the times, their ratio, the parameter estimates
and their relative differences, and the largest relative difference of the per-customer scores. The
target is crmbook >= 5x faster with the same estimates (to about 1e-3 relative). Each time is the best of
``--repeat`` rounds, alternating between the libraries, each round running every step twice in one
process (the machine is shared, so the minimum is the stable figure). It also times the
summary itself (crmbook's :func:`customer_summary` against lifetimes' ``summary_data_from_transaction_data``
with ``freq="D", freq_multiplier=7``, the same conventions) and checks that both give the same table.

lifetimes is not a crmbook dependency: it runs in its own virtual environment, in a subprocess, reading
the summary this script writes to a temporary folder. Create that environment once with::

    python3 -m venv .bench-venv && .bench-venv/bin/pip install lifetimes==0.11.3 pandas

Usage::

    python benchmarks/bench_models.py --lifetimes-python .bench-venv/bin/python \\
        [--data /work/data/sample100k] [--as-of 2025-12-31] [--repeat 3] [--horizon 52]
    python benchmarks/bench_models.py --simulate 100000   # a simulated BG/NBD population instead

(``--lifetimes-python`` may also be given as the environment variable ``CRMBOOK_LIFETIMES_PYTHON``.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crmbook.models import customer_summary, fit_bgnbd, fit_gamma_gamma, simulate_bgnbd, simulate_gamma_gamma

#: The lifetimes side, run by the venv's python: fits, scores, times; writes JSON and the scores.
_LIFETIMES_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
folder, horizon, repeat, orders_path, as_of = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
s = pd.read_csv(folder + "/summary.csv", index_col=0)
best = {}
def timed(name, fn):
    t = time.perf_counter(); out = fn(); dt = time.perf_counter() - t
    best[name] = min(best.get(name, dt), dt); return out
for _ in range(repeat):
    bg = timed("fit_bgnbd", lambda: BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"]))
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    gg = timed("fit_gamma_gamma", lambda: GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"]))
    def score():
        return (bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"]),
                bg.conditional_expected_number_of_purchases_up_to_time(horizon, s["frequency"], s["recency"], s["T"]),
                gg.conditional_expected_average_profit(s["frequency"], s["monetary_value"]))
    p_alive, purchases, spend = timed("score", score)
np.save(folder + "/lifetimes_scores.npy", np.vstack([np.asarray(p_alive), np.asarray(purchases), np.asarray(spend)]))
summary_time = None
if orders_path != "-":
    orders = pd.read_csv(orders_path, usecols=["customer_id", "order_date", "revenue"], parse_dates=["order_date"])
    t = time.perf_counter()
    ls = summary_data_from_transaction_data(orders, "customer_id", "order_date", monetary_value_col="revenue",
                                            observation_period_end=as_of, freq="D", freq_multiplier=7)
    summary_time = time.perf_counter() - t
    ls.to_csv(folder + "/lifetimes_summary.csv")
json.dump({"times": best, "summary_time": summary_time,
           "bgnbd": {k: float(v) for k, v in bg.params_.items()},
           "gamma_gamma": {("gamma" if k == "v" else k): float(v) for k, v in gg.params_.items()}},
          open(folder + "/lifetimes.json", "w"))
"""


def _crmbook_side(s: pd.DataFrame, horizon: float, repeat: int) -> tuple[dict, dict, dict, np.ndarray]:
    best: dict[str, float] = {}

    def timed(name, fn):
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        best[name] = min(best.get(name, dt), dt)
        return out

    for _ in range(repeat):
        bg = timed("fit_bgnbd", lambda: fit_bgnbd(s.frequency, s.recency, s["T"]))
        gg = timed("fit_gamma_gamma", lambda: fit_gamma_gamma(s.frequency, s.monetary_value, drop_nonpositive=True))

        def score(bg=bg, gg=gg):
            return (bg.p_alive(s.frequency, s.recency, s["T"]),
                    bg.expected_purchases(horizon, s.frequency, s.recency, s["T"]),
                    gg.expected_spend(s.frequency, s.monetary_value))
        scores = timed("score", score)
    return best, bg.params, gg.params, np.vstack(scores)


def _simulated(n: int) -> pd.DataFrame:
    """n customers from the sample generator's BG/NBD and Gamma-Gamma truth, ages on a daily grid (as a
    summary of real orders is), expressed in weeks."""
    T_days = np.random.default_rng(0).integers(1, 1461, size=n).astype(float)
    sim = simulate_bgnbd({"r": 0.8, "alpha": 60.0, "a": 0.8, "b": 3.0}, T_days, seed=1, time_unit="D")
    recency_days = np.minimum(np.ceil(sim["recency"]), T_days)  # a repeat purchase on a later day
    out = pd.DataFrame({"frequency": sim["frequency"], "recency": recency_days / 7, "T": T_days / 7})
    out["monetary_value"] = simulate_gamma_gamma({"p": 6.0, "q": 4.0, "gamma": 175.0}, out.frequency, seed=2)
    out.attrs["time_unit"] = "W"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifetimes-python", default=os.environ.get("CRMBOOK_LIFETIMES_PYTHON"),
                        help="python of a venv with lifetimes 0.11.3 (or env CRMBOOK_LIFETIMES_PYTHON)")
    parser.add_argument("--data", default="/work/data/sample100k", help="folder with orders.csv")
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--simulate", type=int, default=0, help="use N simulated customers instead of --data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--horizon", type=float, default=52.0, help="weeks ahead for expected purchases")
    args = parser.parse_args(argv)
    if not args.lifetimes_python:
        parser.error("give --lifetimes-python (or CRMBOOK_LIFETIMES_PYTHON); create the venv with: "
                     "python3 -m venv .bench-venv && .bench-venv/bin/pip install lifetimes==0.11.3 pandas")

    summary_time = None
    orders_path = "-"
    if args.simulate:
        s = _simulated(args.simulate)
        source = f"{args.simulate:,} simulated BG/NBD customers"
    else:
        orders_path = str(Path(args.data) / "orders.csv")
        orders = pd.read_csv(orders_path, usecols=["customer_id", "order_date", "revenue"],
                             parse_dates=["order_date"])
        t = time.perf_counter()
        s = customer_summary(orders, args.as_of, time_unit="W")
        summary_time = time.perf_counter() - t
        source = f"{args.data}: {len(orders):,} orders, {len(s):,} customers, as_of {args.as_of}"
    print(f"data: {source}; {s[['frequency', 'recency', 'T']].drop_duplicates().shape[0]:,} distinct "
          f"(frequency, recency, T) rows; time unit {s.attrs['time_unit']}")

    # Rounds alternate between the two libraries, so that a busy spell of the shared machine hits both;
    # each round runs every step twice in one process (the first run warms caches), keeping the faster.
    times: dict[str, float] = {}
    lt_times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        s.to_csv(Path(folder) / "summary.csv")
        for i in range(args.repeat):
            done = subprocess.run([args.lifetimes_python, "-c", _LIFETIMES_SCRIPT, folder, str(args.horizon), "2",
                                   orders_path if i == 0 else "-", args.as_of], capture_output=True, text=True)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                return 1
            lt = json.loads((Path(folder) / "lifetimes.json").read_text())
            if i == 0:
                lt_summary_time = lt["summary_time"]
                lt_summary = (pd.read_csv(Path(folder) / "lifetimes_summary.csv", index_col=0)
                              if orders_path != "-" else None)
            lt_times = {k: min(v, lt_times.get(k, v)) for k, v in lt["times"].items()}
            round_times, bg_params, gg_params, scores = _crmbook_side(s, args.horizon, 2)
            times = {k: min(v, times.get(k, v)) for k, v in round_times.items()}
        lt_scores = np.load(Path(folder) / "lifetimes_scores.npy")
    lt["times"], lt["summary_time"] = lt_times, lt_summary_time

    print(f"\n{'step (best of ' + str(args.repeat) + ')':34s}{'crmbook s':>12s}{'lifetimes s':>14s}{'ratio':>9s}")
    total_c = total_l = 0.0
    for name in ("fit_bgnbd", "fit_gamma_gamma", "score"):
        c, lft = times[name], lt["times"][name]
        total_c, total_l = total_c + c, total_l + lft
        print(f"{name:34s}{c:12.3f}{lft:14.3f}{lft / c:8.1f}x")
    print(f"{'fit + score, total':34s}{total_c:12.3f}{total_l:14.3f}{total_l / total_c:8.1f}x")
    if summary_time is not None and lt["summary_time"] is not None:
        print(f"{'summary from orders (once)':34s}{summary_time:12.3f}{lt['summary_time']:14.3f}"
              f"{lt['summary_time'] / summary_time:8.1f}x")

    print(f"\n{'parameter':12s}{'crmbook':>14s}{'lifetimes':>14s}{'rel. diff':>12s}")
    worst = 0.0
    for model, ours in (("bgnbd", bg_params), ("gamma_gamma", gg_params)):
        for k, v in ours.items():
            other = lt[model][k]
            rel = abs(v - other) / abs(other)
            worst = max(worst, rel)
            print(f"{model + '.' + k:12s}{v:14.6g}{other:14.6g}{rel:12.2e}")
    rel_scores = np.abs(scores - lt_scores) / np.maximum(np.abs(lt_scores), 1e-12)
    print(f"\nlargest relative difference of the scores: P(alive) {rel_scores[0].max():.2e}, "
          f"expected purchases {rel_scores[1].max():.2e}, expected spend {rel_scores[2].max():.2e}")
    print(f"largest relative parameter difference {worst:.2e}; speed-up on fit + score {total_l / total_c:.1f}x")
    if lt_summary is not None:
        lt_summary.index = lt_summary.index.astype(str)
        same = lt_summary.reindex(s.index)[["frequency", "recency", "T", "monetary_value"]]
        diff = (same - s[["frequency", "recency", "T", "monetary_value"]]).abs().max()
        print("summary: largest difference to lifetimes' table per column: "
              + ", ".join(f"{k} {v:.2e}" for k, v in diff.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
