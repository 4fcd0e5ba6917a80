"""Tables, schemas, loading and validation.

crmbook works on tidy tables, one file (or database table) each. Only ``customers`` and ``orders`` are
required; every other table is optional, and a notebook whose table is absent says so and skips that
section.

This module holds the schema of every table (:data:`SCHEMAS`), the loaders (CSV in UTF-8, UTF-8 with
BOM or GBK; ``.xlsx``; Parquet; a SQLAlchemy URL), the optional column mapping that lets an analyst keep
their own column names, and the validation that reports every problem at once.

Sources
-------
``check`` and ``load`` accept

- a **folder** holding one file per table, named ``<table>.csv``, ``<table>.xlsx`` or
  ``<table>.parquet`` (``customers.csv``, ``orders.parquet`` ...). Other files (``README.md``,
  ``truth.json`` ...) are ignored and listed as ignored in the summary. CSV files may be UTF-8, UTF-8
  with BOM, or GBK (exports from Chinese Excel); the encoding is detected (UTF-8 first, then GB18030,
  the superset of GBK) and reported. The delimiter (comma, semicolon, tab or ``|``) is detected too.
  The header (first line or first row) is read as written: a repeated column name is an error, an
  empty field after the last named column (a delimiter at the end of each line) is dropped with a
  warning, and extra fields holding values are an error naming the rows. A per-table ``.xlsx`` is read
  from its only sheet with data; with several sheets holding data the table is refused (rows would be
  lost) unless the mapping names the sheet (``sheet:``).
- ``"sample"``: the bundled case-company data (``datasets/sample``). The folder ships with the
  repository, not inside the package: it is there in a clone installed with ``pip install -e .``; when
  it is missing, ``"sample"`` raises a ``FileNotFoundError`` that says so.
- a single **Excel workbook** (``.xlsx``) with one sheet per table, named like the tables.
- a **SQLAlchemy URL** (``sqlite:///crm.db``, ``postgresql+psycopg://analyst@db.example:5432/crm``):
  tables are read by name, or with the SQL queries of the mapping file. The password is read from the
  environment variable ``CRMBOOK_DB_PASSWORD`` (``password_env``), so it never appears in a notebook
  parameter; it is never printed. A password written in the URL is accepted, but hidden the same way.

Row numbers in messages are those a person sees: in a CSV or Excel file the header is row 1 and the
first data row is row 2; in a Parquet file or a database result the first record is row 1.

Mapping file
------------
An analyst whose data uses other names writes a small YAML file (the ``mapping`` parameter). Per table
(all keys optional)::

    customers:
      file: 客户资料.csv          # their file in the data folder, sheet of a workbook, or database table
      columns:                    # their column name: our column name
        客户编号: customer_id
        注册日期: signup_date
        性别: gender
        手机: phone
      values:                     # per our column: their value: our value
        gender: {男: M, 女: F, 未知: unknown}
      date_format: "%Y/%m/%d"     # strftime format of the dates (optional; default: detect)
    orders:
      query: >                    # SQL instead of a table (database sources only)
        SELECT id AS order_id, cust AS customer_id, day AS order_date, amount AS revenue
        FROM sales.orders WHERE amount IS NOT NULL
      dayfirst: true              # 03/04/2025 is 3 April (default: month first)
      sheet: 订单                 # sheet of an .xlsx file (default: its only sheet with data)

The mapping is checked before the data: an unknown table, an unknown key, or a target column that
crmbook does not know is a ``ValueError`` naming the mapping file.

What is checked, and what happens
---------------------------------
Validation reports every problem at once (:class:`Problem`: table, file, column, row numbers, what was
expected, what was found). There are three severities:

``"error"``
    the table cannot be used: a required table or a required column is missing, a column name is
    repeated, a row has values beyond the last named column, the table is empty, or the file cannot be
    read (or a per-table workbook has several sheets with data and the mapping names none). A
    required table whose rows were **all** set aside is an error too: there is nothing to analyse.
    An error in a **required** table (``customers``, ``orders``) makes the whole data set unusable (:attr:`Dataset.usable` is False and :func:`load` raises :class:`DataError`); an
    error in an optional table only makes that table unavailable (it is listed in
    :attr:`Dataset.absent`).
``"rejected"``
    rows set aside, each with its reason(s), and counted (rows read = rows used + rows rejected):
    a missing or unreadable value in a required column (unparseable date, non-numeric, infinite or
    negative revenue, a number outside its bounds, a period that is not ``YYYY-MM`` / ``YYYY``, a value
    outside a closed vocabulary), a duplicate key (the first occurrence is kept), a reference to an unknown customer or campaign, a row that refers to a
    customer who was set aside (cascade), and a row dated after ``as_of`` or a period starting after
    it (outside the analysis window). A date needs a four-digit year, a month and a day; nothing is
    filled in (``2025``, ``2024-02``, ``10:30`` are not dates) and a time zone is dropped, keeping the
    local date.
    Rows set aside do **not** make the data unusable.
``"warning"``
    the data is used as it is: an unknown column (kept, as text), an optional table that is missing
    (listed in ``absent``), or a bad value in an *optional* column (out of range, unknown category,
    unparseable date ...), which is left blank while the row is kept.

Personal data (``name``, ``phone``, ``email``) is masked in the returned tables by default
(:func:`mask_personal_data`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "ColumnSpec",
    "TableSchema",
    "SCHEMAS",
    "REQUIRED_TABLES",
    "OPTIONAL_TABLES",
    "PERSONAL_COLUMNS",
    "DATA_SUFFIXES",
    "CSV_ENCODINGS",
    "MISSING_VALUES",
    "ROWS_SHOWN",
    "DEFAULT_PASSWORD_ENV",
    "DataError",
    "Problem",
    "Dataset",
    "check",
    "load",
    "read_mapping",
    "mask_personal_data",
]


# --------------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table.

    Parameters
    ----------
    name : str
        Our column name (an analyst maps their own names onto it with a mapping file).
    kind : str
        ``"id"`` (text key, kept as string), ``"date"``, ``"number"`` (float), ``"integer"``,
        ``"text"`` (free text), ``"category"`` (a value from ``allowed`` when that is given, any
        text otherwise), ``"bool"`` (true/false, yes/no, 1/0, 是/否) or ``"period"`` (a month
        ``YYYY-MM`` or a year ``YYYY``, kept as text ``"2025-03"`` / ``"2025"``; a period that starts
        after ``as_of`` is set aside).
    required : bool
        The table is unusable without this column.
    min, max : float, optional
        Inclusive bounds for numbers (e.g. revenue >= 0, NPS 0-10).
    allowed : tuple of str, optional
        The closed vocabulary of a category column; any other value is rejected.
    description : str
        What the column means, for the data dictionary and for error messages.
    """

    name: str
    kind: str
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSchema:
    """One table: its columns, key, references to other tables and date columns bounded by ``as_of``.

    ``key`` lists the columns whose combination must be unique (empty: no key). ``references`` maps a
    column to ``(table, column)`` it must be found in (e.g. ``orders.customer_id`` ->
    ``customers.customer_id``). ``event_date`` is the column that may not lie after ``as_of`` (rows after
    ``as_of`` are set aside, not errors of the data: they are simply outside the analysis window).
    ``prefix_columns`` names column-name prefixes that stand for a family of columns (``rating_`` in
    ``surveys``) sharing one spec.
    """

    name: str
    columns: tuple[ColumnSpec, ...]
    required: bool = False
    key: tuple[str, ...] = ()
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    event_date: str | None = None
    prefix_columns: dict[str, ColumnSpec] = field(default_factory=dict)
    description: str = ""

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec | None:
        """The spec of column ``name`` (also for prefix families such as ``rating_speed``)."""
        for c in self.columns:
            if c.name == name:
                return c
        for prefix, spec in self.prefix_columns.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                return ColumnSpec(name, spec.kind, spec.required, spec.min, spec.max, spec.allowed,
                                  spec.description)
        return None


GENDERS = ("F", "M", "other", "unknown")
ACCOUNT_TYPES = ("retail", "franchisee", "agent", "key_account")
CONTACT_TYPES = ("service_call", "complaint", "visit", "campaign_touch", "email", "sms", "chat", "other")
COST_KINDS = ("direct", "indirect", "acquisition", "retention")
CAMPAIGN_GROUPS = ("treatment", "control")

#: Columns that hold personal data; masked in reports unless masking is turned off.
PERSONAL_COLUMNS = ("name", "phone", "email")

