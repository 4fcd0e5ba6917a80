"""Headline figures of the customer plan as KPI records (for :func:`crmbook.kpis.record_kpis`), labelled in
the report language. Names and values are stable whatever the language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context

from .narrative import say
from .scorecard import SCORECARD

__all__ = ["kpi", "plan_kpis", "pva_kpis", "scorecard_kpis"]


def kpi(name: str, value: Any, unit: str, ctx: Context) -> dict[str, Any]:
    """One KPI record with the label ``kpi.<name>`` of the catalogue."""
    return {"name": name, "value": value, "unit": unit, "label": say(f"kpi.{name}", ctx), "language": ctx.language}


def plan_kpis(plan: pd.DataFrame, ctx: Context, *, marginal_value: float | None = None) -> list[dict[str, Any]]:
    """``plan_customers``, ``plan_cost``, ``plan_net_value``, ``plan_budget_used`` (%), ``plan_held_out`` and,
    when given, ``plan_marginal_value`` (net value per extra unit of budget)."""
    a = plan.attrs
    budget = float(a.get("budget", 0.0))
    out = [kpi("plan_customers", int(len(plan)), "customers", ctx),
           kpi("plan_cost", round(float(a.get("cost", 0.0)), 2), ctx.currency, ctx),
           kpi("plan_net_value", round(float(a.get("net_value", 0.0)), 2), ctx.currency, ctx),
           kpi("plan_held_out", int((a.get("holdout") or {}).get("held_out", 0)), "customers", ctx)]
    if budget > 0:
        out.append(kpi("plan_budget_used", round(100 * float(a.get("cost", 0.0)) / budget, 1), "%", ctx))
    if marginal_value is not None and np.isfinite(marginal_value):
        out.append(kpi("plan_marginal_value", round(float(marginal_value), 3), "", ctx))
    return out


def pva_kpis(uplift: Mapping[str, Any] | None, ctx: Context) -> list[dict[str, Any]]:
    """``pva_uplift``: the last plan's repurchase uplift in percentage points, only when it rests on a random
    comparison (a selection difference is not recorded as a figure to follow)."""
    if not uplift or not uplift.get("randomised") or uplift.get("repurchase_uplift") is None:
        return []
    return [kpi("pva_uplift", round(100 * float(uplift["repurchase_uplift"]), 1), "pp", ctx)]


def scorecard_kpis(card: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``score_<figure>`` for each scorecard figure with data, and ``score_on_target`` (count)."""
    out = []
    for row in card.itertuples():
        if np.isfinite(row.value):
            out.append(kpi(f"score_{row.figure}", round(float(row.value), 1), SCORECARD[row.figure][1], ctx))
    out.append(kpi("score_on_target", int((card["status"] == "on_target").sum()), "", ctx))
    return out
