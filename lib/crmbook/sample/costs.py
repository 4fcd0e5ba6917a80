r"""Costs: monthly cost pools built from the activity, plus fixed parts that grow with the company.

For month *m*, with :math:`K_m` the thousands of customers signed up so far (:data:`COST_POOLS`):

- marketing = 2000 :math:`K_m` + 120 per new customer + the costs of the campaigns starting in *m*,
- sales = 4000 :math:`K_m` + the costs of the sales visits,
- service = 2000 :math:`K_m` + the costs of the service calls, chats and complaints,
- logistics = 18 per order + 2 % of revenue,
- admin = 6000 :math:`K_m` + 3 % of revenue,

each times an independent :math:`\mathrm{LogNormal}(0, 0.03)` noise per pool and month.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.sample.company import COST_POOLS
from crmbook.sample.contacts import _ContactDraws
from crmbook.sample.days import _History

__all__: list[str] = []


def _draw_costs(rng: np.random.Generator, history: _History, signup: np.ndarray, o_day: np.ndarray,
                o_value: np.ndarray, contacts: _ContactDraws,
                campaign_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The costs table: one row per month and pool, by month then pool."""
    d0 = history.d0
    first_month = np.datetime64(history.start, "M")
    months = np.arange(first_month, np.datetime64(history.end, "M") + 1).astype(str)
    mi = {mth: i for i, mth in enumerate(months)}

    def per_month(days: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        codes = ((d0 + np.asarray(days, dtype="int64")).astype("datetime64[M]") - first_month).astype("int64")
        return np.bincount(codes, weights=weights, minlength=len(months))

    size_k = np.cumsum(per_month(signup)) / 1000.0  # the fixed parts grow with the customers so far
    new_cust = per_month(signup)
    n_orders_m = per_month(o_day)
    rev_m = per_month(o_day, o_value)
    visits = contacts.of_type("visit")
    visit_m = per_month(contacts.day[visits], contacts.cost[visits])
    service_types = contacts.of_type("service_call", "chat", "complaint")
    service_m = per_month(contacts.day[service_types], contacts.cost[service_types])
    camp_m = np.zeros(len(months))
    for row in campaign_rows:
        camp_m[mi[row["start_date"][:7]]] += row["cost"]
    cp = COST_POOLS
    pools = {
        "marketing": cp["marketing"]["fixed_per_1000"] * size_k + cp["marketing"]["per_new_customer"] * new_cust
        + camp_m,
        "sales": cp["sales"]["fixed_per_1000"] * size_k + visit_m,
        "service": cp["service"]["fixed_per_1000"] * size_k + service_m,
        "logistics": cp["logistics"]["per_order"] * n_orders_m + cp["logistics"]["revenue_share"] * rev_m,
        "admin": cp["admin"]["fixed_per_1000"] * size_k + cp["admin"]["revenue_share"] * rev_m,
    }
    noise = rng.lognormal(0.0, 0.03, (len(pools), len(months)))
    cost_rows = []
    for j, (pool, amount) in enumerate(pools.items()):
        for i, mth in enumerate(months):
            cost_rows.append({"period": mth, "pool": pool, "amount": round(float(amount[i] * noise[j, i]), 2),
                              "kind": cp[pool]["kind"], "driver": cp[pool]["driver"]})
    return pd.DataFrame(cost_rows).sort_values(["period", "pool"], kind="stable").reset_index(drop=True)
