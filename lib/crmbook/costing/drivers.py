r"""Cost drivers (成本动因): how much of each activity every customer caused in each month.

Activity-based costing shares a cost pool among customers in proportion to a **driver**, the activity
that causes the cost: orders for logistics, service contacts for the service desk, new customers for
marketing. The pool -> driver map is a data file (:data:`DEFAULT_DRIVER_MAP`, ``drivers.yaml`` in this
package, documented there); an analyst passes their own with ``driver_map=`` (a path, or a mapping of
the same shape).

A driver's quantity for customer :math:`i` in month :math:`t` is a non-negative **integer weight**
:math:`w_{it}` (a count, or an amount in cents), so that the allocation can be exact to the cent
(:mod:`crmbook.costing.allocation`). Beside it, ``units`` is the activity in its natural unit (orders,
contacts, currency) from which the rate per driver unit is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from crmbook.facts import CustomerFacts
from crmbook.positions import customer_rows, order_rows
from crmbook.tables import require_columns

__all__ = ["DEFAULT_DRIVER_MAP", "BUILTIN_DRIVERS", "DriverMap", "load_driver_map", "driver_activity",
           "month_codes"]

#: The default pool -> driver map (a YAML file of this package).
DEFAULT_DRIVER_MAP = "drivers.yaml"

#: Drivers computed from the orders and customers (contact drivers are declared in the map file).
BUILTIN_DRIVERS: tuple[str, ...] = ("orders", "revenue", "new_customers", "active_customers",
                                    "campaign_touches")


class DriverMap:
    """Pool -> driver, and the definition of each contact driver.

    Parameters
    ----------
    pools : mapping
        Pool name -> driver name.
    contact_drivers : mapping
        Driver name -> ``{"types": [...], "weight": "cost" | "count"}``.
    source : str
        Where the map was read from (shown in the report).
    """

    def __init__(self, pools: Mapping[str, str], contact_drivers: Mapping[str, Mapping[str, Any]] | None = None,
                 source: str = "") -> None:
        self.pools = {str(k): str(v) for k, v in (pools or {}).items()}
        self.contact_drivers: dict[str, dict[str, Any]] = {}
        for name, spec in (contact_drivers or {}).items():
            spec = dict(spec or {})
            types = spec.get("types")
            if not types or isinstance(types, str):
                raise ValueError(f"driver map {source or ''}: contact driver {name!r} needs a list of contact "
                                 f"'types', got {types!r}")
            weight = str(spec.get("weight", "count"))
            if weight not in ("cost", "count"):
                raise ValueError(f"driver map {source or ''}: contact driver {name!r}: weight must be 'cost' or "
                                 f"'count', got {weight!r}")
            self.contact_drivers[str(name)] = {"types": [str(t) for t in types], "weight": weight}
        self.source = source

    def __repr__(self) -> str:
        return f"DriverMap({self.pools!r})"

    @property
    def known_drivers(self) -> tuple[str, ...]:
        """Every driver name this map can measure."""
        return BUILTIN_DRIVERS + tuple(self.contact_drivers)

    def driver_for(self, pool: str, fallback: Any = None) -> str | None:
        """The driver of ``pool``: the map's, else ``fallback`` (the costs table's ``driver`` column)."""
        if pool in self.pools:
            return self.pools[pool]
        if fallback is None or (isinstance(fallback, float) and np.isnan(fallback)) or not str(fallback).strip():
            return None
        return str(fallback).strip()


def load_driver_map(driver_map: str | Path | Mapping[str, Any] | DriverMap | None = None) -> DriverMap:
    """The pool -> driver map: the package default (``None``), a YAML file (a path) or a mapping of the
    same shape (``{"pools": {...}, "contact_drivers": {...}}``)."""
    if isinstance(driver_map, DriverMap):
        return driver_map
    if driver_map is None or (isinstance(driver_map, str) and not driver_map.strip()):
        text = (resources.files("crmbook.costing") / DEFAULT_DRIVER_MAP).read_text(encoding="utf-8")
        tree, source = yaml.safe_load(text), f"crmbook.costing/{DEFAULT_DRIVER_MAP}"
    elif isinstance(driver_map, Mapping):
        tree, source = driver_map, "a mapping"
    else:
        path = Path(driver_map)
        if not path.is_file():
            raise FileNotFoundError(f"driver_map: no file {str(path)!r} (a YAML file with 'pools' and "
                                    f"'contact_drivers', see crmbook/costing/{DEFAULT_DRIVER_MAP})")
        tree, source = yaml.safe_load(path.read_text(encoding="utf-8")), path.name
    if not isinstance(tree, Mapping) or not isinstance(tree.get("pools", {}), Mapping):
        raise ValueError(f"driver map {source}: expected a mapping with 'pools: {{pool: driver}}'")
    return DriverMap(tree.get("pools") or {}, tree.get("contact_drivers") or {}, source=source)


#: The drivers measured on the orders (they share one grouping of the orders by month and customer).
_ORDER_DRIVERS = ("orders", "revenue", "active_customers")


def _month_numbers(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each date's calendar month as a number (months since 1970-01, int64) and which dates are known.

    Looks each distinct day up in a table of the days between the first and the last date (a column of
    millions of dates spans a few thousand days), instead of converting every date to a calendar month.
    """
    d = dates if pd.api.types.is_datetime64_any_dtype(dates) else pd.to_datetime(dates, errors="coerce")
    ns = d.to_numpy(dtype="datetime64[ns]")
    valid = ~np.isnat(ns)
    every = bool(valid.all())  # the order dates: then no masked copies (each is 80 MB at ten million rows)
    months = np.zeros(len(ns), dtype=np.int64)
    if valid.any():
        known = ns if every else ns[valid]
        days = known.astype("datetime64[D]").view(np.int64)
        first, last = int(days.min()), int(days.max())
        if last - first <= max(len(days), 1 << 16):
            table = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]").view(np.int64)
            found = table[days - first]
        else:  # a few dates far apart: convert each
            found = known.astype("datetime64[M]").view(np.int64)
        if every:
            months = found
        else:
            months[valid] = found
    return months, valid