SCHEMAS: dict[str, TableSchema] = {
    "customers": TableSchema(
        name="customers",
        required=True,
        key=("customer_id",),
        event_date="signup_date",
        description="One row per customer: who they are and how they came (basic profile, characteristics).",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="unique customer key"),
            ColumnSpec("signup_date", "date", required=True, description="date the customer was acquired"),
            ColumnSpec("acquisition_channel", "category",
                       description="how the customer was acquired (e.g. online_ads, store, referral)"),
            ColumnSpec("region", "category", description="sales region; joins to market.region"),
            ColumnSpec("gender", "category", allowed=GENDERS, description="F, M, other or unknown"),
            ColumnSpec("birth_date", "date", description="date of birth (age bands, birthday campaigns)"),
            ColumnSpec("member_tier", "category", description="loyalty-programme tier (e.g. bronze, silver, gold)"),
            ColumnSpec("referred_by", "id", description="customer_id of the referrer, empty if none"),
            ColumnSpec("account_type", "category", allowed=ACCOUNT_TYPES,
                       description="retail, franchisee, agent or key_account"),
            ColumnSpec("name", "text", description="customer name (personal data: masked in reports)"),
            ColumnSpec("phone", "text", description="phone number (personal data: masked in reports)"),
            ColumnSpec("email", "text", description="e-mail address (personal data: masked in reports)"),
        ),
        references={"referred_by": ("customers", "customer_id")},
    ),
    "orders": TableSchema(
        name="orders",
        required=True,
        key=("order_id",),
        event_date="order_date",
        references={"customer_id": ("customers", "customer_id")},
        description="One row per order (transactions).",
        columns=(
            ColumnSpec("order_id", "id", required=True, description="unique order key"),
            ColumnSpec("customer_id", "id", required=True, description="the customer who ordered"),
            ColumnSpec("order_date", "date", required=True, description="date of the order"),
            ColumnSpec("revenue", "number", required=True, min=0,
                       description="net revenue of the order, in the data's currency"),
            ColumnSpec("cost_of_goods", "number", min=0, description="cost of the goods sold in the order"),
            ColumnSpec("channel", "category", description="sales channel (e.g. online, store, agent)"),
            ColumnSpec("category", "category", description="product category"),
        ),
    ),
    "surveys": TableSchema(
        name="surveys",
        event_date="response_date",
        references={"customer_id": ("customers", "customer_id")},
        description="One row per survey response (feedback).",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="the responding customer"),
            ColumnSpec("response_date", "date", required=True, description="date of the response"),
            ColumnSpec("nps", "integer", min=0, max=10, description="likelihood to recommend, 0-10"),
            ColumnSpec("csat", "integer", min=1, max=5, description="satisfaction, 1-5"),
            ColumnSpec("ces", "integer", min=1, max=7, description="customer effort, 1-7 (low is easy)"),
            ColumnSpec("comment", "text", description="free-text comment"),
            ColumnSpec("category", "category", description="what the survey was about"),
        ),
        prefix_columns={
            "rating_": ColumnSpec("rating_", "integer", min=1, max=5,
                                  description="attribute rating 1-5 (rating_quality, rating_service, ...)"),
        },
    ),
    "contacts": TableSchema(
        name="contacts",
        event_date="contact_date",
        references={"customer_id": ("customers", "customer_id")},
        description="One row per contact with a customer: service calls, complaints, visits, campaign touches.",
        columns=(
            ColumnSpec("customer_id", "id", required=True, description="the customer contacted"),
            ColumnSpec("contact_date", "date", required=True, description="date of the contact"),
            ColumnSpec("type", "category", required=True, allowed=CONTACT_TYPES,
                       description="kind of contact: " + ", ".join(CONTACT_TYPES)),
            ColumnSpec("channel", "category", description="phone, store, online, field ..."),
            ColumnSpec("cost", "number", min=0, description="cost of this contact (cost to serve)"),
            ColumnSpec("response_hours", "number", min=0, description="hours until the first response"),
            ColumnSpec("resolved", "bool", description="whether the issue was resolved"),
        ),
    ),
    "costs": TableSchema(
        name="costs",
        description="Cost pools per period, for customer cost accounting (activity-based costing).",
        columns=(
            ColumnSpec("period", "period", required=True, description="month as YYYY-MM (or year as YYYY)"),
            ColumnSpec("pool", "category", required=True,
                       description="cost pool: marketing, sales, service, admin, logistics ..."),
            ColumnSpec("amount", "number", required=True, min=0, description="amount spent in the period"),
            ColumnSpec("kind", "category", allowed=COST_KINDS,
                       description="direct, indirect, acquisition or retention"),
            ColumnSpec("driver", "category",
                       description="activity that drives the pool: orders, contacts, revenue, customers ..."),
        ),
        key=("period", "pool"),
    ),
    "campaigns": TableSchema(
        name="campaigns",
        key=("campaign_id",),
        event_date="start_date",
        description="One row per marketing campaign.",
        columns=(
            ColumnSpec("campaign_id", "id", required=True, description="unique campaign key"),
            ColumnSpec("channel", "category", description="sms, email, app push, direct mail ..."),
            ColumnSpec("start_date", "date", description="first day of the campaign"),
            ColumnSpec("end_date", "date", description="last day of the campaign"),
            ColumnSpec("cost", "number", required=True, min=0, description="total cost of the campaign"),
        ),
    ),
    "campaign_members": TableSchema(
        name="campaign_members",
        key=("campaign_id", "customer_id"),
        references={"campaign_id": ("campaigns", "campaign_id"), "customer_id": ("customers", "customer_id")},
        description="Who was in each campaign, in which group, and what they did.",
        columns=(
            ColumnSpec("campaign_id", "id", required=True, description="the campaign"),
            ColumnSpec("customer_id", "id", required=True, description="the customer targeted or held out"),
            ColumnSpec("group", "category", allowed=CAMPAIGN_GROUPS,
                       description="treatment (contacted) or control (held out)"),
            ColumnSpec("responded", "bool", description="whether the customer bought in the response window"),
            ColumnSpec("revenue", "number", min=0, description="revenue in the response window"),
        ),
    ),
    "market": TableSchema(
        name="market",
        key=("region",),
        description="Market size per region, for penetration and market share.",
        columns=(
            ColumnSpec("region", "category", required=True, description="region; joins to customers.region"),
            ColumnSpec("potential_customers", "integer", required=True, min=0,
                       description="number of potential customers in the region"),
            ColumnSpec("market_revenue", "number", min=0, description="total market revenue in the region per year"),
        ),
    ),
}

REQUIRED_TABLES = tuple(name for name, s in SCHEMAS.items() if s.required)
OPTIONAL_TABLES = tuple(name for name, s in SCHEMAS.items() if not s.required)


# --------------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------------

#: File suffixes read as tables in a data folder.
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Encodings tried, in order, for CSV files (GB18030 is the superset of GBK and GB2312).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: Cell values read as "no value".
MISSING_VALUES = ("", "NA", "N/A", "#N/A", "NULL", "null", "NaN", "nan", "None", "<NA>", "NaT")
#: Row numbers listed in a message before "and N more".
ROWS_SHOWN = 5
#: Distinct offending values shown in a message.
VALUES_SHOWN = 3
#: Environment variable holding the database password.
DEFAULT_PASSWORD_ENV = "CRMBOOK_DB_PASSWORD"

_TRUE = {"true", "t", "yes", "y", "1", "是", "对", "真"}
_FALSE = {"false", "f", "no", "n", "0", "否", "错", "假"}
_SEVERITIES = ("error", "rejected", "warning")
_MAPPING_KEYS = {"file", "sheet", "query", "columns", "values", "dayfirst", "date_format"}
_TABLE_UNUSABLE = "table unusable"
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3
#: Whole numbers this large do not fit a 64-bit integer column.
_INTEGER_LIMIT = 2.0 ** 63


# --------------------------------------------------------------------------------------------------
# Text columns in Arrow
# --------------------------------------------------------------------------------------------------
# Cells are read as pandas text (``string``, Arrow-backed). A few pandas operations on such columns
# still loop in Python (``isin`` builds its value set one scalar at a time, ``map`` visits every cell,
# a regex pyarrow cannot run falls back to ``re``); these helpers do the same work in pyarrow, and
# the callers run the slow, general code only on the cells that need it. Columns not backed by Arrow
# (pandas 2 defaults to Python-backed strings) take the general code throughout.

