"""Headline figures of the ROI topic as KPI records (for ``record_kpi(**kpi)``), labelled in the report
language; names and values are the same in every language."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context

from .narrative import customer_roi_facts, say

__all__ = ["kpi", "clv_kpis", "campaign_kpis", "ltv_kpis", "roi_kpis"]


def _slug(value: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_") or "unknown"


def kpi(name: str, value: Any, unit: str, ctx: Context, label_key: str | None = None, **values: Any) -> dict[str, Any]:
    """One KPI record with the label ``kpi.<label_key or name>`` of the catalogue."""
    return {"name": name, "value": value, "unit": unit, "label": say(f"kpi.{label_key or name}", ctx, **values),
            "language": ctx.language}


def clv_kpis(clv: pd.DataFrame, methods: list[str], ctx: Context) -> list[dict[str, Any]]:
    """``clv_mean_<method>`` (money, rounded to a unit) for each CLV column (``clv_course`` -> ``clv_mean_course``)."""
    return [kpi(f"clv_mean_{m.removeprefix('clv_')}", round(float(clv[m].mean()), 0), ctx.currency or "money", ctx)
            for m in methods]


def campaign_kpis(results: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """For each campaign judged against a control: ``campaign_roi_<id>`` with ``_low`` / ``_high`` (in %)
    and ``campaign_uplift_<id>`` (revenue per member)."""
    out = []
    for r in results[results["status"] == "ok"].to_dict("records"):
        key = _slug(r["campaign_id"])
        if np.isfinite(r["roi"]):
            for suffix in ("", "_low", "_high"):
                out.append(kpi(f"campaign_roi{suffix}_{key}", round(100 * float(r[f"roi{suffix}"]), 1), "%", ctx,
                               f"campaign_roi{suffix}", campaign=r["campaign_id"]))
        out.append(kpi(f"campaign_uplift_{key}", round(float(r["revenue_uplift"]), 2), ctx.currency or "money", ctx,
                       "campaign_uplift", campaign=r["campaign_id"]))
    return out


def ltv_kpis(table: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``ltv_cac_<channel>`` and ``payback_months_<channel>`` per acquisition channel."""
    out = []
    for r in table.dropna(subset=["ltv_cac"]).to_dict("records"):
        ch = r["acquisition_channel"]
        out.append(kpi(f"ltv_cac_{_slug(ch)}", round(float(r["ltv_cac"]), 2), "ratio", ctx, "ltv_cac", channel=ch))
        if np.isfinite(r["payback_months"]):
            out.append(kpi(f"payback_months_{_slug(ch)}", round(float(r["payback_months"]), 1), "months", ctx,
                           "payback_months", channel=ch))
    return out


def roi_kpis(roi: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``customer_roi`` (in %) when a customer cost is known."""
    f = customer_roi_facts(roi)
    return [kpi("customer_roi", round(100 * f["roi"], 1), "%", ctx)] if np.isfinite(f["roi"]) else []
