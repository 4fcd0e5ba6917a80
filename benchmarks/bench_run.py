"""Benchmark of ``crmbook run``: the full suite on the bundled sample against the floor.

Measures, in one invocation:

- **full**: ``crmbook run --data sample --jobs 2`` on every topic notebook in ``notebooks/`` (execution,
  HTML conversion, ``kpis.json``, index, ``latest``), through the same Python API the command uses;
- **floor**: as many kernels as there are topics, each running one cell that imports the modules that
  notebook imports when it runs (found by a probe run that lists what it added to ``sys.modules``:
  pandas, matplotlib, seaborn, scikit-learn's estimators, pyarrow, crmbook ...) and then exiting, two at
  a time, through the same kernel machinery (Papermill, Unix-socket kernels, immediate shutdown).

It prints both wall-clock times, their ratio, each notebook's execution and HTML times, and the CPU
seconds spent by this process (the runner: Papermill, nbclient, nbconvert) and by the kernels, so the part
of the gap that is the notebooks' own work (kernel CPU beyond the floor's) can be told from the runner's.
The target is ``full <= 1.5 x floor``. Each figure is the best of
``--repeat`` rounds (the machine is shared, so the minimum is the stable figure); the probe run comes
first and also warms the disk cache for both. Reports go to a temporary folder, never to ``reports/``.

Usage::

    python benchmarks/bench_run.py [--repeat 2] [--jobs 2] [--notebooks DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill

from crmbook import report
from crmbook.report.execute import kernel_manager_class

TARGET_RATIO = 1.5


_PROBE_START = "import sys as _crmbook_probe_sys\n_crmbook_probe_before = set(_crmbook_probe_sys.modules)"
_PROBE_END = ("import json as _crmbook_probe_json\n"
              "print(_crmbook_probe_json.dumps(sorted(set(_crmbook_probe_sys.modules) - _crmbook_probe_before)))")


def used_modules(topic: report.Topic, workdir: Path) -> list[str]:
    """Every module a topic notebook imports when it runs on the sample (its own imports, the libraries
    they pull in, and what crmbook or pandas import lazily along the way: scikit-learn's estimators,
    pyarrow, jinja2 for styled tables ...), found by running the notebook once in a kernel with a first
    cell that notes ``sys.modules`` and a last cell that prints what was added."""
    nb = nbformat.read(topic.path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_PROBE_START))
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE_END))
    path = workdir / f"probe_{topic.stem}.ipynb"
    nbformat.write(nb, path)
    with tempfile.TemporaryDirectory(prefix="crmbook-k") as sockets:
        km_class = kernel_manager_class(sockets)
        extra = {"kernel_manager_class": km_class} if km_class is not None else {}
        out = papermill.execute_notebook(str(path), None, parameters={"data": "sample"}, progress_bar=False,
                                         request_save_on_cell_execute=False, shutdown_kernel="immediate",
                                         cwd=str(topic.path.parent), **extra)
    text = "".join(o.get("text", "") for o in out.cells[-1].outputs if o.get("name") == "stdout")
    return [name for name in json.loads(text) if not name.startswith("__")]


def import_cell(modules: list[str]) -> str:
    """A cell that imports ``modules`` and nothing else (names that cannot be imported on their own,
    e.g. modules that packages create at run time, are skipped)."""
    return ("import importlib\n"
            f"for _name in {modules!r}:\n"
            "    try:\n"
            "        importlib.import_module(_name)\n"
            "    except Exception:\n"
            "        pass\n")


class CPU:
    """CPU seconds (user + system) used between ``__enter__`` and ``__exit__`` by this process and by its
    finished child processes (the kernels: Jupyter waits for each one it shuts down)."""

    def __enter__(self) -> CPU:
        self._start = os.times()
        return self

    def __exit__(self, *_: object) -> None:
        end = os.times()
        self.runner = (end.user + end.system) - (self._start.user + self._start.system)
        self.kernels = ((end.children_user + end.children_system)
                        - (self._start.children_user + self._start.children_system))


def floor_seconds(topics: list[report.Topic], modules: dict[str, list[str]], jobs: int, workdir: Path) -> float:
    """Wall time of one import-only kernel per topic (importing what that topic uses), ``jobs`` at a time."""
    paths = []
    for topic in topics:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(import_cell(modules[topic.stem]))])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = workdir / f"floor_{topic.stem}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)

    with tempfile.TemporaryDirectory(prefix="crmbook-k") as sockets:
        km_class = kernel_manager_class(sockets)
        extra = {"kernel_manager_class": km_class} if km_class is not None else {}

        def one(path: Path) -> None:
            papermill.execute_notebook(str(path), str(path.with_suffix(".out.ipynb")), progress_bar=False,
                                       shutdown_kernel="immediate", **extra)

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, paths))
        return time.perf_counter() - start


def full_seconds(jobs: int, workdir: Path, notebooks: Path | None) -> tuple[float, list[dict]]:
    """Wall time of the full suite on the bundled sample, and each notebook's timings from ``run.json``."""
    start = time.perf_counter()
    result = report.run_reports(data="sample", jobs=jobs, out=workdir / "reports", notebooks_dir=notebooks,
                                stream=None)
    elapsed = time.perf_counter() - start
    if not result.ok:
        raise SystemExit("the suite failed:\n" + "\n".join(f.describe() for f in result.failures))
    return elapsed, json.loads((result.folder / "run.json").read_text())["notebooks"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best of each figure is kept")
    parser.add_argument("--jobs", type=int, default=2, help="kernels at once (both figures)")
    parser.add_argument("--notebooks", type=Path, default=None, help="topic notebooks (default: notebooks/)")
    args = parser.parse_args(argv)

    topics = report.find_topics(args.notebooks)
    if not topics:
        raise SystemExit("no topic notebooks found")
    floors, fulls, timings, floor_cpu, full_cpu = [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="crmbook-bench-") as tmp:
        work = Path(tmp)
        modules = {topic.stem: used_modules(topic, work) for topic in topics}  # also warms the disk cache
        for _ in range(args.repeat):
            with CPU() as cpu:
                floors.append(floor_seconds(topics, modules, args.jobs, work))
            floor_cpu.append(cpu)
            with CPU() as cpu:
                elapsed, notebooks = full_seconds(args.jobs, work, args.notebooks)
            full_cpu.append(cpu)
            fulls.append(elapsed)
            timings.append(notebooks)
    floor, full = min(floors), min(fulls)
    best_floor, best_full = floors.index(floor), fulls.index(full)
    ratio = full / floor
    print(f"topics: {len(topics)} ({', '.join(t.stem for t in topics)}), jobs {args.jobs}, "
          f"best of {args.repeat}")
    print(f"floor (import-only kernels): {floor:6.2f} s   rounds: {', '.join(f'{x:.2f}' for x in floors)}")
    print(f"full suite (crmbook run):    {full:6.2f} s   rounds: {', '.join(f'{x:.2f}' for x in fulls)}")
    for nb in timings[best_full]:
        print(f"  {nb['topic']:<24} executing {nb['execute_seconds']:6.2f} s, HTML {nb['html_seconds']:5.2f} s")
    fc, uc = floor_cpu[best_floor], full_cpu[best_full]
    print(f"CPU seconds (best rounds): floor kernels {fc.kernels:5.2f}, runner {fc.runner:5.2f}; "
          f"full kernels {uc.kernels:5.2f}, runner {uc.runner:5.2f}")
    print(f"  the notebooks' own work (kernel CPU beyond the floor's): {uc.kernels - fc.kernels:5.2f} s; "
          f"the runner's (incl. HTML): {uc.runner:5.2f} s, of which HTML "
          f"{sum(nb['html_seconds'] for nb in timings[best_full]):.2f} s wall")
    print(f"ratio full / floor: {ratio:.2f} (target <= {TARGET_RATIO})  "
          f"{'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