def _arrow_text(s: pd.Series) -> pa.Array | None:
    """The Arrow array behind a text column, or None when ``s`` is not Arrow-backed text."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return None


def _isin(s: pd.Series, values: Iterable[str] | pa.Array) -> np.ndarray:
    """``s.isin(values)`` as a NumPy mask, for text ``values`` (an iterable, or an Arrow array from
    :func:`_text_keys`); in Arrow when ``s`` is Arrow-backed text."""
    arr = _arrow_text(s)
    if arr is None:
        return s.isin(values.to_pylist() if isinstance(values, pa.Array) else list(values)).to_numpy(dtype=bool)
    value_set = values.cast(arr.type) if isinstance(values, pa.Array) else pa.array(list(values), type=arr.type)
    return pc.is_in(arr, value_set=value_set).fill_null(False).to_numpy(zero_copy_only=False)


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """Cells of an Arrow text array in which ``pattern`` (RE2 syntax) is found; missing cells: False."""
    return pc.match_substring_regex(arr, pattern).fill_null(False).to_numpy(zero_copy_only=False)


def _text_keys(s: pd.Series) -> pa.Array | list[str]:
    """The present values of a text column, to look up with :func:`_isin` (no Python set needed)."""
    arr = _arrow_text(s)
    return arr.drop_null() if arr is not None else list(s.dropna())


# --------------------------------------------------------------------------------------------------
# Problems and the data set
# --------------------------------------------------------------------------------------------------

class DataError(Exception):
    """The data cannot be used; the message is the full problem report (:meth:`Dataset.problem_report`)."""

    def __init__(self, message: str, dataset: Dataset | None = None):
        super().__init__(message)
        self.dataset = dataset


def _rows_text(rows: list[int], shown: int = ROWS_SHOWN) -> str:
    """``"row 5"``, ``"rows 5, 9 and 12"``, ``"rows 5, 9, 12, 15, 20 and 37 more"``."""
    if not rows:
        return ""
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= shown:
        return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    return "rows " + ", ".join(map(str, rows[:shown])) + f" and {len(rows) - shown} more"


@dataclass
class Problem:
    """One problem found in the data.

    Parameters
    ----------
    table : str
        The crmbook table (``"orders"``).
    file : str
        Where the table came from: a file name (``"orders.csv"``), a sheet, or a database table/query.
    column : str or None
        Our column name, or None for a problem of the whole table.
    rows : list of int
        Row numbers as a person sees them (CSV/Excel: header = row 1, first data row = row 2; Parquet
        and databases: first record = row 1); empty for a problem of the whole table or column.
    message : str
        What is wrong, in plain words.
    expected, found : str
        What was expected and what was found (a few example values).
    severity : str
        ``"error"`` (the table, or for a required table the data set, cannot be used), ``"rejected"``
        (the rows were set aside) or ``"warning"`` (the data is used as it is).
    """

    table: str
    file: str
    column: str | None
    rows: list[int]
    message: str
    expected: str = ""
    found: str = ""
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise ValueError(f"Problem severity must be one of {_SEVERITIES}, got {self.severity!r}")

    def __str__(self) -> str:
        where = f"{self.table} ({self.file})" if self.file else self.table
        if self.column:
            where += f", column {self.column}"
        if self.rows:
            where += f", {_rows_text(self.rows)}"
        text = f"[{self.severity}] {where}: {self.message}"
        details = [f"expected {self.expected}" if self.expected else "", f"found {self.found}" if self.found else ""]
        details = [d for d in details if d]
        if details:
            text += " (" + "; ".join(details) + ")"
        return text


_REJECTED_COLUMNS = ["table", "file", "row", "column", "reason", "value"]


@dataclass(eq=False)
class Dataset:
    """A checked data set: the usable rows of each table, and an account of everything else.

    Attributes
    ----------
    tables : dict of str to DataFrame
        The usable tables, typed: dates are ``datetime64``, ids, text and categories are ``str``,
        numbers ``float64``, integers ``Int64``, flags ``boolean``. Only rows that passed every check;
        personal data masked unless turned off. Unknown columns are kept as text.
    absent : tuple of str
        Optional tables that are not available: not found, or found but empty or unusable (see
        ``problems``). A notebook tests ``"surveys" in ds`` and skips its section otherwise.
    rejected : DataFrame
        One line per set-aside row and reason: ``table, file, row, column, reason, value``.
    problems : list of Problem
        Everything found, errors first.
    as_of : Timestamp or None
        The analysis date (rows dated later were set aside), None for no cut-off.
    sources : dict of str to str
        Where each table came from: a file path, or a database URL shown without its password.
    origin : str
        The source as given (password hidden).
    encodings : dict of str to str
        The encoding used for each CSV file.
    ignored : list of str
        Files (or sheets, or database tables) found but not read.
    """

    tables: dict[str, pd.DataFrame]
    absent: tuple[str, ...]
    rejected: pd.DataFrame
    problems: list[Problem]
    as_of: pd.Timestamp | None
    sources: dict[str, str]
    origin: str = ""
    encodings: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    blank_rows: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table in self.tables:
            return self.tables[table]
        if table not in SCHEMAS:
            raise KeyError(f"{table!r} is not a crmbook table (tables: {', '.join(SCHEMAS)})")
        why = [str(p) for p in self.problems if p.table == table and p.severity == "error"]
        reason = "; ".join(why) if why else f"no {table} table was found in {self.origin or 'the data'}"
        raise KeyError(f"table {table!r} is not available: {reason}")

    def __contains__(self, table: object) -> bool:
        return table in self.tables

    def __iter__(self):
        return iter(self.tables)

    @property
    def usable(self) -> bool:
        """True when every required table was loaded with at least one usable row.

        Some rows set aside do not count against it; all rows of a required table set aside do.
        """
        return all(t in self.tables for t in REQUIRED_TABLES) and not any(
            p.severity == "error" and p.table in REQUIRED_TABLES for p in self.problems)

    def reconciliation(self) -> pd.DataFrame:
        """Rows read, used and set aside per table found.

        ``rows_read = rows_used + rows_rejected`` holds for every table (a row set aside for two
        reasons counts once here). Entirely blank lines are not rows and are not counted.

        Returns
        -------
        DataFrame
            Columns ``table, source, rows_read, rows_used, rows_rejected``; one line per table found.
        """
        lines = []
        for table, n_read in self.rows_read.items():
            rej = self.rejected[self.rejected["table"] == table]
            n_rejected = int(rej["row"].nunique())
            lines.append({"table": table, "source": self.sources.get(table, ""), "rows_read": n_read,
                          "rows_used": n_read - n_rejected, "rows_rejected": n_rejected})
        return pd.DataFrame(lines, columns=["table", "source", "rows_read", "rows_used", "rows_rejected"])

    def rejected_by_reason(self) -> pd.DataFrame:
        """Rows set aside per table and reason.

        A row set aside for two reasons counts under both, so the counts of one table may add up to
        more than its ``rows_rejected``.

        Returns
        -------
        DataFrame
            Columns ``table, reason, rows``, largest first within each table.
        """
        if self.rejected.empty:
            return pd.DataFrame({"table": pd.Series(dtype=str), "reason": pd.Series(dtype=str),
                                 "rows": pd.Series(dtype="int64")})
        out = (self.rejected.drop_duplicates(["table", "row", "reason"])
               .groupby(["table", "reason"], sort=False).size().rename("rows").reset_index())
        order = {t: i for i, t in enumerate(SCHEMAS)}
        out["_t"] = out["table"].map(order)
        return (out.sort_values(["_t", "rows"], ascending=[True, False]).drop(columns="_t")
                .reset_index(drop=True))

    def _count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)

    def summary(self) -> str:
        """A readable overview: status, one line per table (source, encoding, rows), absent tables,
        ignored files, and one line per problem."""
        as_of = self.as_of.strftime("%Y-%m-%d") if self.as_of is not None else "no cut-off"
        lines = [f"Data: {self.origin}", f"As of: {as_of}"]
        if self.usable:
            status = "USABLE"
        else:
            status = ("NOT USABLE - a required table or column is missing or empty, or a required table has "
                      "no usable row (see the problems below)")
        lines.append(f"Status: {status}")
        lines.append("")
        rec = self.reconciliation()
        if not rec.empty:
            width = max(len(t) for t in rec["table"])
            lines.append(f"{'table':<{width}}  {'read':>8}  {'used':>8}  {'set aside':>9}  source")
            for r in rec.itertuples():
                src = r.source
                if r.table in self.encodings:
                    src += f" [{self.encodings[r.table]}]"
                if self.blank_rows.get(r.table):
                    src += f" ({self.blank_rows[r.table]} blank lines skipped)"
                flag = "" if r.table in self.tables else "  UNUSABLE"
                lines.append(f"{r.table:<{width}}  {r.rows_read:>8,}  {r.rows_used:>8,}  "
                             f"{r.rows_rejected:>9,}  {src}{flag}")
        missing_required = [t for t in REQUIRED_TABLES if t not in self.rows_read]
        if missing_required:
            lines.append("Missing required tables: " + ", ".join(missing_required))
        if self.absent:
            lines.append("Optional tables not available: " + ", ".join(self.absent))
        if self.ignored:
            lines.append("Ignored (not crmbook tables): " + ", ".join(self.ignored))
        by_reason = self.rejected_by_reason()
        if not by_reason.empty:
            lines.append("")
            lines.append("Rows set aside by reason:")
            for r in by_reason.itertuples():
                lines.append(f"  {r.table}: {r.reason}: {r.rows:,}")
        lines.append("")
        n_err, n_rej, n_warn = (self._count(s) for s in _SEVERITIES)
        if not self.problems:
            lines.append("Problems: none")
        else:
            lines.append(f"Problems: {n_err} errors, {n_rej} with rows set aside, {n_warn} warnings")
            lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)

    def problem_report(self) -> str:
        """Every problem, grouped by severity, with the file, column, rows, expected and found."""
        if not self.problems:
            return f"No problems found in {self.origin}."
        titles = {"error": "Errors (the table cannot be used)",
                  "rejected": "Rows set aside",
                  "warning": "Warnings (the data is used as it is)"}
        out = [f"Problems found in {self.origin}:"]
        for severity in _SEVERITIES:
            group = [p for p in self.problems if p.severity == severity]
            if not group:
                continue
            out.append("")
            out.append(f"{titles[severity]}: {len(group)}")
            for i, p in enumerate(group, 1):
                where = f"{p.table} ({p.file})" if p.file else p.table
                out.append(f"{i:>3}. {where}" + (f", column {p.column}" if p.column else ""))
                if p.rows:
                    out.append(f"     {_rows_text(p.rows)}")
                out.append(f"     {p.message}")
                if p.expected:
                    out.append(f"     expected: {p.expected}")
                if p.found:
                    out.append(f"     found:    {p.found}")
        if not self.usable:
            out.append("")
            out.append("The data cannot be used until the errors in the required tables "
                       f"({', '.join(REQUIRED_TABLES)}) are fixed.")
        return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# Personal data
# --------------------------------------------------------------------------------------------------

def _mask_name(value: str) -> str:
    words = value.split()
    if len(words) > 1:
        return " ".join(w[0] + "*" * max(len(w) - 1, 1) for w in words)
    return value[0] + "*" * max(len(value) - 1, 1)


def _mask_phone(value: str) -> str:
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    n = len(digits)
    keep_head, keep_tail = (3, 4) if n >= 9 else (0, min(2, max(n - 1, 0)))
    hidden = set(digits[keep_head:n - keep_tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def _mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return _mask_name(value)
    return (local[:1] or "*") + "***@" + domain


_MASKERS = {"name": _mask_name, "phone": _mask_phone, "email": _mask_email}

# The same masks on whole Arrow columns, for the usual shapes of a value (the masker of the column
# does the rest, cell by cell). Each entry: (pattern a value must match, function of those values).
_STAR = "*"
#: Python's whitespace (what ``str.split()`` splits on) as an RE2 character class.
_SPACE_CLASS = (r"\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
                r"\x{202f}\x{205f}\x{3000}")


def _join(*parts: Any) -> pa.Array:
    """Arrow texts (or a literal) joined element-wise."""
    return pc.binary_join_element_wise(*(pa.scalar(p, pa.large_string()) if isinstance(p, str)
                                         else p.cast(pa.large_string()) for p in parts),
                                       pa.scalar("", pa.large_string()))


def _stars(n: pa.Array) -> pa.Array:
    return pc.binary_repeat(pa.scalar(_STAR, pa.large_string()), n)


def _mask_words(values: pa.Array) -> pa.Array:
    """:func:`_mask_name` of one-word values: the first character, then a star per other character."""
    n = pc.utf8_length(values)
    return _join(pc.utf8_slice_codeunits(values, 0, 1), _stars(pc.max_element_wise(pc.subtract(n, 1), 1)))


def _mask_digits(values: pa.Array) -> pa.Array:
    """:func:`_mask_phone` of values of nine or more ASCII digits: the first three and last four kept."""
    n = pc.utf8_length(values)
    return _join(pc.utf8_slice_codeunits(values, 0, 3), _stars(pc.subtract(n, 7)),
                 pc.utf8_slice_codeunits(values, -4))


def _mask_addresses(values: pa.Array) -> pa.Array:
    """:func:`_mask_email` of values holding an ``@``: the first character, ``***@`` and the domain."""
    parts = pc.split_pattern(values, "@", max_splits=1)
    first = pc.utf8_slice_codeunits(pc.list_element(parts, 0), 0, 1)
    first = pc.if_else(pc.equal(first, ""), pa.scalar(_STAR, first.type), first)
    return _join(first, "***@", pc.list_element(parts, 1))


_ONE_WORD = (f"^[^{_SPACE_CLASS}]+$", _mask_words)
_FAST_MASKERS = {"name": (_ONE_WORD,), "phone": (("^[0-9]{9,}$", _mask_digits),),
                 "email": (("@", _mask_addresses), _ONE_WORD)}


def _mask_texts(text: pd.Series, column: str) -> pd.Series:
    """``text`` (values present, as ``str``) masked like column ``column``; same dtype and index."""
    masker = _MASKERS.get(column, _mask_name)
    arr = _arrow_text(text)
    if arr is None:
        return text.map(lambda v: masker(v) if v else v)
    out = np.empty(len(arr), dtype=object)
    todo = np.ones(len(arr), dtype=bool)
    for pattern, fast in _FAST_MASKERS.get(column, (_ONE_WORD,)):
        hit = todo & _matches(arr, pattern)
        if hit.any():
            out[hit] = fast(arr.filter(hit)).to_numpy(zero_copy_only=False)
            todo &= ~hit
    if todo.any():
        out[todo] = [masker(v) if v else v for v in arr.filter(todo).to_pylist()]
    return pd.Series(out, index=text.index, dtype=text.dtype)


def mask_personal_data(df: pd.DataFrame, columns: Iterable[str] = PERSONAL_COLUMNS) -> pd.DataFrame:
    """Mask names, phone numbers and e-mail addresses.

    Names keep their first character (``张三丰`` -> ``张**``, ``John`` -> ``J***``), phone numbers their
    first three and last four digits (``13812345678`` -> ``138****5678``), e-mails the first character
    and the domain (``john@example.com`` -> ``j***@example.com``). Missing values stay missing.

    Parameters
    ----------
    df : DataFrame
        Any table; the columns of ``columns`` that it has are masked, others are left alone.
    columns : iterable of str
        Column names to mask (default :data:`PERSONAL_COLUMNS`); a column not named ``phone`` or
        ``email`` is masked like a name.

    Returns
    -------
    DataFrame
        A new frame; ``df`` is not changed.
    """
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        s = out[col]
        present = s.notna()
        out[col] = s.where(~present, _mask_texts(s[present].astype(str), col))
    return out


# --------------------------------------------------------------------------------------------------
# Mapping file
# --------------------------------------------------------------------------------------------------

def read_mapping(mapping: str | os.PathLike | Mapping | None) -> dict[str, dict[str, Any]]:
    """Read and check a column-mapping file (format in the module docstring).

    Parameters
    ----------
    mapping : path, dict or None
        A YAML file, an already-parsed dict (same structure), or None / ``""`` for no mapping.

    Returns
    -------
    dict
        ``{table: {"file", "sheet", "query", "columns", "values", "dayfirst", "date_format"}}`` for the
        tables the mapping names, with keys and values as strings.

    Raises
    ------
    FileNotFoundError
        The mapping file does not exist.
    ValueError
        The mapping is malformed: an unknown table or key, a target column crmbook does not know, both
        ``file`` and ``query`` for one table. The message names the mapping file.
    """
    if mapping is None or (isinstance(mapping, str) and not mapping.strip()):
        return {}
    if isinstance(mapping, Mapping):
        raw, label = dict(mapping), "mapping"
    else:
        import yaml

        path = Path(mapping).expanduser()
        label = f"mapping file {path}"
        if not path.is_file():
            raise FileNotFoundError(f"{label} does not exist")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ValueError(f"{label} is not valid YAML (UTF-8): {exc}") from None
        raw = raw or {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"{label}: expected a table name per top-level key (customers:, orders: ...), "
                         f"found {type(raw).__name__}")
    errors: list[str] = []
    out: dict[str, dict[str, Any]] = {}
    for table, spec in raw.items():
        table = str(table)
        if table not in SCHEMAS:
            errors.append(f"table {table!r} is not a crmbook table (tables: {', '.join(SCHEMAS)})")
            continue
        spec = spec or {}
        if not isinstance(spec, Mapping):
            errors.append(f"{table}: expected keys such as file:, columns:, values:, found {spec!r}")
            continue
        unknown = set(map(str, spec)) - _MAPPING_KEYS
        if unknown:
            errors.append(f"{table}: unknown key(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_MAPPING_KEYS))})")
        schema = SCHEMAS[table]
        entry: dict[str, Any] = {"columns": {}, "values": {}, "dayfirst": bool(spec.get("dayfirst", False)),
                                 "date_format": spec.get("date_format"), "file": spec.get("file"),
                                 "sheet": spec.get("sheet"), "query": spec.get("query")}
        if entry["file"] is not None and entry["query"] is not None:
            errors.append(f"{table}: give either file: or query:, not both")
        columns = spec.get("columns") or {}
        if not isinstance(columns, Mapping):
            errors.append(f"{table}.columns: expected 'their name: our name' pairs, found {columns!r}")
            columns = {}
        for theirs, ours in columns.items():
            if schema.column(str(ours)) is None:
                errors.append(f"{table}.columns: {theirs!r} is mapped to {ours!r}, which is not a column of "
                              f"{table} (columns: {', '.join(c.name for c in schema.columns)})")
            entry["columns"][str(theirs).strip()] = str(ours)
        targets = list(entry["columns"].values())
        doubled = sorted({t for t in targets if targets.count(t) > 1})
        if doubled:
            errors.append(f"{table}.columns: several columns are mapped to {', '.join(doubled)}")
        values = spec.get("values") or {}
        if not isinstance(values, Mapping):
            errors.append(f"{table}.values: expected 'column: {{their value: our value}}', found {values!r}")
            values = {}
        for col, pairs in values.items():
            if schema.column(str(col)) is None:
                errors.append(f"{table}.values: {col!r} is not a column of {table}")
                continue
            if not isinstance(pairs, Mapping):
                errors.append(f"{table}.values.{col}: expected 'their value: our value' pairs, found {pairs!r}")
                continue
            entry["values"][str(col)] = {_yaml_text(k): _yaml_text(v) for k, v in pairs.items()}
        out[table] = entry
    if errors:
        raise ValueError(f"{label} has {len(errors)} problem(s):\n  - " + "\n  - ".join(errors))
    return out


def _yaml_text(value: Any) -> str:
    """YAML reads ``1: M`` with an int key and ``yes`` as True; the data is text, so map them back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------------
