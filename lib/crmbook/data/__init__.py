"""Tables, schemas, loading and validation.

crmbook works on tidy tables, one file (or database table) each. Only ``customers`` and ``orders`` are
required; every other table is optional, and a notebook whose table is absent says so and skips that
section.

This package holds the schema of every table (:data:`SCHEMAS`), the loaders (CSV in UTF-8, UTF-8 with
BOM or GBK; ``.xlsx``; Parquet; a SQLAlchemy URL), the optional column mapping that lets an analyst keep
their own column names, and the validation that reports every problem at once. This page is its manual
(sources, the mapping file, what is checked); the code is in one module per concern:

- :mod:`~crmbook.data.schemas`: the tables and columns (:data:`SCHEMAS`);
- :mod:`~crmbook.data.sources`: the readers, one per kind of source, behind one small interface;
- :mod:`~crmbook.data.mapping`: reading and checking the mapping file (:func:`read_mapping`);
- :mod:`~crmbook.data.parse` and :mod:`~crmbook.data.validate`: typing the cells, checking each table;
- :mod:`~crmbook.data.dataset`: the result (:class:`Dataset`, :class:`Problem`, :class:`DataError`);
- :mod:`~crmbook.data.masking`: personal data (:func:`mask_personal_data`);
- :mod:`~crmbook.data.limits`: the set-aside limit of ``crmbook validate`` and ``crmbook run``;
- :mod:`~crmbook.data.loader`: the entry points :func:`check` and :func:`load`;
- :mod:`~crmbook.data.arrow`: the Arrow fast paths for text columns that the modules share.

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
      dayfirst: true              # 03/04/2025 is 3 April; false: 4 March (default: the data decide)
      sheet: 订单                 # sheet of an .xlsx file (default: its only sheet with data)
      encoding: cp1252            # encoding of a CSV file (default: UTF-16 with BOM, UTF-8 or GBK, detected)

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
    outside a closed vocabulary), a number whose sign its kind forbids (``points`` earned must be > 0,
    redeemed or expired < 0: ``sign does not match kind``), a duplicate key (the first occurrence is kept), a reference to an unknown customer or campaign, a row that refers to a
    customer who was set aside (cascade), and a row dated after ``as_of`` or a period starting after
    it (outside the analysis window). A date needs a four-digit year, a month and a day; nothing is
    filled in (``2025``, ``2024-02``, ``10:30`` are not dates) and a time zone is dropped, keeping the
    local date.
    Rows set aside do **not** make the data unusable; but ``crmbook validate`` and ``crmbook run`` fail
    when more than a share (default 5 %, ``--max-set-aside``) of a required table's rows are set aside
    *as defects*, i.e. for any reason but the analysis window (:mod:`~crmbook.data.limits`).
``"warning"``
    the data is used as it is: an unknown column (kept, as text), an optional table that is missing
    (listed in ``absent``), or a bad value in an *optional* column (out of range, unknown category,
    unparseable date ...), which is left blank while the row is kept.

Personal data (``name``, ``phone``, ``email``) is masked in the returned tables by default
(:func:`mask_personal_data`).
"""

from crmbook.data.arrow import use_jemalloc
from crmbook.data.dataset import ROWS_SHOWN, DataError, Dataset, Problem
from crmbook.data.limits import (
    DEFAULT_MAX_SET_ASIDE,
    SetAsideLimit,
    parse_set_aside_limit,
    set_aside_over_limit,
)
from crmbook.data.loader import check, load
from crmbook.data.mapping import read_mapping
from crmbook.data.masking import mask_personal_data, mask_text
from crmbook.data.schemas import (
    OPTIONAL_TABLES,
    PERSONAL_COLUMNS,
    REQUIRED_TABLES,
    SCHEMAS,
    ColumnSpec,
    TableSchema,
)
from crmbook.data.sources.base import MISSING_VALUES
from crmbook.data.sources.files import CSV_ENCODINGS, DATA_SUFFIXES
from crmbook.data.sources.sql import DEFAULT_PASSWORD_ENV

use_jemalloc()  # once per process: the pool that suits loading large tables (see its docstring)

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
    "mask_text",
    "DEFAULT_MAX_SET_ASIDE",
    "SetAsideLimit",
    "parse_set_aside_limit",
    "set_aside_over_limit",
]
