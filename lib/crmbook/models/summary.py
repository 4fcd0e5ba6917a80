r"""Per-customer frequency, recency, T and monetary value (RFM 汇总) for the customer-base models.

lifetimes conventions (the inputs of BG/NBD, Pareto/NBD and Gamma-Gamma):

- a *purchase occasion* is a calendar day with at least one order (several orders on one day are one
  occasion, their revenue summed);
- ``frequency`` :math:`x` = purchase occasions minus the first (repeat purchases);
- ``recency`` :math:`t_x` = age at the last purchase: time from the first to the last occasion;
- ``T`` = age at ``as_of``: time from the first occasion to ``as_of``;
- ``monetary_value`` :math:`\bar z` = mean revenue of the repeat occasions (the first one excluded, as
  Gamma-Gamma needs); 0 when ``frequency == 0``.

Times are measured in days and expressed in the ``time_unit``: "D" (day), "W" (7 days) or "M"
(30.4375 days = 365.25 / 12); the unit is stated in ``summary.attrs["time_unit"]`` and carried by the
columns to the fits. Orders after ``as_of`` are left out and counted in ``attrs``; so are the customers
whose first order is after ``as_of`` (they were not yet customers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.models._fitting import unit_days
from crmbook.tables import require_columns

__all__ = ["customer_summary", "calibration_holdout", "SUMMARY_COLUMNS"]

#: Columns of :func:`customer_summary` (``monetary_value`` only when a value column is given).
SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary_value")


def _timestamp(name: str, value: Any) -> pd.Timestamp:
    if value is None:
        raise ValueError(f"{name} must be given (a date); nothing here reads the clock")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: a date was expected, got {value!r} ({exc})") from None
    if ts is pd.NaT:
        raise ValueError(f"{name}: a date was expected, got {value!r}")
    return ts.normalize()


def _occasions(orders: pd.DataFrame, customer: str, date: str, value: str | None) -> pd.DataFrame:
    """Orders checked and collapsed to one row per (customer, day): columns customer, day, value."""
    cols = [customer, date] + ([value] if value is not None else [])
    require_columns(orders, "orders", cols)

    def rows(mask) -> str:
        labels = orders.index[np.asarray(mask)]
        return f"{len(labels):,} row(s) (index {', '.join(map(str, labels[:5]))}{' ...' if len(labels) > 5 else ''})"

    ids = orders[customer]
    if ids.isna().any():
        raise ValueError(f"orders: column {customer!r} is missing in {rows(ids.isna())}")
    days = pd.to_datetime(orders[date], errors="coerce")
    if days.isna().any():
        raise ValueError(f"orders: column {date!r} is missing or not a date in {rows(days.isna())}")
    frame = pd.DataFrame({"customer": ids.to_numpy(), "day": days.dt.normalize().to_numpy()})
    if value is not None:
        vals = pd.to_numeric(orders[value], errors="coerce")
        if vals.isna().any():
            raise ValueError(f"orders: column {value!r} is missing or not a number in {rows(vals.isna())}")
        frame["value"] = vals.to_numpy(dtype=float)
    else:
        frame["value"] = 0.0
    return frame


def _summarise(occ: pd.DataFrame, as_of: pd.Timestamp, days_per_unit: float, with_value: bool) -> pd.DataFrame:
    per_day = occ.groupby(["customer", "day"], sort=True, observed=True)["value"].sum().reset_index()
    g = per_day.groupby("customer", sort=True)
    first = g["day"].min()
    last = g["day"].max()
    n_days = g["day"].size()
    total = g["value"].sum()
    first_value = g["value"].first()  # rows are sorted by day within customer
    freq = (n_days - 1).astype(float)
    out = pd.DataFrame({
        "frequency": freq,
        "recency": (last - first).dt.days / days_per_unit,
        "T": (as_of - first).dt.days / days_per_unit,
    })
    if with_value:
        repeat_total = (total - first_value).to_numpy()
        out["monetary_value"] = np.divide(repeat_total, freq.to_numpy(), out=np.zeros(len(out)),
                                          where=freq.to_numpy() > 0)
    return out


def customer_summary(orders: pd.DataFrame, as_of: Any, *, time_unit: str = "W", customer: str = "customer_id",
                     date: str = "order_date", value: str | None = "revenue") -> pd.DataFrame:
    r"""Frequency, recency, T and monetary value per customer at ``as_of`` (lifetimes conventions).

    .. math::
        x = \#\text{purchase days} - 1, \quad t_x = \frac{d_\text{last} - d_\text{first}}{u}, \quad
        T = \frac{\text{as\_of} - d_\text{first}}{u}, \quad
        \bar z = \frac{\sum \text{revenue of the repeat days}}{x}

    with :math:`u` the days in the time unit (see the module docstring for the conventions).

    Parameters
    ----------
    orders : DataFrame
        One row per order with columns ``customer``, ``date`` and (unless ``value=None``) ``value``.
    as_of : date
        End of the observation; orders dated after it are left out (and counted).
    time_unit : {"D", "W", "M"}
        Unit of recency and T: day, 7-day week or 30.4375-day month.
    customer, date, value : str
        Column names; ``value=None`` leaves out ``monetary_value``.

    Returns
    -------
    DataFrame
        Indexed by customer id (sorted), columns ``frequency``, ``recency``, ``T`` and ``monetary_value``
        (floats). ``attrs``: ``time_unit``, ``days_per_unit``, ``as_of`` (ISO date), ``n_orders_used``,
        ``excluded_orders_after_as_of``, ``excluded_customers_after_as_of`` (customers whose first order
        is after ``as_of``).

    Raises
    ------
    ValueError
        A missing column, a missing customer id, date or value (naming the rows), an unknown time unit.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B"],
    ...                        "order_date": ["2025-01-01", "2025-01-15", "2025-01-29", "2025-02-12"],
    ...                        "revenue": [100.0, 40.0, 60.0, 80.0]})
    >>> customer_summary(orders, "2025-02-26")
                 frequency  recency    T  monetary_value
    customer_id
    A                  2.0      4.0  8.0            50.0
    B                  0.0      0.0  2.0             0.0
    """
    days_per_unit = unit_days(time_unit)
    as_of = _timestamp("as_of", as_of)
    occ = _occasions(orders, customer, date, value)
    after = occ["day"] > as_of
    kept = occ[~after]
    out = _summarise(kept, as_of, days_per_unit, value is not None)
    out.index.name = customer
    out.attrs = {
        "time_unit": time_unit,
        "days_per_unit": days_per_unit,
        "as_of": as_of.date().isoformat(),
        "n_orders_used": int(len(kept)),
        "excluded_orders_after_as_of": int(after.sum()),
        "excluded_customers_after_as_of": int((~pd.Index(occ.loc[after, "customer"].unique())
                                                .isin(kept["customer"].unique())).sum()),
    }
    return out


def calibration_holdout(orders: pd.DataFrame, calibration_end: Any, as_of: Any, *, time_unit: str = "W",
                        customer: str = "customer_id", date: str = "order_date",
                        value: str | None = "revenue") -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Split the history at ``calibration_end``: a summary to fit on and the purchases that followed.

    The calibration summary is :func:`customer_summary` at ``calibration_end``; customers whose first
    order is after ``calibration_end`` cannot be in it and are counted
    (``cal.attrs["excluded_customers_after_as_of"]``). For each calibration customer the holdout counts the
    purchase days in :math:`(\text{calibration\_end}, \text{as\_of}]`:

    .. math::
        x^\text{hold} = \#\text{purchase days in the holdout}, \quad
        t^\text{hold} = \frac{\text{as\_of} - \text{calibration\_end}}{u}

    Parameters
    ----------
    orders : DataFrame
        As for :func:`customer_summary`.
    calibration_end, as_of : date
        End of the calibration period and of the holdout period (``calibration_end < as_of``).
    time_unit, customer, date, value
        As for :func:`customer_summary`.

    Returns
    -------
    cal, holdout : DataFrame, DataFrame
        ``cal`` as from :func:`customer_summary`; ``holdout`` on the same index with
        ``frequency_holdout``, ``duration_holdout`` (in the time unit) and, with a value column,
        ``monetary_value_holdout`` (mean revenue per holdout purchase day, 0 when none).
        ``holdout.attrs``: ``time_unit``, ``calibration_end``, ``as_of``, ``excluded_orders_after_as_of``,
        ``new_customers_in_holdout`` (first order in the holdout: not in either table).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "C"],
    ...                        "order_date": ["2025-01-01", "2025-01-15", "2025-03-01", "2025-01-08",
    ...                                       "2025-02-20"], "revenue": [100.0, 40.0, 60.0, 80.0, 10.0]})
    >>> cal, hold = calibration_holdout(orders, "2025-01-29", "2025-03-26")
    >>> hold
                 frequency_holdout  duration_holdout  monetary_value_holdout
    customer_id
    A                          1.0               8.0                    60.0
    B                          0.0               8.0                     0.0
    >>> hold.attrs["new_customers_in_holdout"]
    1
    """
    days_per_unit = unit_days(time_unit)
    cal_end = _timestamp("calibration_end", calibration_end)
    end = _timestamp("as_of", as_of)
    if not cal_end < end:
        raise ValueError(f"calibration_end ({cal_end.date()}) must be before as_of ({end.date()})")
    cal = customer_summary(orders, cal_end, time_unit=time_unit, customer=customer, date=date, value=value)
    occ = _occasions(orders, customer, date, value)
    in_hold = (occ["day"] > cal_end) & (occ["day"] <= end)
    known = occ["customer"].isin(cal.index)
    hold_occ = occ[in_hold & known]
    per_day = hold_occ.groupby(["customer", "day"], sort=True)["value"].sum().reset_index()
    g = per_day.groupby("customer")
    n_days = g["day"].size().reindex(cal.index, fill_value=0).astype(float)
    holdout = pd.DataFrame({"frequency_holdout": n_days,
                            "duration_holdout": float((end - cal_end).days) / days_per_unit}, index=cal.index)
    if value is not None:
        total = g["value"].sum().reindex(cal.index, fill_value=0.0).to_numpy()
        holdout["monetary_value_holdout"] = np.divide(total, n_days.to_numpy(), out=np.zeros(len(holdout)),
                                                      where=n_days.to_numpy() > 0)
    holdout.attrs = {
        "time_unit": time_unit,
        "days_per_unit": days_per_unit,
        "calibration_end": cal_end.date().isoformat(),
        "as_of": end.date().isoformat(),
        "excluded_orders_after_as_of": int((occ["day"] > end).sum()),
        "new_customers_in_holdout": int(occ.loc[in_hold & ~known, "customer"].nunique()),
    }
    return cal, holdout
