"""Validation counts in the engine: the loader's rules for ``customers`` and ``orders``, counted where the data are.

:func:`validation_counts` runs one query that counts, per rule, the rows of the raw tables that break it,
and one small query per broken rule for at most ``examples`` offending rows (key and value) for the
messages: the rows themselves never come back. The rules and their reasons are those of
:mod:`crmbook.data.validate` (the loader), so the counts agree with ``crmbook.data.check``'s rows set
aside per reason (``Dataset.rejected_by_reason()``) on data that both read the same way:

========================  ==============================================================================
reason                    rule (both tables unless named)
========================  ==============================================================================
missing value             a required column empty (NULL, blank or one of the loader's missing markers)
unparseable date          a date present but not a date (the engine reads ISO dates ``YYYY-MM-DD[ HH:MM[:SS]]``)
date out of range         a year outside 1800-2200
not a number              orders: revenue present but not a plain number
negative revenue          orders: revenue below 0
after as_of               dated after ``as_of`` (sign-up, order): outside the analysis window
unknown customer          orders: customer_id not in ``customers``
customer set aside        orders: customer_id of a customer row set aside (e.g. signed up after as_of)
duplicate key             a key (customers.customer_id, orders.order_id) repeating a row still in
========================  ==============================================================================

What the SQL path does **not** do, so that its counts can differ from the loader's: dates in other layouts
(``2025/3/5``, ``05.03.2025``, ``2025年3月5日``, day-first numeric dates: the loader reads them, the engine
counts them as unparseable; the loader's ``ambiguous date order``), numbers with a currency sign,
thousands separators or spaces (``¥1,234.50``: the loader reads them), a missing required *column* or an
unreadable file (``table unusable``: the engine raises instead), and row numbers (a database has no row
order: an example names the row by its key). Of duplicate rows the loader keeps the first in file order;
the engine keeps the one with the earliest date (then the smallest revenue), the same row when the
duplicates are copies. The optional columns (``referred_by``, ``gender`` ...) never set a row aside and
are not checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from crmbook.context import as_date
from crmbook.data.sources.base import MISSING_VALUES
from crmbook.engine.backends import Engine

__all__ = ["ValidationCounts", "validation_counts", "RULES"]

#: Years a date may have (the loader's :data:`crmbook.data.parse.DATE_YEARS`).
DATE_YEARS = (1800, 2200)
#: Dates the engine reads from text: ISO, with an optional time of day.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$"
#: Numbers the engine reads from text (no currency sign, thousands separator or space).
NUMBER_PATTERN = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"
#: Exact decimal type of money inside the queries (sums are exact; converted to float once, at the end).
MONEY = "DECIMAL(38, 9)"

#: Per table: (flag, reason, column, value column shown in the examples), in the loader's order.
RULES: dict[str, list[tuple[str, str, str, str | None]]] = {
    "customers": [
        ("missing_customer_id", "missing value", "customer_id", None),
        ("missing_signup_date", "missing value", "signup_date", None),
        ("bad_signup_date", "unparseable date", "signup_date", "signup_text"),
        ("far_signup_date", "date out of range", "signup_date", "signup_text"),
        ("late_signup_date", "after as_of", "signup_date", "signup_text"),
        ("duplicate_customer_id", "duplicate key", "customer_id", "customer_id"),
    ],
    "orders": [
        ("missing_order_id", "missing value", "order_id", None),
        ("missing_customer_id", "missing value", "customer_id", None),
        ("missing_order_date", "missing value", "order_date", None),
        ("missing_revenue", "missing value", "revenue", None),
        ("bad_order_date", "unparseable date", "order_date", "order_text"),
        ("far_order_date", "date out of range", "order_date", "order_text"),
        ("bad_revenue", "not a number", "revenue", "revenue_text"),
        ("negative_revenue", "negative revenue", "revenue", "revenue_text"),
        ("late_order_date", "after as_of", "order_date", "order_text"),
        ("unknown_customer", "unknown customer", "customer_id", "customer_id"),
        ("customer_set_aside", "customer set aside", "customer_id", "customer_id"),
        ("duplicate_order_id", "duplicate key", "order_id", "order_id"),
    ],
}
_KEYS = {"customers": "customer_id", "orders": "order_id"}
_REQUIRED = {"customers": ("customer_id", "signup_date"), "orders": ("order_id", "customer_id", "order_date", "revenue")}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _trim(col: str) -> str:
    return f"TRIM(CAST({col} AS VARCHAR))"


def _text(col: str) -> str:
    """The (trimmed) cell as the loader sees it: NULL for a missing marker."""
    markers = ", ".join(_quote(m) for m in MISSING_VALUES)
    return f"CASE WHEN {col} IN ({markers}) THEN NULL ELSE {col} END"


def _typed(col: str, text: str, kind: str, target: str, pattern: str, dialect: str = "duckdb") -> tuple[str, str]:
    """``(missing, value)`` of column ``col`` (its trimmed text in column ``text``) as a ``target`` value: a
    typed column cast, a text one read only when it matches ``pattern`` (``^...$``: the whole text).

    DuckDB runs the match as ``REGEXP_FULL_MATCH`` of the pattern without its anchors, the same test (the
    patterns have no ``|`` outside a group), which it checks faster than a search for ``^...$``; other
    dialects get ``REGEXP_MATCHES``, which sqlglot transpiles (``~``, ``RLIKE`` ...)."""
    if (kind == "date" and target == "TIMESTAMP") or (kind == "number" and target != "TIMESTAMP"):
        return f"({col} IS NULL)", f"CAST({col} AS {target})"
    if dialect == "duckdb":
        match = "REGEXP_FULL_MATCH({text}, {literal})"
        pattern = pattern.removeprefix("^").removesuffix("$")
    else:
        match = "REGEXP_MATCHES({text}, {literal})"
    literal = _quote(pattern).replace("{", "{{").replace("}", "}}")  # the query is rendered with str.format
    return f"({text} IS NULL)", f"TRY_CAST(CASE WHEN {match.format(text=text, literal=literal)} THEN {text} END AS {target})"


def _kinds(engine: Engine, table: str) -> dict[str, str]:
    cols = engine.columns(table)
    missing = [c for c in _REQUIRED[table] if c not in cols]
    if missing:
        raise ValueError(f"table {table}: required column(s) {', '.join(missing)} missing (columns: "
                         f"{', '.join(cols) or 'none'}); crmbook's column names are expected (or a view that "
                         "renames them)")
    return cols


def raw_ctes(engine: Engine) -> str:
    """CTEs ``c2`` (customers) and ``o2`` (orders): every raw row with its typed values, one flag per rule and
    ``alive`` (no rule broken); ``c_keys``: each customer id and whether a row of it is usable.

    Each cell's text is computed once (``ct``, ``ot``), parsed once (``c0``, ``o0``), and the range of its
    date checked once (``c1``, ``o1``). Uses the parameter ``cutoff`` (the day after ``as_of``).

    An order's ``alive`` is one ``CASE`` on its customer's ``usable`` (a row of an unknown customer or of one
    set aside has no usable 1), not a conjunction of the flags: a filter on it (``o_use``) then stays above
    the join with ``c_keys`` instead of being split and pushed down, where each cell would be trimmed,
    matched and parsed a second time.
    """
    ck, ok = _kinds(engine, "customers"), _kinds(engine, "orders")

    def far(d: str) -> str:
        year = f"EXTRACT(YEAR FROM {d})"
        return f"({d} IS NOT NULL AND ({year} < {DATE_YEARS[0]} OR {year} > {DATE_YEARS[1]}))"

    d = engine.dialect
    c_missing, c_signup = _typed("signup_in", "signup_text", ck["signup_date"], "TIMESTAMP", DATE_PATTERN, d)
    d_missing, o_date = _typed("date_in", "order_text", ok["order_date"], "TIMESTAMP", DATE_PATTERN, d)
    r_missing, o_rev = _typed("revenue_in", "revenue_text", ok["revenue"], MONEY, NUMBER_PATTERN, d)
    c_flags = ["missing_customer_id", "missing_signup_date", "bad_signup_date", "far_signup_date", "late_signup_date"]
    own_flags = [f for f, *_ in RULES["orders"] if f not in ("duplicate_order_id", "unknown_customer",
                                                             "customer_set_aside")]
    return f"""
