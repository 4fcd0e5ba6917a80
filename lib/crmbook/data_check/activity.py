"""How busy each month was: orders, buying customers and revenue per calendar month."""

from __future__ import annotations

import pandas as pd

__all__ = ["monthly_activity"]


def monthly_activity(orders: pd.DataFrame, *, date_col: str = "order_date", revenue_col: str = "revenue",
                     customer_col: str = "customer_id") -> pd.DataFrame:
    """Orders, active customers and revenue per calendar month.

    Returns
    -------
    DataFrame
        ``month`` (Period[M]), ``orders``, ``customers`` (distinct buyers), ``revenue``; every month between
        the first and the last order appears, empty months with zeros.
    """
    if orders.empty:
        return pd.DataFrame(columns=["month", "orders", "customers", "revenue"])
    month = pd.to_datetime(orders[date_col]).dt.to_period("M").rename("month")
    by_month = orders.groupby(month)
    table = pd.DataFrame({"orders": by_month.size(), "customers": by_month[customer_col].nunique(),
                          "revenue": by_month[revenue_col].sum()})
    full = pd.period_range(table.index.min(), table.index.max(), freq="M", name="month")
    return table.reindex(full, fill_value=0).reset_index()
