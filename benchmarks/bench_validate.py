"""Benchmark of ``crmbook validate``: :func:`crmbook.data.check` on a data folder.

Each round runs ``check(folder)`` (no ``as_of``, personal data masked: what ``crmbook validate`` does) in a
fresh Python process, so that every round pays the same cold costs and its peak memory is its own. A
round reports the wall-clock time and the CPU time of the ``check`` call itself (imports excluded), and
the peak resident memory of the process (imports included). The figures printed are the minimum over
the rounds (the machine is shared, so the minimum is the stable figure).

Beside the figures, each round prints a digest of the result (the tables kept, the rows set aside and
every problem, hashed), so that a faster loader can be shown to give the same data set: the digest
must not change between two versions of the code on the same folder.

The target of issue 15 is ``check`` < 30 s at 1,000,000 customers / 10M orders on a 2-core machine.

Usage::

    python benchmarks/bench_validate.py [FOLDER] [--repeat 3]

FOLDER defaults to the bundled sample. As a library (the suite benchmark calls it)::

    from bench_validate import bench_validate
    bench_validate("/work/data/sample100k", repeat=2)
    # {'folder': ..., 'wall_s': 3.1, 'cpu_s': 3.0, 'peak_rss_mb': 900.0, 'rows_read': {...}, 'digest': ...}
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

TARGET_WALL_S = 30.0

#: The program one round runs in a fresh interpreter: time ``check`` and describe its result.
_ROUND = r"""
import hashlib, json, resource, sys, time
from crmbook.data import check

folder = sys.argv[1]
wall, cpu = time.perf_counter(), time.process_time()
ds = check(folder)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
h = hashlib.sha256()
for name, frame in ds.tables.items():
    h.update(name.encode())
    h.update(str(list(zip(frame.columns, frame.dtypes.astype(str)))).encode())
    h.update(hashlib.sha256(frame.to_csv(index=False).encode()).digest())
h.update(ds.rejected.to_csv(index=False).encode())
for p in ds.problems:
    h.update(repr(p).encode())
h.update(ds.summary().encode())
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak_mb, "rows_read": ds.rows_read,
                  "rows_set_aside": len(ds.rejected), "problems": len(ds.problems),
                  "digest": h.hexdigest()[:16]}))
"""


def _one_round(folder: str) -> dict:
    """One ``check`` in a fresh interpreter (the same ``sys.path`` as this one)."""
    env_path = [p for p in sys.path if p]
    import os

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(env_path))
    done = subprocess.run([sys.executable, "-c", _ROUND, folder], capture_output=True, text=True, env=env,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"check({folder!r}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_validate(folder: str | Path = "sample", repeat: int = 3) -> dict:
    """Time ``crmbook.data.check(folder)``: the minimum wall time, CPU time and peak RSS over ``repeat``
    rounds, each in a fresh process.

    Returns
    -------
    dict
        ``folder``, ``rounds``, ``wall_s``, ``cpu_s``, ``peak_rss_mb`` (minimum over the rounds),
        ``rows_read`` (per table), ``rows_set_aside``, ``problems``, ``digest`` (of the result; the same
        in every round, else RuntimeError) and ``target_wall_s``.
    """
    rounds = [_one_round(str(folder)) for _ in range(max(1, repeat))]
    digests = {r["digest"] for r in rounds}
    if len(digests) != 1:
        raise RuntimeError(f"check({folder!r}) gave different results in different rounds: {sorted(digests)}")
    first = rounds[0]
    return {"folder": str(folder), "rounds": len(rounds),
            "wall_s": min(r["wall_s"] for r in rounds), "cpu_s": min(r["cpu_s"] for r in rounds),
            "peak_rss_mb": min(r["peak_rss_mb"] for r in rounds), "rows_read": first["rows_read"],
            "rows_set_aside": first["rows_set_aside"], "problems": first["problems"],
            "digest": first["digest"], "target_wall_s": TARGET_WALL_S}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="sample", help="data folder (default: the bundled sample)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each in a fresh process (default 3)")
    args = parser.parse_args(argv)
    r = bench_validate(args.folder, args.repeat)
    orders = r["rows_read"].get("orders", 0)
    customers = r["rows_read"].get("customers", 0)
    print(f"check({r['folder']}): {customers:,} customers, {orders:,} orders, "
          f"{r['rows_set_aside']:,} rows set aside, {r['problems']} problems (digest {r['digest']})")
    print(f"  wall  {r['wall_s']:8.2f} s   (min of {r['rounds']}; target < {TARGET_WALL_S:.0f} s at 1M customers "
          "/ 10M orders)")
    print(f"  CPU   {r['cpu_s']:8.2f} s")
    print(f"  peak  {r['peak_rss_mb']:8.0f} MB RSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
