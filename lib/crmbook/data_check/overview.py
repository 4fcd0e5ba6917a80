"""What a loaded data set holds: its tables, their dates, their gaps and how customers spread.

Customer management needs three kinds of data (客户经营所需数据):

- **who the customers are** - the basic profile (基本资料: id, sign-up date, region, gender, birth date),
  their characteristics (特征: acquisition channel, member tier, account type) and business status
  (经营状况);
- **what they do** - transactions (交易: orders, revenue, cost of goods) and contacts (service calls,
  complaints, visits, campaign touches);
- **what they think** - feedback (反馈: surveys with NPS, CSAT, CES and attribute ratings).

Every function here takes a :class:`crmbook.data.Dataset` (already validated) or one of its tables and
returns a new DataFrame. The few text values they hold (the kind of data, a column's status) are in the
language of ``ctx`` (English when no context is given).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.data import SCHEMAS, Dataset
from crmbook.language import catalogue

__all__ = ["DATA_KINDS", "PROFILE_COLUMNS", "ORDER_VALUE_STATISTICS", "order_value_summary", "tables_overview",
           "date_coverage", "missing_values",
           "category_counts"]

#: Which kind of customer data each table carries: ``who`` they are, what they ``do``, what ``we_do``,
#: what it ``costs``, what they ``think``, the ``market`` around them. Each table's description in the
#: report language is the text ``kind.<table>`` of the package catalogue.
DATA_KINDS: dict[str, str] = {
    "customers": "who",
    "orders": "do",
    "contacts": "do",
    "campaigns": "we_do",
    "campaign_members": "we_do",
    "costs": "costs",
    "surveys": "think",
    "market": "market",
    "points": "do",
}

#: Customer columns whose value counts the data check shows.
PROFILE_COLUMNS = ("acquisition_channel", "region", "gender", "member_tier", "account_type")


#: The statistics of the order-value summary, in display order (codes; labels in ``text/``).
ORDER_VALUE_STATISTICS = ("mean", "std", "min", "p25", "median", "p75", "max")


def order_value_summary(orders: pd.DataFrame, *, revenue_col: str = "revenue",
                        ctx: Context | None = None) -> pd.DataFrame:
    """Mean, standard deviation, minimum, quartiles and maximum of the order values (money).

    Returns
    -------
    DataFrame
        ``statistic`` (its label in ``ctx``'s language, English without one) and ``order_value``, one row
        per statistic of :data:`ORDER_VALUE_STATISTICS`.
    """
    d = pd.to_numeric(orders[revenue_col], errors="coerce").describe()
    values = [d["mean"], d["std"], d["min"], d["25%"], d["50%"], d["75%"], d["max"]]
    return pd.DataFrame({"statistic": [_say(f"statistic.{s}", ctx) for s in ORDER_VALUE_STATISTICS],
                         "order_value": [float(v) for v in values]})


def _say(key: str, ctx: Context | None, **values) -> str:
    return catalogue("crmbook.data_check").say(key, ctx.language if ctx else "en", escape=False, **values)


def _present(ds: Dataset, table: str) -> bool:
    return table in ds


def _short_source(source: str) -> str:
    """A file's name without its folder (the report names the data folder once); URLs stay whole."""
    if "://" in source:
        return source
    return Path(source).name or source


def tables_overview(ds: Dataset, *, ctx: Context | None = None) -> pd.DataFrame:
    """One row per table of the data model: is it there, where from, how many rows were read and used.

    Returns
    -------
    DataFrame
        ``table, kind, required, present, source, rows_read, rows_used, rows_rejected, columns`` where
        ``kind`` describes the data the table carries (in ``ctx``'s language), ``source`` is the file
        name (or the URL, without password, or the SQL table), ``columns`` counts the schema columns
        found out of those the schema knows. Rows read always equal rows used plus rows rejected.
    """
    counts = ("rows_read", "rows_used", "rows_rejected")
    recon = {line[0]: line[1:] for line in ds.reconciliation()[["table", *counts]].itertuples(index=False)}
    # (a dict of tuples: three .loc look-ups per table cost more than the rest of the function)
    rows = []
    for name, schema in SCHEMAS.items():
        present = _present(ds, name)
        found = [c.name for c in schema.columns if present and c.name in ds[name].columns]
        read, used, rejected = recon.get(name, (0, 0, 0))
        rows.append({
            "table": name,
            "kind": _say(f"kind.{name}", ctx) if name in DATA_KINDS else "",
            "required": schema.required,
            "present": present,
            "source": _short_source(ds.sources.get(name, "")) if present else "",
            "rows_read": int(read),
            "rows_used": int(used),
            "rows_rejected": int(rejected),
            "columns": _say("overview.columns_found", ctx, found=len(found), known=len(schema.columns))
            if present else "",
        })
    return pd.DataFrame(rows)


def date_coverage(ds: Dataset) -> pd.DataFrame:
    """First and last date of each dated table, and the months between them.

    Returns
    -------
    DataFrame
        ``table, column, first, last, months`` for each present table with an event date; ``months`` is
        the number of calendar months touched (Jan 2024 .. Mar 2024 = 3).
    """
    rows = [span for name in SCHEMAS if (span := _date_span(ds, name)) is not None]
    return pd.DataFrame(rows, columns=["table", "column", "first", "last", "months"])


def _date_span(ds: Dataset, name: str) -> dict[str, object] | None:
    """One row of :func:`date_coverage` for table ``name``; None when it has no dated rows."""
    col = SCHEMAS[name].event_date
    if col is None or not _present(ds, name) or col not in ds[name].columns:
        return None
    dates = ds[name][col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.to_datetime(dates)
    first, last = dates.min(), dates.max()  # both skip missing dates
    if pd.isna(first):
        return None
    months = (last.year - first.year) * 12 + (last.month - first.month) + 1
    return {"table": name, "column": col, "first": first.date(), "last": last.date(), "months": int(months)}


def missing_values(ds: Dataset, tables: Iterable[str] | None = None, *,
                   ctx: Context | None = None) -> pd.DataFrame:
    """Missing values per column of the present tables.

    A schema column absent from the file is listed with ``status`` "column absent" (and a missing share
    of 1); a present column with gaps gets its count and share of missing values. ``status`` is in
    ``ctx``'s language ("column absent", "gaps", "complete" in English); select rows by
    ``missing_share > 0`` rather than by the status text.

    Returns
    -------
    DataFrame
        ``table, column, required, status, missing, missing_share`` (share in 0..1), sorted by table order
        of the data model, then column order.
    """
    absent, gaps, complete = (_say(f"status.{s}", ctx) for s in ("column_absent", "gaps", "complete"))
    rows = []
    for name in tables or SCHEMAS:
        if not _present(ds, name):
            continue
        frame = ds[name]
        schema = SCHEMAS[name]
        known = [s.name for s in schema.columns]
        extra = [c for c in frame.columns if schema.column(c) is not None and c not in set(known)]
        columns = known + extra
        missing = _missing_counts(frame, [c for c in columns if c in frame.columns])
        for col in columns:
            spec = schema.column(col)
            if col not in frame.columns:
                rows.append({"table": name, "column": col, "required": spec.required,
                             "status": absent, "missing": len(frame), "missing_share": 1.0})
                continue
            n_missing = missing[col]
            rows.append({"table": name, "column": col, "required": spec.required,
                         "status": complete if n_missing == 0 else gaps,
                         "missing": n_missing,
                         "missing_share": n_missing / len(frame) if len(frame) else 0.0})
    return pd.DataFrame(rows, columns=["table", "column", "required", "status", "missing", "missing_share"])


def _missing_counts(frame: pd.DataFrame, columns: list[str]) -> dict[str, int]:
    """Missing values per column: empty cells, and in text columns also text that is blank once stripped.

    All text columns are stacked and stripped at once (one pass instead of one per column).
    """
    counts = {col: int(n) for col, n in frame.isna().sum().items()}
    # the test is on the column, not its dtype: a category column of text counts as text
    text = [c for c in columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if text:
        stacked = pd.concat([frame[c] for c in text], ignore_index=True)
        blank = stacked.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        for col, n in zip(text, blank.reshape(len(text), len(frame)).sum(axis=1), strict=True):
            counts[col] += int(n)
    return counts


def category_counts(customers: pd.DataFrame, columns: Iterable[str] = PROFILE_COLUMNS, *,
                    ctx: Context | None = None) -> pd.DataFrame:
    """How customers spread over the values of their category columns.

    Columns absent from ``customers`` are skipped; missing values are counted as "(missing)" (in
    ``ctx``'s language).

    Returns
    -------
    DataFrame
        ``column, value, customers, share`` (share of all customers, 0..1), most frequent value first
        within each column.
    """
    names, values, counts = [], [], []
    for col in columns:
        if col not in customers.columns:
            continue
        found = customers[col].astype("string").fillna(_say("overview.missing_value", ctx)).value_counts()
        names += [col] * len(found)
        values += found.index.astype(str).tolist()
        counts.append(found.to_numpy())
    if not counts:
        return pd.DataFrame(columns=["column", "value", "customers", "share"])
    n = np.concatenate(counts)
    # text columns typed as pandas types text (``str``), also when there are no customers
    return pd.DataFrame({"column": pd.Series(names, dtype=object).astype(str),
                         "value": pd.Series(values, dtype=object).astype(str),
                         "customers": n, "share": n / max(len(customers), 1)})
