"""Seconds of each topic's own work (beyond its imports and beyond loading the data) on a data folder.

    python benchmarks/bench_topics.py /work/data/sample100k [--as-of 2025-12-31] [--topics 01,02]
                                      [--repeat 1] [--profile DIR] [--share-load]

Every topic notebook in ``notebooks/`` is replayed in this process, as its kernel would run it: the
parameters cell, then the parameters Papermill would inject (``data``, ``as_of``), then every code cell in
order, through an IPython shell whose display formatter computes every representation a kernel sends
(HTML of the styled tables, text, Markdown) and with the inline Matplotlib backend, which renders each
figure to PNG at the end of its cell. ``CRMBOOK_OUTPUT_DIR`` points at a temporary folder, as in
``crmbook run``, so the full lists a report writes beside itself (``save_full_list``) are written too.

What is *not* counted: the imports (every module the notebooks import is imported before the clock
starts) and the loading of the data: the time spent inside ``crmbook.data.load``, ``crmbook.data.check``
and ``CustomerFacts.from_dataset`` (the loader's and the facts' own helpers) is subtracted from the
cell that calls them. Later calls of the facts' lazily computed values (``facts.base`` ...) are counted
in the topic that first asks for them, as in a kernel.

The budget is 20 s per topic at 100,000 customers (issue 15). :func:`bench_topics` returns the figures as
a dict (topic stem -> seconds, the minimum over ``repeat`` rounds); ``--profile DIR`` also writes one
cProfile file per topic (``DIR/<stem>.prof``, the last round's).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
BUDGET_S = 20.0


def _shell():
    """One IPython shell (created once) with a kernel's display machinery: all formats, inline figures."""
    from IPython.core.interactiveshell import InteractiveShell

    class KernelLikeShell(InteractiveShell):
        def enable_gui(self, gui=None):  # the inline backend needs no event loop
            pass

    if InteractiveShell.initialized():
        return InteractiveShell.instance()
    shell = KernelLikeShell.instance()
    shell.display_formatter.active_types = list(shell.display_formatter.formatters)
    shell.enable_matplotlib("inline")
    return shell


class _LoadClock:
    """Adds up the seconds spent inside the loading entry points (patched for the replay's duration)."""

    def __init__(self, shared: dict | None = None) -> None:
        self.shared = shared  # loaded datasets kept across notebooks (key: the call's arguments), or None
        self.seconds = 0.0
        self.cpu = 0.0
        self._depth = 0

    def wrap(self, fn, *, share: bool = False):
        def timed(*args, **kwargs):
            key = (fn.__name__, args, tuple(sorted(kwargs.items())))
            if share and self.shared is not None and key in self.shared:
                return self.shared[key]
            self._depth += 1
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                out = fn(*args, **kwargs)
                if share and self.shared is not None:
                    self.shared[key] = out
                return out
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.seconds += time.perf_counter() - start
                    self.cpu += time.process_time() - start_cpu
        return timed

    @contextlib.contextmanager
    def patched(self):
        import crmbook.data as data
        from crmbook.facts import CustomerFacts

        saved = data.load, data.check, CustomerFacts.__dict__["from_dataset"]
        data.load, data.check = self.wrap(data.load, share=True), self.wrap(data.check, share=True)
        raw = saved[2].__func__
        CustomerFacts.from_dataset = classmethod(lambda cls, *a, **k: self.wrap(raw)(cls, *a, **k))
        try:
            yield
        finally:
            data.load, data.check, CustomerFacts.from_dataset = saved


def _cells(path: Path, data: str, as_of: str) -> list[tuple[str, str]]:
    """(label, source) of each code cell, the label being the cell's index in the notebook."""
    nb = nbformat.read(path, as_version=4)
    sources = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        sources.append((str(i), cell.source))
        if "parameters" in cell.metadata.get("tags", []):
            sources.append(("injected", f"data = {data!r}\nas_of = {as_of!r}\n"))  # what Papermill injects
    return sources