cr AS (
    SELECT {_trim('customer_id')} AS customer_id, {_trim('signup_date')} AS signup_text, signup_date AS signup_in
    FROM customers
), ct AS (
    SELECT {_text('customer_id')} AS customer_id, {_text('signup_text')} AS signup_text, signup_in FROM cr
), c0 AS (
    SELECT customer_id, signup_text, {c_missing} AS missing_signup_date, {c_signup} AS signup_raw FROM ct
), c1 AS (
    SELECT *, {far('signup_raw')} AS far_signup_date FROM c0
), c2a AS (
    SELECT customer_id, signup_text, missing_signup_date, far_signup_date,
           customer_id IS NULL AS missing_customer_id,
           (NOT missing_signup_date AND signup_raw IS NULL) AS bad_signup_date,
           CASE WHEN far_signup_date THEN NULL ELSE signup_raw END AS signup_date,
           (signup_raw IS NOT NULL AND NOT far_signup_date AND signup_raw >= {{cutoff}}) AS late_signup_date
    FROM c1
), c2 AS (
    SELECT *, NOT ({' OR '.join(c_flags)}) AS alive FROM c2a
), c_keys AS (
    SELECT customer_id, MAX(CASE WHEN alive THEN 1 ELSE 0 END) AS usable,
           MIN(CASE WHEN alive THEN signup_date END) AS signup_date FROM c2
    WHERE customer_id IS NOT NULL GROUP BY customer_id
), orr AS (
    SELECT {_trim('order_id')} AS order_id, {_trim('customer_id')} AS customer_id, {_trim('order_date')} AS order_text,
           order_date AS date_in, {_trim('revenue')} AS revenue_text, revenue AS revenue_in
    FROM orders
), ot AS (
    SELECT {_text('order_id')} AS order_id, {_text('customer_id')} AS customer_id, {_text('order_text')} AS order_text,
           date_in, {_text('revenue_text')} AS revenue_text, revenue_in
    FROM orr
), o0 AS (
    SELECT order_id, customer_id, order_text, revenue_text, {d_missing} AS missing_order_date,
           {o_date} AS date_raw, {r_missing} AS missing_revenue, {o_rev} AS revenue
    FROM ot
), o1 AS (
    SELECT o0.*, {far('date_raw')} AS far_order_date,
           (o0.customer_id IS NOT NULL AND k.customer_id IS NULL) AS unknown_customer,
           COALESCE(k.usable = 0, FALSE) AS customer_set_aside, k.usable, k.signup_date AS customer_signup
    FROM o0 LEFT JOIN c_keys AS k ON k.customer_id = o0.customer_id
), o2a AS (
    SELECT order_id, customer_id, order_text, revenue_text, revenue, missing_order_date, missing_revenue,
           far_order_date, unknown_customer, customer_set_aside, usable, customer_signup,
           order_id IS NULL AS missing_order_id, customer_id IS NULL AS missing_customer_id,
           (NOT missing_order_date AND date_raw IS NULL) AS bad_order_date,
           CASE WHEN far_order_date THEN NULL ELSE date_raw END AS order_date,
           (NOT missing_revenue AND revenue IS NULL) AS bad_revenue,
           COALESCE(revenue < 0, FALSE) AS negative_revenue,
           (date_raw IS NOT NULL AND NOT far_order_date AND date_raw >= {{cutoff}}) AS late_order_date
    FROM o1
), o2 AS (
    SELECT *, CASE WHEN usable = 1 THEN NOT ({' OR '.join(own_flags)}) ELSE FALSE END AS alive FROM o2a
)"""


def clean_ctes(engine: Engine) -> str:
    """:func:`raw_ctes` and ``c_use(customer_id, signup_date)``, ``o_use(customer_id, order_date, revenue,
    customer_signup)``: the rows the loader would keep (one per key); ``customer_signup`` is the sign-up date of
    the order's customer (that of ``c_use``, every order of ``o_use`` having its customer there)."""
    return raw_ctes(engine) + """, c_use AS (
    SELECT customer_id, signup_date FROM c_keys WHERE usable = 1
), o_use AS (
    SELECT customer_id, order_date, revenue, customer_signup FROM o2 WHERE alive
    QUALIFY ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_date, revenue, customer_id) = 1
)"""


