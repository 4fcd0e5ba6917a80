r"""Cost classification (成本分类): the costs table by class, pool and period.

The course sorts customer costs two ways: **direct** costs (直接成本: sales, service, delivery and product
cost traceable to a customer) against **indirect** ones (间接成本: marketing, administration, R&D, shared by
all), and costs spent to **acquire** customers (客户获取成本) against costs spent to **keep** them
(客户维护成本). The costs table gives each pool one ``kind`` of these four; the share of each is

.. math:: \text{share}_k = \frac{\sum_{\text{pools of kind } k} \text{amount}}{\sum \text{amount}}
"""

from __future__ import annotations

import pandas as pd

from .allocation import COST_KINDS, clean_costs

__all__ = ["cost_classes", "cost_by_pool"]


def cost_classes(costs: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """The four cost classes with their amount, pools and share of the total.

    Returns
    -------
    DataFrame
        ``kind, pools`` (comma-separated), ``amount, share``; one row per class of :data:`COST_KINDS` (a
        class without pools has amount 0), in that order.
    """
    c = clean_costs(costs, as_of)
    total = float(c["amount"].sum())
    rows = []
    for kind in COST_KINDS:
        part = c[c["kind"] == kind]
        amount = float(part["amount"].sum())
        rows.append({"kind": kind, "pools": ", ".join(dict.fromkeys(part["pool"])), "amount": amount,
                     "share": amount / total if total else float("nan")})
    out = pd.DataFrame(rows)
    out.attrs.update(c.attrs, total=total)
    return out


def cost_by_pool(costs: pd.DataFrame, as_of: pd.Timestamp | None = None, *, period: str = "year") -> pd.DataFrame:
    """Amount per pool (rows, with its ``kind``) and period (columns: ``YYYY`` or ``YYYY-MM``), and a
    ``total`` column."""
    c = clean_costs(costs, as_of)
    key = c["period"].str[:4] if period == "year" else c["period"]
    wide = c.pivot_table(index=["pool", "kind"], columns=key, values="amount", aggfunc="sum", fill_value=0.0)
    wide.columns = [str(x) for x in wide.columns]
    wide["total"] = wide.sum(axis=1)
    return wide.reset_index().sort_values("total", ascending=False, kind="stable").reset_index(drop=True)
