"""Tables of the cost accounting as a reader sees them: codes in words, human headers, values by kind."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.tables import format_table, map_distinct

from .good_bad import GOOD_BAD_PLAYBOOK
from .narrative import PACKAGE, kind_label, measure_label, say, status_label

__all__ = ["readable", "table", "reconciliation_summary", "rates_table"]


def readable(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """A copy of ``df`` with its code columns in words: ``kind``, ``status``, ``measure``,
    ``action_group`` (the playbook's labels) and ``group`` values ``profitable`` / ``unprofitable``."""
    out = df.copy()
    if "kind" in out.columns:
        out["kind"] = map_distinct(out["kind"], lambda v: kind_label(v, ctx))
    if "status" in out.columns:
        out["status"] = map_distinct(out["status"], lambda v: status_label(v, ctx))
    if "measure" in out.columns:
        out["measure"] = map_distinct(out["measure"], lambda v: measure_label(v, ctx))
    if "action_group" in out.columns:
        out["action_group"] = map_distinct(out["action_group"], lambda v: GOOD_BAD_PLAYBOOK.label(v, ctx))
    for col in ("channel", "acquisition_channel", "account_type"):
        if col in out.columns:
            out[col] = out[col].replace({"other": say("words.other", ctx), "unknown": say("words.unknown", ctx)})
    return out


def table(df: pd.DataFrame, ctx: Context, **options: Any):
    """``df`` shown to a reader: :func:`readable`, then :func:`crmbook.tables.format_table` with this
    topic's column kinds and labels."""
    return format_table(readable(df, ctx), ctx, package=PACKAGE, **options)


def reconciliation_summary(recon: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation per pool: ``pool, kind, driver, amount, allocated, unallocated, lines`` and
    ``unallocated_lines`` (months not allocated), plus a ``total`` row; allocated + unallocated = amount."""
    g = recon.groupby("pool", sort=False)
    out = pd.DataFrame({
        "kind": g["kind"].first(), "driver": g["driver"].first().fillna("-"),
        "amount": g["amount"].sum(), "allocated": g["allocated"].sum(), "unallocated": g["unallocated"].sum(),
        "lines": g.size(), "unallocated_lines": g["status"].apply(lambda s: int((s != "allocated").sum())),
    }).reset_index()
    out = out.sort_values("amount", ascending=False, kind="stable")
    total = {"pool": "total", "kind": "", "driver": "", **{c: out[c].sum() for c in
             ("amount", "allocated", "unallocated", "lines", "unallocated_lines")}}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    for c in ("amount", "allocated", "unallocated"):
        out[c] = out[c].round(2)
    return out


def rates_table(recon: pd.DataFrame, *, period: str = "year") -> pd.DataFrame:
    """Cost per driver unit (time-driven rate) per pool and year: ``pool, driver, period, amount, units,
    rate`` (allocated lines only)."""
    r = recon[recon["status"] == "allocated"].copy()
    r["period"] = r["period"].str[:4] if period == "year" else r["period"]
    g = r.groupby(["pool", "driver", "period"], sort=True).agg(amount=("amount", "sum"), units=("units", "sum"))
    g["rate"] = g["amount"] / g["units"]
    return g.reset_index()
