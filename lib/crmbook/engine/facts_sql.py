r"""The per-customer facts as SQL: base values, yearly windows, the models' summary, sign-up cohorts.

Each function sends one query (DuckDB's dialect, transpiled for the engine) over two relations,
``customers(customer_id, signup_date, ...)`` and ``orders(customer_id, order_date, revenue, ...)``, and gets
back at most one row per customer. With ``clean=True`` the raw tables first go through the loader's rules
(:mod:`crmbook.engine.checks`: rows set aside are left out, one row per order id); with ``clean=False``
they are taken as they are (the frames of :class:`crmbook.facts.CustomerFacts`, already checked).

Definitions (those of :class:`crmbook.facts.CustomerFacts` and :func:`crmbook.models.customer_summary`):

- base: customers signed up on or before ``as_of`` (or with no sign-up date), orders dated on or before
  ``as_of`` of those customers; ``recency_days`` and ``tenure_days`` are whole days elapsed
  (:math:`\lfloor(\text{as\_of} - t) / 1\,\text{day}\rfloor`, as pandas' ``Timedelta.days``), tenure from
  the sign-up date or else the first order;
- yearly windows: year :math:`y` holds the orders with
  :math:`\text{as\_of} - (y + 1)\text{ years} < t \le \text{as\_of} - y\text{ years}`, calendar years as
  pandas' ``DateOffset(years=...)`` counts them (29 February minus a year is 28 February): the bounds are
  computed here, in Python, and passed as literals;
- model summary: purchase occasions are calendar days; frequency = occasions - 1, recency and T in the
  time unit, monetary value = mean revenue of the repeat occasions.

**Money is summed exactly.** Revenue enters the sums as ``DECIMAL(38, 9)`` and a sum comes back as that
decimal (an Arrow decimal from DuckDB, Python ``Decimal`` objects from a database driver or Spark), read
into the nearest float by :func:`money`. Every engine thus returns the same floats (PostgreSQL, Spark and
DuckDB add floats in different orders), and a sum is the correctly rounded sum of the revenues as written
(up to 9 decimals).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.context import as_date
from crmbook.engine.backends import Engine
from crmbook.engine.checks import MONEY, clean_ctes

__all__ = ["customer_facts", "yearly_revenue", "model_summary", "signup_cohorts", "base_sql", "yearly_sql",
           "year_bounds", "BASE_COLUMNS", "money"]

#: Columns of :func:`customer_facts` (those of :attr:`crmbook.facts.CustomerFacts.base`).
BASE_COLUMNS = ["customer_id", "first_order", "last_order", "recency_days", "frequency", "monetary", "tenure_days"]


def money(values: Any) -> np.ndarray:
    r"""Decimals (an Arrow decimal column, ``Decimal`` objects or decimal texts; NULL) as float64, each the
    nearest float (NaN for NULL).

    A decimal :math:`N / 10^s` whose integer :math:`|N| \le 2^{53}` (and :math:`s \le 22`) is the quotient of
    two doubles that hold :math:`N` and :math:`10^s` exactly, and IEEE division rounds that quotient correctly;
    any other goes through its text, which Arrow reads into the correctly rounded double. An exact sum thus
    stays exact to the last bit.
    """
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if arr is not None and pa.types.is_decimal(arr.type):
        return _decimal_floats(arr)
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
                           or pa.types.is_null(arr.type)):
        texts = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]
        arr = pa.array(texts, type=pa.string())
    return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)


def _decimal_floats(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow decimal array as the nearest floats (see :func:`money`)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n, scale = len(arr), arr.type.scale
    out = np.full(n, np.nan)
    small = np.zeros(n, dtype=bool)
    if pa.types.is_decimal128(arr.type) and 0 <= scale <= 22 and n:
        words = np.frombuffer(arr.buffers()[1], dtype="<i8")[2 * arr.offset:2 * (arr.offset + n)].reshape(n, 2)
        low, high = words[:, 0], words[:, 1]  # the 128-bit integer N, little-endian two's complement
        small = (high == (low >> 63)) & (low >= -(2 ** 53)) & (low <= 2 ** 53)  # N is low, and a double holds it
        out[small] = low[small].astype(np.float64) / float(10 ** scale)
    rest = ~small
    if rest.any():
        texts = pc.cast(arr.filter(pa.array(rest)), pa.string())
        out[rest] = pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False)
    if arr.null_count:
        out[~arr.is_valid().to_numpy(zero_copy_only=False)] = np.nan
    return out


def _as_of_day(as_of: Any) -> pd.Timestamp:
    ts = as_date(as_of)
    if ts != ts.normalize():
        raise ValueError(f"as_of must be a date without a time of day for the engine, got {ts}")
    return ts


def _days(x: str) -> str:
    """Whole days from timestamp ``x`` to ``as_of`` (midnight): the date difference, less one when ``x``
    has a time of day (it is then less than that many full days before ``as_of``)."""
    return (f"(DATE_DIFF('day', CAST({x} AS DATE), {{as_of_date}}) "
            f"- CASE WHEN {x} > CAST(CAST({x} AS DATE) AS TIMESTAMP) THEN 1 ELSE 0 END)")


#: Exact money of typed revenues all below :data:`NARROW_BOUND` in size, in DuckDB: a 64-bit integer of
#: nanos, cheaper to cast and to add than :data:`~crmbook.engine.checks.MONEY`'s 128 bits. Each revenue
#: gets the same decimal as in ``MONEY`` (DuckDB rounds a double to 9 decimals the same way for both), and
#: DuckDB sums it into ``DECIMAL(38, 9)``: the sums are the same.
NARROW_MONEY = "DECIMAL(18, 9)"
#: Revenues below this in size fit :data:`NARROW_MONEY` (whose limit is 10^9) after rounding.
NARROW_BOUND = 1e8
#: DuckDB column types read into :data:`NARROW_MONEY` when their values are in bounds.
_NARROW_TYPES = ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT", "TINYINT")


def _money_type(engine: Engine) -> str:
    """The type of revenue in the sums of typed (checked) ``orders``: :data:`NARROW_MONEY` in DuckDB when
    a column of float or integer type is known (one query for its range, answered by a Parquet file's
    statistics) to be within :data:`NARROW_BOUND`; else :data:`~crmbook.engine.checks.MONEY`."""
    if engine.dialect != "duckdb":
        return MONEY
    types = {str(n).lower(): str(t).upper() for n, t in engine._column_types(engine.tables.get("orders", "orders"))}
    if types.get("revenue") not in _NARROW_TYPES:
        return MONEY
    r = engine.query("SELECT MIN(revenue) AS lo, MAX(revenue) AS hi FROM orders", name="revenue range").iloc[0]
    lo, hi = (np.nan if pd.isna(v) else float(v) for v in (r["lo"], r["hi"]))
    return NARROW_MONEY if -NARROW_BOUND < lo and hi < NARROW_BOUND else MONEY  # False for NaN (no rows)


def _prelude(engine: Engine, clean: bool, money: str = MONEY) -> str:
    """``WITH`` and the CTEs ``c_use(customer_id, signup_date)`` and ``o_use(customer_id, order_date, revenue)``
    (``money``: the decimal type of a typed revenue, :func:`_money_type`)."""
    if clean:
        return "WITH " + clean_ctes(engine).strip()
    cols = engine.columns("customers")
    signup = "signup_date" if "signup_date" in cols else "CAST(NULL AS TIMESTAMP)"
    return (f"WITH c_use AS (SELECT customer_id, {signup} AS signup_date FROM customers), "
            f"o_use AS (SELECT customer_id, order_date, CAST(revenue AS {money}) AS revenue FROM orders)")


def _known(engine: Engine, clean: bool, trusted: bool = False, money: str = MONEY) -> str:
    """The CTEs ``c`` (customers at ``as_of``) and ``o`` (their orders at ``as_of``).

    ``trusted``: every order is known to belong to a customer of ``c`` (the frames of
    :class:`crmbook.facts.CustomerFacts`, checked), so the join that keeps only those is left out.
    """
    if clean:
        # the customer's sign-up date comes with each order (:func:`~crmbook.engine.checks.clean_ctes`): c's
        # condition on it, without a join
        orders = ("SELECT customer_id, order_date, revenue FROM o_use WHERE order_date <= {as_of} "
                  "AND (customer_signup IS NULL OR customer_signup <= {as_of})")
    elif trusted:
        orders = "SELECT customer_id, order_date, revenue FROM o_use WHERE order_date <= {as_of}"
    else:
        orders = ("SELECT o_use.customer_id, o_use.order_date, o_use.revenue FROM o_use "
                  "JOIN c ON c.customer_id = o_use.customer_id WHERE o_use.order_date <= {as_of}")
    return _prelude(engine, clean, money) + f""",
