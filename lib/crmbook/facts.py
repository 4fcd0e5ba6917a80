"""Customer facts (客户基础事实): what every topic knows about each customer, computed once.

A topic never re-filters the raw orders. It takes a :class:`CustomerFacts`, built once per notebook from
the loaded dataset, which holds

- the **context** (``as_of``, currency, language: :class:`crmbook.context.Context`);
- ``customers``: the customers who signed up on or before ``as_of`` (ids as text, unique);
- ``orders``: their orders dated on or before ``as_of`` (dates parsed, revenue as float); an order of a
  customer not in ``customers`` is an error here (:func:`crmbook.data.load` sets such rows aside);
- per-customer base values, computed on first use and kept: :attr:`CustomerFacts.base` (first and last
  order, recency, frequency, monetary value, tenure) and :meth:`CustomerFacts.yearly_revenue` (revenue in
  12-month windows ending at ``as_of``).

The base values and the yearly windows are computed by DuckDB, in this process, over the facts' own
frames, with the SQL of :mod:`crmbook.engine.facts_sql` - the same text that runs in PostgreSQL or Spark
(``crmbook facts``). Customers enter the queries as integer codes (their position in :attr:`customers`);
ids come back as text. Money is summed exactly (as decimals) and read back into the nearest float, so a
sum is the correctly rounded sum of the revenues, whatever the engine and the order of the rows. (An
``as_of`` with a time of day, which no topic uses, is computed by pandas instead.)

Time windows: "year 0" is the 12 months ending at ``as_of`` (``as_of - 12 months < date <= as_of``),
"year 1" the 12 months before, and so on; with ``as_of = 2025-12-31`` these are the calendar years 2025,
2024, 2023.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crmbook.context import Context
from crmbook.positions import index_in
from crmbook.tables import require_columns

if TYPE_CHECKING:
    from crmbook.data.dataset import Dataset

__all__ = ["CustomerFacts", "window_mask", "year_window"]

#: The columns the facts are computed from, per table.
_FACT_COLUMNS = {"customers": ("customer_id", "signup_date"), "orders": ("customer_id", "order_date", "revenue")}


def _address(s: pd.Series) -> tuple[int, ...]:
    """Where the values of ``s`` are in memory (the address of each buffer; no copy is made)."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" or isinstance(s.dtype, pd.ArrowDtype):
        arr = pa.array(s.array)
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        return tuple(b.address if b is not None else 0 for c in chunks for b in c.buffers()) + (len(s),)
    return (np.asarray(s).__array_interface__["data"][0], len(s))


def columns_key(customers: pd.DataFrame, orders: pd.DataFrame) -> tuple[Any, ...]:
    """The identity of the columns the facts are computed from: the same key means the same frames holding
    the same column buffers. A checked table read from a snapshot is memory-mapped and read-only, so any
    change to it replaces a column (and changes the key)."""
    key: list[Any] = [id(customers), id(orders)]
    for name, frame in (("customers", customers), ("orders", orders)):
        key += [(c, _address(frame[c])) if c in frame.columns else (c, None) for c in _FACT_COLUMNS[name]]
    return tuple(key)


def _dates(s: pd.Series) -> pd.Series:
    return s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, errors="coerce")