def _month_names(numbers: np.ndarray) -> np.ndarray:
    """``YYYY-MM`` of month numbers (months since 1970-01), as an object array."""
    return np.array([str(m)[:7] for m in np.asarray(numbers, dtype=np.int64).astype("datetime64[M]")], dtype=object)


def month_codes(dates: pd.Series) -> pd.Series:
    """Each date's calendar month as text ``YYYY-MM`` (the period of the costs table); missing stays missing.

    Formats each distinct month once (a column of 100,000s of dates holds a few dozen months).
    """
    months, valid = _month_numbers(dates)
    out = np.full(len(months), None, dtype=object)
    if valid.any():
        m = months[valid]
        first = int(m.min())
        present = np.flatnonzero(np.bincount(m - first))
        names = np.full(len(present) and int(present[-1]) + 1, None, dtype=object)
        names[present] = _month_names(present + first)
        out[valid] = names[m - first]
    return pd.Series(out, index=dates.index, dtype=object)


def _cents(values: pd.Series) -> np.ndarray:
    return np.rint(pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(dtype=float) * 100).astype(np.int64)


@dataclass(frozen=True)
class _Activity:
    """A driver's quantity per (month, customer), as arrays: the rows of :func:`driver_activity`.

    ``month[k]`` is row ``k``'s position in ``names`` (the ``YYYY-MM`` of the months, in order; rows by month,
    then customer), ``customer[k]`` its customer's position in ``facts.customers``, ``weight`` and ``units`` its
    sums; ``negative`` counts the customer-months whose net weight was negative (left out).
    """

    month: np.ndarray
    names: np.ndarray
    customer: np.ndarray
    weight: np.ndarray
    units: np.ndarray
    negative: int

    def frame(self) -> pd.DataFrame:
        """The rows as the frame :func:`driver_activity` returns."""
        period = pd.array(self.names, dtype="str").take(self.month) if len(self.names) else np.zeros(0, object)
        out = pd.DataFrame({"period": period, "customer": self.customer, "weight": self.weight,
                            "units": self.units})
        out.attrs["negative"] = self.negative
        return out


@dataclass(frozen=True)
class _Grouping:
    """Rows grouped by (month, customer): ``known`` (rows of known customers, or None when all are),
    ``order`` (those rows by month, then customer, stably), ``starts`` (where each group starts in that
    order), and per group its month's position in ``names`` and its customer."""

    known: np.ndarray | None
    order: np.ndarray
    starts: np.ndarray
    month: np.ndarray
    names: np.ndarray
    customer: np.ndarray

    def sum(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per row) summed per group."""
        values = values if self.known is None else values[self.known]
        return np.add.reduceat(values[self.order], self.starts) if len(self.starts) else values[:0]


def _grouping(months: np.ndarray, customer: np.ndarray) -> _Grouping:
    """:class:`_Grouping` of rows by month numbers (:func:`_month_numbers`, dates known) and customer
    positions (-1: unknown customer, left out)."""
    months = np.asarray(months, dtype=np.int64)
    customer = np.asarray(customer, dtype=np.int64)
    ok = customer >= 0
    known = None if ok.all() else ok
    m, c = (months, customer) if known is None else (months[ok], customer[ok])
    first = int(m.min()) if len(m) else 0
    n = int(c.max()) + 1 if len(c) else 1
    key = (m - first) * n + c
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]]) if len(key_sorted) else np.zeros(0, int)
    ukey = key_sorted[starts]
    month = ukey // n  # sorted: each new month starts a run
    new_month = np.r_[True, month[1:] != month[:-1]] if len(month) else np.zeros(0, bool)
    return _Grouping(known=known, order=order, starts=starts, month=np.cumsum(new_month) - 1,
                     names=_month_names(month[new_month] + first), customer=ukey % n)


def _sums(grouping: _Grouping, weight: np.ndarray, units: np.ndarray) -> _Activity:
    """Sum weight and units per (month, customer) group of ``grouping``, by month then customer;
    net-negative weights count as no activity (``negative``)."""
    return _summed(grouping, grouping.sum(np.asarray(weight, dtype=np.int64)), grouping.sum(np.asarray(units, dtype=float)))


def _counts(grouping: _Grouping) -> _Activity:
    """:func:`_sums` of a weight and units of 1 per row: each group's size (the same numbers, without
    gathering and adding ten million ones)."""
    sizes = np.diff(np.append(grouping.starts, len(grouping.order))).astype(np.int64)
    return _summed(grouping, sizes, sizes.astype(float))


def _summed(grouping: _Grouping, w: np.ndarray, u: np.ndarray) -> _Activity:
    """The :class:`_Activity` of the groups' weight ``w`` and units ``u``."""
    keep = w > 0  # a net refund earns no share of a pool
    return _Activity(month=grouping.month[keep].astype(np.intp), names=grouping.names,
                     customer=grouping.customer[keep], weight=w[keep], units=u[keep], negative=int((w < 0).sum()))


