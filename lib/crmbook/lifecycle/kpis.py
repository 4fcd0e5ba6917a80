"""Headline figures of the lifecycle as KPI records (for ``record_kpi(**kpi)``), labelled in the report
language. Names and values are stable whatever the language; only the labels follow ``ctx.language``.

- ``active_customers`` — customers in stages new, repeat, loyal or won back at ``as_of``;
- ``retention_rate`` / ``churn_rate`` — of last year's buyers, the share who bought / did not buy this year (%);
- ``repeat_purchase_rate``, ``reactivation_rate`` — :mod:`crmbook.lifecycle.rates` (%);
- ``median_lifetime_days`` — Kaplan–Meier median lifetime (missing when not reached);
- ``at_risk_revenue`` — the average annual revenue over the last two years of the customers now at risk;
- ``won_back_customers`` — customers at risk or lapsed a year ago who are active now;
- ``stage_<stage>_customers`` — customers per stage;
- :func:`loyalty_kpis`: ``points_liability`` (money: outstanding points x value per point),
  ``points_redemption_rate`` (redeemed / earned, %), ``referred_revenue_share`` (revenue to date of referred
  customers / all revenue, %), ``referral_repeat_gap`` (first-year repeat rate, referred minus others, in
  percentage points), ``tier_retention_gap`` (12-month retention of the top tier minus the lowest, by the
  tier held at the start, in points) and ``pain_points_found`` (touchpoints named pain points); each only
  when its data exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.tables import require_columns

from .flow import ACTIVE_STAGES
from .narrative import say, stage_label

__all__ = ["kpi", "at_risk_revenue", "lifecycle_kpis", "loyalty_kpis", "stage_kpis", "headline_kpis"]


def kpi(name: str, value: Any, unit: str, ctx: Context, **values: Any) -> dict[str, Any]:
    """One KPI record with the label ``kpi.<name>`` of the catalogue."""
    return {"name": name, "value": value, "unit": unit, "label": say(f"kpi.{name}", ctx, **values),
            "language": ctx.language}


def at_risk_revenue(facts: CustomerFacts, stages: pd.DataFrame) -> float:
    """Average annual revenue over the two years ending at ``as_of`` of the customers now ``at_risk``."""
    require_columns(stages, "stages", ["customer_id", "stage"])
    ids = stages.loc[stages["stage"] == "at_risk", "customer_id"]
    yr = facts.yearly_revenue(2).set_index("customer_id")
    part = yr.reindex(ids).fillna(0.0)
    return float((part["revenue_y0"] + part["revenue_y1"]).sum() / 2)


def _pct(x: float) -> float | None:
    return round(100 * float(x), 1) if x is not None and math.isfinite(float(x)) else None


def lifecycle_kpis(stages: pd.DataFrame, rates: Mapping[str, Any], ctx: Context, *, median_lifetime: float | None = None,
                   revenue_at_risk: float | None = None, won_back: int | None = None) -> list[dict[str, Any]]:
    """The lifecycle's KPI records (the headline ones first)."""
    active = int(stages["stage"].isin(list(ACTIVE_STAGES)).sum())
    out = [kpi("active_customers", active, "customers", ctx),
           kpi("retention_rate", _pct(rates["retention"]), "%", ctx),
           kpi("churn_rate", _pct(rates["churn"]), "%", ctx),
           kpi("repeat_purchase_rate", _pct(rates["repeat_rate"]), "%", ctx),
           kpi("reactivation_rate", _pct(rates["reactivation"]), "%", ctx)]
    if median_lifetime is not None:
        out.append(kpi("median_lifetime_days", int(median_lifetime) if math.isfinite(median_lifetime) else None,
                       "days", ctx))
    if revenue_at_risk is not None:
        out.append(kpi("at_risk_revenue", round(float(revenue_at_risk), 2), ctx.currency, ctx))
    if won_back is not None:
        out.append(kpi("won_back_customers", int(won_back), "customers", ctx))
    return out


def loyalty_kpis(lf: Mapping[str, Any], jf: Mapping[str, Any] | None, ctx: Context) -> list[dict[str, Any]]:
    """KPI records of the loyalty programme (``lf``, :func:`crmbook.lifecycle.loyalty_facts`) and the customer
    journey (``jf``, :func:`crmbook.lifecycle.journey_facts`); a figure whose data is missing is left out."""
    out: list[dict[str, Any]] = []
    pts = lf.get("points")
    if pts is not None and pts["earned"]:
        out.append(kpi("points_liability", round(float(pts["liability"]), 2), ctx.currency, ctx))
        out.append(kpi("points_redemption_rate", _pct(pts["redemption_rate"]), "%", ctx))
    share = (lf.get("yield") or {}).get("referred_revenue_share")
    if share is not None and _pct(share) is not None:
        out.append(kpi("referred_revenue_share", _pct(share), "%", ctx))
    ref = lf.get("referrals")
    if ref is not None and not ref.empty:
        out.append(kpi("referral_repeat_gap", _pct(ref.iloc[2]["repeat_rate"]), "points", ctx))
    ret = lf.get("retention")
    if ret is not None and len(ret) >= 2:
        out.append(kpi("tier_retention_gap", _pct(ret.iloc[-1]["retention"] - ret.iloc[0]["retention"]), "points",
                       ctx))
    if jf is not None and jf.get("pain") is not None:
        out.append(kpi("pain_points_found", int(len(jf["pain_points"])), "touchpoints", ctx))
    return out


def stage_kpis(summary: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``stage_<stage>_customers`` records from :func:`crmbook.lifecycle.stage_summary`."""
    require_columns(summary, "summary", ["stage", "customers"])
    return [{"name": f"stage_{s}_customers", "value": int(n), "unit": "customers",
             "label": say("kpi.stage_customers", ctx, stage=stage_label(s, ctx)), "language": ctx.language}
            for s, n in summary[["stage", "customers"]].itertuples(index=False)]


def headline_kpis(records: list[dict[str, Any]], *, headline: bool = True) -> list[dict[str, Any]]:
    """The records among ``records`` that are (``headline=True``) or are not the topic's headline figures
    (:data:`crmbook.topics.TOPICS`, topic ``lifecycle``): the first are shown as cards, the rest only recorded."""
    from crmbook.topics import get

    names = set(get("lifecycle").headline)
    return [r for r in records if (r["name"] in names) == headline]
