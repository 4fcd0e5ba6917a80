"""Per-customer facts: crmbook's engine path vs DuckDB alone on the same file, and the pandas path for reference.

Prints, on one case company (default ``/work/data/sample100k``; any folder with customers and orders files):

(i)   ``crmbook.engine.customer_facts`` over the raw CSV files (``clean=True``: the loader's rules applied in
      the query), and over the checked tables written as Parquet (``clean=False``): first/last order,
      recency, frequency, exact monetary sum, tenure for every customer (``trusted=True`` for the checked tables);
(ii)  plain DuckDB: ``SELECT customer_id, count(*), min(order_date), max(order_date), sum(revenue) FROM
      read_csv(...) GROUP BY 1`` on the same orders file (``read_parquet`` for Parquet), and the ratio (i) / (ii)
      (target <= 1.5);
(iii) ``crmbook.data.load`` + ``CustomerFacts.base`` (DuckDB over the loaded frames), and the old pandas
      computation of ``base`` on the same frames.

Each figure is the minimum of ``repeat`` runs (wall seconds). ``facts_figures(folder)`` returns them as a dict.

    nice python benchmarks/bench_facts.py [FOLDER] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

DEFAULT = Path("/work/data/sample100k")


def _best(fn, repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _pandas_base(facts):
    """The pandas computation CustomerFacts.base used before the engine (float sums)."""
    import pandas as pd

    c, o = facts.customers, facts.orders
    g = o.groupby("customer_id")
    agg = pd.DataFrame({"first_order": g["order_date"].min(), "last_order": g["order_date"].max(),
                        "frequency": g.size(), "monetary": g["revenue"].sum()})
    out = c[["customer_id"]].merge(agg, left_on="customer_id", right_index=True, how="left")
    out["frequency"] = out["frequency"].fillna(0).astype(int)
    out["monetary"] = out["monetary"].fillna(0.0).astype(float)
    out["recency_days"] = (facts.as_of - out["last_order"]).dt.days.astype(float)
    start = c["signup_date"].fillna(out["first_order"])
    out["tenure_days"] = (facts.as_of - start).dt.days.astype(float)
    return out.sort_values("customer_id").reset_index(drop=True)


def facts_figures(folder: str | Path = DEFAULT, as_of: str = "2025-12-31", repeat: int = 3,
                  with_load: bool = True) -> dict[str, Any]:
    """The figures of this benchmark as a dict (seconds, minimum of ``repeat`` runs).

    ``raw_csv_*``: the raw CSV files, the loader's rules in the query (``crmbook facts``); ``parquet_*``: the
    checked tables as Parquet (what a run's snapshot holds), facts without the rules. Each against DuckDB
    alone on the same orders file; ``ratio_target`` applies to both.
    """
    import tempfile

    import duckdb

    from crmbook.data import load
    from crmbook.engine import DuckDBEngine, customer_facts
    from crmbook.facts import CustomerFacts

    folder = Path(folder)

    def plain(scan: str):
        sql = f"SELECT customer_id, count(*), min(order_date), max(order_date), sum(revenue) FROM {scan} GROUP BY 1"
        return lambda: duckdb.connect().execute(sql).df()

    out: dict[str, Any] = {"folder": str(folder), "ratio_target": 1.5}
    engine_s, facts = _best(lambda: customer_facts(DuckDBEngine.from_folder(folder), as_of, clean=True), repeat)
    duck_s, _ = _best(plain(f"read_csv('{folder / 'orders.csv'}')"), repeat)
    out.update(customers=len(facts), raw_csv_engine_s=engine_s, raw_csv_duckdb_s=duck_s, raw_csv_ratio=engine_s / duck_s)
    load_s, ds = _best(lambda: load(folder, as_of=as_of), 1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {t: Path(tmp) / f"{t}.parquet" for t in ("customers", "orders")}
        ds["customers"][["customer_id", "signup_date"]].to_parquet(paths["customers"], index=False)
        ds["orders"][["order_id", "customer_id", "order_date", "revenue"]].to_parquet(paths["orders"], index=False)
        engine_s, _ = _best(lambda: customer_facts(DuckDBEngine(files=paths), as_of, trusted=True), repeat)
        duck_s, _ = _best(plain(f"read_parquet('{paths['orders']}')"), repeat)
    out.update(parquet_engine_s=engine_s, parquet_duckdb_s=duck_s, parquet_ratio=engine_s / duck_s)
    if with_load:
        build_s, facts_obj = _best(lambda: CustomerFacts.from_dataset(ds), repeat)
        base_s, _ = _best(lambda: CustomerFacts.from_dataset(ds).base, repeat)
        pandas_s, _ = _best(lambda: _pandas_base(facts_obj), repeat)
        out.update({"load_s": load_s, "facts_build_s": build_s, "facts_base_duckdb_s": base_s - build_s,
                    "facts_base_pandas_s": pandas_s})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    f = facts_figures(args.folder, repeat=args.repeat)
    t = f["ratio_target"]
    print(f"case company: {f['folder']} ({f['customers']:,} customers)")
    print(f"(i)  crmbook engine facts, raw CSV, loader's rules in the query: {f['raw_csv_engine_s']:.2f} s")
    print(f"(ii) DuckDB alone, GROUP BY on the same orders CSV:             {f['raw_csv_duckdb_s']:.2f} s")
    print(f"     ratio {f['raw_csv_ratio']:.2f}x (target <= {t}x)")
    print(f"(i)  crmbook engine facts, checked tables as Parquet:           {f['parquet_engine_s']:.2f} s")
    print(f"(ii) DuckDB alone, GROUP BY on the same orders Parquet:         {f['parquet_duckdb_s']:.2f} s")
    print(f"     ratio {f['parquet_ratio']:.2f}x (target <= {t}x)")
    if "facts_build_s" in f:
        print(f"(iii) load (all tables, one run): {f['load_s']:.2f} s; CustomerFacts(...) {f['facts_build_s']:.2f} s; "
              f"then .base by DuckDB {f['facts_base_duckdb_s']:.2f} s (the former pandas .base: "
              f"{f['facts_base_pandas_s']:.2f} s)")





if __name__ == "__main__":
    main()