@dataclass
class ValidationCounts:
    """The engine's validation counts: rows per table, rule and column, and a few offending rows.

    ``counts``: ``table, reason, column, rows`` (rules with at least one row); ``examples``: ``table, reason,
    column, key, value`` (at most ``examples`` rows per rule); ``rows``: rows read per table; ``usable``:
    rows left per table after every rule (orders: one per key).
    """

    as_of: pd.Timestamp
    counts: pd.DataFrame
    examples: pd.DataFrame
    rows: dict[str, int]
    usable: dict[str, int]
    missing_rows: dict[str, int] = field(default_factory=dict)

    def by_reason(self) -> pd.DataFrame:
        """Rows per table and reason (a row missing two required values counts once), as
        :meth:`crmbook.data.Dataset.rejected_by_reason` gives them."""
        c = self.counts[self.counts["reason"] != "missing value"].groupby(["table", "reason"], sort=False)["rows"].sum()
        out = c.reset_index()
        extra = pd.DataFrame([{"table": t, "reason": "missing value", "rows": n}
                              for t, n in self.missing_rows.items() if n])
        out = pd.concat([out, extra], ignore_index=True) if len(extra) else out
        return out.sort_values(["table", "rows", "reason"], ascending=[True, False, True]).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a JSON summary."""
        return {"as_of": self.as_of.date().isoformat(), "rows": self.rows, "usable": self.usable,
                "set_aside": [{k: (int(v) if k == "rows" else v) for k, v in r.items()}
                              for r in self.counts.to_dict("records")],
                "examples": self.examples.astype(object).where(self.examples.notna(), None).to_dict("records")}


def validation_counts(engine: Engine, as_of: Any, *, examples: int = 5) -> ValidationCounts:
    """Count, in ``engine``, the rows of ``customers`` and ``orders`` that break each of the loader's rules.

    Parameters
    ----------
    engine : Engine
        Holding tables ``customers`` and ``orders`` with crmbook's column names, typed or as text.
    as_of : date
        The analysis date: rows dated after it are counted as ``after as_of``.
    examples : int
        Offending rows returned per rule (key and value), for the messages.

    Returns
    -------
    ValidationCounts
        See the class; :meth:`ValidationCounts.by_reason` is comparable with the loader's
        ``Dataset.rejected_by_reason()``.
    """
    as_of = as_date(as_of)
    params = {"cutoff": as_of.normalize() + pd.Timedelta(days=1)}
    ctes = "WITH " + raw_ctes(engine).strip()

    def total(flag: str, prefix: str) -> str:
        return f"SUM(CASE WHEN {flag} THEN 1 ELSE 0 END) AS {prefix}_{flag}"

    c_flags = [f for f, *_ in RULES["customers"] if f != "duplicate_customer_id"]
    o_flags = [f for f, *_ in RULES["orders"] if f != "duplicate_order_id"]
    sql = f"""{ctes}