# Reading raw tables (everything as text)
# --------------------------------------------------------------------------------------------------

@dataclass
class _Raw:
    """A table as read: every cell text (or NA), with where it came from."""

    table: str
    frame: pd.DataFrame | None
    file: str            # short name for messages
    source: str          # full path / URL for Dataset.sources
    first_row: int       # row number of the first data row (2 below a header, 1 otherwise)
    encoding: str | None = None
    error: str | None = None
    problems: list[Problem] = field(default_factory=list)  # found while reading (header, extra fields)


def _as_text(s: pd.Series) -> pd.Series:
    """A column as text (``string`` dtype, stripped), with the missing-value markers as NA."""
    if pd.api.types.is_float_dtype(s.dtype):
        vals = s.dropna()
        if len(vals) and np.isfinite(vals).all() and (vals % 1 == 0).all():
            s = s.astype("Int64")
    elif pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = s.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00", "", regex=False)
    out = s.astype("string")
    arr = _arrow_text(out)
    if arr is not None:  # what .str.strip() and .mask(.isin(...)) do, in Arrow in one go
        arr = pc.utf8_trim_whitespace(arr)
        missing = pc.is_in(arr, value_set=pa.array(MISSING_VALUES, type=arr.type))
        arr = pc.if_else(missing, pa.scalar(None, arr.type), arr)
        return pd.Series(pd.array(arr, dtype=out.dtype), index=out.index, name=out.name)
    out = out.str.strip()
    return out.mask(out.isin(MISSING_VALUES))


def _texts(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as text; column names stripped (repeated names are kept, and reported later)."""
    out = pd.DataFrame({i: _as_text(df.iloc[:, i]) for i in range(df.shape[1])}, index=df.index)
    out.columns = [str(c).strip() for c in df.columns]
    return out.reset_index(drop=True)


def _with_header(raw: _Raw, header: list[Any], body: pd.DataFrame) -> None:
    """Name the columns of ``body`` (cells as read, positional columns) from the raw ``header`` row.

    The names come from the file itself, not from pandas, so a repeated name stays repeated (and is
    reported by the check) instead of becoming ``revenue.1``. Fields beyond the last named column (a
    trailing delimiter on each line, common in exports) are dropped with a warning when they are all
    empty, and are an error naming the rows when they hold values: those values belong to no column
    and would otherwise be lost. A nameless column inside the header is dropped with a warning when it
    is empty, and kept as ``Unnamed: N`` (an unknown column) otherwise. Sets ``raw.frame`` and adds to
    ``raw.problems``.
    """
    width = body.shape[1]
    names = [("" if h is None or (isinstance(h, float) and np.isnan(h)) else str(h).strip()) for h in header]
    names = (names + [""] * width)[:max(width, len(names))]
    body = body.reset_index(drop=True)
    text = pd.DataFrame({i: _as_text(body.iloc[:, i]) for i in range(width)}, index=body.index)
    last_named = max((i for i, n in enumerate(names) if n), default=-1)
    keep: list[int] = []
    dropped: list[int] = []
    extra: list[int] = []
    for i in range(width):
        if names[i]:
            keep.append(i)
        elif not text[i].notna().any():
            dropped.append(i)
        elif i > last_named:
            extra.append(i)
        else:
            keep.append(i)
            names[i] = f"Unnamed: {i}"
    if dropped:
        raw.problems.append(Problem(
            raw.table, raw.file, None, [],
            f"{len(dropped)} column(s) without a name and without values (field(s) "
            f"{', '.join(str(i + 1) for i in dropped)}) were dropped; often a delimiter at the end of "
            "each line",
            "", "", "warning"))
    if extra:
        filled = text[extra].notna().any(axis=1).to_numpy()
        rows = [int(r) for r in np.flatnonzero(filled) + raw.first_row]
        raw.problems.append(Problem(
            raw.table, raw.file, None, rows,
            f"{len(rows):,} row(s) have more fields than the header names ({last_named + 1}); the extra "
            "values belong to no column and would be lost. Check the delimiters (a value holding the "
            "delimiter must be quoted) or add the missing column name(s) to the header",
            f"at most {last_named + 1} fields per row", _examples(text.loc[filled, extra].stack().dropna()),
            "error"))
    frame = text[keep]
    frame.columns = [names[i] for i in keep]
    raw.frame = frame.reset_index(drop=True)


def _to_str(s: pd.Series) -> pd.Series:
    """Text as pandas' ``str`` dtype (pandas 3), or object holding str/None (pandas 2)."""
    if _PANDAS3:
        return s.astype(str)
    return s.astype(object).where(s.notna(), None)


def _decode(data: bytes) -> tuple[str, str]:
    for enc in CSV_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            label = "UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
        else:
            label = "GBK (read as GB18030)"
        return text, label
    raise UnicodeDecodeError("crmbook", data[:1], 0, 1, "neither UTF-8 nor GBK/GB18030")


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _read_csv(path: Path, table: str) -> _Raw:
    raw = _Raw(table, None, path.name, str(path), 2)
    try:
        text, raw.encoding = _decode(path.read_bytes())
    except UnicodeDecodeError:
        raw.error = "cannot decode the file: it is neither UTF-8 nor GBK; save it as UTF-8 CSV"
        return raw
    delimiter = _sniff_delimiter(text)
    split = _split_plain_csv(text, delimiter)
    if split is not None:
        header, columns, n_rows = split
    else:
        try:  # the csv module, not pandas: the header is read as written (no renaming, no index column)
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raw.error = f"cannot read the CSV file: {exc}"
            return raw
        if not rows:
            raw.frame = pd.DataFrame()
            return raw
        header, body = rows[0], rows[1:]
        width = max(len(header), max(map(len, body), default=0))
        if not body:
            _with_header(raw, header, pd.DataFrame(body, columns=range(width), dtype=object))
            return raw
        if min(map(len, body)) < width:  # short rows: the missing fields are empty
            body = [r if len(r) == width else r + [""] * (width - len(r)) for r in body]
        columns = [pa.array(col, type=pa.large_string()) for col in zip(*body, strict=True)] if width else []
        n_rows = len(body)
    frame = pd.DataFrame({i: pd.array(col, dtype="string") for i, col in enumerate(columns)},
                         index=pd.RangeIndex(n_rows), columns=range(len(columns)))
    _with_header(raw, header, frame)
    return raw


def _split_plain_csv(text: str, delimiter: str) -> tuple[list[str], list[pa.Array], int] | None:
    """The header, the columns (Arrow text) and the number of rows of CSV text without quotes.

    Without a quote, a carriage return or a NUL character every line is one row and every delimiter
    separates two fields, so the lines are split in Arrow instead of one by one with the csv module;
    the result is what the csv module gives (a blank line is a row without fields; short rows are
    padded with empty fields). None for any other text, and for text with no data row, a line too
    long for the csv module, or a single line: the caller reads those with the csv module.
    """
    if '"' in text or "\r" in text or "\0" in text:
        return None
    lines = text.split("\n")
    if lines[-1] == "":  # the line break at the end of the text ends the last row
        lines.pop()
    if len(lines) < 2 or max(map(len, lines)) >= csv.field_size_limit():
        return None
    header = lines[0].split(delimiter) if lines[0] else []
    body = pa.array(lines[1:], type=pa.large_string())
    parts = pc.split_pattern(body, delimiter)
    offsets = parts.offsets.to_numpy()
    starts, counts = offsets[:-1], np.diff(offsets)
    blank = pc.equal(body, "").to_numpy(zero_copy_only=False)  # split gives [""], the csv module []
    width = max(len(header), int(np.where(blank, 0, counts).max()))
    fields = parts.flatten()
    columns = []
    for i in range(width):
        short = counts <= i
        if short.any():
            columns.append(fields.take(pa.array(np.where(short, 0, starts + i), mask=short)).fill_null(""))
        else:
            columns.append(fields.take(pa.array(starts + i)))
    return header, columns, len(body)


def _read_excel_sheet(path: Path, table: str, sheet: str | int = 0, label: str | None = None) -> _Raw:
    raw = _Raw(table, None, label or path.name, str(path) if label is None else f"{path} [{sheet}]", 2)
    try:
        df = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None)
    except ValueError as exc:  # e.g. no such sheet
        raw.error = f"cannot read sheet {sheet!r}: {exc}"
        return raw
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported, not raised
        raw.error = f"cannot read the Excel file: {exc}"
        return raw
    if df.empty:
        raw.frame = pd.DataFrame()
        return raw
    cells = df.astype(object).map(_excel_cell).astype(object)
    header = list(cells.iloc[0])
    _with_header(raw, header, cells.iloc[1:].reset_index(drop=True))
    return raw


