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

__all__ = ["customer_summary", "facts_summary", "calibration_holdout", "SUMMARY_COLUMNS"]

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


def _day_number(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.date(), "D").astype(np.int64))


def _day_numbers(days: pd.Series) -> np.ndarray:
    """Calendar days (days since 1970-01-01, int64) of a column of dates, local time for dates with a zone."""
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    return days.to_numpy().astype("datetime64[D]").astype(np.int64)


def _orders_arrays(orders: pd.DataFrame, customer: str, date: str, value: str | None):
    """Orders checked and coded: (customer codes, sorted distinct ids, day numbers, values) as arrays."""
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
    day = _day_numbers(days)
    if value is not None:
        vals = pd.to_numeric(orders[value], errors="coerce")
        if vals.isna().any():
            raise ValueError(f"orders: column {value!r} is missing or not a number in {rows(vals.isna())}")
        val = vals.to_numpy(dtype=float)
    else:
        val = np.zeros(len(orders))
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, name=customer), day, val


def _occasions(codes, day, val):
    """One row per (customer, day) with the day's revenue summed, sorted by customer then day."""
    if len(codes) == 0:
        return codes, day, val
    lo, span = day.min(), int(day.max() - day.min()) + 1
    key = codes * span + (day - lo)
    order = np.argsort(key)  # np.unique(key, return_inverse=True), its sort done once
    sorted_key = key[order]
    first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    keys = sorted_key[first]
    inverse = np.empty(len(key), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return keys // span, keys % span + lo, np.bincount(inverse, weights=val, minlength=len(keys))


def _summarise(codes, day, val, ids: pd.Index, as_of_day: int, days_per_unit: float,
               with_value: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """The summary of the coded orders, and the code (position in ``ids``) of each of its rows."""
    cust, oday, oval = _occasions(codes, day, val)
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]]) if len(cust) else np.zeros(0, dtype=np.intp)
    ends = np.r_[starts[1:], len(cust)][: len(starts)] - 1
    first, last = oday[starts], oday[ends]
    freq = (ends - starts).astype(float)
    out = pd.DataFrame({"frequency": freq, "recency": (last - first) / days_per_unit,
                        "T": (as_of_day - first) / days_per_unit}, index=ids[cust[starts]])
    if with_value:
        repeat_total = np.add.reduceat(oval, starts) - oval[starts] if len(starts) else np.zeros(0)
        out["monetary_value"] = np.divide(repeat_total, freq, out=np.zeros(len(out)), where=freq > 0)
    return out, cust[starts]


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
    return _coded_summary(*_orders_arrays(orders, customer, date, value), as_of, time_unit, days_per_unit,
                          value is not None)[0]


def _coded_summary(codes, ids: pd.Index, day, val, as_of: pd.Timestamp, time_unit: str, days_per_unit: float,
                   with_value: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`customer_summary` of coded orders (:func:`_orders_arrays`), and the code of each row."""
    as_of_day = _day_number(as_of)
    keep = day <= as_of_day
    out, rows = _summarise(codes[keep], day[keep], val[keep], ids, as_of_day, days_per_unit, with_value)
    seen = np.zeros(len(ids), dtype=bool)
    seen[codes[keep]] = True
    later = np.zeros(len(ids), dtype=bool)
    later[codes[~keep]] = True
    out.attrs = {
        "time_unit": time_unit,
        "days_per_unit": days_per_unit,
        "as_of": as_of.date().isoformat(),
        "n_orders_used": int(keep.sum()),
        "excluded_orders_after_as_of": int((~keep).sum()),
        "excluded_customers_after_as_of": int((later & ~seen).sum()),
    }
    return out, rows


def facts_summary(facts: Any, *, time_unit: str = "W") -> pd.DataFrame:
    """:func:`customer_summary` of the orders of a :class:`~crmbook.facts.CustomerFacts` at its ``as_of``.

    The same frame as ``customer_summary(facts.orders, facts.as_of, time_unit=time_unit)``, found from the
    customer row of each order that the facts already hold (:attr:`~crmbook.facts.CustomerFacts.order_rows`)
    instead of hashing the text id of every order again; the facts have checked the ids, dates and revenue.

    Parameters
    ----------
    facts : CustomerFacts
        Customers and orders at the analysis date.
    time_unit : {"D", "W", "M"}
        Unit of recency and T: day, 7-day week or 30.4375-day month.

    Returns
    -------
    DataFrame
        As :func:`customer_summary` (indexed by ``customer_id``, sorted; ``monetary_value`` from ``revenue``).
    """
    days_per_unit = unit_days(time_unit)
    as_of = _timestamp("as_of", facts.as_of)
    ids = facts.customers["customer_id"]
    by_id = ids.argsort().to_numpy()  # the customers in id order, as factorizing the orders' ids sorts them
    rank = np.empty(len(by_id), dtype=np.int64)
    rank[by_id] = np.arange(len(by_id))
    o = facts.orders
    codes = rank[np.asarray(facts.order_rows, dtype=np.int64)]
    sorted_ids = pd.Index(ids.iloc[by_id].to_numpy(), name="customer_id")
    val = o["revenue"].to_numpy(dtype=float)
    return _coded_summary(codes, sorted_ids, _day_numbers(o["order_date"]), val, as_of, time_unit, days_per_unit,
                          True)[0]


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
    codes, ids, day, val = _orders_arrays(orders, customer, date, value)
    cal, position = _coded_summary(codes, ids, day, val, cal_end, time_unit, days_per_unit, value is not None)
    cal_day, end_day = _day_number(cal_end), _day_number(end)
    in_cal = np.zeros(len(ids), dtype=bool)
    in_cal[codes[day <= cal_day]] = True
    in_hold = (day > cal_day) & (day <= end_day)
    known = in_cal[codes]
    cust, _, oval = _occasions(codes[in_hold & known], day[in_hold & known], val[in_hold & known])
    n_days = np.bincount(cust, minlength=len(ids)).astype(float)
    total = np.bincount(cust, weights=oval, minlength=len(ids))
    n_days, total = n_days[position], total[position]
    holdout = pd.DataFrame({"frequency_holdout": n_days,
                            "duration_holdout": float(end_day - cal_day) / days_per_unit}, index=cal.index)
    if value is not None:
        holdout["monetary_value_holdout"] = np.divide(total, n_days, out=np.zeros(len(holdout)), where=n_days > 0)
    holdout.attrs = {
        "time_unit": time_unit,
        "days_per_unit": days_per_unit,
        "calibration_end": cal_end.date().isoformat(),
        "as_of": end.date().isoformat(),
        "excluded_orders_after_as_of": int((day > end_day).sum()),
        "new_customers_in_holdout": int(len(np.unique(codes[in_hold & ~known]))),
    }
    return cal, holdout