SELECT * FROM (
    SELECT COUNT(*) AS customers_rows, {', '.join(total(f, 'c') for f in c_flags)},
           SUM(CASE WHEN missing_customer_id OR missing_signup_date THEN 1 ELSE 0 END) AS customers_missing,
           SUM(CASE WHEN alive THEN 1 ELSE 0 END) - COUNT(DISTINCT CASE WHEN alive THEN customer_id END)
               AS c_duplicate_customer_id,
           COUNT(DISTINCT CASE WHEN alive THEN customer_id END) AS customers_usable
    FROM c2
) AS c CROSS JOIN (
    SELECT COUNT(*) AS orders_rows, {', '.join(total(f, 'o') for f in o_flags)},
           SUM(CASE WHEN missing_order_id OR missing_customer_id OR missing_order_date OR missing_revenue
               THEN 1 ELSE 0 END) AS orders_missing,
           SUM(CASE WHEN alive THEN 1 ELSE 0 END) - COUNT(DISTINCT CASE WHEN alive THEN order_id END)
               AS o_duplicate_order_id,
           COUNT(DISTINCT CASE WHEN alive THEN order_id END) AS orders_usable
    FROM o2
) AS o"""
    row = engine.query(sql, name="validation counts", **params).iloc[0]
    counts, shown = [], []
    for table, rules in RULES.items():
        key = _KEYS[table]
        rel = "c2" if table == "customers" else "o2"
        for flag, reason, column, value in rules:
            n = int(row[f"{rel[0]}_{flag}"] or 0)
            if not n:
                continue
            counts.append({"table": table, "reason": reason, "column": column, "rows": n})
            if examples <= 0:
                continue
            if reason == "duplicate key":
                q = (f"{ctes}\nSELECT {key} AS key, {key} AS value FROM {rel} WHERE alive GROUP BY {key} "
                     f"HAVING COUNT(*) > 1 ORDER BY {key} LIMIT {int(examples)}")
            else:
                v, order = (value, f"{key}, {value}") if value else ("CAST(NULL AS VARCHAR)", key)
                q = (f"{ctes}\nSELECT {key} AS key, {v} AS value FROM {rel} WHERE {flag} "
                     f"ORDER BY {order} LIMIT {int(examples)}")
            ex = engine.query(q, name=f"examples: {table} {reason} ({column})", **params)
            shown.extend({"table": table, "reason": reason, "column": column,
                          "key": None if pd.isna(k) else str(k), "value": None if pd.isna(x) else str(x)}
                         for k, x in zip(ex["key"], ex["value"], strict=True))
    cols = ["table", "reason", "column", "rows"]
    return ValidationCounts(
        as_of=as_of,
        counts=pd.DataFrame(counts, columns=cols).astype({"rows": "int64"}),
        examples=pd.DataFrame(shown, columns=["table", "reason", "column", "key", "value"]),
        rows={"customers": int(row["customers_rows"]), "orders": int(row["orders_rows"])},
        usable={"customers": int(row["customers_usable"] or 0), "orders": int(row["orders_usable"] or 0)},
        missing_rows={"customers": int(row["customers_missing"] or 0), "orders": int(row["orders_missing"] or 0)},
    )

