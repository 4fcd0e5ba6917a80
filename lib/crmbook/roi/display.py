"""Tables of the ROI topic as a reader sees them: codes in words, declared column kinds and labels."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.tables import format_table, map_distinct

from .narrative import PACKAGE, say

__all__ = ["readable", "table", "clv_summary"]


def readable(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """A copy of ``df`` with ``verdict``, ``status``, ``measure`` and ``method`` codes in the report language."""
    out = df.copy()
    for col in ("verdict", "status", "measure"):
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v, c=col: say(f"{c}.{v}", ctx) if pd.notna(v) else v)
    if "method" in out.columns:
        out["method"] = map_distinct(out["method"], lambda v: say(f"method.{v}", ctx))
    return out


def table(df: pd.DataFrame, ctx: Context, **options: Any):
    """``df`` shown to a reader (:func:`readable`, then :func:`crmbook.tables.format_table` with this
    topic's columns)."""
    return format_table(readable(df, ctx), ctx, package=PACKAGE, **options)


def clv_summary(clv: pd.DataFrame, methods: list[str]) -> pd.DataFrame:
    """``method, customers, mean_clv, median_clv`` per CLV column of ``clv``."""
    return pd.DataFrame([{"method": m, "customers": int(clv[m].notna().sum()), "mean_clv": float(clv[m].mean()),
                          "median_clv": float(clv[m].median())} for m in methods])
