"""Headline figures of the segmentation as KPI records (for ``record_kpi(**kpi)``), labelled in the report
language.

Names and values are stable whatever the language (``kpis.json`` compares runs by name); only the labels
follow ``ctx.language``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.tables import require_columns

from .abc import top_share_revenue
from .contacts import _slug
from .narrative import group_label, say
from .penetration import penetration_total

__all__ = ["kpi", "segment_kpis", "pareto_kpis", "target_kpis", "penetration_kpis"]


def kpi(name: str, value: Any, unit: str, ctx: Context, **values: Any) -> dict[str, Any]:
    """One KPI record: ``name``, ``value``, ``unit``, the label ``kpi.<name>`` of the catalogue and the
    language its card is shown in (:func:`crmbook.kpis.record_kpi`)."""
    return {"name": name, "value": value, "unit": unit, "label": say(f"kpi.{name}", ctx, **values),
            "language": ctx.language}


def segment_kpis(summary: pd.DataFrame, ctx: Context, *, prefix: str = "rfm") -> list[dict[str, Any]]:
    """KPI records: customers and customer share per segment.

    For each row of a :func:`crmbook.segmentation.segment_summary` two records:
    ``<prefix>_<segment>_customers`` (unit ``customers``) and ``<prefix>_<segment>_share`` (unit ``%``,
    0-100, one decimal).
    """
    require_columns(summary, "summary", ["segment", "customers", "customer_share"])
    kpis = []
    for seg, n, share in summary[["segment", "customers", "customer_share"]].itertuples(index=False):
        key = f"{_slug(prefix)}_{_slug(seg)}"
        names = dict(method=prefix.upper(), segment=group_label(seg, ctx))
        kpis.append({"name": f"{key}_customers", "value": int(n), "unit": "customers",
                     "label": say("kpi.segment_customers", ctx, **names), "language": ctx.language})
        kpis.append({"name": f"{key}_share", "value": round(float(share) * 100, 1), "unit": "%",
                     "label": say("kpi.segment_share", ctx, **names), "language": ctx.language})
    return kpis


def pareto_kpis(annual: pd.Series, ctx: Context) -> list[dict[str, Any]]:
    """One record, ``top20_revenue_share``: the share of annual revenue of the top 20% of buying customers
    in %, whatever the ABC parameters, so runs compare (the parameter's own share is in the ABC text)."""
    return [kpi("top20_revenue_share", round(100 * top_share_revenue(annual, 0.2), 1), "%", ctx)]


def target_kpis(summary: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """KPI records ``target_<quadrant>_share``: each quadrant's share of buying customers in % (0-100, one
    decimal), from :func:`crmbook.segmentation.target_summary`."""
    require_columns(summary, "summary", ["segment", "customer_share"])
    return [{"name": f"target_{_slug(q)}_share", "value": round(100 * float(s), 1), "unit": "%",
             "label": say("kpi.target_share", ctx, quadrant=group_label(q, ctx)), "language": ctx.language}
            for q, s in summary[["segment", "customer_share"]].itertuples(index=False)]


def penetration_kpis(penetration: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """KPI records ``penetration`` and, when the market revenue is known, ``market_share`` of all regions,
    in % (0-100, two decimals), from :func:`crmbook.segmentation.market_penetration`."""
    total = penetration_total(penetration)
    kpis = [kpi("penetration", round(100 * float(total["penetration"]), 2), "%", ctx)]
    if pd.notna(total["market_share"]):
        kpis.append(kpi("market_share", round(100 * float(total["market_share"]), 2), "%", ctx))
    return kpis