def _sheets_with_data(path: Path) -> list[str]:
    """The sheets of a workbook that hold at least one value."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            cells = (v for row in ws.iter_rows(values_only=True) for v in row)
            if any(v is not None and str(v).strip() != "" for v in cells):
                out.append(ws.title)
        return out
    finally:
        wb.close()


def _read_table_xlsx(path: Path, table: str, sheet: str | None) -> _Raw:
    """A per-table workbook in a data folder: the sheet the mapping names, else its only sheet with data."""
    if sheet is not None:
        return _read_excel_sheet(path, table, sheet)
    try:
        sheets = _sheets_with_data(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported, not raised
        return _Raw(table, None, path.name, str(path), 2, error=f"cannot read the Excel file: {exc}")
    if len(sheets) > 1:
        return _Raw(table, None, path.name, str(path), 2, error=(
            f"{path.name} has {len(sheets)} sheets with data ({', '.join(sheets)}); crmbook reads one sheet "
            f"per table, so the rows of sheet(s) {', '.join(sheets[1:])} would be lost. Put all rows in one "
            f"sheet, or name the sheet to read in the mapping file ({table}: sheet: {sheets[0]})"))
    return _read_excel_sheet(path, table, sheets[0] if sheets else 0)


def _excel_cell(value: Any) -> str | None:
    """Excel cells arrive typed: dates as datetime, ids as floats; turn them into the text a person sees."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return text.replace(" 00:00:00", "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_parquet(path: Path, table: str) -> _Raw:
    raw = _Raw(table, None, path.name, str(path), 1)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001
        raw.error = f"cannot read the Parquet file: {exc}"
        return raw
    raw.frame = _texts(df.reset_index(drop=True))
    return raw


def _read_file(path: Path, table: str, sheet: str | None = None) -> _Raw:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table)
    if suffix == ".xlsx":
        return _read_table_xlsx(path, table, sheet)
    if suffix == ".parquet":
        return _read_parquet(path, table)
    return _Raw(table, None, path.name, str(path), 2,
                error=f"unsupported file type {suffix!r} (use {', '.join(DATA_SUFFIXES)})")


def _read_folder(folder: Path, mapping: dict) -> tuple[dict[str, _Raw], list[Problem], list[str]]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    raws: dict[str, _Raw] = {}
    problems: list[Problem] = []
    used: set[Path] = set()
    for table in SCHEMAS:
        spec = mapping.get(table, {})
        if spec.get("query"):
            raise ValueError(f"mapping for {table} gives a SQL query, but the data is a folder ({folder}); "
                             "queries work only with a database URL")
        if spec.get("file"):
            path = Path(spec["file"]).expanduser()
            path = path if path.is_absolute() else folder / path
            if not path.is_file():
                problems.append(Problem(table, str(spec["file"]), None, [],
                                        f"the mapping names the file {spec['file']!r} for {table}, but it is "
                                        f"not in {folder}", "the file", "nothing",
                                        "error" if SCHEMAS[table].required else "warning"))
                continue
            candidates = [path]
        else:
            candidates = [p for p in files if p.stem.strip().lower() == table and p.suffix.lower() in DATA_SUFFIXES]
        if not candidates:
            continue
        used.update(candidates)
        if len(candidates) > 1:
            problems.append(Problem(table, ", ".join(p.name for p in candidates), None, [],
                                    f"several files for table {table}; keep one", "one file",
                                    ", ".join(p.name for p in candidates), "error"))
            continue
        raws[table] = _read_file(candidates[0], table, spec.get("sheet"))
    ignored = [p.name for p in files if p not in used]
    return raws, problems, ignored