c AS (SELECT customer_id, signup_date FROM c_use WHERE signup_date IS NULL OR signup_date <= {{as_of}}),
o AS ({orders})"""


def _params(as_of: pd.Timestamp) -> dict[str, Any]:
    return {"as_of": as_of, "as_of_date": as_of.date(), "cutoff": as_of + pd.Timedelta(days=1)}


def _window_sums(years: int) -> list[str]:
    """Each window's revenue, an exact decimal (fields ``{start0}``, ``{end0}`` ...)."""
    return [f"SUM(CASE WHEN order_date > {{start{y}}} AND order_date <= {{end{y}}} THEN revenue END) AS revenue_y{y}"
            for y in range(years)]


#: Dialects whose ``ORDER BY`` of text compares bytes, as Python and Arrow do (the engine then sorts, in
#: parallel); others may sort by a collation, and the frame is sorted here.
_BYTE_ORDER = ("duckdb",)


def base_sql(engine: Engine, clean: bool = False, trusted: bool = False, years: int = 0,
             ordered: bool = False, money: str = MONEY) -> str:
    """The SQL of :func:`customer_facts` (DuckDB's dialect, ``{as_of}`` fields).

    ``years`` > 0 adds the columns of :func:`yearly_sql` (``revenue_y0`` ..., NULL for a customer without
    orders) in the same scan of the orders: the buying customers' rows are then the yearly revenue.
    ``ordered``: the rows sorted by customer id; ``money``: the decimal type of typed revenues
    (:func:`_money_type`)."""
    sums = "".join(f",\n           {s}" for s in _window_sums(years))
    columns = "".join(f", a.revenue_y{y}" for y in range(years))
    return _known(engine, clean, trusted, money) + f""",
a AS (
    SELECT customer_id, MIN(order_date) AS first_order, MAX(order_date) AS last_order, COUNT(*) AS frequency,
           SUM(revenue) AS monetary{sums}
    FROM o GROUP BY customer_id
)
SELECT c.customer_id, a.first_order, a.last_order, {_days('a.last_order')} AS recency_days,
       COALESCE(a.frequency, 0) AS frequency, a.monetary,
       {_days('COALESCE(c.signup_date, a.first_order)')} AS tenure_days{columns}
FROM c LEFT JOIN a ON a.customer_id = c.customer_id""" + ("\nORDER BY c.customer_id" if ordered else "")


