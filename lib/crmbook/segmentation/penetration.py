r"""Penetration and market share by region (市场渗透率与市场份额).

.. math:: \text{penetration}_g = \frac{\text{customers}_g}{\text{potential customers}_g}, \qquad
          \text{market share}_g = \frac{\text{our revenue}_g}{\text{market revenue}_g}

The market size per region comes from the optional ``market`` table; our customers and revenue from the
shared customer facts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts, window_mask
from crmbook.positions import order_rows
from crmbook.tables import require_columns

__all__ = ["ALL_REGIONS", "market_penetration", "penetration_total"]

#: The ``region`` code of the total row of :func:`market_penetration` (shown in the report language).
ALL_REGIONS = "All regions"


def market_penetration(facts: CustomerFacts, market: pd.DataFrame, *, region_col: str = "region",
                       total: bool = True) -> pd.DataFrame:
    r"""Penetration, headroom and market share by region, the share decomposed.

    .. math:: \text{penetration}_g = \frac{\text{customers}_g}{\text{potential customers}_g}, \qquad
              \text{headroom}_g = \text{potential customers}_g - \text{customers}_g

    .. math:: \text{market share}_g = \frac{\text{our revenue}_g}{\text{market revenue}_g}
              = \text{penetration}_g \times \text{relative spend}_g, \qquad
              \text{relative spend}_g = \frac{\text{our revenue}_g / \text{customers}_g}
                                           {\text{market revenue}_g / \text{potential customers}_g}

    The *headroom* counts the potential customers not won yet: a rate says where we are weak, the headroom
    how many customers are still there to win. The *relative spend* compares what our customers spend with
    us to what a potential customer of the region spends in the market: below 1, our customers buy less
    from us than the market average, so share grows by winning more of their spend (share of wallet), not
    only by winning more customers.

    ``customers`` counts everyone signed up by ``as_of``; ``active_customers`` those with an order in the
    12 months ending at ``as_of`` (``active_penetration`` uses them). Our revenue is the revenue of those
    12 months, to match ``market_revenue`` (a yearly figure). Regions present on one side only are kept
    (missing figures stay empty). Without ``market_revenue`` the share columns are missing values.

    Returns
    -------
    DataFrame
        ``region, customers, active_customers, potential_customers, headroom, penetration,
        active_penetration, revenue, market_revenue, revenue_per_customer, market_revenue_per_potential,
        relative_spend, market_share`` (``penetration x relative_spend == market_share``); with
        ``total=True`` a last row :data:`ALL_REGIONS`.
    """
    c = facts.customers
    require_columns(c, "customers", [region_col])
    require_columns(market, "market", [region_col, "potential_customers"])
    region = c[region_col].astype(str).where(c[region_col].notna(), "unknown")
    g = pd.DataFrame({"customers": region.value_counts()})
    # the orders of the last 12 months by integer rows: each order's customer row, its region's code
    code, names = pd.factorize(region)
    inside = window_mask(facts.orders["order_date"], facts.as_of, 0).to_numpy()
    rows = order_rows(facts)[inside]
    at = code[rows]
    n = max(len(c), 1)
    buyers = np.unique(at.astype(np.int64) * n + rows)  # each (region, customer) once
    g["active_customers"] = pd.Series(np.bincount(buyers // n, minlength=len(names)), index=names)
    # a groupby in the orders' order, as the sum by region names was: the same sums to the last digit
    revenue = pd.Series(facts.orders["revenue"].to_numpy(dtype=float)[inside]).groupby(at).sum()
    g["revenue"] = pd.Series(revenue.to_numpy(), index=names[revenue.index])
    m = market.copy()
    m[region_col] = m[region_col].astype(str)
    m = m.set_index(region_col)
    if "market_revenue" not in m.columns:
        m["market_revenue"] = np.nan
    out = g.join(m[["potential_customers", "market_revenue"]], how="outer")
    out[["customers", "active_customers", "revenue"]] = out[["customers", "active_customers", "revenue"]].fillna(0)
    out = out.sort_index()
    if total:
        known = out["potential_customers"].notna()
        tot = pd.DataFrame({
            "customers": [out.loc[known, "customers"].sum()],
            "active_customers": [out.loc[known, "active_customers"].sum()],
            "revenue": [out.loc[known, "revenue"].sum()],
            "potential_customers": [out.loc[known, "potential_customers"].sum()],
            "market_revenue": [out.loc[known, "market_revenue"].sum(min_count=1)],
        }, index=[ALL_REGIONS])
        out = pd.concat([out, tot])
    out["potential_customers"] = out["potential_customers"].astype(float)
    pot = out["potential_customers"].where(out["potential_customers"] > 0)
    out["penetration"] = out["customers"] / pot
    out["active_penetration"] = out["active_customers"] / pot
    out["market_share"] = out["revenue"] / out["market_revenue"].where(out["market_revenue"] > 0)
    out["headroom"] = out["potential_customers"] - out["customers"]
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    out["market_revenue_per_potential"] = out["market_revenue"] / pot
    out["relative_spend"] = out["revenue_per_customer"] / out["market_revenue_per_potential"].where(
        out["market_revenue_per_potential"] > 0)
    out.index.name = "region"
    out[["customers", "active_customers"]] = out[["customers", "active_customers"]].astype(int)
    cols = ["customers", "active_customers", "potential_customers", "headroom", "penetration", "active_penetration",
            "revenue", "market_revenue", "revenue_per_customer", "market_revenue_per_potential", "relative_spend",
            "market_share"]
    return out[cols].reset_index()


def penetration_total(penetration: pd.DataFrame) -> pd.Series:
    """The :data:`ALL_REGIONS` row of a :func:`market_penetration`; a clear error when it is missing."""
    require_columns(penetration, "penetration", ["region", "penetration", "active_penetration", "market_share"])
    total = penetration[penetration["region"] == ALL_REGIONS]
    if total.empty:
        raise ValueError(f"penetration: no {ALL_REGIONS!r} row; compute it with market_penetration(..., total=True)")
    return total.iloc[0]
