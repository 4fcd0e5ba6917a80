"""Headline figures of the cost accounting as KPI records (for ``record_kpi(**kpi)``), labelled in the
report language. Names and values are stable whatever the language."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context

from .narrative import pnl_facts, say

__all__ = ["kpi", "pnl_kpis", "whale_kpis", "cac_kpis"]


def kpi(name: str, value: Any, unit: str, ctx: Context, **values: Any) -> dict[str, Any]:
    """One KPI record with the label ``kpi.<name>`` of the catalogue."""
    return {"name": name, "value": value, "unit": unit, "label": say(f"kpi.{name}", ctx, **values),
            "language": ctx.language}


def _slug(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_") or "unknown"


def pnl_kpis(pnl: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``unprofitable_share`` (% of customers with a profit) and ``profit_total`` (currency); none without
    a profit (no cost of goods)."""
    f = pnl_facts(pnl)
    if not f["known"]:
        return []
    return [kpi("unprofitable_share", round(100 * f["unprofitable_share"], 1), "%", ctx),
            kpi("profit_total", round(f["profit"], 2), ctx.currency or "money", ctx)]


def whale_kpis(w: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    """``whale_peak``, ``top20_profit_share`` and ``unprofitable_loss_share`` in % of total profit; none
    when the total profit is not positive."""
    if not w["positive_total"]:
        return []
    return [kpi("whale_peak", round(100 * w["peak_share"], 1), "%", ctx),
            kpi("top20_profit_share", round(100 * w["top20_share"], 1), "%", ctx),
            kpi("unprofitable_loss_share", round(100 * w["loss_share"], 1), "%", ctx)]


def cac_kpis(cac_table: pd.DataFrame, cac_total: pd.DataFrame, retention: pd.DataFrame,
             ctx: Context) -> list[dict[str, Any]]:
    """The latest period's ``cac`` (all channels), ``cac_<channel>`` per channel and
    ``retention_cost_per_customer``."""
    unit = ctx.currency or "money"
    out = []
    t = cac_total[cac_total["cac"].notna()]
    if len(t):
        last = t.iloc[-1]["period"]
        out.append(kpi("cac", round(float(t.iloc[-1]["cac"]), 2), unit, ctx, period=last))
        rows = cac_table[(cac_table["period"] == last) & cac_table["cac"].notna()]
        for ch, v in rows[["acquisition_channel", "cac"]].itertuples(index=False):
            out.append({"name": f"cac_{_slug(ch)}", "value": round(float(v), 2), "unit": unit,
                        "label": say("kpi.cac_channel", ctx, channel=ch, period=last), "language": ctx.language})
    r = retention[retention["retention_cost"].notna()]
    if len(r):
        out.append(kpi("retention_cost_per_customer", round(float(r.iloc[-1]["retention_cost"]), 2), unit, ctx,
                       period=r.iloc[-1]["period"]))
    return [k for k in out if np.isfinite(k["value"])]
