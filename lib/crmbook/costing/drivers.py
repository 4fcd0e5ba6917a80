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
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from crmbook.facts import CustomerFacts
from crmbook.positions import order_rows
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


def month_codes(dates: pd.Series) -> pd.Series:
    """Each date's calendar month as text ``YYYY-MM`` (the period of the costs table); missing stays missing.

    Formats each distinct month once (a column of 100,000s of dates holds a few dozen months).
    """
    d = dates if pd.api.types.is_datetime64_any_dtype(dates) else pd.to_datetime(dates, errors="coerce")
    months = d.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    valid = ~np.isnat(months)
    out = np.full(len(months), None, dtype=object)
    if valid.any():
        uniq, inv = np.unique(months[valid], return_inverse=True)
        out[valid] = np.array([str(u)[:7] for u in uniq], dtype=object)[inv]
    return pd.Series(out, index=dates.index, dtype=object)


def _cents(values: pd.Series) -> np.ndarray:
    return np.rint(pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(dtype=float) * 100).astype(np.int64)


def _frame(period: pd.Series, customer: np.ndarray, weight: np.ndarray, units: np.ndarray) -> pd.DataFrame:
    """Sum weight and units per (period, customer), by period then customer; rows of unknown customers
    (position -1) are dropped; net-negative weights count as no activity (``attrs["negative"]``)."""
    period = np.asarray(period, dtype=object)
    customer = np.asarray(customer, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.int64)
    units = np.asarray(units, dtype=float)
    ok = customer >= 0
    codes, names = pd.factorize(pd.Series(period[ok], dtype=object), sort=True)
    c = customer[ok]
    n = int(c.max()) + 1 if len(c) else 1
    key = codes.astype(np.int64) * n + c
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]]) if len(key_sorted) else np.zeros(0, int)
    w = np.add.reduceat(weight[ok][order], starts) if len(starts) else np.zeros(0, np.int64)
    u = np.add.reduceat(units[ok][order], starts) if len(starts) else np.zeros(0)
    ukey = key_sorted[starts]
    out = pd.DataFrame({"period": np.asarray(names, dtype=object)[ukey // n] if len(ukey) else np.zeros(0, object),
                        "customer": ukey % n, "weight": w, "units": u})
    negative = int((out["weight"] < 0).sum())
    out = out[out["weight"] > 0].reset_index(drop=True)  # a net refund earns no share of a pool
    out.attrs["negative"] = negative
    return out


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
    idx = facts.customer_index
    cache = {} if cache is None else cache
    if driver in ("orders", "revenue", "active_customers"):
        o = facts.orders
        if "orders" not in cache:
            cache["orders"] = (order_rows(facts), month_codes(o["order_date"]))
        cust, period = cache["orders"]
        if driver == "orders":
            ones = np.ones(len(o), dtype=np.int64)
            return _frame(period, cust, ones, ones.astype(float))
        if driver == "revenue":
            return _frame(period, cust, _cents(o["revenue"]), o["revenue"].to_numpy(dtype=float))
        f = _frame(period, cust, np.ones(len(o), dtype=np.int64), np.ones(len(o)))
        f["weight"], f["units"] = 1, 1.0
        return f
    if driver == "new_customers":
        c = facts.customers
        if "signup_date" not in c.columns:
            return None
        known = c["signup_date"].notna().to_numpy()
        pos = np.arange(len(c))[known]
        ones = np.ones(len(pos), dtype=np.int64)
        return _frame(month_codes(c.loc[known, "signup_date"]), pos, ones, ones.astype(float))
    if driver == "campaign_touches":
        if campaign_members is None or campaigns is None:
            return None
        require_columns(campaign_members, "campaign_members", ["campaign_id", "customer_id"])
        require_columns(campaigns, "campaigns", ["campaign_id", "start_date"])
        start = campaigns.set_index(campaigns["campaign_id"].astype(str))["start_date"]
        m = campaign_members
        period = month_codes(m["campaign_id"].astype(str).map(start))
        cust = idx.get_indexer(m["customer_id"].astype(str))
        ones = np.ones(len(m), dtype=np.int64)
        keep = period.notna().to_numpy()
        return _frame(period[keep], cust[keep], ones[keep], ones[keep].astype(float))
    spec = driver_map.contact_drivers.get(driver)
    if spec is None or contacts is None:
        return None
    require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
    if "contacts" not in cache:
        dates = pd.to_datetime(contacts["contact_date"], errors="coerce")
        usable = (dates <= facts.as_of).to_numpy() & dates.notna().to_numpy()
        cache["contacts"] = (usable, contacts["type"].astype(str).to_numpy(),
                             idx.get_indexer(contacts["customer_id"].astype(str)), month_codes(dates))
    usable, types, positions, months = cache["contacts"]
    keep = usable & np.isin(types, spec["types"])
    k = contacts[keep]
    period = months[keep]
    cust = positions[keep]
    ones = np.ones(len(k), dtype=np.int64)
    if spec["weight"] == "cost" and "cost" in k.columns and pd.to_numeric(k["cost"], errors="coerce").notna().any():
        return _frame(period, cust, _cents(k["cost"]), ones.astype(float))
    return _frame(period, cust, ones, ones.astype(float))
