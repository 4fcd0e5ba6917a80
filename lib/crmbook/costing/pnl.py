r"""Customer P&L (客户损益): what each customer brought and cost, down to a customer profit.

.. math::
    \text{gross margin}_i = \text{revenue}_i - \text{cost of goods}_i, \qquad
    \text{profit}_i = \text{gross margin}_i - (\text{direct}_i + \text{indirect}_i + \text{acquisition}_i
    + \text{retention}_i)

Revenue and cost of goods are the customer's orders up to the analysis date; the four cost classes are
the pools of the costs table allocated by their drivers (:func:`crmbook.costing.allocate_costs`), in the
column of the pool's ``kind``. ``total_cost`` = cost of goods + all allocated costs, so
``profit = revenue - total_cost``. Costs that could not be allocated (months without driver activity,
pools without a driver) are in no customer's P&L; the reconciliation reports them.

Without a costs table the P&L falls back to the **gross margin** (``attrs["basis"] == "gross_margin"``):
allocated costs are 0 and profit is the gross margin. Without ``cost_of_goods`` in the orders the gross
margin and the profit cannot be computed: they are missing (NaN) and ``attrs["missing"]`` names the column.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.positions import order_rows

from .allocation import COST_KINDS, CostAllocation, allocate_costs
from .drivers import DriverMap

__all__ = ["PNL_COLUMNS", "customer_pnl", "main_order_channel", "pnl_by", "profit_distribution"]

#: The columns of :func:`customer_pnl`, in order (extra columns follow them).
PNL_COLUMNS: tuple[str, ...] = ("revenue", "cost_of_goods", "gross_margin", "direct_cost", "indirect_cost",
                                "acquisition_cost", "retention_cost", "total_cost", "profit")

#: Profit bands of :func:`profit_distribution`, in currency (edges; open-ended at both ends).
PROFIT_BANDS: tuple[float, ...] = (-1000.0, -250.0, -50.0, 0.0, 50.0, 250.0, 1000.0, 5000.0)


def _positions(facts: CustomerFacts) -> np.ndarray:
    """The position in ``facts.customers`` of each order's customer (every order has one: CustomerFacts checks)."""
    return order_rows(facts)


