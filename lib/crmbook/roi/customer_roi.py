r"""Customer ROI (客户投资回报率), the course's formula, per customer and per segment.

.. math::
    \mathrm{ROI}_i = \frac{\text{customer profit}_i - \text{customer cost}_i}{\text{customer cost}_i}

where the *customer profit* is the gross margin the customer brings (revenue minus cost of goods) and the
*customer cost* is what the company spends to win and serve them (acquisition, service, sales visits,
allocated overheads). The costs come from the customer P&L of the cost-accounting topic when it is given
(``basis = "pnl"``); otherwise from the cost of the customer's contacts alone (``basis = "contacts"``: cost
to serve, no acquisition or overheads - ROI is overstated); with neither, only the gross margin is known and
no ROI is computed (``basis = "gross_margin"``).

A segment's ROI is the ratio of its sums, :math:`(\sum m_i - \sum c_i) / \sum c_i`, not the mean of its
customers' ratios (one customer with a tiny cost would dominate the mean).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.positions import customer_rows, order_rows
from crmbook.tables import require_columns

__all__ = ["customer_roi", "segment_roi"]


def customer_roi(facts: CustomerFacts, *, pnl: pd.DataFrame | None = None,
                 contacts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per buying customer: revenue, gross margin, customer cost and ROI.

    Parameters
    ----------
    pnl : DataFrame, optional
        The cost-accounting customer P&L (indexed by ``customer_id``; ``revenue, gross_margin,
        cost_of_goods, total_cost``): customer cost = ``total_cost - cost_of_goods``.
    contacts : DataFrame, optional
        Used when no ``pnl`` is given: customer cost = the sum of ``contacts.cost`` of the customer.

    Returns
    -------
    DataFrame
        ``customer_id, revenue, gross_margin, customer_cost, roi`` for customers with an order (``roi``
        missing where the cost is 0 or unknown); ``attrs``: ``basis`` (``pnl``, ``contacts`` or
        ``gross_margin``), ``no_cost`` (buying customers with a zero or unknown cost, ROI not computed),
        ``margin_basis`` (``cost_of_goods`` or ``revenue`` when orders have no cost of goods),
        ``non_buyers`` and ``non_buyer_cost`` (customers of the P&L without an order, left out here, and
        the customer cost they carry, e.g. their acquisition cost).
    """
    o = facts.orders
    non_buyers, non_buyer_cost = 0, 0.0
    base = facts.base
    buying = (base["frequency"] > 0).to_numpy()
    out = pd.DataFrame(index=pd.Index(base.loc[buying, "customer_id"], name="customer_id"))
    # sums per customer row (integers; the rows of each customer in the orders' order, so the same sums as
    # a groupby by text id), then taken at each buyer's row
    base_rows = customer_rows(facts, base["customer_id"])
    at = base_rows[buying]
    rows = order_rows(facts)
    out["revenue"] = _per_row(o["revenue"], rows, len(facts.customers))[at]
    if "cost_of_goods" in o.columns:
        cogs = pd.to_numeric(o["cost_of_goods"], errors="coerce").fillna(0.0)
        out["gross_margin"] = out["revenue"] - _per_row(cogs, rows, len(facts.customers))[at]
        margin_basis = "cost_of_goods"
    else:
        out["gross_margin"], margin_basis = out["revenue"], "revenue"
    if pnl is not None:
        require_columns(pnl.reset_index() if "customer_id" not in pnl.columns else pnl, "customer P&L",
                        ["customer_id", "gross_margin", "cost_of_goods", "total_cost"])
        p = pnl.set_index("customer_id") if "customer_id" in pnl.columns else pnl
        p.index = p.index.astype(str)
        basis = "pnl" if pnl.attrs.get("basis", "costs") == "costs" else "gross_margin"
        cost = p["total_cost"] - p["cost_of_goods"]
        if p.index.equals(facts.customer_index):  # the P&L of these facts: its rows are the customers'
            out["gross_margin"] = p["gross_margin"].to_numpy()[at]
            out["customer_cost"] = cost.to_numpy()[at]
            # signed up, no order (in id order, as the base is): their cost is said, not hidden
            others = base_rows[~buying]
            non_buyers, non_buyer_cost = len(others), float(cost.iloc[others].sum())
        else:
            out["gross_margin"] = p["gross_margin"].reindex(out.index)
            out["customer_cost"] = cost.reindex(out.index)
            others = p.index.difference(out.index)  # signed up, no order: their cost is said, not hidden
            non_buyers, non_buyer_cost = len(others), float(cost.reindex(others).sum())
    elif contacts is not None and "cost" in contacts.columns:
        require_columns(contacts, "contacts", ["customer_id", "cost"])
        cost = pd.to_numeric(contacts["cost"], errors="coerce").groupby(contacts["customer_id"].astype(str)).sum()
        out["customer_cost"] = cost.reindex(out.index).fillna(0.0)
        basis = "contacts"
    else:
        out["customer_cost"], basis = np.nan, "gross_margin"
    cost = out["customer_cost"]
    known = cost.notna() & (cost > 0)
    out["roi"] = ((out["gross_margin"] - cost) / cost).where(known)
    out = out.reset_index()
    out.attrs.update(basis=basis, no_cost=int((~known).sum()) if basis != "gross_margin" else len(out),
                     margin_basis=margin_basis, non_buyers=non_buyers, non_buyer_cost=non_buyer_cost)
    return out


def _per_row(values: pd.Series, rows: np.ndarray, n: int) -> np.ndarray:
    """``values`` summed per customer row (``rows``: each value's row), 0 for a row without values."""
    sums = values.groupby(rows).sum()
    out = np.zeros(n)
    out[sums.index.to_numpy()] = sums.to_numpy()
    return out


def segment_roi(roi: pd.DataFrame, segments: pd.Series, *, name: str = "segment") -> pd.DataFrame:
    """ROI per segment as the ratio of sums.

    Parameters
    ----------
    roi : DataFrame
        :func:`customer_roi`.
    segments : Series
        Segment per ``customer_id`` (index); customers without one are grouped as ``"unknown"``.

    Returns
    -------
    DataFrame
        ``<name>, customers, revenue, gross_margin, customer_cost, roi, loss_making_share`` sorted by ROI;
        ``loss_making_share`` is the share of the segment's customers whose gross margin is below their
        cost (ROI < 0). ``attrs["mean_customer_roi"]``: segment -> the mean of its customers' ROIs (the
        wrong way to sum a segment up, kept for the exercise that names it).
    """
    require_columns(roi, "roi", ["customer_id", "revenue", "gross_margin", "customer_cost", "roi"])
    seg = segments.copy()
    seg.index = seg.index.astype(str)
    key = seg.reindex(roi["customer_id"]).fillna("unknown").astype(str).to_numpy()
    g = roi.assign(**{name: key, "_loss": roi["roi"] < 0}).groupby(name)
    mean_ratio = g["roi"].mean()
    out = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].sum(),
                        "gross_margin": g["gross_margin"].sum(),
                        "customer_cost": g["customer_cost"].sum(min_count=1),
                        "loss_making_share": g["_loss"].mean()})
    out["roi"] = (out["gross_margin"] - out["customer_cost"]) / out["customer_cost"].where(out["customer_cost"] > 0)
    out = out.reset_index()[[name, "customers", "revenue", "gross_margin", "customer_cost", "roi",
                             "loss_making_share"]]
    out = out.sort_values("roi", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    out.attrs["mean_customer_roi"] = {str(k): float(v) for k, v in mean_ratio.items()}
    return out
