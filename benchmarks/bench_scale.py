"""The scale benchmark (issue #15): every figure of the scale targets, side by side, in one run.

Prints, each next to its target:

(a) on a large case company (default: 1,000,000 customers and about 10M orders, made with ``crmbook sample``
    when the folder does not exist): ``crmbook validate`` wall time and peak memory, and the full suite
    (``crmbook run --jobs 2``, every topic) wall time, the peak resident memory summed over all its processes
    (the runner and every kernel; PSS beside it, where shared pages count once) and each topic's time;
(b) the per-customer facts through crmbook's engine path vs DuckDB alone on the same orders file, and their
    ratio (``benchmarks/bench_facts.py``);
(c) on the bundled sample: the full suite's wall time, the runner's own overhead (the time during which no
    notebook was executing: the one data check, the HTML of the last notebooks, the index), and each topic's
    own work beyond its imports (its kernel's execution time minus that of a kernel that only imports what
    the topic imports, both run one at a time).

Memory is sampled from ``/proc`` every 0.1 s over the process tree of the command (Linux). The commands run
as child processes, exactly as a scheduler runs them. Reports go to a temporary folder, never to
``reports/``. The machine is shared: figures of one run are compared with each other, not with other days.

Usage::

    python benchmarks/bench_scale.py [--large FOLDER] [--customers 1000000] [--start 2016-01-01]
                                     [--as-of 2025-12-31] [--skip-large] [--skip-sample]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGETS = {
    "suite_seconds": 180.0,        # full suite at 1M customers / 10M orders
    "suite_peak_gb": 6.0,          # peak RSS over all processes
    "validate_seconds": 30.0,
    "facts_ratio": 1.5,            # crmbook's facts path / DuckDB alone
    "overhead_share": 0.05,        # runner overhead / suite wall on the bundled sample
    "own_work_seconds": 3.0,       # every topic's own work beyond imports, bundled sample
}
PYTHON = sys.executable


# -- memory of a process tree -------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _tree(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(tree.get(p, []))
    return out


def _memory_kb(pid: int, field: str) -> int:
    name = "status" if field == "VmRSS" else "smaps_rollup"
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Peak of the summed RSS (and PSS) of a process and all its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_rss, self.peak_pss, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _tree(self.pid)
            self.peak_rss = max(self.peak_rss, sum(_memory_kb(p, "VmRSS") for p in pids))
            self.peak_pss = max(self.peak_pss, sum(_memory_kb(p, "Pss") for p in pids))
            self._stop.wait(0.1)

    def stop(self) -> tuple[float, float]:
        """Peak RSS and peak PSS in GB."""
        self._stop.set()
        self._thread.join()
        return self.peak_rss / 1024**2, self.peak_pss / 1024**2


def measured(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``cmd``; its wall seconds and the peak memory of its process tree; fail loudly if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    mem = TreeMemory(proc.pid)
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    rss, pss = mem.stop()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-4000:]}")
    return {"seconds": wall, "peak_rss_gb": rss, "peak_pss_gb": pss, "output": out}


def cli(*args: str) -> list[str]:
    return [PYTHON, "-m", "crmbook.cli", *args]


# -- the parts ------------------------------------------------------------------------------------------------

def _run_json(out: Path) -> dict:
    runs = [p for p in out.iterdir() if (p / "run.json").is_file()]
    return json.loads((max(runs, key=lambda p: p.stat().st_mtime) / "run.json").read_text())


def overhead(wall: float, notebooks: list[dict]) -> float:
    """The time of a run during which no notebook was executing: ``wall`` minus the union of the
    notebooks' execution intervals (``started_after`` .. ``started_after + execute_seconds``); the run's
    start is taken as the moment the measured call began, so the data check before it counts too."""
    spans = sorted((nb["started_after"], nb["started_after"] + nb["execute_seconds"]) for nb in notebooks)
    busy, end = 0.0, float("-inf")
    for a, b in spans:
        if b > end:
            busy += b - max(a, end)
            end = b
    return wall - busy


def suite(data: str, as_of: str | None, jobs: int, tmp: Path, name: str) -> dict:
    out = tmp / f"reports-{name}"
    args = ["run", "--data", data, "--jobs", str(jobs), "--out", str(out)]
    if as_of:
        args += ["--as-of", as_of]
    # a fresh cache: the run must check the data itself (it does not read the cache anyway)
    fig = measured(cli(*args), env={"CRMBOOK_CACHE_DIR": str(tmp / f"cache-{name}")})
    run = _run_json(out)
    fig["notebooks"] = run["notebooks"]
    fig["overhead_seconds"] = overhead(fig["seconds"], run["notebooks"])
    return fig


def own_work(tmp: Path) -> dict[str, float]:
    """Each topic's execution on the sample (one kernel at a time) minus its import-only kernel."""
    from bench_run import floor_seconds, used_modules

    from crmbook import report

    topics = report.find_topics(None)
    modules = {t.stem: used_modules(t, tmp) for t in topics}
    floors = {t.stem: floor_seconds([t], modules, 1, tmp) for t in topics}
    run = report.run_reports(data="sample", jobs=1, out=tmp / "reports-own", stream=None)
    if not run.ok:
        raise SystemExit("the sample suite failed")
    execute = {nb["topic"]: nb["execute_seconds"] for nb in _run_json(tmp / "reports-own")["notebooks"]}
    return {stem: execute[stem] - floors[stem] for stem in execute}