def _read_workbook(path: Path, mapping: dict) -> tuple[dict[str, _Raw], list[Problem], list[str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        sheets = list(wb.sheetnames)
        wb.close()
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"cannot read the Excel workbook {path}: {exc}") from None
    raws: dict[str, _Raw] = {}
    problems: list[Problem] = []
    used: set[str] = set()
    for table in SCHEMAS:
        spec = mapping.get(table, {})
        if spec.get("query"):
            raise ValueError(f"mapping for {table} gives a SQL query, but the data is a workbook ({path}); "
                             "queries work only with a database URL")
        wanted = spec.get("sheet") or spec.get("file")
        if wanted is not None:
            match = [s for s in sheets if s == str(wanted)]
            if not match:
                problems.append(Problem(table, path.name, None, [],
                                        f"the mapping names sheet {wanted!r} for {table}, but {path.name} has "
                                        f"no such sheet (sheets: {', '.join(sheets)})", "the sheet", "nothing",
                                        "error" if SCHEMAS[table].required else "warning"))
                continue
        else:
            match = [s for s in sheets if s.strip().lower() == table]
        if not match:
            continue
        used.add(match[0])
        raws[table] = _read_excel_sheet(path, table, match[0], label=f"{path.name} sheet {match[0]}")
    ignored = [f"sheet {s}" for s in sheets if s not in used]
    return raws, problems, ignored


# --------------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------------

def _looks_like_url(source: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+\-.]*://", source) is not None


def _scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace each secret with ``***`` in every form the runner also scrubs (plain, URL-encoded, escaped)."""
    from crmbook.redact import secret_forms  # one list of forms for the loader and the runner

    forms = {form for secret in secrets if secret for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _db_error(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip()
                    and not line.strip().startswith("(Background on this error"))


def _read_database(url_text: str, mapping: dict, password_env: str
                   ) -> tuple[dict[str, _Raw], list[Problem], list[str], str]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    try:
        url = make_url(url_text)
    except Exception:  # noqa: BLE001 - the message of make_url may echo the URL
        raise ValueError("cannot parse the database URL (expected e.g. "
                         "postgresql+psycopg://user@host:5432/dbname or sqlite:///path/to/file.db)") from None
    url_password = url.password
    env_password = os.environ.get(password_env) if password_env else None
    if env_password and url.password is None:
        url = url.set(password=env_password)
    secrets = [str(url_password) if url_password is not None else None, env_password]
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        db = url.database
        if db and db != ":memory:" and not db.startswith("file:") and not Path(db).expanduser().is_file():
            raise FileNotFoundError(f"the SQLite database {db} does not exist (URL {shown})")
    if url.drivername == "postgresql":
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            url = url.set(drivername="postgresql+psycopg")
    try:
        engine = sa.create_engine(url)
    except ModuleNotFoundError as exc:
        raise ValueError(f"cannot open database {shown}: its Python driver is not installed ({exc}); "
                         "for PostgreSQL use postgresql+psycopg://... with the psycopg package") from None
    except Exception as exc:  # noqa: BLE001 - any other engine failure, reported plainly
        raise ValueError(f"cannot open database {shown}: {_scrub(str(exc), secrets)}") from None
    raws: dict[str, _Raw] = {}
    problems: list[Problem] = []
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            names = list(inspector.get_table_names()) + list(inspector.get_view_names())
            used: set[str] = set()
            for table in SCHEMAS:
                spec = mapping.get(table, {})
                query, wanted = spec.get("query"), spec.get("file")
                if query:
                    label = f"query for {table} (mapping)"
                    raws[table] = _read_sql(conn, sa.text(query), table, label, f"{shown} ({label})")
                    continue
                schema = None
                if wanted:
                    wanted = str(wanted)
                    schema, _, name = wanted.rpartition(".")
                    schema = schema or None
                    if schema is None and name not in names:
                        problems.append(Problem(table, f"table {wanted}", None, [],
                                                f"the mapping names database table {wanted!r} for {table}, but "
                                                f"the database has no such table", "the table", "nothing",
                                                "error" if SCHEMAS[table].required else "warning"))
                        continue
                else:
                    match = [n for n in names if n.lower() == table]
                    if not match:
                        continue
                    name = match[0]
                used.add(name)
                stmt = sa.select(sa.text("*")).select_from(sa.table(name, schema=schema))
                label = f"table {wanted or name}"
                raws[table] = _read_sql(conn, stmt, table, label, f"{shown} ({label})")
    except sa.exc.SQLAlchemyError as exc:
        hint = ""
        message = _scrub(_db_error(exc), secrets)
        if "password" in message.lower() or "authentication" in message.lower():
            hint = (f" - the password is read from the environment variable {password_env}"
                    + (" (which is not set)" if not env_password else "; check it"))
        raise ValueError(f"cannot read database {shown}: {message}{hint}") from None
    finally:
        engine.dispose()
    for raw in raws.values():
        if raw.error:
            raw.error = _scrub(raw.error, secrets)
    ignored = [f"table {n}" for n in names if n not in used]
    return raws, problems, ignored, shown


def _read_sql(conn, stmt, table: str, label: str, source: str) -> _Raw:
    import sqlalchemy as sa

    raw = _Raw(table, None, label, source, 1)
    try:
        df = pd.read_sql(stmt, conn)
    except (sa.exc.SQLAlchemyError, pd.errors.DatabaseError) as exc:
        conn.rollback()
        if not isinstance(exc, sa.exc.SQLAlchemyError) and exc.__cause__ is not None:
            exc = exc.__cause__
        raw.error = f"cannot read {label}: {_db_error(exc)}"
        return raw
    raw.frame = _texts(df)
    return raw


# --------------------------------------------------------------------------------------------------
# Checking one table
# --------------------------------------------------------------------------------------------------

@dataclass
class _Issue:
    """Rows (positions) with one problem in one column."""

    column: str | None
    reason: str
    positions: np.ndarray
    values: pd.Series          # the offending values, aligned with positions
    message: str
    expected: str
    reject: bool               # set the rows aside (else: blank the cells, keep the rows)


def _examples(values: Iterable[Any], shown: int = VALUES_SHOWN) -> str:
    distinct: list[str] = []
    for v in values:
        text = "empty" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else repr(str(v))
        if text not in distinct:
            distinct.append(text)
    more = "" if len(distinct) <= shown else f" and {len(distinct) - shown} other values"
    return ", ".join(distinct[:shown]) + more


#: A clock time followed by a time zone (``10:30:00+08:00``, ``10:30Z``): the zone is dropped.
#: (Patterns without lookarounds, ``\s`` or ``\d``, so pandas can run them in pyarrow: fast.)
_TZ_SUFFIX = r"([0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?) *(?:Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)$"
#: The date part of ``2025/3/5``, ``05.03.2025``: its separators become ``-``.
_DATE_SEPARATORS = r"^([0-9]{1,4})[/.]([0-9]{1,2})[/.]([0-9]{1,4})( |T|$)"
#: An ISO date with an optional time, after normalising (read as ISO 8601).
_ISO_DATE = r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
#: A date with the year last (``03-04-2025``, after normalising): day first or month first.
_NUMERIC_DATE = r"^\d{1,2}-\d{1,2}-\d{4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$"
#: A plain ISO date in ASCII digits (``2025-03-05``): normalising leaves it as it is, and it is ISO.
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"


def _parse_dates(s: pd.Series, dayfirst: bool, date_format: str | None) -> pd.Series:
    """Dates from text: year (4 digits), month and day are required; a time of day is allowed.

    A time zone is dropped and the local wall-clock date kept (``2024-03-01T01:30+08:00`` is 1 March,
    as the person who wrote it saw it). Nothing is filled in from the clock or from defaults: ``10:30``,
    ``2025``, ``2024-02`` and ``1/2/3`` are not dates.
    """
    if date_format:
        out = pd.to_datetime(s, format=date_format, errors="coerce")
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out
    # A plain ISO date (2025-03-05 in ASCII digits) is left as it is by the normalising and is ISO:
    # the regular expressions (some run in Python) see only the other cells.
    arr = _arrow_text(s)
    plain = _matches(arr, _PLAIN_DATE) if arr is not None else np.zeros(len(s), dtype=bool)
    messy = s.notna().to_numpy() & ~plain
    iso = pd.Series(plain, index=s.index)
    numeric = pd.Series(False, index=s.index)
    norm = s
    if messy.any():
        other = _normalise_dates(s[messy])
        other_iso = other.str.match(_ISO_DATE, na=False)
        other_numeric = other.str.match(_NUMERIC_DATE, na=False) & ~other_iso
        norm = other if messy.all() else s.where(~messy, other)
        iso[other_iso.index] = other_iso
        numeric[other_numeric.index] = other_numeric
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if iso.any():
        out[iso] = pd.to_datetime(norm[iso].astype(str), format="ISO8601", errors="coerce")
    if numeric.any():  # 03/04/2025: strictly day first or month first, never a mix of both
        order = "%d-%m-%Y" if dayfirst else "%m-%d-%Y"
        vals = norm[numeric].astype(str)
        parsed = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[us]")
        for fmt in (order, order + " %H:%M", order + " %H:%M:%S", order + "T%H:%M", order + "T%H:%M:%S"):
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(vals[todo], format=fmt, errors="coerce")
        out[numeric] = parsed
    rest = norm.notna() & ~iso & ~numeric
    if rest.any():
        parsed = [_parse_one_date(v, dayfirst) for v in norm[rest].astype(str)]
        out[rest] = pd.to_datetime(pd.Series(parsed, index=norm[rest].index, dtype=object))
    return out


def _normalise_dates(s: pd.Series) -> pd.Series:
    """Date text in one layout: ``年/月/日`` and ``/`` or ``.`` separators become ``-``, a time zone goes."""
    return (s.str.replace("年", "-", regex=False).str.replace("月", "-", regex=False)
            .str.replace("日", "", regex=False).str.strip()
            .str.replace(_DATE_SEPARATORS, r"\1-\2-\3\4", regex=True)
            .str.replace(_TZ_SUFFIX, r"\1", regex=True))


def _parse_one_date(text: str, dayfirst: bool) -> pd.Timestamp | None:
    """A date in a free layout (``5 March 2025``, ``Mar 5, 2025 10:30``, ``20250305``), or None.

    Parsed twice with two different defaults: when the results differ, a part of the date (year, month
    or day) was missing and would have been invented, so it is refused. The year must be written with
    four digits. The clock is never read; a time zone is dropped, keeping the wall-clock date.
    """
    from dateutil import parser

    if not re.search(r"\d", text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = parser.parse(text, dayfirst=dayfirst, default=datetime(2000, 1, 1))
            b = parser.parse(text, dayfirst=dayfirst, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError, parser.ParserError):
        return None
    if a.date() != b.date() or f"{a.year:04d}" not in text:
        return None
    return pd.Timestamp(a.replace(tzinfo=None))


#: Removed from numbers before reading them: a leading currency sign, thousands separators, spaces.
_NUMBER_NOISE = r"^[¥￥$€£]|(?<=\d),(?=\d{3}(\D|$))|\s"
#: Text in which :data:`_NUMBER_NOISE` finds nothing (no currency sign, comma or space).
_NUMBER_PLAIN = r"^[0-9A-Za-z.+\-]*$"
#: A plain decimal number (ASCII digits, an optional decimal point, no sign). When every value of a
#: column is one, at most :data:`_PLAIN_NUMBER_LENGTH` characters long, the column is read in Arrow:
#: with at most 15 digits (an exact integer in a double) and a scale that is an exact power of ten,
#: Arrow and ``pandas.to_numeric`` both give the correctly rounded double, so the numbers are the
#: same. A sign is left to pandas (``-0`` is 0.0 in a column of whole numbers, -0.0 in Arrow).
_PLAIN_NUMBER = r"^[0-9]+([.][0-9]+)?$"
_PLAIN_NUMBER_LENGTH = 15


def _parse_numbers(s: pd.Series) -> pd.Series:
    """Numbers from text: a leading currency sign, thousands separators and spaces are ignored;
    anything else that is not a finite number is NA."""
    arr = _arrow_text(s)
    if arr is not None:
        present = s.notna().to_numpy()
        plain = (_matches(arr, _PLAIN_NUMBER)
                 & (pc.binary_length(arr).fill_null(0).to_numpy(zero_copy_only=False) <= _PLAIN_NUMBER_LENGTH))
        if (plain | ~present).all():
            return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=s.index,
                             name=s.name)
        noisy = ~_matches(arr, _NUMBER_PLAIN) & present
    if arr is None or noisy.all():
        cleaned = s.str.replace(_NUMBER_NOISE, "", regex=True)
    elif noisy.any():  # the clean-up runs in Python (``re``): only on the cells that need it
        cleaned = s.where(~noisy, s[noisy].str.replace(_NUMBER_NOISE, "", regex=True))
    else:
        cleaned = s
    out = pd.to_numeric(cleaned.astype(object), errors="coerce").astype("float64")
    return out.where(np.isfinite(out))  # inf, Infinity, 1e400: not a number


def _bounds_text(spec: ColumnSpec) -> str:
    if spec.min is not None and spec.max is not None:
        return f"between {spec.min:g} and {spec.max:g}"
    if spec.min is not None:
        return f">= {spec.min:g}"
    return f"<= {spec.max:g}"


def _parse_column(raw: pd.Series, spec: ColumnSpec, table_spec: dict) -> tuple[pd.Series, list[_Issue]]:
    """Type one column; return the typed column and the issues (bad cells)."""
    issues: list[_Issue] = []
    present = raw.notna().to_numpy()
    reject = spec.required

    def issue(bad: np.ndarray, reason: str, message: str, expected: str) -> None:
        pos = np.flatnonzero(bad)
        if len(pos):
            issues.append(_Issue(spec.name, reason, pos, raw.iloc[pos], message, expected, reject))

    if spec.required:
        issue(~present, "missing value", f"no {spec.name} given; it is required", "a value")
    kind = spec.kind
    if kind == "date":
        typed = _parse_dates(raw, table_spec.get("dayfirst", False), table_spec.get("date_format"))
        fmt = table_spec.get("date_format")
        issue(present & typed.isna().to_numpy(), "unparseable date", f"{spec.name} is not a date",
              f"a date as {fmt}" if fmt else "a date such as 2025-03-31")
    elif kind in ("number", "integer"):
        typed = _parse_numbers(raw)
        bad = present & typed.isna().to_numpy()
        noun = "a whole number" if kind == "integer" else "a number"
        issue(bad, "not a number", f"{spec.name} is not {noun}", noun)
        if kind == "integer":
            frac = (typed.notna() & (typed % 1 != 0)).to_numpy()
            issue(frac, "not a whole number", f"{spec.name} must be a whole number", "a whole number")
            huge = (typed.abs() >= _INTEGER_LIMIT).fillna(False).to_numpy() & ~frac
            issue(huge, "out of range", f"{spec.name} is too large for a whole number",
                  f"a whole number below {_INTEGER_LIMIT:,.0f} in size")
            typed = typed.where(~(frac | huge))
        out_of_range = np.zeros(len(raw), dtype=bool)
        if spec.min is not None:
            out_of_range |= (typed < spec.min).fillna(False).to_numpy()
        if spec.max is not None:
            out_of_range |= (typed > spec.max).fillna(False).to_numpy()
        if out_of_range.any():
            below = spec.min is not None and spec.max is None and spec.min == 0
            reason = f"negative {spec.name}" if below else "out of range"
            issue(out_of_range, reason, f"{spec.name} must be {_bounds_text(spec)}",
                  f"a number {_bounds_text(spec)}")
            typed = typed.where(~out_of_range)
        if kind == "integer":
            typed = typed.round().astype("Int64")
    elif kind == "bool":
        low = raw.str.lower()
        typed = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        typed[_isin(low, _TRUE)] = True
        typed[_isin(low, _FALSE)] = False
        issue(present & typed.isna().to_numpy(), "not true/false", f"{spec.name} is not true/false",
              "true/false, yes/no, 1/0 or 是/否")
    elif kind == "period":
        parts = raw.str.extract(r"^(\d{4})(?:[-/.](\d{1,2}))?$")
        month = pd.to_numeric(parts[1], errors="coerce")
        ok = (parts[0].notna() & (parts[1].isna() | month.between(1, 12))).to_numpy()
        issue(present & ~ok, "not a period", f"{spec.name} is not a month YYYY-MM or a year YYYY",
              "a month such as 2025-03, or a year such as 2025")
        typed = (parts[0] + ("-" + month.astype("Int64").astype("string").str.zfill(2)).fillna("")).where(ok)
    elif kind == "category" and spec.allowed:
        lookup = {a.lower(): a for a in spec.allowed}
        typed = _lookup(raw.str.lower(), lookup)
        bad = present & typed.isna().to_numpy()
        issue(bad, "unknown value", f"{spec.name} has a value outside its list",
              "one of " + ", ".join(spec.allowed))
    else:  # id, text, free category
        typed = raw
    if kind in ("id", "text", "category", "period"):
        typed = _to_str(typed)
    return typed, issues


def _lookup(s: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """``s.map(mapping, na_action="ignore")``: NA where ``s`` is NA or not a key (fast for Arrow text)."""
    arr = _arrow_text(s)
    if arr is None:
        return s.map(mapping, na_action="ignore")
    found = pc.index_in(arr, value_set=pa.array(list(mapping), type=arr.type))
    values = pa.array(list(mapping.values()), type=arr.type).take(found)
    return pd.Series(pd.array(values, dtype="string"), index=s.index)


def _entity(table: str) -> str:
    return {"customers": "customer", "campaigns": "campaign"}.get(table, table)


def _check_table(raw: _Raw, mapping: dict, as_of: pd.Timestamp | None,
                 done: dict[str, tuple[pd.DataFrame | None, set[str]]]
                 ) -> tuple[pd.DataFrame | None, set[str], list[dict], list[Problem], int, int]:
    """Check one table.

    Returns the typed frame of usable rows (None if the table is unusable), the key values of the rows
    set aside (for the cascade), the set-aside records, the problems, the number of rows read, and the
    number of blank lines skipped.
    """
    table, schema = raw.table, SCHEMAS[raw.table]
    spec = mapping.get(table, {})
    problems: list[Problem] = []
    records: list[dict] = []

    def problem(column, rows, message, expected="", found="", severity="error"):
        problems.append(Problem(table, raw.file, column, sorted(int(r) for r in rows), message,
                                expected, found, severity))

    if raw.frame is None:
        problem(None, [], raw.error or "cannot read the table")
        return None, set(), records, problems, 0, 0
    df = raw.frame
    rownum = np.arange(len(df)) + raw.first_row
    blank = df.isna().all(axis=1).to_numpy() if df.shape[1] else np.ones(len(df), dtype=bool)
    n_blank = int(blank.sum())
    df, rownum = df.loc[~blank].reset_index(drop=True), rownum[~blank]
    n_read = len(df)

    problems.extend(raw.problems)
    read_error = any(p.severity == "error" for p in raw.problems)

    # --- column names: mapping, case, duplicates, unknown ------------------------------------------
    names = [str(c) for c in df.columns]
    doubled_in_file = sorted({c for c in names if names.count(c) > 1})
    for c in doubled_in_file:
        where = [i + 1 for i, n in enumerate(names) if n == c]
        problem(c, [], f"column {c!r} appears {len(where)} times in {raw.file} (columns "
                f"{', '.join(map(str, where[:-1]))} and {where[-1]}); crmbook cannot tell which one to use, so "
                "the table is not used. Remove or rename the extra column(s)", "each column name once",
                f"{len(where)} columns named {c!r}")
    rename = dict(spec.get("columns", {}))
    mapped_missing = [c for c in rename if c not in df.columns]
    for c in mapped_missing:
        problem(None, [], f"the mapping renames column {c!r}, but the table has no such column "
                f"(columns: {', '.join(map(str, df.columns))})", severity="warning")
    known = {c.name for c in schema.columns}
    for c in df.columns:
        if c not in rename and c not in known and c.lower() in known:
            rename[c] = c.lower()
    df = df.rename(columns=rename)
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    renamed_dupes = [c for c in dupes if c not in doubled_in_file]
    if renamed_dupes:
        problem(renamed_dupes[0], [], f"column(s) {', '.join(renamed_dupes)} appear more than once (after the "
                "mapping)", "each column once", f"{len(df.columns)} columns")
    missing = [c for c in schema.required_columns if c not in df.columns]
    for c in missing:
        problem(c, [], f"required column {c} is missing", f"a column {c} ({schema.column(c).description})",
                "columns " + ", ".join(map(str, df.columns)))
    unknown = [c for c in df.columns if schema.column(c) is None]
    if unknown:
        problem(None, [], f"unknown column(s) {', '.join(map(str, unknown))} are kept as text",
                "crmbook's column names (or a mapping file)", ", ".join(map(str, unknown)), "warning")
    if n_read == 0:
        severity = "error" if schema.required else "warning"
        problem(None, [], f"table {table} has no rows", "at least one row", "only a header", severity)
        return None, set(), records, problems, 0, n_blank
    if missing or dupes or read_error:
        reason = _TABLE_UNUSABLE
        col = (missing or dupes or [None])[0]
        records.extend({"table": table, "file": raw.file, "row": int(r), "column": col, "reason": reason,
                        "value": None} for r in rownum)
        return None, set(), records, problems, n_read, n_blank

    # --- values mapping ------------------------------------------------------------------------------
    for col, pairs in spec.get("values", {}).items():
        if col in df.columns:
            df[col] = df[col].map(lambda v, p=pairs: p.get(v, v) if isinstance(v, str) else v).astype("string")

    # --- parse every known column ----------------------------------------------------------------------
    typed: dict[str, pd.Series] = {}
    issues: list[_Issue] = []
    for c in df.columns:
        cs = schema.column(c)
        if cs is None:
            typed[c] = _to_str(df[c])
            continue
        typed[c], col_issues = _parse_column(df[c], cs, spec)
        issues.extend(col_issues)
    out = pd.DataFrame(typed, index=df.index)
    rejected = np.zeros(n_read, dtype=bool)
    for iss in issues:
        if iss.reject:
            rejected[iss.positions] = True

    # --- rows after as_of --------------------------------------------------------------------------------
    if as_of is not None and schema.event_date and schema.event_date in out.columns:
        cutoff = as_of.normalize() + pd.Timedelta(days=1)
        late = (out[schema.event_date] >= cutoff).fillna(False).to_numpy()
        pos = np.flatnonzero(late)
        if len(pos):
            issues.append(_Issue(schema.event_date, "after as_of", pos,
                                 out[schema.event_date].iloc[pos].dt.strftime("%Y-%m-%d"),
                                 f"dated after as_of {as_of:%Y-%m-%d}: outside the analysis window",
                                 f"a date on or before {as_of:%Y-%m-%d}", True))
            rejected |= late

    if as_of is not None:
        for c in out.columns:
            cs = schema.column(c)
            if cs is None or cs.kind != "period":
                continue
            text = out[c].astype("string")
            starts = pd.to_datetime(text.where(text.str.len() == 7, text + "-01") + "-01", format="%Y-%m-%d",
                                    errors="coerce")
            late = (starts > as_of.normalize()).fillna(False).to_numpy()
            pos = np.flatnonzero(late)
            if len(pos):
                issues.append(_Issue(c, "after as_of", pos, out[c].iloc[pos],
                                     f"{c} starts after as_of {as_of:%Y-%m-%d}: outside the analysis window",
                                     f"a period starting on or before {as_of:%Y-%m-%d}", cs.required))
                if cs.required:
                    rejected |= late

    # --- references (cascade) ----------------------------------------------------------------------------
    for col, (ref_table, ref_col) in schema.references.items():
        if col not in out.columns:
            continue
        cs = schema.column(col)
        if ref_table == table:
            keep = ~rejected
            has_ref = ref_col in out.columns
            used_keys = _text_keys(out.loc[keep, ref_col]) if has_ref else []
            set_aside = _text_keys(out.loc[~keep, ref_col]) if has_ref else []
        elif ref_table in done and done[ref_table][0] is not None:
            used_keys = _text_keys(done[ref_table][0][ref_col])
            set_aside = done[ref_table][1]
        else:
            problem(col, [], f"{col} was not checked against {ref_table}: that table is not available",
                    severity="warning")
            continue
        vals = out[col]
        present = vals.notna().to_numpy()
        known_mask = _isin(vals, used_keys)
        aside_mask = present & ~known_mask & _isin(vals, set_aside)
        unknown_mask = present & ~known_mask & ~aside_mask
        noun = _entity(ref_table)
        for mask, reason, message in (
                (unknown_mask, f"unknown {noun}", f"{col} refers to a {noun} not found in {ref_table}"),
                (aside_mask, f"{noun} set aside", f"{noun} {{ids}} was set aside (see {ref_table}), so the "
                 "rows that refer to it are set aside too")):
            if "{ids}" in message:
                ids = list(dict.fromkeys(vals[mask]))
                shown = ", ".join(map(str, ids[:VALUES_SHOWN])) + (
                    f" and {len(ids) - VALUES_SHOWN} others" if len(ids) > VALUES_SHOWN else "")
                message = message.replace("{ids}", shown).replace(" was ", " were " if len(ids) > 1 else " was ")
            pos = np.flatnonzero(mask) if cs.required else np.flatnonzero(mask & ~rejected)
            if len(pos):
                issues.append(_Issue(col, reason, pos, vals.iloc[pos], message,
                                     f"a {ref_col} of a usable row of {ref_table}", cs.required))
        if cs.required:
            rejected |= unknown_mask | aside_mask

    # --- duplicate keys (among the rows still in) ----------------------------------------------------------
    if schema.key and all(k in out.columns for k in schema.key):
        keys = out[list(schema.key)]
        dup = np.zeros(n_read, dtype=bool)
        alive = ~rejected
        dup[alive] = keys[alive].duplicated(keep="first").to_numpy()
        pos = np.flatnonzero(dup)
        if len(pos):
            alive_keys = keys[alive]
            is_first = (alive_keys.duplicated(keep=False) & ~alive_keys.duplicated(keep="first")).to_numpy()
            firsts = sorted(int(r) for r in rownum[np.flatnonzero(alive)[is_first]])
            vals = keys.iloc[pos].astype(str).agg(" / ".join, axis=1)
            issues.append(_Issue("+".join(schema.key), "duplicate key", pos, vals,
                                 f"{' + '.join(schema.key)} repeats a row already kept (first seen on "
                                 f"{_rows_text(firsts)}); the first one is kept",
                                 f"each {' + '.join(schema.key)} once", True))
            rejected |= dup

    # --- collect problems and set-aside rows ------------------------------------------------------------------
    for iss in issues:
        rows = rownum[iss.positions]
        severity = "rejected" if iss.reject else "warning"
        message = iss.message + ("" if iss.reject else "; the value is left blank and the row kept")
        count = f"{len(rows):,} rows: " if len(rows) > ROWS_SHOWN else ""
        problem(iss.column, rows, count + message,
                iss.expected, _examples(iss.values), severity)
        if iss.reject:
            personal = iss.column in PERSONAL_COLUMNS
            records.extend({"table": table, "file": raw.file, "row": int(r), "column": iss.column,
                            "reason": iss.reason, "value": None if personal or pd.isna(v) else str(v)}
                           for r, v in zip(rows, iss.values, strict=True))
        elif iss.column in out.columns:
            blank_cells = np.zeros(n_read, dtype=bool)
            blank_cells[iss.positions] = True
            out[iss.column] = out[iss.column].mask(blank_cells)
    clean = out.loc[~rejected].reset_index(drop=True)
    if schema.required and clean.empty:
        reasons = (pd.DataFrame(records, columns=_REJECTED_COLUMNS).drop_duplicates(["row", "reason"])
                   ["reason"].value_counts())
        top = ", ".join(f"{reason} ({n:,} rows)" for reason, n in reasons.head(VALUES_SHOWN).items())
        problem(None, [], f"all {n_read:,} rows of {table} were set aside, so there is nothing to analyse; "
                f"top reasons: {top}" + (f"; as_of is {as_of:%Y-%m-%d}" if as_of is not None else ""),
                "at least one usable row", f"0 of {n_read:,} rows usable")
    aside: set[str] = set()
    if len(schema.key) == 1:
        key = schema.key[0]
        gone = out.loc[rejected, key].dropna()
        aside = set(gone[~_isin(gone, _text_keys(clean[key]))])
    return clean, aside, records, problems, n_read, n_blank


def _table_order() -> list[str]:
    """Tables in an order where each referenced table comes before the tables that refer to it."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for ref_table, _ in SCHEMAS[name].references.values():
            if ref_table != name:
                visit(ref_table)
        order.append(name)

    for name in SCHEMAS:
        visit(name)
    return order


# --------------------------------------------------------------------------------------------------
# check / load
# --------------------------------------------------------------------------------------------------

def _resolve(source: str | os.PathLike) -> tuple[str, Path | str]:
    if isinstance(source, str) and not source.strip():
        raise ValueError('no data source given: pass a folder, an .xlsx workbook, a SQLAlchemy URL, or "sample"')
    if isinstance(source, str) and source.strip().lower() == "sample":
        from crmbook.sample import SAMPLE_DIR  # lazy: the generator is heavy and optional here

        if not Path(SAMPLE_DIR).is_dir():
            raise FileNotFoundError(
                f'the bundled sample data is not installed: "sample" means the folder {SAMPLE_DIR}, which does '
                "not exist. The sample ships with the crmbook repository, not inside the package: install "
                "crmbook from a clone with `pip install -e .` (as the README says), or pass the path of a "
                "data folder instead of \"sample\"")
        return "folder", Path(SAMPLE_DIR).resolve()
    if isinstance(source, str) and _looks_like_url(source.strip()):
        return "url", source.strip()
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"data source {str(source)!r} does not exist (expected a folder of table files, "
                                "an .xlsx workbook, a SQLAlchemy URL, or \"sample\")")
    path = path.resolve()
    if path.is_dir():
        return "folder", path
    if path.suffix.lower() == ".xlsx":
        return "workbook", path
    raise ValueError(f"data source {path} is a single {path.suffix or 'extension-less'} file; give the folder "
                     "that holds one file per table (customers.csv, orders.csv ...), or an .xlsx workbook with "
                     "one sheet per table")