def year_window(as_of: pd.Timestamp, year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(start, end)`` of year ``year`` before ``as_of``: a date is inside when ``start < date <= end``."""
    return as_of - pd.DateOffset(years=year + 1), as_of - pd.DateOffset(years=year)


def window_mask(dates: pd.Series, as_of: pd.Timestamp, year: int) -> pd.Series:
    """Is each of ``dates`` in year ``year`` (0 = the 12 months ending at ``as_of``, 1 = the 12 before, ...)."""
    start, end = year_window(as_of, year)
    return (dates > start) & (dates <= end)


class CustomerFacts:
    """Customers, their orders and their per-customer base values at one analysis date.

    Parameters
    ----------
    customers : DataFrame
        ``customer_id`` (unique) and, when known, ``signup_date`` and the profile columns.
    orders : DataFrame
        ``customer_id, order_date, revenue`` and any other order columns.
    as_of : date, optional
        The analysis date; required unless ``context`` gives it.
    currency, language : str
        Display settings carried in the :attr:`context`.
    context : Context, optional
        A ready context (then ``as_of``, ``currency`` and ``language`` must not be given).
    precomputed : dict, optional
        The facts a snapshot holds for exactly these two frames (``Dataset.precomputed``, passed by
        :meth:`from_dataset`); ignored unless they belong to these frames, unchanged.

    Raises
    ------
    ValueError
        A missing column, repeated customer ids, orders without a valid date or revenue, or orders of
        customers who are not in ``customers`` (or signed up after ``as_of``).
    """

    def __init__(self, customers: pd.DataFrame, orders: pd.DataFrame, as_of: Any = None, *, currency: str = "",
                 language: str = "en", context: Context | None = None,
                 precomputed: dict[str, Any] | None = None) -> None:
        if context is None:
            context = Context(as_of=as_of, currency=currency, language=language)
        elif as_of is not None:
            raise ValueError("give either as_of (with currency and language) or a context, not both")
        self.context = context
        self.customers = self._customers_until(customers)
        self.orders = self._orders_until(orders)
        self._yearly: dict[int, pd.DataFrame] = {}
        if not self._adopt(precomputed or {}, customers, orders):
            self._check_known()

    @classmethod
    def from_dataset(cls, ds: Dataset, *, currency: str = "", language: str = "en") -> CustomerFacts:
        """The facts of a loaded :class:`crmbook.data.Dataset` at its own ``as_of``.

        A data set read from a snapshot (one check per run, or the cache) carries its per-customer facts,
        computed when the snapshot was written (``ds.precomputed``): they are taken as they are when the
        tables are still the ones read, unchanged, and the facts keep every row of them; else computed."""
        if getattr(ds, "as_of", None) is None:
            raise ValueError("the dataset was loaded without as_of; load it with crmbook.data.load(..., as_of=...)")
        return cls(ds["customers"], ds["orders"], ds.as_of, currency=currency, language=language,
                   precomputed=getattr(ds, "precomputed", None))

    def _adopt(self, stored: dict[str, Any], customers: pd.DataFrame, orders: pd.DataFrame) -> bool:
        """Take the facts written with a snapshot (see :meth:`from_dataset`), when they are those of these
        frames: the very tables read with them, unchanged (:func:`columns_key`), no row left out here."""
        if not stored or stored.get("customers") is not customers or stored.get("orders") is not orders:
            return False
        if len(self.customers) != len(customers) or len(self.orders) != len(orders):
            return False
        if stored["key"] != columns_key(customers, orders):
            return False
        self._codes = stored["order_rows"]
        self._codes.flags.writeable = False
        self.__dict__["base"] = stored["base"]  # the cached property, already computed
        self._yearly.update(stored["yearly"])
        return True

    def __repr__(self) -> str:
        return (f"CustomerFacts(as_of={self.as_of.date()}, {len(self.customers):,} customers, "
                f"{len(self.orders):,} orders)")

    @property
    def as_of(self) -> pd.Timestamp:
        """The analysis date."""
        return self.context.as_of

    # -- building -------------------------------------------------------------------------------------

    def _customers_until(self, customers: pd.DataFrame) -> pd.DataFrame:
        require_columns(customers, "customers", ["customer_id"])
        # a shallow copy: columns are replaced, never changed in place, so the caller's frame is untouched
        # and a checked table (already typed, often memory-mapped from the run's snapshot) is not copied
        c = customers.copy(deep=False)
        if not pd.api.types.is_string_dtype(c["customer_id"]):
            c["customer_id"] = c["customer_id"].astype(str)
        dup = c["customer_id"].duplicated()
        if dup.any():
            raise ValueError(f"customers: 'customer_id' is not unique ({int(dup.sum())} repeated ids, e.g. "
                             f"{c.loc[dup, 'customer_id'].iloc[0]!r})")
        if "signup_date" in c.columns:
            c["signup_date"] = _dates(c["signup_date"])
            later = (c["signup_date"] > self.as_of).to_numpy()
            if later.any():
                c = c[~later]
        return c.reset_index(drop=True)

    def _orders_until(self, orders: pd.DataFrame) -> pd.DataFrame:
        require_columns(orders, "orders", ["customer_id", "order_date", "revenue"])
        o = orders.copy(deep=False)  # as for the customers: nothing copied that is already typed
        o["order_date"] = _dates(o["order_date"])
        if not pd.api.types.is_string_dtype(o["customer_id"]):
            o["customer_id"] = o["customer_id"].astype(str)
        if o["revenue"].dtype != np.float64:
            o["revenue"] = pd.to_numeric(o["revenue"], errors="coerce").astype(float)
        bad = o["order_date"].isna() | o["revenue"].isna()
        if bad.any():
            rows = ", ".join(map(str, o.index[bad][:5]))
            raise ValueError(f"orders: {int(bad.sum())} row(s) without a valid 'order_date' or 'revenue' "
                             f"(rows {rows}); load the data with crmbook.data.load to set them aside")
        inside = (o["order_date"] <= self.as_of).to_numpy()
        return o if inside.all() else o[inside]

    def _check_known(self) -> None:
        # ``customers`` has unique ids, so a hash lookup answers ``isin`` - in Arrow for Arrow-backed text, a
        # few times faster than pandas' ``get_indexer`` (which is ten times faster than ``Series.isin``)
        self._codes = index_in(self.customers["customer_id"], self.orders["customer_id"])  # see order_rows
        self._codes.flags.writeable = False
        unknown = self._codes < 0
        if unknown.any():
            ids = ", ".join(map(repr, self.orders.loc[unknown, "customer_id"].unique()[:5]))
            raise ValueError(f"orders: {int(unknown.sum())} order(s) belong to customers not in the customers "
                             f"table (or who signed up after as_of), e.g. {ids}")

    # -- facts ----------------------------------------------------------------------------------------

    @cached_property
    def customer_index(self) -> pd.Index:
        """The customer ids as an index (unique), in the order of :attr:`customers`."""
        return pd.Index(self.customers["customer_id"])

    @property
    def order_rows(self) -> np.ndarray:
        """For each row of :attr:`orders` (in its order), the row of its customer in :attr:`customers`.

        Found once, when the facts check that every order's customer is known; a topic joins orders to
        per-customer values by indexing with it instead of merging on text ids (:mod:`crmbook.positions`).
        Read-only.
        """
        return self._codes

    @cached_property
    def _engine(self):
        """DuckDB over the facts' frames: customers and orders with integer codes instead of ids."""
        from crmbook.engine import DuckDBEngine

        c, o = self.customers, self.orders
        signup = c["signup_date"] if "signup_date" in c.columns else pd.Series(pd.NaT, index=c.index,
                                                                             dtype="datetime64[us]")
        # Arrow tables over the columns' own buffers (a DataFrame would first copy them into 2-D blocks);
        # NaT becomes NULL, as when DuckDB scans a frame
        customers = pa.table({"customer_id": np.arange(len(c), dtype=np.int64),
                              "signup_date": pa.array(signup.to_numpy(), from_pandas=True)})
        orders = pa.table({"customer_id": self._codes.astype(np.int64, copy=False),
                           "order_date": pa.array(o["order_date"].to_numpy(), from_pandas=True),
                           "revenue": pa.array(o["revenue"].to_numpy(), from_pandas=True)})
        return DuckDBEngine(frames={"customers": customers, "orders": orders})

    @property
    def _in_engine(self) -> bool:
        return self.as_of == self.as_of.normalize()

    @cached_property
    def _rank(self) -> np.ndarray:
        """Each customer's rank in id order (the order of the facts' tables)."""
        rank = np.empty(len(self.customers), dtype=np.int64)
        rank[self.customers["customer_id"].argsort().to_numpy()] = np.arange(len(self.customers))
        return rank

    def _ids_of(self, codes: pd.Series) -> tuple[pd.Series, np.ndarray]:
        """The ids of the customer codes ``codes`` and their ranks in id order."""
        positions = codes.to_numpy(dtype=np.int64)
        return self.customers["customer_id"].iloc[positions].reset_index(drop=True), self._rank[positions]

    @cached_property
    def base(self) -> pd.DataFrame:
        r"""Recency, frequency, monetary value and tenure of every customer as of ``as_of``.

        .. math::
            R_i = \text{days}(\text{as\_of} - \text{last order}_i), \quad
            F_i = \#\{\text{orders}_i \le \text{as\_of}\}, \quad
            M_i = \sum \text{revenue of those orders}

        Tenure is the number of days from the sign-up date (the first order when there is none) to
        ``as_of``. Customers without any order are kept: ``frequency = 0``, ``monetary = 0``,
        ``recency_days`` missing.

        Returns
        -------
        DataFrame
            ``customer_id, first_order, last_order, recency_days, frequency, monetary, tenure_days``; one row
            per customer, sorted by id. Treat it as read-only (it is shared): copy before changing.
        """
        if self._in_engine:
            from crmbook.engine.facts_sql import _base_frame, _params, base_sql

            df = self._engine.query(base_sql(self._engine, trusted=True), name="customer facts",
                                    **_params(self.as_of))
            ids, rank = self._ids_of(df["customer_id"])
            return _base_frame(df, ids, self.orders["order_date"].dtype, rank)
        c, o = self.customers, self.orders
        g = o.groupby("customer_id")
        agg = pd.DataFrame({
            "first_order": g["order_date"].min(),
            "last_order": g["order_date"].max(),
            "frequency": g.size(),
            "monetary": g["revenue"].sum(),
        })
        out = c[["customer_id"]].merge(agg, left_on="customer_id", right_index=True, how="left")
        out["frequency"] = out["frequency"].fillna(0).astype(int)
        out["monetary"] = out["monetary"].fillna(0.0).astype(float)
        out["recency_days"] = (self.as_of - out["last_order"]).dt.days.astype(float)
        start = c["signup_date"] if "signup_date" in c.columns else pd.Series(pd.NaT, index=c.index)
        start = start.fillna(out["first_order"])
        out["tenure_days"] = (self.as_of - start).dt.days.astype(float)
        cols = ["customer_id", "first_order", "last_order", "recency_days", "frequency", "monetary", "tenure_days"]
        return out[cols].sort_values("customer_id").reset_index(drop=True)

    def precompute(self, years: int = 3) -> None:
        """Compute :attr:`base` and :meth:`yearly_revenue` of ``years`` windows now, in one scan of the orders
        when neither is known yet (what a snapshot stores, :mod:`crmbook.data.snapshot`); the same values as
        asking for each."""
        years = int(years)
        if "base" in self.__dict__ or years in self._yearly or not self._in_engine:
            self.base  # noqa: B018 - computed (and kept) on first access
            self.yearly_revenue(years)
            return
        from crmbook.engine.facts_sql import _base_frame, _yearly_frame, _yearly_params, base_sql

        df = self._engine.query(base_sql(self._engine, trusted=True, years=years),
                                name=f"customer facts and yearly revenue ({years} years)",
                                **_yearly_params(self.as_of, years))
        ids, rank = self._ids_of(df["customer_id"])
        self.__dict__["base"] = _base_frame(df, ids, self.orders["order_date"].dtype, rank)
        buying = (df["frequency"].to_numpy() > 0)
        bought = df[buying].reset_index(drop=True)
        self._yearly[years] = _yearly_frame(bought, ids[buying].reset_index(drop=True), years, rank[buying])

    def yearly_revenue(self, years: int = 3) -> pd.DataFrame:
        """Revenue per buying customer in ``years`` consecutive 12-month windows ending at ``as_of``.

        Returns
        -------
        DataFrame
            ``customer_id, revenue_y0, revenue_y1, ...`` (``revenue_y0`` = the annual revenue, the 12 months
            ending at ``as_of``); customers with at least one order up to ``as_of``, sorted by id; zero for a
            window without orders. Cached per ``years``; treat it as read-only.
        """
        years = int(years)
        if years < 1:
            raise ValueError(f"years must be at least 1, got {years!r}")
        if years not in self._yearly and self._in_engine:
            # the topics ask for 1, 2 and 3 years: one query of at least 3 windows answers them all (the rows
            # are the buying customers whatever the number of windows, and each window's sum is exact)
            wider = [k for k in self._yearly if k > years]
            if not wider:
                from crmbook.engine.facts_sql import _yearly_frame, _yearly_params, yearly_sql

                span = max(years, 3)
                df = self._engine.query(yearly_sql(self._engine, span, trusted=True),
                                        name=f"yearly revenue ({span} years)", **_yearly_params(self.as_of, span))
                ids, rank = self._ids_of(df["customer_id"])
                self._yearly[span] = _yearly_frame(df, ids, span, rank)
                wider = [span]
            if years not in self._yearly:
                full = self._yearly[min(wider)]
                self._yearly[years] = full[["customer_id", *(f"revenue_y{y}" for y in range(years))]]
        if years not in self._yearly:
            o = self.orders
            out = pd.DataFrame(index=pd.Index(sorted(o["customer_id"].unique()), name="customer_id"))
            for y in range(years):
                inside = window_mask(o["order_date"], self.as_of, y)
                out[f"revenue_y{y}"] = o[inside].groupby("customer_id")["revenue"].sum()
            self._yearly[years] = out.fillna(0.0).astype(float).reset_index()
        return self._yearly[years]

    def yearly_revenue_all(self, years: int = 3) -> pd.DataFrame:
        """:meth:`yearly_revenue` for every customer (zeros for those who never bought), in customer order."""
        yr = self.yearly_revenue(years)
        out = self.customers[["customer_id"]].merge(yr, on="customer_id", how="left")
        cols = [f"revenue_y{y}" for y in range(int(years))]
        out[cols] = out[cols].fillna(0.0)
        return out

    def orders_in_year(self, year: int = 0, columns: list[str] | None = None) -> pd.DataFrame:
        """The orders of year ``year`` (0 = the 12 months ending at ``as_of``), optionally some columns only."""
        o = self.orders if columns is None else self.orders[columns]
        return o[window_mask(self.orders["order_date"], self.as_of, year).to_numpy()]

