r"""Acquisition cohorts (获客同期群): customers grouped by the month of their first purchase.

For cohort :math:`c` (the calendar month of the first order) and month :math:`k = 0, 1, 2, \dots` since
it (calendar months: an order in the cohort's own month is :math:`k = 0`):

.. math::
    \text{customer retention}_{c,k} = \frac{\#\{i \in c : i \text{ ordered in month } c + k\}}{|c|},
    \qquad
    \text{revenue retention}_{c,k} = \frac{\text{revenue of } c \text{ in month } c + k}
                                          {\text{revenue of } c \text{ in month } c}

Month 0 is 100% by definition. A cell whose month ends after ``as_of`` is not observed (missing), except
the month of ``as_of`` itself, which is counted up to ``as_of`` (``attrs["partial_last_month"]`` says
whether that month is cut short). Average curves (:func:`retention_curves`) pool the cohorts observed at
each :math:`k`: active customers summed over those cohorts divided by their customers summed, so a large
cohort weighs more than a small one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.tables import require_columns

__all__ = ["cohort_orders", "cohort_retention", "retention_curves"]


def _month_number(dates: pd.Series) -> np.ndarray:
    d = dates.to_numpy(dtype="datetime64[M]").astype(np.int64)
    return d


def cohort_orders(facts: CustomerFacts) -> pd.DataFrame:
    """Orders with their customer's cohort: ``customer_id, cohort, month, revenue`` (``cohort`` a period
    ``YYYY-MM``, ``month`` the months since the cohort's month, 0 for the first month)."""
    o = facts.orders
    m = _month_number(o["order_date"])
    first = pd.Series(m, index=o["customer_id"].to_numpy()).groupby(level=0).min()
    cohort = first.reindex(o["customer_id"].to_numpy()).to_numpy()
    return pd.DataFrame({"customer_id": o["customer_id"].to_numpy(), "cohort_m": cohort, "month": m - cohort,
                         "revenue": o["revenue"].to_numpy(dtype=float)})


def cohort_retention(facts: CustomerFacts, *, max_months: int | None = None) -> dict[str, pd.DataFrame]:
    """Customer and revenue retention of every monthly acquisition cohort.

    Returns
    -------
    dict
        ``"customers"``: share of the cohort ordering in each month since (index ``cohort`` as ``YYYY-MM``,
        columns ``0, 1, ...``); ``"revenue"``: revenue in each month over the revenue of month 0; ``"size"``:
        a Series, customers per cohort; ``"active"``: the counts behind ``"customers"``. Unobserved cells
        are missing.
    """
    co = cohort_orders(facts)
    if co.empty:
        raise ValueError("orders: no order up to as_of, so there is no cohort")
    end_m = int(np.datetime64(facts.as_of, "M").astype(np.int64))
    cohorts = np.arange(co["cohort_m"].min(), end_m + 1)
    width = int(end_m - cohorts[0] + 1) if max_months is None else int(max_months) + 1
    labels = pd.Index([str(np.datetime64(int(c), "M")) for c in cohorts], name="cohort")
    active = (co.drop_duplicates(["customer_id", "month"]).groupby(["cohort_m", "month"]).size()
              .unstack(fill_value=0).reindex(index=cohorts, columns=range(width), fill_value=0))
    revenue = (co.groupby(["cohort_m", "month"])["revenue"].sum().unstack(fill_value=0.0)
               .reindex(index=cohorts, columns=range(width), fill_value=0.0))
    size = co.drop_duplicates("customer_id").groupby("cohort_m").size().reindex(cohorts, fill_value=0)
    observed = (cohorts[:, None] + np.arange(width)[None, :]) <= end_m
    observed &= size.to_numpy()[:, None] > 0
    share = (active.to_numpy() / np.where(size.to_numpy() > 0, size.to_numpy(), np.nan)[:, None])
    base = revenue[0].to_numpy()
    rev = revenue.to_numpy() / np.where(base > 0, base, np.nan)[:, None]
    frame = lambda a: pd.DataFrame(np.where(observed, a, np.nan), index=labels, columns=range(width))  # noqa: E731
    out = {"customers": frame(share), "revenue": frame(rev),
           "active": pd.DataFrame(np.where(observed, active.to_numpy(), 0), index=labels, columns=range(width)),
           "size": pd.Series(size.to_numpy(), index=labels, name="customers")}
    last_day = facts.as_of + pd.offsets.MonthEnd(0)
    for table in out.values():
        table.attrs.update(as_of=facts.as_of, partial_last_month=bool(facts.as_of.normalize() != last_day))
    return out


def retention_curves(facts: CustomerFacts, *, by: str = "acquisition_channel", max_months: int = 24,
                     min_customers: int = 30) -> pd.DataFrame:
    """Average customer-retention curve per group of customers (default: acquisition channel), with its n.

    For each group and month :math:`k` the cohorts observed at :math:`k` are pooled (active customers over
    cohort customers). Groups with fewer than ``min_customers`` buying customers are left out and counted in
    ``attrs["left_out"]``; customers without a value in ``by`` form the group ``"unknown"``.

    Returns
    -------
    DataFrame
        ``group, month, retention, customers`` (``customers``: the group's buying customers, its n, the same on
        every row of the group; ``observed``: customers of the cohorts observed at that month).
    """
    c = facts.customers
    require_columns(c, "customers", [by])
    co = cohort_orders(facts)
    end_m = int(np.datetime64(facts.as_of, "M").astype(np.int64))
    group = c.set_index("customer_id")[by].astype("object").where(lambda s: s.notna(), "unknown").astype(str)
    co["group"] = group.reindex(co["customer_id"]).to_numpy()
    firsts = co.drop_duplicates("customer_id")[["customer_id", "cohort_m", "group"]]
    act = co[co["month"] <= max_months].drop_duplicates(["customer_id", "month"])
    active = act.groupby(["group", "month"]).size()
    rows, left_out = [], {}
    for g, members in firsts.groupby("group"):
        n = len(members)
        if n < min_customers:
            left_out[g] = n
            continue
        horizon = end_m - members["cohort_m"].to_numpy()
        for k in range(max_months + 1):
            observed = int((horizon >= k).sum())
            if observed < min_customers:
                break
            # active customers of the cohorts observed at k (a younger cohort cannot be active at k)
            a = int(active.get((g, k), 0))
            rows.append({"group": g, "month": k, "retention": a / observed, "customers": n, "observed": observed})
    out = pd.DataFrame(rows, columns=["group", "month", "retention", "customers", "observed"])
    out.attrs.update(by=by, left_out=left_out, min_customers=min_customers)
    return out
