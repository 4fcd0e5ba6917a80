r"""Activity-based allocation (作业成本分摊) of the cost pools to customers, exact to the cent.

For a pool :math:`p` and a month :math:`t` with amount :math:`A_{pt}` (in integer cents) and driver
weights :math:`w_{it} \ge 0` of the customers (:mod:`crmbook.costing.drivers`),

.. math::
    q_i = A_{pt} \, \frac{w_{it}}{\sum_j w_{jt}}, \qquad
    c_i = \lfloor q_i \rfloor + [\, i \text{ among the } R \text{ largest remainders} \,], \qquad
    R = A_{pt} - \sum_i \lfloor q_i \rfloor .

This is the **largest-remainder rule** (Hamilton's method): every customer gets the whole cents of
their exact share, and the :math:`R` cents left over (fewer than the number of customers) go one each to
the customers with the largest fractional parts. Ties in the remainder go to the customer who comes
first in ``customer_id`` order. The arithmetic is in integers, so :math:`\sum_i c_i = A_{pt}` exactly:
the allocated total equals the pool total, to the cent, per pool and month. A negative amount (a
credit) is shared the same way with its sign.

What cannot be allocated is reported, not lost - one line of the reconciliation per pool and month with
its ``status``:

- ``allocated`` - shared among the customers with driver activity;
- ``no_activity`` - the driver is known but no customer had activity that month (e.g. no sales visit);
- ``no_driver`` - the pool has no driver (neither in the map nor in the costs table's ``driver`` column),
  or its driver is not one crmbook knows;
- ``no_driver_data`` - the driver needs a table that is not there (contacts, campaigns).

Costs of months after the analysis date are set aside and counted (``attrs["after_as_of"]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.tables import require_columns

from .drivers import _ORDER_DRIVERS, DriverMap, _Activity, _activity, load_driver_map

__all__ = ["COST_KINDS", "largest_remainder", "allocate_groups", "clean_costs", "CostAllocation",
           "allocate_costs"]

#: The course's four cost classes (the ``kind`` column of the costs table).
COST_KINDS: tuple[str, ...] = ("direct", "indirect", "acquisition", "retention")

_MAX_SAFE = 2 ** 62


def largest_remainder(total_cents: int, weights: Sequence[int], order: Sequence[Any] | None = None) -> np.ndarray:
    """Share ``total_cents`` among ``weights`` by the largest-remainder rule (integer cents).

    Parameters
    ----------
    total_cents : int
        The amount to share, in cents (may be negative: a credit is shared with its sign).
    weights : sequence of int
        Non-negative integer driver weights, not all zero.
    order : sequence, optional
        Tie-break keys (default: position): equal remainders go first to the smallest key.

    Returns
    -------
    ndarray of int64
        Cents per weight, summing to ``total_cents`` exactly.

    Examples
    --------
    >>> largest_remainder(100, [1, 1, 1]).tolist()   # 33.33 each: the one cent left goes to the first
    [34, 33, 33]
    """
    w = np.asarray(weights, dtype=np.int64)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError("largest_remainder: weights must be non-negative integers, not all zero")
    out = allocate_groups(np.zeros(len(w), dtype=np.int64), np.array([int(total_cents)], dtype=np.int64), w,
                          np.arange(len(w)) if order is None else pd.Index(order).argsort().argsort())
    return out


def allocate_groups(group: np.ndarray, amounts: np.ndarray, weights: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """The largest-remainder rule for many pools at once (vectorised :func:`largest_remainder`).

    ``group[k]`` is the position in ``amounts`` (cents) of row ``k``'s pool-month, ``weights[k] > 0`` its
    integer weight and ``tie[k]`` its tie-break rank (smaller first). Every group must have a positive
    total weight. Returns the cents of each row; per group they sum to its amount exactly.
    """
    group = np.asarray(group, dtype=np.int64)
    w = np.asarray(weights, dtype=np.int64)
    amounts = np.asarray(amounts, dtype=np.int64)
    if len(w) == 0:
        return np.zeros(0, dtype=np.int64)
    sign = np.sign(amounts)
    a = np.abs(amounts)
    wsum = np.bincount(group, weights=w, minlength=len(amounts))
    wsum = np.rint(wsum).astype(np.int64)
    if (np.abs(wsum.astype(float) - np.bincount(group, weights=w.astype(float), minlength=len(amounts))) > 0.5).any():
        raise OverflowError("allocate_groups: driver weights too large to sum exactly")
    aw = a[group]
    if float(aw.max()) * float(w.max()) < _MAX_SAFE:
        base, rem = np.divmod(aw * w, wsum[group])
    else:  # very large cents x weights: exact Python integers (slow, rarely needed)
        prod = aw.astype(object) * w.astype(object)
        ws = wsum[group].astype(object)
        base = np.array(prod // ws, dtype=np.int64)
        rem = np.array(prod % ws, dtype=object)
        # only the order of remainders matters below
        rem = pd.Series(rem).rank(method="first").to_numpy().astype(np.int64)
    left = a - np.bincount(group, weights=base, minlength=len(amounts)).round().astype(np.int64)
    return (base + _extra_cents(group, rem, np.asarray(tie), left)) * sign[group]


def _extra_cents(group: np.ndarray, rem: np.ndarray, tie: np.ndarray, left: np.ndarray) -> np.ndarray:
    """1 for the rows that get one of their group's ``left`` cents: in each group, the ``left[g]`` first
    rows by remainder (largest first), then tie-break rank (smallest first), then position.

    When the rows come by group, each group is taken alone: the rows above its ``left[g]``-th largest
    remainder (a partition, not a sort), then as many of the rows at that remainder as cents remain, by
    tie-break rank; otherwise all rows are sorted (:func:`_by_group_remainder_tie`).
    """
    extra = np.zeros(len(group), dtype=np.int64)
    if len(group) == 0:
        return extra
    if not (np.diff(group) >= 0).all():
        key = _by_group_remainder_tie(group, rem, tie)
        g_sorted = group[key]
        starts = np.searchsorted(g_sorted, np.arange(len(left)))
        pos = np.arange(len(key)) - starts[g_sorted]
        extra[key] = (pos < left[g_sorted]).astype(np.int64)
        return extra
    bounds = np.searchsorted(group, np.arange(len(left) + 1))
    for g in np.flatnonzero(left > 0):
        lo, hi = bounds[g], bounds[g + 1]
        r, k = rem[lo:hi], int(left[g])
        if k >= len(r):  # every row of the group (none for a group without rows)
            extra[lo:hi] = 1
            continue
        kth = np.partition(r, len(r) - k)[len(r) - k]  # the k-th largest remainder
        above = r > kth
        at_kth = np.flatnonzero(r == kth)
        at_kth = at_kth[np.argsort(tie[lo:hi][at_kth], kind="stable")]  # by tie-break rank, then position
        extra[lo:hi][above] = 1
        extra[lo + at_kth[: k - int(above.sum())]] = 1
    return extra


def _by_group_remainder_tie(group: np.ndarray, rem: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """The rows ordered by group, then remainder (largest first), then tie-break rank (smallest first),
    then position: ``np.lexsort((tie, -rem, group))``, in two stable sorts of one integer key each instead
    of a lexsort of three keys, several times slower on millions of rows."""
    top = int(rem.max())
    if (int(group.max()) + 1) * (top + 1) > np.iinfo(np.int64).max:  # the key would overflow
        return np.lexsort((tie, -rem, group))
    by_tie = np.argsort(tie, kind="stable")
    key = group[by_tie] * (top + 1) + (top - rem[by_tie])
    return by_tie[np.argsort(key, kind="stable")]


def clean_costs(costs: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """The costs table checked and summed per pool and month.

    Expects ``period`` (``YYYY-MM``, or a date), ``pool``, ``amount`` and, when known, ``kind`` (one of
    :data:`COST_KINDS`) and ``driver``. Rows of months after ``as_of`` are dropped and counted in
    ``attrs["after_as_of"]`` (rows) and ``attrs["after_as_of_amount"]``; rows repeating a pool and month
    are summed (``attrs["repeated"]``).

    Returns
    -------
    DataFrame
        ``period, pool, kind, driver, amount, cents`` (``cents`` = the amount in integer cents), by period
        then pool.

    Raises
    ------
    ValueError
        Missing columns, or rows without a valid period or amount, or an unknown kind (naming the rows).
    """
    require_columns(costs, "costs", ["period", "pool", "amount"])
    c = costs.copy()
    raw_period = c["period"]
    if pd.api.types.is_datetime64_any_dtype(raw_period):
        period = raw_period.dt.strftime("%Y-%m")
    else:
        text = raw_period.astype("string").str.strip()
        parsed = pd.to_datetime(text.str[:7], format="%Y-%m", errors="coerce")
        period = parsed.dt.strftime("%Y-%m")
    amount = pd.to_numeric(c["amount"], errors="coerce")
    bad = period.isna().to_numpy() | amount.isna().to_numpy() | c["pool"].isna().to_numpy()
    if bad.any():
        rows = ", ".join(map(str, c.index[bad][:5]))
        raise ValueError(f"costs: {int(bad.sum())} row(s) without a valid 'period' (YYYY-MM), 'pool' or "
                         f"'amount' (rows {rows})")
    c["period"], c["amount"], c["pool"] = period.astype(object), amount.astype(float), c["pool"].astype(str)
    if "kind" in c.columns:
        kind = c["kind"].astype("string").str.strip().str.lower()
        unknown = kind.notna() & ~kind.isin(COST_KINDS)
        if unknown.any():
            rows = ", ".join(map(str, c.index[unknown.to_numpy()][:5]))
            raise ValueError(f"costs: column 'kind' must be one of {', '.join(COST_KINDS)}; "
                             f"{int(unknown.sum())} row(s) are not (rows {rows}, e.g. {kind[unknown].iloc[0]!r})")
        c["kind"] = kind.fillna("indirect").astype(object)
    else:
        c["kind"] = "indirect"
    c["driver"] = c["driver"].astype(object) if "driver" in c.columns else None
    after = pd.Series(False, index=c.index)
    if as_of is not None:
        after = c["period"] > pd.Timestamp(as_of).strftime("%Y-%m")
    kept = c[~after]
    n_rows = len(kept)
    g = kept.groupby(["period", "pool"], sort=True)
    out = g.agg(kind=("kind", "first"), driver=("driver", "first"), amount=("amount", "sum")).reset_index()
    out["cents"] = np.rint(out["amount"].to_numpy() * 100).astype(np.int64)
    out["amount"] = out["cents"] / 100
    out.attrs.update(after_as_of=int(after.sum()), after_as_of_amount=float(c.loc[after, "amount"].sum()),
                     repeated=n_rows - len(out))
    return out


@dataclass
class CostAllocation:
    """The result of :func:`allocate_costs`.

    Attributes
    ----------
    per_customer : DataFrame
        Index ``customer_id`` (every customer of the facts, in their order), one column per pool: the
        cost allocated to the customer, in currency (exact cents).
    reconciliation : DataFrame
        One row per pool and month: ``period, pool, kind, driver, amount, allocated, unallocated, status,
        customers, units, rate`` (``rate`` = amount / driver units, the cost per driver unit).
    kinds : dict
        Pool -> kind (``direct``, ``indirect``, ``acquisition``, ``retention``).
    driver_map : DriverMap
        The map used.
    """

    per_customer: pd.DataFrame
    reconciliation: pd.DataFrame
    kinds: dict[str, str]
    driver_map: DriverMap
    info: dict[str, Any] = field(default_factory=dict)
    #: The activity of each contact driver measured for the allocation (driver -> rows, or None), for the
    #: exercise that reads one month of it again (the order drivers' are dropped once used: too large).
    _activity: dict[str, _Activity | None] = field(default_factory=dict, repr=False)

    def by_kind(self) -> pd.DataFrame:
        """Allocated cost per customer and cost class: ``direct_cost, indirect_cost, acquisition_cost,
        retention_cost`` (index ``customer_id``)."""
        out = pd.DataFrame(index=self.per_customer.index)
        for kind in COST_KINDS:
            pools = [p for p, k in self.kinds.items() if k == kind and p in self.per_customer.columns]
            cents = np.rint(self.per_customer[pools].to_numpy() * 100).sum(axis=1) if pools else 0
            out[f"{kind}_cost"] = np.asarray(cents, dtype=float) / 100 if pools else 0.0
        return out


def allocate_costs(facts: CustomerFacts, costs: pd.DataFrame, *, contacts: pd.DataFrame | None = None,
                   campaigns: pd.DataFrame | None = None, campaign_members: pd.DataFrame | None = None,
                   driver_map: str | Path | Mapping[str, Any] | DriverMap | None = None) -> CostAllocation:
    """Allocate every pool and month of ``costs`` to the customers by its driver (largest remainder).

    Parameters
    ----------
    facts : CustomerFacts
        Customers and orders at the analysis date.
    costs : DataFrame
        The costs table (``period, pool, amount``, optional ``kind``, ``driver``).
    contacts, campaigns, campaign_members : DataFrame, optional
        Needed by the contact drivers and ``campaign_touches``.
    driver_map : path, mapping or DriverMap, optional
        The pool -> driver map (default: the package's ``drivers.yaml``).

    Returns
    -------
    CostAllocation
        Per-customer costs per pool and the reconciliation (see the module docstring for the rule).
    """
    dmap = load_driver_map(driver_map)
    clean = clean_costs(costs, facts.as_of)
    n = len(facts.customers)
    pools = list(dict.fromkeys(clean["pool"]))
    per_customer = np.zeros((n, len(pools)), dtype=np.int64)
    # ties go to the first customer in id order
    tie_rank = facts.customers["customer_id"].rank(method="first").to_numpy(dtype=np.int64)
    lines = []
    cache: dict[str, _Activity | None] = {}
    shared: dict[str, Any] = {}  # customer positions and months of orders and contacts, found once
    kinds: dict[str, str] = {}
    by_pool = {pool: clean[clean["pool"] == pool].reset_index(drop=True) for pool in pools}
    drivers = [dmap.driver_for(pool, by_pool[pool]["driver"].iloc[0]) for pool in pools]
    # the activity of an order driver (hundreds of megabytes at ten million orders) is dropped after the
    # last pool that uses it, and the orders' grouping after the last pool of any order driver; the contact
    # drivers' activities are kept with the allocation (the exercises reuse them)
    last_use = {d: j for j, d in enumerate(drivers)}
    last_order_pool = max((j for j, d in enumerate(drivers) if d in _ORDER_DRIVERS), default=-1)
    for j, pool in enumerate(pools):
        rows = by_pool.pop(pool)
        kinds[pool] = str(rows["kind"].iloc[0])
        driver = drivers[j]
        rec = rows[["period", "pool", "kind", "amount", "cents"]].copy()
        rec["driver"] = driver
        if driver is None or driver not in dmap.known_drivers:
            act = None
            status_missing = "no_driver"
        else:
            if driver not in cache:
                cache[driver] = _activity(driver, facts, dmap, contacts=contacts, campaigns=campaigns,
                                          campaign_members=campaign_members, cache=shared)
            act = cache[driver]
            status_missing = "no_driver_data"
        if act is None:
            rec["status"], rec["allocated_cents"], rec["customers"], rec["units"] = status_missing, 0, 0, np.nan
            lines.append(rec)
            continue
        codes, names, weight, customer, units = act.month, act.names, act.weight, act.customer, act.units
        # each activity row's line of this pool: the pool's months looked up once per distinct month
        pos = pd.Index(rec["period"]).get_indexer(names)[codes]
        keep = pos >= 0
        g = pos[keep]
        weight, customer, units = weight[keep], customer[keep], units[keep]
        active = np.bincount(g, minlength=len(rec)) > 0
        has_amount = rec["cents"].to_numpy() != 0
        sel = active[g] & has_amount[g]
        cents = allocate_groups(g[sel], rec["cents"].to_numpy(), weight[sel], tie_rank[customer[sel]])
        np.add.at(per_customer[:, j], customer[sel], cents)
        rec["allocated_cents"] = np.where(active, rec["cents"], 0)
        rec["customers"] = np.bincount(g, minlength=len(rec))
        rec["units"] = np.bincount(g, weights=units, minlength=len(rec))
        rec["status"] = np.where(active, "allocated", "no_activity")
        lines.append(rec)
        if driver in _ORDER_DRIVERS and last_use.get(driver) == j:
            del cache[driver], act, codes, weight, customer, units, g, sel, cents
        if j == last_order_pool:
            shared.pop("orders", None)
    if lines:
        recon = pd.concat(lines, ignore_index=True)
    else:
        recon = pd.DataFrame(columns=["period", "pool", "kind", "amount", "cents", "driver", "status",
                                      "allocated_cents", "customers", "units"])
    recon["allocated"] = recon["allocated_cents"].astype(np.int64) / 100
    recon["unallocated"] = (recon["cents"].astype(np.int64) - recon["allocated_cents"].astype(np.int64)) / 100
    units = recon["units"].astype(float)
    recon["rate"] = np.where(units > 0, recon["amount"].astype(float) / units.where(units > 0, 1.0), np.nan)
    recon["customers"] = recon["customers"].astype(int)
    recon = recon.sort_values(["period", "pool"], kind="stable").reset_index(drop=True)
    recon = recon[["period", "pool", "kind", "driver", "amount", "allocated", "unallocated", "status",
                   "customers", "units", "rate"]]
    recon.attrs.update(clean.attrs)
    per = pd.DataFrame(per_customer / 100, index=pd.Index(facts.customers["customer_id"], name="customer_id"),
                       columns=pools)
    return CostAllocation(per_customer=per, reconciliation=recon, kinds=kinds, driver_map=dmap,
                          info=dict(clean.attrs), _activity=cache)
