"""The truth behind the tables (``truth.json``): true parameters, true uplifts, summary figures, per customer.

Nothing here is random: the truth is read off what the other modules drew. Per-customer contribution is

.. math:: \\text{contribution}_i = \\sum_{\\text{orders}} (\\text{revenue} - \\text{cost of goods})
   - \\sum_{\\text{contacts}} \\text{cost},

the operating profit of a year is its gross margin minus its cost pools. Numbers are rounded (6 digits
unless said otherwise) so the file stays small and reads the same on every machine; ``truth.json`` writes
each per-customer column on one line.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from crmbook.sample.company import (
    _CONTACT_TAIL_DAYS,
    _HIGH_MAINTENANCE,
    _MEMBER_TIERS,
    ACCOUNT_TYPES,
    ACQUISITION_GROWTH,
    BGNBD,
    CATEGORIES,
    CHANNELS,
    CONTACT_RATES,
    COST_POOLS,
    GAMMA_GAMMA,
    REGIONS,
    SATISFACTION_CHURN_EFFECT,
    SURVEY,
)
from crmbook.sample.contacts import _ContactDraws
from crmbook.sample.customers import _CustomerBase
from crmbook.sample.days import _History, _iso
from crmbook.sample.market import _potential
from crmbook.sample.orders import _Buying, _OrderLines

__all__: list[str] = []


def _r(x: float, digits: int = 6) -> float:
    return round(float(x), digits)


def _rounded(values: np.ndarray, digits: int = 6) -> list:
    out = np.round(np.asarray(values, dtype=float), digits)
    listed = out.tolist()
    if not np.isfinite(out).all():
        listed = [v if np.isfinite(v) else None for v in listed]
    return listed


def _truth(*, seed: int, history: _History, base: _CustomerBase, buying: _Buying, orders: _OrderLines,
           contacts: _ContactDraws, campaign_truth: list[dict[str, Any]], tables: dict[str, pd.DataFrame],
           cust_ids: np.ndarray, customers: pd.DataFrame | None = None) -> dict[str, Any]:
    """The truth as a JSON-serialisable dict (see :class:`crmbook.sample.SampleData`).

    ``tables`` are the clean tables; ``customers`` the customers table as written (prospects included),
    which the market's customer counts are read from (the clean one when not given).
    """
    n, d0 = base.n, history.d0
    o_cust, o_value, o_cogs = orders.cust, orders.value, orders.cogs
    contacts_raw, costs = contacts.raw, tables["costs"]
    region = (tables["customers"] if customers is None else customers)["region"]
    potential = _potential(n)
    margin = np.bincount(o_cust, weights=o_value - o_cogs, minlength=n)
    serve = np.bincount(contacts_raw["_c"].to_numpy(), weights=contacts_raw["cost"].to_numpy(), minlength=n)
    contribution = margin - serve
    years = (d0 + orders.day).astype("datetime64[Y]").astype(int) + 1970
    rev_year = {int(y): _r(o_value[years == y].sum(), 2) for y in np.unique(years)}
    gm_year = {int(y): _r((o_value - o_cogs)[years == y].sum(), 2) for y in np.unique(years)}
    cost_year = costs.groupby(costs["period"].str[:4])["amount"].sum()
    op_year = {y: _r(gm_year[y] - cost_year.get(str(y), 0.0), 2) for y in gm_year}
    return {
        "generator": {"module": "crmbook.sample", "n_customers": n, "seed": int(seed), "start": history.start,
                      "end": history.end, "time_unit": "days", "company": "Hexi Home (禾喜家居)"},
        "acquisition": {"growth_per_year": ACQUISITION_GROWTH, "channels": CHANNELS,
                        "account_types": ACCOUNT_TYPES},
        "bgnbd": {**BGNBD, "rate_unit": "per day", "mean_rate_per_day": _r(BGNBD["r"] / BGNBD["alpha"]),
                  "satisfaction_churn_effect": SATISFACTION_CHURN_EFFECT,
                  "dropout_formula": "p = expit(logit(p0) - beta_s * satisfaction) * dropout_multiplier",
                  "rate_formula": "lambda = lambda0 * channel rate_multiplier * account rate_multiplier",
                  "note": "first order on the signup day; dropout possible after each repeat order"},
        "gamma_gamma": {**GAMMA_GAMMA, "mean_order_value": _r(GAMMA_GAMMA["p"] * GAMMA_GAMMA["gamma"]
                                                             / (GAMMA_GAMMA["q"] - 1), 4),
                        "note": "retail order value; business accounts multiply by order_multiplier; "
                                "campaign-converted orders use the same distribution"},
        "categories": CATEGORIES,
        "cogs_formula": "revenue * (1 - margin) / (1 - discount) * LogNormal(0, 0.05)",
        "satisfaction": {"distribution": "Normal(channel satisfaction_mean, 1)", "survey": SURVEY},
        "contacts": {"rates_per_year": CONTACT_RATES, "high_maintenance": _HIGH_MAINTENANCE,
                     "tail_days_after_dropout": _CONTACT_TAIL_DAYS},
        "campaigns": campaign_truth,
        "cost_pools": COST_POOLS,
        "member_tiers": {t: b for b, t in _MEMBER_TIERS},
        "market": {r: {**REGIONS[r], "potential_customers": potential[r],
                       "customers": int((region == r).sum()),
                       "penetration": _r((region == r).sum() / potential[r])} for r in REGIONS},
        "summary": {
            "customers": n, "orders": int(o_cust.size), "campaign_orders": int(orders.campaign.sum()),
            "surveys": len(tables["surveys"]), "contacts": len(tables["contacts"]),
            "alive_at_end_share": _r(buying.alive_end.mean()),
            "revenue_by_year": rev_year, "gross_margin_by_year": gm_year,
            "operating_profit_by_year": op_year,
            "customers_with_negative_contribution": int((contribution < 0).sum()),
            "gross_margin_total": _r(margin.sum(), 2), "contact_cost_total": _r(serve.sum(), 2),
        },
        "customers": {
            "customer_id": list(cust_ids),
            "lambda_per_day": _rounded(buying.lam),
            "p0": _rounded(buying.p0),
            "p": _rounded(buying.p),
            "nu": _rounded(buying.nu, 8),
            "mean_order_value": _rounded(GAMMA_GAMMA["p"] / buying.nu * buying.a_size, 2),
            "satisfaction": _rounded(base.satisfaction, 4),
            "high_maintenance": contacts.high_maint.tolist(),
            "alive_at_end": buying.alive_end.tolist(),
            "dropout_date": np.where(buying.died, _iso(d0, np.maximum(buying.dropout_day, 0)), None).tolist(),
            "repeat_orders": buying.repeats.tolist(),
            "contribution": _rounded(contribution, 2),
        },
    }


def _truth_json(truth: dict[str, Any]) -> str:
    """``truth`` as indented JSON, with each per-customer column on one line (keeps the file small)."""
    head = {k: v for k, v in truth.items() if k != "customers"}
    text = json.dumps(head, ensure_ascii=False, indent=1)
    columns = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                         for k, v in truth.get("customers", {}).items())
    return text[:-2] + ',\n "customers": {\n' + columns + "\n }\n}\n"