def _ids(values: pd.Series) -> pd.Series:
    return values.astype(str)


def customer_facts(engine: Engine, as_of: Any, *, clean: bool = False, trusted: bool = False) -> pd.DataFrame:
    """Recency, frequency, monetary value and tenure of every customer, computed in ``engine``.

    Parameters
    ----------
    engine : Engine
        With relations ``customers`` and ``orders``.
    as_of : date
        The analysis date (a date: no time of day).
    clean : bool
        Apply the loader's rules to raw tables first (:mod:`crmbook.engine.checks`); ``False`` when the
        tables are already checked.
    trusted : bool
        Every order belongs to a customer of ``customers`` (tables checked by crmbook, e.g. a run's
        snapshot): the join that keeps only those orders is left out.

    Returns
    -------
    DataFrame
        :data:`BASE_COLUMNS`, one row per customer, sorted by id (text): ``first_order``/``last_order``
        timestamps, ``recency_days`` (float, NaN without orders), ``frequency`` (int), ``monetary`` (float,
        exact sum), ``tenure_days`` (float).
    """
    as_of = _as_of_day(as_of)
    sql = base_sql(engine, clean, trusted and not clean, ordered=engine.dialect in _BYTE_ORDER,
                   money=MONEY if clean else _money_type(engine))
    df = engine.query(sql, name="customer facts", **_params(as_of))
    return _base_frame(df, _ids(df["customer_id"]))