def driver_activity(driver: str, facts: CustomerFacts, driver_map: DriverMap, *,
                    contacts: pd.DataFrame | None = None,
                    campaigns: pd.DataFrame | None = None,
                    campaign_members: pd.DataFrame | None = None,
                    cache: dict[str, Any] | None = None) -> pd.DataFrame | None:
    """The quantity of ``driver`` per customer and month.

    Returns
    -------
    DataFrame or None
        ``period`` (``YYYY-MM``), ``customer`` (position in ``facts.customers``), ``weight`` (int64 > 0:
        a count, or cents for revenue and cost-weighted contacts) and ``units`` (the activity in its own
        unit); only rows with activity (``cache``, a dict, keeps the customer positions and months of the
        orders and contacts between calls). ``attrs["negative"]``: customer-months whose net driver was
        negative (a refund larger than the month's orders), counted as no activity. ``None`` when the
        data to measure the driver is missing (no contacts table for a contact driver, an unknown driver).
    """
    act = _activity(driver, facts, driver_map, contacts=contacts, campaigns=campaigns,
                    campaign_members=campaign_members, cache=cache)
    return None if act is None else act.frame()


def _activity(driver: str, facts: CustomerFacts, driver_map: DriverMap, *,
              contacts: pd.DataFrame | None = None,
              campaigns: pd.DataFrame | None = None,
              campaign_members: pd.DataFrame | None = None,
              cache: dict[str, Any] | None = None) -> _Activity | None:
    """:func:`driver_activity` as arrays (:class:`_Activity`), or None."""
    cache = {} if cache is None else cache
    if driver in _ORDER_DRIVERS:
        o = facts.orders
        if "orders" not in cache:  # every order has a date; the orders' grouping serves the three drivers
            cache["orders"] = _grouping(_month_numbers(o["order_date"])[0], order_rows(facts))
        grouping = cache["orders"]
        if driver == "orders":
            return _counts(grouping)
        if driver == "revenue":
            return _sums(grouping, _cents(o["revenue"]), o["revenue"].to_numpy(dtype=float))
        act = _counts(grouping)
        n = len(act.customer)
        return replace(act, weight=np.ones(n, dtype=np.int64), units=np.ones(n))
    if driver == "new_customers":
        c = facts.customers
        if "signup_date" not in c.columns:
            return None
        known = c["signup_date"].notna().to_numpy()
        pos = np.arange(len(c))[known]
        return _counts(_grouping(_month_numbers(c.loc[known, "signup_date"])[0], pos))
    if driver == "campaign_touches":
        if campaign_members is None or campaigns is None:
            return None
        require_columns(campaign_members, "campaign_members", ["campaign_id", "customer_id"])
        require_columns(campaigns, "campaigns", ["campaign_id", "start_date"])
        start = campaigns.set_index(campaigns["campaign_id"].astype(str))["start_date"]
        m = campaign_members
        months, keep = _month_numbers(m["campaign_id"].astype(str).map(start))
        cust = customer_rows(facts, m["customer_id"])
        return _counts(_grouping(months[keep], cust[keep]))
    spec = driver_map.contact_drivers.get(driver)
    if spec is None or contacts is None:
        return None
    require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
    if "contacts" not in cache:
        dates = pd.to_datetime(contacts["contact_date"], errors="coerce")
        usable = (dates <= facts.as_of).to_numpy() & dates.notna().to_numpy()
        cache["contacts"] = (usable, contacts["type"].astype(str).to_numpy(),
                             customer_rows(facts, contacts["customer_id"]), _month_numbers(dates)[0])
    usable, types, positions, months = cache["contacts"]
    keep = usable & np.isin(types, spec["types"])
    months, cust = months[keep], positions[keep]
    cost = contacts["cost"][keep] if spec["weight"] == "cost" and "cost" in contacts.columns else None
    grouping = _grouping(months, cust)
    if cost is not None and pd.to_numeric(cost, errors="coerce").notna().any():
        return _sums(grouping, _cents(cost), np.ones(len(cust)))
    return _counts(grouping)
