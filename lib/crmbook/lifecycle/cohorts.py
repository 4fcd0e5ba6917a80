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

from ._coded import Coded, coded, group_starts

__all__ = ["cohort_orders", "cohort_retention", "retention_curves"]


def _months(c: Coded) -> tuple[np.ndarray, np.ndarray]:
    """Month number of each order and the first-order month of each order's customer."""
    month = c.day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    first = np.zeros(c.n, dtype=np.int64)
    starts = group_starts(c.code)
    first[c.code[starts]] = month[starts]  # orders are sorted by customer then day
    return month, first[c.code]


def cohort_orders(facts: CustomerFacts) -> pd.DataFrame:
    """Orders with their customer's cohort: ``customer_id, cohort, month, revenue`` (``cohort`` a period
    ``YYYY-MM``, ``month`` the months since the cohort's month, 0 for the first month)."""
    c = coded(facts)
    month, cohort = _months(c)
    return pd.DataFrame({"customer_id": c.ids[c.code].astype(str),
                         "cohort": cohort.astype("datetime64[M]").astype(str), "month": month - cohort,
                         "revenue": c.revenue})


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
    c = coded(facts)
    if len(c.code) == 0:
        raise ValueError("orders: no order up to as_of, so there is no cohort")
    month, cohort = _months(c)
    end_m = int(np.datetime64(facts.as_of, "M").astype(np.int64))
    first_m = int(cohort.min())
    rows = end_m - first_m + 1
    width = rows if max_months is None else int(max_months) + 1
    labels = pd.Index([str(np.datetime64(int(m), "M")) for m in range(first_m, end_m + 1)], name="cohort")
    k = month - cohort
    inside = k < width
    r, kk = cohort[inside] - first_m, k[inside]
    # one count per customer and month: orders are sorted by customer then day, so a month repeats only
    # in consecutive rows of one customer
    code, mon = c.code[inside], month[inside]
    new = np.r_[True, (code[1:] != code[:-1]) | (mon[1:] != mon[:-1])]
    active = np.bincount(r[new] * width + kk[new], minlength=rows * width).reshape(rows, width)
    revenue = np.bincount(r * width + kk, weights=c.revenue[inside], minlength=rows * width).reshape(rows, width)
    starts = group_starts(c.code)
    size = np.bincount(cohort[starts] - first_m, minlength=rows)
    observed = (np.arange(rows)[:, None] + np.arange(width)[None, :]) <= (end_m - first_m)
    observed &= size[:, None] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = active / np.where(size > 0, size, np.nan)[:, None]
        rev = revenue / np.where(revenue[:, 0] > 0, revenue[:, 0], np.nan)[:, None]
    cols = pd.Index(range(width))
    frame = lambda a: pd.DataFrame(np.where(observed, a, np.nan), index=labels, columns=cols)  # noqa: E731
    out = {"customers": frame(share), "revenue": frame(rev),
           "active": pd.DataFrame(np.where(observed, active, 0), index=labels, columns=cols),
           "size": pd.Series(size, index=labels, name="customers")}
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
    require_columns(facts.customers, "customers", [by])
    c = coded(facts)
    month, cohort = _months(c)
    end_m = int(np.datetime64(facts.as_of, "M").astype(np.int64))
    values = facts.customers[by].astype("object").where(facts.customers[by].notna(), "unknown").astype(str)
    gcode, names = pd.factorize(values.to_numpy())
    starts = group_starts(c.code)
    buyer_group = gcode[c.code[starts]]
    horizon_all = end_m - cohort[starts]
    k = month - cohort
    inside = k <= max_months
    code, mon, kk = c.code[inside], month[inside], k[inside]
    new = np.r_[True, (code[1:] != code[:-1]) | (mon[1:] != mon[:-1])] if len(code) else np.zeros(0, bool)
    g_orders = gcode[code[new]]
    width = max_months + 1
    active = np.bincount(g_orders * width + kk[new], minlength=len(names) * width).reshape(len(names), width)
    rows, left_out = [], {}
    for gi, g in enumerate(names):
        member = buyer_group == gi
        n = int(member.sum())
        if n == 0:
            continue
        if n < min_customers:
            left_out[str(g)] = n
            continue
        horizon = horizon_all[member]
        for m in range(max_months + 1):
            observed = int((horizon >= m).sum())
            if observed < min_customers:
                break
            # active customers of the cohorts observed at m (a younger cohort cannot be active at m)
            rows.append({"group": str(g), "month": m, "retention": int(active[gi, m]) / observed, "customers": n,
                         "observed": observed})
    out = pd.DataFrame(rows, columns=["group", "month", "retention", "customers", "observed"])
    out.attrs.update(by=by, left_out=left_out, min_customers=min_customers)
    return out
