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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.data import arrow
from crmbook.data.arrow import _isin, _text_keys
from crmbook.data.dataset import (
    _REJECTED_COLUMNS,
    _SEVERITIES,
    ROWS_SHOWN,
    VALUES_SHOWN,
    DataError,
    Dataset,
    Problem,
    _examples,
    _rows_text,
)
from crmbook.data.mapping import read_mapping
from crmbook.data.masking import mask_personal_data
from crmbook.data.parse import _Issue, _parse_column, _to_str
from crmbook.data.schemas import (
    OPTIONAL_TABLES,
    PERSONAL_COLUMNS,
    REQUIRED_TABLES,
    SCHEMAS,
    ColumnSpec,
    TableSchema,
)

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
# Settings
# --------------------------------------------------------------------------------------------------

#: File suffixes read as tables in a data folder.
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Encodings tried, in order, for CSV files (GB18030 is the superset of GBK and GB2312).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: Cell values read as "no value".
MISSING_VALUES = ("", "NA", "N/A", "#N/A", "NULL", "null", "NaN", "nan", "None", "<NA>", "NaT")
#: Environment variable holding the database password.
DEFAULT_PASSWORD_ENV = "CRMBOOK_DB_PASSWORD"
_TABLE_UNUSABLE = "table unusable"


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
    arr = arrow._arrow_text(out)
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
    from crmbook.report import _secret_forms  # one list of forms for the loader and the runner

    forms = {form for secret in secrets if secret for form in _secret_forms(secret)}
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
