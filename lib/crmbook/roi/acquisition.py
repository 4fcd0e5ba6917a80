r"""LTV:CAC and CAC payback per acquisition channel (获客渠道的终身价值与获客成本之比、回收期).

For the customers a channel won (everyone who signed up, buyers or not - the spend won them all):

.. math::
    m_1 = \text{mean gross margin of the first 12 months}, \qquad
    \mathrm{LTV} = m_1 + \frac{m_1\, r}{1 + d - r}, \qquad
    \frac{\mathrm{LTV}}{\mathrm{CAC}}, \qquad
    \text{payback (months)} = \frac{\mathrm{CAC}}{m_1 / 12}

with :math:`r` the channel's yearly retention (share of its customers active in year 1 who are active again
in year 0) and :math:`d` the discount rate. The first year's margin is measured on the cohort that signed up
12 to 24 months before the analysis date (a whole first year observed, and recent). CAC is the cost
accounting's (acquisition spend / new customers of the same channel and period).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.positions import customer_rows, order_rows
from crmbook.tables import require_columns

from .clv import DISCOUNT_RATE

__all__ = ["ltv_cac"]


def ltv_cac(facts: CustomerFacts, cac: pd.DataFrame, *, discount: float = DISCOUNT_RATE,
            channel: str = "acquisition_channel") -> pd.DataFrame:
    """Per acquisition channel: first-year margin, retention, LTV, CAC, LTV:CAC and payback months.

    Parameters
    ----------
    cac : DataFrame
        ``acquisition_channel, acquisition_spend, new_customers`` per period (the cost accounting's
        :func:`crmbook.costing.cac`); summed over the periods of the first-year cohort.

    Returns
    -------
    DataFrame
        ``acquisition_channel, cohort, first_year_margin, retention, ltv, cac, ltv_cac, payback_months``;
        ``attrs``: ``cohort_start``, ``cohort_end``, ``discount``, ``margin_basis``.
    """
    require_columns(cac, "cac", ["acquisition_channel", "acquisition_spend", "new_customers"])
    c = facts.customers
    if channel not in c.columns:
        raise ValueError(f"customers: no {channel!r} column; LTV:CAC per channel needs it")
    start_col = c["signup_date"] if "signup_date" in c.columns else pd.Series(pd.NaT, index=c.index)
    base = facts.base
    base_of = np.empty(len(c), dtype=np.intp)  # each customer's row in the base
    base_of[customer_rows(facts, base["customer_id"])] = np.arange(len(base))
    start = start_col.fillna(base["first_order"].iloc[base_of].set_axis(c.index))
    cohort_end = facts.as_of - pd.DateOffset(years=1)
    cohort_start = facts.as_of - pd.DateOffset(years=2)
    cust = pd.DataFrame({"customer_id": c["customer_id"], "channel": c[channel].fillna("unknown").astype(str),
                         "start": start})
    in_cohort = ((cust["start"] > cohort_start) & (cust["start"] <= cohort_end)).to_numpy()
    cohort = cust[in_cohort]
    o = facts.orders
    if "cost_of_goods" in o.columns:
        margin, basis = o["revenue"] - pd.to_numeric(o["cost_of_goods"], errors="coerce").fillna(0.0), "cost_of_goods"
    else:
        margin, basis = o["revenue"], "revenue"
    # each order's customer start, and its first year, by the order's customer row (not its text id)
    rows = order_rows(facts)
    started = pd.Series(start.to_numpy()[rows], index=o.index)
    year_after = pd.Series((start + pd.DateOffset(years=1)).to_numpy()[rows], index=o.index)
    first_year = ((o["order_date"] >= started) & (o["order_date"] < year_after)).to_numpy()
    m1 = margin[first_year].groupby(rows[first_year]).sum()  # per customer row, the orders in their order
    m1_of = np.zeros(len(c))
    m1_of[m1.index.to_numpy()] = m1.to_numpy()
    cohort = cohort.assign(m1=m1_of[np.flatnonzero(in_cohort)])
    yr = facts.yearly_revenue(2)
    yr_rows = customer_rows(facts, yr["customer_id"])
    yr = yr[yr_rows >= 0].assign(channel=cust["channel"].to_numpy()[yr_rows[yr_rows >= 0]])
    before = yr[yr["revenue_y1"] > 0]
    retention = (before["revenue_y0"] > 0).groupby(before["channel"]).mean()
    years = {str(y) for y in range((cohort_start + pd.Timedelta(days=1)).year, cohort_end.year + 1)}
    k = cac.copy()
    if "period" in k.columns:
        k = k[k["period"].astype(str).str[:4].isin(years)]
    spend = k.groupby(k["acquisition_channel"].astype(str))[["acquisition_spend", "new_customers"]].sum()
    g = cohort.groupby("channel")
    out = pd.DataFrame({"cohort": g.size(), "first_year_margin": g["m1"].mean()})
    out["retention"] = retention.reindex(out.index)
    r = out["retention"].clip(upper=0.999)
    out["ltv"] = out["first_year_margin"] * (1 + r / (1 + discount - r))
    out["cac"] = (spend["acquisition_spend"] / spend["new_customers"].where(spend["new_customers"] > 0)).reindex(out.index)
    out["ltv_cac"] = out["ltv"] / out["cac"].where(out["cac"] > 0)
    out["payback_months"] = out["cac"] / (out["first_year_margin"] / 12).where(out["first_year_margin"] > 0)
    out = out.rename_axis("acquisition_channel").reset_index()
    out = out.sort_values("ltv_cac", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    out.attrs.update(cohort_start=cohort_start, cohort_end=cohort_end, discount=float(discount), margin_basis=basis,
                     by_channel=bool(cac.attrs.get("by_channel", True)))
    return out
