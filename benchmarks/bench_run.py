"""Benchmark of ``crmbook run``: the full suite on the bundled sample against the floor.

Measures, in one invocation:

- **full**: ``crmbook run --data sample --jobs 2`` on every topic notebook in ``notebooks/`` (execution,
  HTML conversion, ``kpis.json``, index, ``latest``), through the same Python API the command uses;
- **floor**: as many kernels as there are topics, each running one cell with only that notebook's
  import statements (plus the stack libraries - pandas, matplotlib, scikit-learn ... - that the crmbook
  modules it imports reach, since crmbook imports some inside functions) and then exiting, two at a
  time, through the same kernel machinery (Papermill, Unix-socket kernels, immediate shutdown).

It prints both wall-clock times, their ratio, and each notebook's execution and HTML times; the target is ``full <= 1.5 x floor``. Each figure is the
best of ``--repeat`` rounds (the machine is shared, so the minimum is the stable figure). Reports go to a
temporary folder, never to ``reports/``.

Usage::

    python benchmarks/bench_run.py [--repeat 2] [--jobs 2] [--notebooks DIR]
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill

from crmbook import report

TARGET_RATIO = 1.5


#: Libraries of the stack a floor kernel imports when the notebook reaches them through crmbook modules
#: (crmbook imports matplotlib and scikit-learn inside functions, so a notebook's own import lines do
#: not show them).
STACK = {"numpy": "numpy", "pandas": "pandas", "scipy": "scipy", "matplotlib": "matplotlib.pyplot",
         "seaborn": "seaborn", "sklearn": "sklearn"}  # not the readers of other formats (openpyxl, sqlalchemy)
LIB = Path(report.__file__).parent


def _modules_of(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            if node.module == "crmbook":
                names.update(f"crmbook.{alias.name}" for alias in node.names)
    return names


def stack_libraries(modules: set[str]) -> list[str]:
    """The stack libraries imported, anywhere in their source, by the crmbook modules named (recursively)."""
    seen: set[str] = set()
    todo = [m for m in modules if m.startswith("crmbook.")]
    found: set[str] = {m.split(".")[0] for m in modules} & set(STACK)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = LIB / (module.removeprefix("crmbook.").replace(".", "/") + ".py")
        if not path.exists():
            continue
        for name in _modules_of(ast.parse(path.read_text(encoding="utf-8"))):
            if name.startswith("crmbook."):
                todo.append(name)
            elif name.split(".")[0] in STACK:
                found.add(name.split(".")[0])
    return [STACK[name] for name in sorted(found)]


def import_lines(path: Path) -> list[str]:
    """The top-level ``import`` / ``from ... import`` statements of a notebook's code cells, in order."""
    lines: list[str] = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                text = ast.unparse(node)
                if text not in lines:
                    lines.append(text)
    libraries = stack_libraries(_modules_of(ast.parse("\n".join(lines))))
    return lines + [f"import {name}" for name in libraries if f"import {name}" not in lines]


def floor_seconds(topics: list[report.Topic], jobs: int, workdir: Path) -> float:
    """Wall time of one import-only kernel per topic, ``jobs`` at a time."""
    paths = []
    for topic in topics:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("\n".join(import_lines(topic.path)))])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = workdir / f"floor_{topic.stem}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)

    with tempfile.TemporaryDirectory(prefix="crmbook-k") as sockets:
        km_class = report._kernel_manager_class(sockets)
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
    floors, fulls, timings = [], [], []
    with tempfile.TemporaryDirectory(prefix="crmbook-bench-") as tmp:
        work = Path(tmp)
        for _ in range(args.repeat):
            floors.append(floor_seconds(topics, args.jobs, work))
            elapsed, notebooks = full_seconds(args.jobs, work, args.notebooks)
            fulls.append(elapsed)
            timings.append(notebooks)
    floor, full = min(floors), min(fulls)
    ratio = full / floor
    print(f"topics: {len(topics)} ({', '.join(t.stem for t in topics)}), jobs {args.jobs}, "
          f"best of {args.repeat}")
    print(f"floor (import-only kernels): {floor:6.2f} s   rounds: {', '.join(f'{x:.2f}' for x in floors)}")
    print(f"full suite (crmbook run):    {full:6.2f} s   rounds: {', '.join(f'{x:.2f}' for x in fulls)}")
    for nb in timings[fulls.index(full)]:
        print(f"  {nb['topic']:<24} executing {nb['execute_seconds']:6.2f} s, HTML {nb['html_seconds']:5.2f} s")
    print(f"ratio full / floor: {ratio:.2f} (target <= {TARGET_RATIO})  "
          f"{'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