def _import_everything(paths: list[Path]) -> None:
    """Import what the notebooks import (their import lines), so that imports stay off the clock."""
    import importlib

    for path in paths:
        for _, source in _cells(path, "", ""):
            for line in source.splitlines():
                words = line.split()
                if len(words) >= 2 and words[0] in ("import", "from"):
                    with contextlib.suppress(Exception):
                        importlib.import_module(words[1].rstrip(","))
    # modules the libraries import lazily on first use (styled tables, scikit-learn's estimators)
    for name in ("jinja2", "pandas.io.formats.style", "sklearn.cluster", "sklearn.metrics", "scipy.optimize",
                 "scipy.special", "scipy.stats", "matplotlib_inline.backend_inline"):
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def replay(path: Path, data: str, as_of: str, *, profile: Path | None = None,
           shared: dict | None = None) -> dict[str, float]:
    """Run one notebook's code cells in this process; return its seconds: ``own`` (total minus loading),
    ``loading`` and ``cells`` (per cell index, own seconds)."""
    import matplotlib.pyplot as plt

    shell = _shell()
    shell.reset(new_session=False)
    clock = _LoadClock(shared)
    per_cell: dict[str, float] = {}
    cpu = 0.0
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU: the machine is shared
    sink = io.StringIO()
    with clock.patched(), tempfile.TemporaryDirectory(prefix="crmbook-bench-") as out, \
            contextlib.redirect_stdout(sink):
        os.environ["CRMBOOK_OUTPUT_DIR"] = str(Path(out) / path.stem)
        os.chdir(out)
        try:
            for i, source in _cells(path, data, as_of):
                before, before_cpu = clock.seconds, clock.cpu
                start, start_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                result = shell.run_cell(source, store_history=False, silent=False)
                if profiler:
                    profiler.disable()
                per_cell[i] = time.perf_counter() - start - (clock.seconds - before)
                cpu += time.process_time() - start_cpu - (clock.cpu - before_cpu)
                if not result.success:
                    err = result.error_in_exec or result.error_before_exec
                    raise RuntimeError(f"{path.name}: code cell {i} failed: {err!r}") from err
        finally:
            os.environ.pop("CRMBOOK_OUTPUT_DIR", None)
            os.chdir(NOTEBOOKS.parent)
            plt.close("all")
    if profiler and profile:
        profile.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(profile / f"{path.stem}.prof"))
    return {"own": sum(per_cell.values()), "cpu": cpu, "loading": clock.seconds, "cells": per_cell}


def bench_topics(data: str, as_of: str = "2025-12-31", *, topics: list[str] | None = None, repeat: int = 1,
                 profile: str | os.PathLike | None = None, share_load: bool = False,
                 verbose: bool = False) -> dict[str, float]:
    """Seconds of each topic notebook's own work on ``data`` (minimum over ``repeat`` replays).

    Parameters
    ----------
    data : str
        Data folder (or anything the notebooks' ``data`` parameter accepts).
    as_of : str
        Analysis date passed to the notebooks.
    topics : list of str, optional
        Notebook stems or their two-digit prefixes (``["01", "02_lifecycle"]``); default all.
    repeat : int
        Replays per notebook; the minimum is kept.
    profile : path, optional
        Folder for one cProfile file per notebook.
    share_load : bool
        Load the data once for all notebooks (the loaded dataset is reused; each notebook still builds its
        own ``CustomerFacts``, so every lazily computed fact is counted where it is first used). Saves the
        minutes of loading a million customers seven times; loading is not counted either way.
    verbose : bool
        Print each notebook's figure and its five slowest cells as it goes.

    Returns
    -------
    dict
        Notebook stem -> seconds of own work.
    """
    paths = sorted(NOTEBOOKS.glob("0*.ipynb"))
    if topics:
        paths = [p for p in paths if any(p.stem == t or p.stem.startswith(t + "_") for t in topics)]
    _import_everything(paths)
    figures: dict[str, float] = {}
    shared: dict | None = {} if share_load else None
    for path in paths:
        best = None
        for _ in range(max(1, repeat)):
            run = replay(path, str(data), as_of, profile=Path(profile) if profile else None, shared=shared)
            if best is None or run["own"] < best["own"]:
                best = run
        figures[path.stem] = best["own"]
        if verbose:
            slow = sorted(best["cells"].items(), key=lambda kv: -kv[1])[:5]
            print(f"{path.stem:22s} {best['own']:7.2f} s own work, {best['cpu']:.2f} CPU s (loading "
                  f"{best['loading']:.1f} s, not counted); "
                  f"slowest cells: " + ", ".join(f"[{i}] {s:.2f}" for i, s in slow), flush=True)
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data")
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--topics", default="", help="comma-separated stems or prefixes (01,02_lifecycle)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", default=None, help="folder for cProfile files")
    parser.add_argument("--share-load", action="store_true", help="load the data once for all notebooks")
    args = parser.parse_args(argv)
    topics = [t for t in args.topics.split(",") if t] or None
    figures = bench_topics(args.data, args.as_of, topics=topics, repeat=args.repeat, profile=args.profile,
                           share_load=args.share_load, verbose=True)
    print()
    for stem, seconds in figures.items():
        print(f"{stem:22s} {seconds:7.2f} s   (budget {BUDGET_S:.0f} s at 100,000 customers)")
    print(f"{'all topics':22s} {sum(figures.values()):7.2f} s")
    return figures


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
