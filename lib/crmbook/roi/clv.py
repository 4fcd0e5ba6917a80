r"""Customer lifetime value (客户终身价值) by the course's two closed forms.

(a) **The course formula** - what a customer brings per year, times how many years they stay:

.. math::
    \mathrm{CLV}_{course} = \overline{\text{order value}} \times \text{orders per year} \times
    \text{average lifespan (years)}, \qquad \text{lifespan} = \frac{1}{1 - r}

with :math:`r` the yearly retention rate (the share of last year's active customers active again this
year). Undiscounted, and revenue unless a margin is used.

(b) **Margin and retention, discounted** - the margin :math:`m` a customer earns each year they are still
there, kept with probability :math:`r` per year, discounted at rate :math:`d`:

.. math::
    \mathrm{CLV}_{\infty} = \sum_{t=1}^{\infty} \frac{m\, r^t}{(1+d)^t} = \frac{m\, r}{1 + d - r},
    \qquad
    \mathrm{CLV}_{T} = \sum_{t=1}^{T} \frac{m\, r^t}{(1+d)^t}
    = \frac{m\, r}{1+d-r}\Bigl(1 - \bigl(\tfrac{r}{1+d}\bigr)^{T}\Bigr)

(the first margin is earned at the end of the first year, by those retained). The probabilistic CLV is in
:mod:`crmbook.roi.probabilistic`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts, window_mask
from crmbook.positions import customer_rows, index_in, order_rows

__all__ = ["DISCOUNT_RATE", "course_clv", "retention_clv", "yearly_retention", "gross_margin_rate",
           "customer_value_inputs", "clv_closed_forms", "clv_three_ways"]

#: Default yearly discount rate of CLV (10 %).
DISCOUNT_RATE: float = 0.10


def course_clv(order_value, orders_per_year, lifespan_years):
    r"""The course formula: :math:`\text{AOV} \times \text{orders per year} \times \text{lifespan}`.

    Scalars or arrays (numpy broadcasting). ``course_clv(300, 2, 4) == 2400``.
    """
    return np.multiply(np.multiply(order_value, orders_per_year), lifespan_years)


def retention_clv(margin, retention, discount: float = DISCOUNT_RATE, periods: int | None = None):
    r"""Margin x retention, discounted: :math:`m r / (1+d-r)`, or the sum over ``periods`` years.

    Parameters
    ----------
    margin : float or array
        Margin per period of a customer who is still there (:math:`m`).
    retention : float or array
        Probability of staying one more period (:math:`0 \le r < 1 + d`; :math:`r < 1` in practice).
    discount : float
        Discount rate per period (:math:`d \ge 0`).
    periods : int, optional
        Finite horizon :math:`T` in periods; ``None`` is the infinite sum.

    Examples
    --------
    >>> round(float(retention_clv(100, 0.8, 0.1)), 4)   # 100*0.8/(1.1-0.8)
    266.6667
    >>> round(float(retention_clv(100, 0.8, 0.1, periods=2)), 4)  # 100*0.8/1.1 + 100*0.64/1.21
    125.6198
    """
    r = np.asarray(retention, dtype=float)
    if discount < 0:
        raise ValueError(f"discount must be >= 0, got {discount!r}")
    if np.any((r < 0) | (r >= 1 + discount)):
        raise ValueError(f"retention must be in [0, 1 + discount) = [0, {1 + discount}), got {retention!r}")
    infinite = np.multiply(margin, r) / (1.0 + discount - r)
    if periods is None:
        return infinite
    if int(periods) < 0:
        raise ValueError(f"periods must be >= 0, got {periods!r}")
    return infinite * (1.0 - (r / (1.0 + discount)) ** int(periods))


def yearly_retention(facts: CustomerFacts) -> tuple[float, int]:
    """``(r, n)``: the share of the ``n`` customers who bought in year 1 (the 12 months before the last 12)
    who bought again in year 0. ``(nan, 0)`` when nobody bought in year 1."""
    yr = facts.yearly_revenue(2)
    active_before = yr["revenue_y1"] > 0
    n = int(active_before.sum())
    if n == 0:
        return float("nan"), 0
    return float((yr.loc[active_before, "revenue_y0"] > 0).mean()), n


def gross_margin_rate(orders: pd.DataFrame) -> float:
    """Gross margin over revenue of ``orders`` (``(revenue - cost_of_goods) / revenue``) on the orders that
    have a cost of goods; ``nan`` when no order has one."""
    if "cost_of_goods" not in orders.columns:
        return float("nan")
    cogs = pd.to_numeric(orders["cost_of_goods"], errors="coerce")
    known = cogs.notna()
    revenue = float(orders.loc[known, "revenue"].sum())
    if not known.any() or revenue <= 0:
        return float("nan")
    return (revenue - float(cogs[known].sum())) / revenue


def customer_value_inputs(facts: CustomerFacts) -> pd.DataFrame:
    """What the closed-form CLVs need, per buying customer, from the last 12 months (year 0).

    Returns
    -------
    DataFrame
        ``customer_id, orders_y0, revenue_y0, margin_y0, order_value, active`` (``active``: bought in year
        0) for every customer with an order; margin from ``cost_of_goods`` where known, else ``nan``.
        Also the whole base's figures in ``attrs``: ``order_value`` (mean order value of year 0),
        ``orders_per_year`` (year-0 orders per active customer), ``retention`` and ``retention_base`` (see
        :func:`yearly_retention`), ``margin_rate`` (:func:`gross_margin_rate` of year 0).
    """
    o = facts.orders
    inside = window_mask(o["order_date"], facts.as_of, 0).to_numpy()
    y0 = o[inside]
    # grouped by each order's customer row (integers, in the orders' order) instead of the text ids; the
    # groups and the order of the rows in each are the same, so are the sums
    code = order_rows(facts)[inside]
    g = y0.groupby(code)
    out = facts.base.loc[facts.base["frequency"] > 0, ["customer_id"]].set_index("customer_id")
    at = customer_rows(facts, out.index)
    out["orders_y0"] = g.size().reindex(at).to_numpy()
    out["revenue_y0"] = g["revenue"].sum().reindex(at).to_numpy()
    rate = gross_margin_rate(y0)
    if "cost_of_goods" in y0.columns:
        cogs = pd.to_numeric(y0["cost_of_goods"], errors="coerce")
        out["margin_y0"] = (y0["revenue"] - cogs).groupby(code).sum(min_count=1).reindex(at).to_numpy()
    else:
        out["margin_y0"] = np.nan
    out[["orders_y0", "revenue_y0"]] = out[["orders_y0", "revenue_y0"]].fillna(0.0)
    out["active"] = out["orders_y0"] > 0
    out["margin_y0"] = out["margin_y0"].where(out["active"], 0.0)
    out["order_value"] = out["revenue_y0"] / out["orders_y0"].where(out["active"])
    retention, n = yearly_retention(facts)
    out = out.reset_index()
    out.attrs.update(order_value=float(y0["revenue"].mean()) if len(y0) else float("nan"),
                     orders_per_year=float(len(y0) / max(int(out["active"].sum()), 1)),
                     retention=retention, retention_base=n, margin_rate=rate)
    return out


def clv_closed_forms(facts: CustomerFacts, *, discount: float = DISCOUNT_RATE, horizon_years: int | None = None,
                     margin_rate: float | None = None) -> pd.DataFrame:
    r"""CLV (a) and (b) per customer active in the last 12 months, on the same customers.

    - ``clv_course``: the customer's own year-0 order value x orders x the base's average lifespan
      :math:`1/(1-r)` (revenue, undiscounted: the course formula as taught);
    - ``clv_retention``: the customer's year-0 margin (revenue x the base's margin rate when orders have no
      cost of goods, or ``margin_rate`` when given) in :func:`retention_clv` with the base's yearly
      retention, the discount rate and the horizon (``None``: infinite).

    Returns
    -------
    DataFrame
        ``customer_id, revenue_y0, margin_y0, clv_course, clv_retention`` for active customers; ``attrs``
        carry the inputs (``retention``, ``lifespan_years``, ``margin_rate``, ``margin_basis`` = ``"cost_of_goods"``,
        ``"given rate"`` or ``"revenue"`` when no margin is known at all, ``discount``, ``horizon_years``,
        ``inactive`` = buying customers left out because they did not buy in the last 12 months).
    """
    inputs = customer_value_inputs(facts)
    r = inputs.attrs["retention"]
    if not np.isfinite(r):
        raise ValueError("CLV needs orders in the year before the last 12 months (to measure retention); "
                         "there are none")
    active = inputs[inputs["active"]].copy()
    if margin_rate is not None:
        margin, basis = active["revenue_y0"] * float(margin_rate), "given rate"
    elif np.isfinite(inputs.attrs["margin_rate"]):
        margin = active["margin_y0"].fillna(active["revenue_y0"] * inputs.attrs["margin_rate"])
        basis = "cost_of_goods"
    else:
        margin, basis = active["revenue_y0"], "revenue"
    lifespan = 1.0 / (1.0 - r) if r < 1 else float("inf")
    out = active[["customer_id", "revenue_y0"]].copy()
    out["margin_y0"] = margin
    out["clv_course"] = course_clv(active["order_value"], active["orders_y0"], lifespan)
    out["clv_retention"] = retention_clv(margin, r, discount, horizon_years)
    out = out.reset_index(drop=True)
    out.attrs.update(retention=r, retention_base=inputs.attrs["retention_base"], lifespan_years=lifespan,
                     margin_rate=float(margin_rate) if margin_rate is not None else inputs.attrs["margin_rate"],
                     margin_basis=basis, discount=float(discount), horizon_years=horizon_years,
                     inactive=int((~inputs["active"]).sum()))
    return out


def clv_three_ways(closed: pd.DataFrame, facts: CustomerFacts, probabilistic: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CLVs side by side on the same customers (those of ``closed``, :func:`clv_closed_forms`).

    Returns
    -------
    DataFrame
        ``customer_id, orders, one_time, clv_course, clv_retention`` and ``clv_probabilistic`` when
        ``probabilistic`` (indexed by ``customer_id``, column ``clv``) is given; ``one_time``: a single order
        to date. ``attrs["methods"]`` lists the CLV columns.
    """
    out = closed[["customer_id", "clv_course", "clv_retention"]].copy()
    base = facts.base
    # looked up by each customer's row in the base and in the model's frame (as a map by id would)
    at = index_in(base["customer_id"], out["customer_id"])
    orders = np.append(base["frequency"].to_numpy(dtype=float), np.nan)[at]
    out.insert(1, "orders", pd.Series(orders).fillna(0).astype(int).to_numpy())
    out.insert(2, "one_time", out["orders"] == 1)
    methods = ["clv_course", "clv_retention"]
    if probabilistic is not None:
        at = index_in(pd.Series(probabilistic.index), out["customer_id"])
        out["clv_probabilistic"] = np.append(probabilistic["clv"].to_numpy(dtype=float), np.nan)[at]
        methods.append("clv_probabilistic")
    out.attrs["methods"] = methods
    return out