def facts_ratio(folder: Path, as_of: str) -> dict:
    """``benchmarks/bench_facts.py`` on the same company: crmbook's engine path vs DuckDB alone."""
    import bench_facts

    return bench_facts.facts_figures(folder, as_of, repeat=2, with_load=False)


def _line(label: str, value: float, unit: str, target: float | None, lower_is_better: bool = True) -> str:
    text = f"  {label:<52} {value:>9.2f} {unit:<3}"
    if target is not None:
        ok = value <= target if lower_is_better else value >= target
        text += f"  target <= {target:g} {unit:<3} {'OK' if ok else 'ABOVE TARGET'}"
    return text


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--large", type=Path, default=Path("/tmp/crmbook-bench-1m"),
                   help="folder of the large company (made when missing)")
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--start", default="2016-01-01", help="first day of the large company's history (more "
                   "years, more orders: 2016 gives about 10 orders a customer)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--as-of", default="2025-12-31")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--skip-large", action="store_true")
    p.add_argument("--skip-sample", action="store_true")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="crmbook-scale-") as tmp_name:
        tmp = Path(tmp_name)
        print(f"crmbook scale benchmark, {os.cpu_count()} cores")
        if not args.skip_large:
            if not (args.large / "orders.csv").is_file():
                t0 = time.perf_counter()
                gen = measured(cli("sample", "--customers", str(args.customers), "--seed", str(args.seed),
                                   "--start", args.start, "--out", str(args.large)))
                print(f"(generated {args.large} in {time.perf_counter() - t0:.1f} s, peak {gen['peak_rss_gb']:.1f} GB)")
            with open(args.large / "orders.csv", "rb") as f:
                n_orders = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1
            print(f"\n(a) large company {args.large}: {n_orders:,} order rows")
            val = measured(cli("validate", "--data", str(args.large), "--as-of", args.as_of))
            print(_line("crmbook validate: wall", val["seconds"], "s", TARGETS["validate_seconds"]))
            print(_line("crmbook validate: peak RSS", val["peak_rss_gb"], "GB", None))
            big = suite(str(args.large), args.as_of, args.jobs, tmp, "large")
            print(_line(f"full suite (crmbook run --jobs {args.jobs}): wall", big["seconds"], "s",
                        TARGETS["suite_seconds"]))
            print(_line("full suite: peak RSS, all processes", big["peak_rss_gb"], "GB", TARGETS["suite_peak_gb"]))
            print(_line("full suite: peak PSS, all processes (shared pages once)", big["peak_pss_gb"], "GB", None))
            print(_line("full suite: the runner's own time (incl. the data check)", big["overhead_seconds"], "s",
                        None))
            for nb in big["notebooks"]:
                print(_line(f"  {nb['topic']}: executing (+ HTML {nb['html_seconds']:.1f} s)",
                            nb["execute_seconds"], "s", None))
            facts = facts_ratio(args.large, args.as_of)
            print(f"\n(b) per-customer facts on the same orders file ({facts['customers']:,} customers)")
            print(_line("raw CSV: crmbook engine, the loader's rules in the query", facts["raw_csv_engine_s"], "s", None))
            print(_line("raw CSV: DuckDB alone, GROUP BY", facts["raw_csv_duckdb_s"], "s", None))
            print(_line("raw CSV: ratio", facts["raw_csv_ratio"], "x", TARGETS["facts_ratio"]))
            print(_line("checked tables (Parquet): crmbook engine", facts["parquet_engine_s"], "s", None))
            print(_line("checked tables (Parquet): DuckDB alone, GROUP BY", facts["parquet_duckdb_s"], "s", None))
            print(_line("checked tables (Parquet): ratio", facts["parquet_ratio"], "x", TARGETS["facts_ratio"]))
        if not args.skip_sample:
            small = suite("sample", None, args.jobs, tmp, "sample")
            share = small["overhead_seconds"] / small["seconds"]
            print(f"\n(c) bundled sample, crmbook run --jobs {args.jobs}: wall {small['seconds']:.2f} s, "
                  f"peak RSS {small['peak_rss_gb']:.2f} GB")
            print(_line("runner overhead (no notebook executing)", small["overhead_seconds"], "s", None))
            print(_line("runner overhead share of the wall", share * 100, "%", TARGETS["overhead_share"] * 100))
            for stem, seconds in own_work(tmp).items():
                print(_line(f"  {stem}: own work beyond imports", seconds, "s", TARGETS["own_work_seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