def _cogs(facts: CustomerFacts, pos: np.ndarray) -> tuple[np.ndarray | None, int]:
    """COGS per customer (None: no cost_of_goods data at all; NaN for a customer with an order lacking it)
    and the number of such customers."""
    o = facts.orders
    if "cost_of_goods" not in o.columns:
        return None, 0
    cogs = pd.to_numeric(o["cost_of_goods"], errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(cogs)
    if missing.all():
        return None, 0
    n = len(facts.customers)
    total = np.bincount(pos, weights=np.where(missing, 0.0, cogs), minlength=n)
    unknown = np.bincount(pos[missing], minlength=n) > 0
    total[unknown] = np.nan
    return total, int(unknown.sum())


def customer_pnl(facts: CustomerFacts, costs: pd.DataFrame | None = None, contacts: pd.DataFrame | None = None,
                 campaigns: pd.DataFrame | None = None, campaign_members: pd.DataFrame | None = None,
                 driver_map: str | Path | Mapping[str, Any] | DriverMap | None = None, *,
                 allocation: CostAllocation | None = None) -> pd.DataFrame:
    """The P&L of every customer (see the module docstring for the formula).

    Parameters
    ----------
    facts : CustomerFacts
        Customers and orders at the analysis date.
    costs : DataFrame, optional
        The costs table; without it the P&L is the gross margin (and says so in ``attrs``).
    contacts, campaigns, campaign_members : DataFrame, optional
        For the contact and campaign drivers.
    driver_map : path, mapping or DriverMap, optional
        The pool -> driver map (default: the package's ``drivers.yaml``).
    allocation : CostAllocation, optional
        An allocation already computed with :func:`allocate_costs` (then ``costs`` and the driver tables
        are not needed again).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, one row per customer of ``facts.customers``: :data:`PNL_COLUMNS`, then
        ``orders`` (count) and ``contribution`` (gross margin - direct - retention cost: what the customer
        leaves after the costs of selling to and serving them, before acquisition and indirect costs). ``attrs``: ``basis`` (``"costs"`` or ``"gross_margin"``), ``note`` (why, in
        English), ``missing`` (columns whose absence leaves figures missing), ``unknown_cogs_customers``,
        ``allocated`` and ``unallocated`` (currency totals).
    """
    idx = pd.Index(facts.customers["customer_id"], name="customer_id")
    o = facts.orders
    pos = _positions(facts)
    n = len(idx)
    out = pd.DataFrame(index=idx)
    out["revenue"] = np.bincount(pos, weights=o["revenue"].to_numpy(dtype=float), minlength=n)
    cogs, unknown = _cogs(facts, pos)
    missing: list[str] = []
    if cogs is None:
        missing.append("cost_of_goods")
        out["cost_of_goods"] = np.nan
    else:
        out["cost_of_goods"] = cogs
    out["gross_margin"] = out["revenue"] - out["cost_of_goods"]
    if allocation is None and costs is not None:
        allocation = allocate_costs(facts, costs, contacts=contacts, campaigns=campaigns,
                                    campaign_members=campaign_members, driver_map=driver_map)
    if allocation is not None:
        kinds = allocation.by_kind()
        if not kinds.index.equals(idx):
            kinds = kinds.reindex(idx, fill_value=0.0)
        for kind in COST_KINDS:
            out[f"{kind}_cost"] = kinds[f"{kind}_cost"].to_numpy()
        basis = "costs"
        recon = allocation.reconciliation
        allocated, unallocated = float(recon["allocated"].sum()), float(recon["unallocated"].sum())
        note = "customer profit = gross margin - the cost pools allocated by their drivers"
    else:
        for kind in COST_KINDS:
            out[f"{kind}_cost"] = 0.0
        basis, allocated, unallocated = "gross_margin", 0.0, 0.0
        note = "no costs table: customer profit is the gross margin (revenue - cost of goods) only"
    allocated_cols = [f"{k}_cost" for k in COST_KINDS]
    out["total_cost"] = out["cost_of_goods"] + out[allocated_cols].sum(axis=1)
    out["profit"] = out["revenue"] - out["total_cost"]
    out["orders"] = np.bincount(pos, minlength=n).astype(int)
    out["contribution"] = out["gross_margin"] - out["direct_cost"] - out["retention_cost"]
    if missing:
        note += "; no cost_of_goods in the orders: gross margin and profit cannot be computed"
    out.attrs.update(basis=basis, note=note, missing=missing, unknown_cogs_customers=int(unknown),
                     allocated=allocated, unallocated=unallocated)
    return out


def _channel_codes(channel: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each order's channel as a code into the sorted channel names, a missing channel being ``"unknown"``:
    ``pd.factorize(channel.astype(object).where(channel.notna(), "unknown").astype(str), sort=True)``, with
    a text column factorized as it is and ``"unknown"`` put in its place among the names afterwards."""
    if not pd.api.types.is_string_dtype(channel) or channel.dtype == object:
        ch = channel.astype(object).where(channel.notna(), "unknown").astype(str)
        codes, names = pd.factorize(ch, sort=True)
        return codes, list(names)
    codes, found = pd.factorize(channel, sort=True)
    names = [str(name) for name in found]
    missing = codes < 0
    if missing.any():
        if "unknown" not in names:
            at = bisect.bisect_left(names, "unknown")
            codes[codes >= at] += 1
            names.insert(at, "unknown")
        codes[missing] = names.index("unknown")
    return codes, names


def main_order_channel(facts: CustomerFacts) -> pd.Series:
    """Each customer's main order channel: the ``channel`` of the orders with the most revenue (ties:
    the first in name order); missing for customers without orders or when orders have no channel."""
    o = facts.orders
    idx = pd.Index(facts.customer_index, name="customer_id")
    if "channel" not in o.columns:
        return pd.Series(np.nan, index=idx, dtype=object, name="channel")
    codes, names = _channel_codes(o["channel"])
    pos = _positions(facts)
    k = len(names)
    rev = np.bincount(pos * k + codes, weights=o["revenue"].to_numpy(dtype=float), minlength=len(idx) * k)
    rev = rev.reshape(len(idx), k)
    seen = np.bincount(pos * k + codes, minlength=len(idx) * k).reshape(len(idx), k) > 0
    rev = np.where(seen, rev, -np.inf)  # a channel never used is never the main one
    best = rev.argmax(axis=1)  # the first maximum: ties go to the first name
    out = np.asarray(names, dtype=object)[best]
    out[~seen.any(axis=1)] = None
    return pd.Series(out, index=idx, name="channel", dtype=object)


def pnl_by(pnl: pd.DataFrame, groups: pd.Series, *, name: str = "group") -> pd.DataFrame:
    """The P&L summed per group (segment, ABC class, account type, channel).

    Parameters
    ----------
    pnl : DataFrame
        :func:`customer_pnl` output.
    groups : Series
        The group of each customer, indexed by ``customer_id`` (customers it does not name are
        ``"unknown"``).
    name : str
        Name of the group column of the result.

    Returns
    -------
    DataFrame
        ``<name>, customers, revenue, gross_margin, allocated_cost, profit, profit_per_customer,
        profit_share, unprofitable_share``, by profit (largest first). ``profit_share`` is the group's
        share of the total profit (negative for a group that loses money); ``unprofitable_share`` the share
        of its customers with a profit below zero.
    """
    placed = groups.reindex(pnl.index)
    g = placed.astype(object).where(placed.notna(), "unknown")
    df = pnl.assign(_g=g.to_numpy(), _neg=(pnl["profit"] < 0).astype(float),
                    allocated_cost=pnl[[f"{k}_cost" for k in COST_KINDS]].sum(axis=1))
    agg = df.groupby("_g", sort=False).agg(customers=("profit", "size"), revenue=("revenue", "sum"),
                                           gross_margin=("gross_margin", "sum"),
                                           allocated_cost=("allocated_cost", "sum"), profit=("profit", "sum"),
                                           unprofitable_share=("_neg", "mean"))
    total = float(pnl["profit"].sum())
    agg["profit_per_customer"] = agg["profit"] / agg["customers"]
    agg["profit_share"] = agg["profit"] / total if total else np.nan
    agg = agg.sort_values("profit", ascending=False, kind="stable").rename_axis(name).reset_index()
    return agg[[name, "customers", "revenue", "gross_margin", "allocated_cost", "profit", "profit_per_customer",
                "profit_share", "unprofitable_share"]]


def profit_distribution(pnl: pd.DataFrame, bands: tuple[float, ...] = PROFIT_BANDS) -> pd.DataFrame:
    """Customers and profit per profit band.

    Returns
    -------
    DataFrame
        ``band`` (``"< -1,000"``, ``"-1,000 ~ -250"``, ..., ``"≥ 5,000"``, the same in every language;
        lower edge included),
        ``lower, upper, customers, customer_share, profit``; customers without a profit are left out and
        counted in ``attrs["left_out"]``.
    """
    p = pnl["profit"].dropna()
    edges = [-np.inf, *bands, np.inf]
    cut = pd.cut(p, edges, right=False, labels=False)
    rows = []
    for i in range(len(edges) - 1):
        lo, hi = edges[i], edges[i + 1]
        label = (f"< {hi:,.0f}" if not np.isfinite(lo) else f"≥ {lo:,.0f}" if not np.isfinite(hi)
                 else f"{lo:,.0f} ~ {hi:,.0f}")
        inside = cut == i
        rows.append({"band": label, "lower": lo, "upper": hi, "customers": int(inside.sum()),
                     "profit": float(p[inside].sum())})
    out = pd.DataFrame(rows)
    out["customer_share"] = out["customers"] / max(len(p), 1)
    out.attrs["left_out"] = int(pnl["profit"].isna().sum())
    return out[["band", "lower", "upper", "customers", "customer_share", "profit"]]