def _sorted(out: pd.DataFrame, order: np.ndarray | None) -> pd.DataFrame:
    """``out`` sorted by customer id: by ``order`` (each row's rank among the ids) when given."""
    if order is None:
        if _ascending(out["customer_id"]):  # sorted by the engine
            return out.reset_index(drop=True)
        return out.sort_values("customer_id").reset_index(drop=True)
    return out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _ascending(ids: pd.Series) -> bool:
    """``ids`` (no NULL) each at most the next, as Arrow compares them (text: byte by byte)."""
    try:
        arr = pa.array(ids, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    if arr.null_count or len(arr) < 2:
        return not arr.null_count
    return bool(pc.all(pc.less_equal(arr.slice(0, len(arr) - 1), arr.slice(1))).as_py())


def _base_frame(df: pd.DataFrame, ids: pd.Series, date_dtype: Any = "datetime64[us]",
                order: np.ndarray | None = None) -> pd.DataFrame:
    """The query's result as :data:`BASE_COLUMNS` with crmbook's dtypes, sorted by id (``order``: see
    :func:`_sorted`)."""
    out = pd.DataFrame({
        "customer_id": ids.reset_index(drop=True),
        "first_order": pd.to_datetime(df["first_order"].reset_index(drop=True)).astype(date_dtype),
        "last_order": pd.to_datetime(df["last_order"].reset_index(drop=True)).astype(date_dtype),
        "recency_days": pd.to_numeric(df["recency_days"]).astype(float).reset_index(drop=True),
        "frequency": pd.to_numeric(df["frequency"]).astype(int).reset_index(drop=True),
        "monetary": np.nan_to_num(money(df["monetary"]), nan=0.0),
        "tenure_days": pd.to_numeric(df["tenure_days"]).astype(float).reset_index(drop=True),
    })
    return _sorted(out, order)


def year_bounds(as_of: pd.Timestamp, years: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``(start, end)`` of each year window (``start < date <= end``), as :func:`crmbook.facts.year_window`."""
    return [(as_of - pd.DateOffset(years=y + 1), as_of - pd.DateOffset(years=y)) for y in range(years)]


def yearly_sql(engine: Engine, years: int, clean: bool = False, trusted: bool = False) -> str:
    """The SQL of :func:`yearly_revenue`, with fields ``{start0}``, ``{end0}`` ... for the windows."""
    sums = ",\n       ".join(_window_sums(years))
    return _known(engine, clean, trusted) + f"\nSELECT customer_id,\n       {sums}\nFROM o GROUP BY customer_id"


def _yearly_params(as_of: pd.Timestamp, years: int) -> dict[str, Any]:
    params = _params(as_of)
    for y, (start, end) in enumerate(year_bounds(as_of, years)):
        params[f"start{y}"], params[f"end{y}"] = start, end
    return params


def yearly_revenue(engine: Engine, as_of: Any, years: int = 3, *, clean: bool = False) -> pd.DataFrame:
    """Revenue per buying customer in ``years`` 12-month windows ending at ``as_of``, computed in ``engine``.

    Returns
    -------
    DataFrame
        ``customer_id, revenue_y0, ..., revenue_y{years-1}`` (floats, exact sums; 0 for a window without
        orders): the customers with an order on or before ``as_of``, sorted by id.
    """
    as_of, years = _as_of_day(as_of), _years(years)
    df = engine.query(yearly_sql(engine, years, clean), name=f"yearly revenue ({years} years)",
                      **_yearly_params(as_of, years))
    return _yearly_frame(df, _ids(df["customer_id"]), years)


def _years(years: int) -> int:
    years = int(years)
    if years < 1:
        raise ValueError(f"years must be at least 1, got {years!r}")
    return years


def _yearly_frame(df: pd.DataFrame, ids: pd.Series, years: int, order: np.ndarray | None = None) -> pd.DataFrame:
    out = pd.DataFrame({"customer_id": ids.reset_index(drop=True)})
    for y in range(years):
        out[f"revenue_y{y}"] = np.nan_to_num(money(df[f"revenue_y{y}"]), nan=0.0)
    return _sorted(out, order)


def model_summary(engine: Engine, as_of: Any, time_unit: str = "W", *, clean: bool = False) -> pd.DataFrame:
    r"""Frequency, recency, T and monetary value per customer (BG/NBD, Gamma-Gamma), computed in ``engine``.

    The conventions of :func:`crmbook.models.customer_summary`: a purchase occasion is a calendar day
    with orders (their revenue summed); :math:`x` = occasions - 1; recency = first to last occasion; T =
    first occasion to ``as_of``; monetary value = mean revenue of the repeat occasions (0 when
    :math:`x = 0`); times in ``time_unit`` ("D", "W" = 7 days, "M" = 30.4375 days). Orders of the
    ``orders`` relation dated (as a day) on or before ``as_of``; customers whose first order is later are
    not in it.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), columns ``frequency, recency, T, monetary_value`` (floats);
        ``attrs`` as :func:`crmbook.models.customer_summary` gives them.
    """
    from crmbook.models._fitting import unit_days

    days_per_unit = unit_days(time_unit)
    as_of = _as_of_day(as_of)
    prelude = _prelude(engine, clean)
    sql = prelude + """,
d AS (
    SELECT customer_id, CAST(order_date AS DATE) AS day, SUM(revenue) AS value
    FROM o_use WHERE CAST(order_date AS DATE) <= {as_of_date} GROUP BY customer_id, CAST(order_date AS DATE)
), f AS (
    SELECT customer_id, day, value, MIN(day) OVER (PARTITION BY customer_id) AS first_day FROM d
)
SELECT customer_id, COUNT(*) - 1 AS frequency, DATE_DIFF('day', MIN(day), MAX(day)) AS recency_days,
       DATE_DIFF('day', MIN(day), {as_of_date}) AS t_days,
       SUM(CASE WHEN day > first_day THEN value END) AS repeat_total
FROM f GROUP BY customer_id"""
    df = engine.query(sql, name=f"model summary ({time_unit})", **_params(as_of))
    counts = engine.query(prelude + """,
k AS (SELECT customer_id, MIN(CAST(order_date AS DATE)) AS first_day FROM o_use GROUP BY customer_id)
SELECT (SELECT COUNT(*) FROM o_use WHERE CAST(order_date AS DATE) <= {as_of_date}) AS used,
       (SELECT COUNT(*) FROM o_use WHERE CAST(order_date AS DATE) > {as_of_date}) AS later,
       (SELECT COUNT(*) FROM k WHERE first_day > {as_of_date}) AS later_customers""",
                          name="model summary counts", **_params(as_of)).iloc[0]
    freq = pd.to_numeric(df["frequency"]).to_numpy(dtype=float)
    repeat = np.nan_to_num(money(df["repeat_total"]), nan=0.0)
    out = pd.DataFrame({
        "frequency": freq,
        "recency": pd.to_numeric(df["recency_days"]).to_numpy(dtype=np.int64) / days_per_unit,
        "T": pd.to_numeric(df["t_days"]).to_numpy(dtype=np.int64) / days_per_unit,
        "monetary_value": np.divide(repeat, freq, out=np.zeros(len(df)), where=freq > 0),
    }, index=pd.Index(_ids(df["customer_id"]), name="customer_id"))
    out = out.sort_index()
    out.attrs = {"time_unit": time_unit, "days_per_unit": days_per_unit, "as_of": as_of.date().isoformat(),
                 "n_orders_used": int(counts["used"]), "excluded_orders_after_as_of": int(counts["later"]),
                 "excluded_customers_after_as_of": int(counts["later_customers"])}
    return out


def signup_cohorts(engine: Engine, as_of: Any, *, clean: bool = False) -> pd.DataFrame:
    """Customers per sign-up month (``cohort`` as ``YYYY-MM``, ``customers``), customers signed up by ``as_of``."""
    as_of = _as_of_day(as_of)
    sql = _prelude(engine, clean) + """
SELECT STRFTIME(signup_date, '%Y-%m') AS cohort, COUNT(*) AS customers FROM c_use
WHERE signup_date IS NOT NULL AND signup_date <= {as_of} GROUP BY STRFTIME(signup_date, '%Y-%m')"""
    df = engine.query(sql, name="signup cohorts", **_params(as_of))
    out = pd.DataFrame({"cohort": df["cohort"].astype(str), "customers": pd.to_numeric(df["customers"]).astype(int)})
    return out.sort_values("cohort").reset_index(drop=True)