def check(source: str | os.PathLike, *, as_of: str | pd.Timestamp | None = None,
          mapping: str | os.PathLike | Mapping | None = None, mask_personal: bool = True,
          password_env: str = DEFAULT_PASSWORD_ENV) -> Dataset:
    """Read and validate a data set; report every problem, never raise for problems of the data.

    Rows read = rows used + rows set aside, for every table (:meth:`Dataset.reconciliation`).

    Parameters
    ----------
    source : str or path
        A folder of ``<table>.csv|.xlsx|.parquet`` files, ``"sample"`` (the bundled case company), an
        ``.xlsx`` workbook with one sheet per table, or a SQLAlchemy URL.
    as_of : str or Timestamp, optional
        Analysis date ``YYYY-MM-DD``: rows whose event date (order date, signup date ...) is later are set
        aside. None: no cut-off (the ``validate`` command); notebooks always pass it.
    mapping : path or dict, optional
        Column-mapping file (YAML; see the module docstring). None or ``""``: the data already uses
        crmbook's names.
    mask_personal : bool
        Mask names, phones and e-mails in the returned tables (default).
    password_env : str
        Environment variable holding the database password, put into the URL when it has none.

    Returns
    -------
    Dataset
        The usable tables and the account of the rest; ``usable`` is False when a required table or
        required column is missing, or a required table is empty, unreadable, or has no usable row.

    Raises
    ------
    FileNotFoundError
        The source (or the mapping file, or an SQLite file, or for ``"sample"`` the bundled sample
        folder) does not exist.
    ValueError
        The source cannot be read at all (a lone CSV file, a database that refuses the connection, a
        wrong password), ``as_of`` is not a date, or the mapping file is malformed.
    """
    if as_of is not None and not (isinstance(as_of, str) and not as_of.strip()):
        try:
            as_of_ts = pd.Timestamp(as_of)
        except (ValueError, TypeError):
            raise ValueError(f"as_of must be a date YYYY-MM-DD, got {as_of!r}") from None
        if pd.isna(as_of_ts):
            raise ValueError(f"as_of must be a date YYYY-MM-DD, got {as_of!r}")
    else:
        as_of_ts = None
    spec = read_mapping(mapping)
    kind, where = _resolve(source)
    if kind == "folder":
        raws, problems, ignored = _read_folder(where, spec)
        origin = f"folder {where}"
    elif kind == "workbook":
        raws, problems, ignored = _read_workbook(where, spec)
        origin = f"workbook {where}"
    else:
        raws, problems, ignored, shown = _read_database(where, spec, password_env)
        origin = f"database {shown}"

    tables: dict[str, pd.DataFrame] = {}
    done: dict[str, tuple[pd.DataFrame | None, set[str]]] = {}
    records: list[dict] = []
    rows_read: dict[str, int] = {}
    blank_rows: dict[str, int] = {}
    for table in _table_order():
        schema = SCHEMAS[table]
        if table not in raws:
            if schema.required and not any(p.table == table for p in problems):
                problems.append(Problem(table, "", None, [],
                                        f"required table {table} was not found in {origin}",
                                        {"folder": f"a file {table}.csv, {table}.xlsx or {table}.parquet",
                                         "workbook": f"a sheet named {table}"}.get(
                                            kind, f"a database table named {table} (or a query in the mapping)"),
                                        "nothing", "error"))
            continue
        raw = raws[table]
        frame, aside, recs, probs, n_read, n_blank = _check_table(raw, spec, as_of_ts, done)
        problems.extend(probs)
        records.extend(recs)
        if raw.frame is not None:
            rows_read[table] = n_read
        if n_blank:
            blank_rows[table] = n_blank
        done[table] = (frame, aside)
        if frame is not None:
            tables[table] = mask_personal_data(frame) if mask_personal else frame

    rejected = pd.DataFrame(records, columns=_REJECTED_COLUMNS)
    rejected["row"] = rejected["row"].astype("int64")
    order = {t: i for i, t in enumerate(SCHEMAS)}
    rejected = (rejected.assign(_t=rejected["table"].map(order)).sort_values(["_t", "row"], kind="stable")
                .drop(columns="_t").reset_index(drop=True))
    severity_rank = {s: i for i, s in enumerate(_SEVERITIES)}
    problems.sort(key=lambda p: (severity_rank[p.severity], order.get(p.table, 99), p.rows[:1] or [0]))
    sources = {t: r.source for t, r in raws.items()}
    encodings = {t: r.encoding for t, r in raws.items() if r.encoding}
    absent = tuple(t for t in OPTIONAL_TABLES if t not in tables)
    return Dataset(tables=tables, absent=absent, rejected=rejected, problems=problems, as_of=as_of_ts,
                   sources=sources, origin=origin, encodings=encodings, ignored=ignored,
                   rows_read={t: rows_read[t] for t in SCHEMAS if t in rows_read}, blank_rows=blank_rows)


def load(source: str | os.PathLike, *, as_of: str | pd.Timestamp | None,
         mapping: str | os.PathLike | Mapping | None = None, mask_personal: bool = True,
         password_env: str = DEFAULT_PASSWORD_ENV) -> Dataset:
    """Read and validate a data set for an analysis; raise when it cannot be used.

    Same as :func:`check`, but ``as_of`` must be given (every analysis has an explicit date) and an
    unusable data set (a required table or column missing, a required table empty) raises. Rows set
    aside do not raise: they are counted in :meth:`Dataset.reconciliation` and listed in
    :attr:`Dataset.rejected`.

    Parameters
    ----------
    source, as_of, mapping, mask_personal, password_env
        As for :func:`check`.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        ``as_of`` is None or empty (and as for :func:`check`).
    DataError
        The data cannot be used; the message is :meth:`Dataset.problem_report`.
    """
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        raise ValueError("load needs an explicit as_of (the analysis date YYYY-MM-DD): every analysis is "
                         "reproducible only with a fixed cut-off; use check() to validate without one")
    ds = check(source, as_of=as_of, mapping=mapping, mask_personal=mask_personal, password_env=password_env)
    if not ds.usable:
        raise DataError(ds.problem_report(), ds)
    return ds
