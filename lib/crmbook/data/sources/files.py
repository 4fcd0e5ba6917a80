"""Reading one file as a table of text: CSV (UTF-8, UTF-8 with BOM or GBK), ``.xlsx`` and Parquet.

The header (first line or first row) is read as written: a repeated column name stays repeated (and
is reported), an empty field after the last named column is dropped with a warning, and extra fields
holding values are an error naming the rows (:func:`_with_header`). The encoding and the delimiter of
a CSV file are detected. A UTF-8 file that Arrow's CSV reader reads as the csv module would (every row
as wide as the header, no quote left open ...) is read from its bytes by Arrow (:func:`_read_csv_arrow`);
other UTF-8 text without quotes is split in Arrow (:func:`_split_plain_csv`), and the rest is read with the
csv module, whose errors name the line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from crmbook.data.dataset import Problem, _examples
from crmbook.data.sources.base import RawTable, _as_text, _texts

__all__ = ["DATA_SUFFIXES", "CSV_ENCODINGS", "FIELD_LIMIT", "MAX_COLUMNS", "decode_error_message"]

#: File suffixes read as tables in a data folder.
DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Encodings tried, in order, for CSV files (GB18030 is the superset of GBK and GB2312).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: Longest field read, in characters (the csv module's own limit is 131,072): a longer one is refused
#: with its line (often a quote that is never closed).
FIELD_LIMIT = 16 * 1024 * 1024
#: Most columns a CSV file may have (crmbook's widest table has a few dozen): more is refused at once,
#: naming the delimiter, instead of reading for minutes and warning about each column.
MAX_COLUMNS = 1000


def _where(data: bytes | str, offset: int) -> str:
    """``"line 3, column 12"`` of a byte (or character) offset, counted as a person does (from 1)."""
    nl = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(nl, 0, offset) + 1
    return f"line {line}, column {offset - (data.rfind(nl, 0, offset) + 1) + 1}"


def _guess_encoding(data: bytes) -> str:
    """A guess at the encoding of bytes that are not UTF-8, for a message."""
    if data.count(b"\0") > len(data) // 4:
        return "UTF-16 without a byte-order mark"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "GBK (Chinese Windows)"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "an encoding crmbook does not know"
    return "Windows-1252 (cp1252, Western European Excel)"


def decode_error_message(data: bytes, what: str) -> str:
    """Why ``data`` is not UTF-8, in one line: the first bad byte, where it is, the encoding it looks like.

    ``what`` names the file (``"mapping file m.yml"``)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (f"{what} is not UTF-8: the first bad byte, 0x{data[exc.start]:02X}, is at {_where(data, exc.start)} "
                f"(byte {exc.start + 1:,}); it looks like {_guess_encoding(data)}. Save it as UTF-8")
    return f"{what} is UTF-8"


def _with_header(raw: RawTable, header: list[Any], body: pd.DataFrame) -> None:
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


def _decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the label of its encoding: ``encoding`` when given (the mapping's
    ``encoding:``), else UTF-16 with its byte-order mark, UTF-8 (with or without BOM), GBK."""
    if encoding:
        return data.decode(encoding), encoding
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16 with BOM"
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


def _first_line(data: bytes | str, start: int = 0) -> bytes | str:
    """The first line of ``data`` from ``start`` (without its line break), without copying the rest (as
    ``split("\\n", 1)`` would: hundreds of megabytes for a large file)."""
    end = data.find(b"\n" if isinstance(data, bytes) else "\n", start)
    return data[start:] if end < 0 else data[start:end]


def _sniff_delimiter(text: str) -> str:
    first = _first_line(text)
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _csv_rows(text: str, delimiter: str) -> tuple[list[list[str]] | None, str | None]:
    """The rows of CSV text read with the csv module, or why it cannot be read, naming the line.

    Read strictly first, so a quote that is never closed is an error (read leniently it would swallow
    every later row into one field); other irregular quoting (``"a"b``) is read leniently, as Excel does.
    """
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    for strict in (True, False):
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=strict)
        rows: list[list[str]] = []
        last_line = 0  # the line the last complete record ended on
        try:
            for row in reader:
                rows.append(row)
                last_line = reader.line_num
        except csv.Error as exc:
            line = reader.line_num
            message = str(exc)
            if "unexpected end of data" in message or ("field larger" in message and '"' in text):
                start = last_line + 1
                return None, (f"the quote opened on line {start} is never closed, so every line after it would "
                              "be read as one value; close the quote (a quote inside a value is written twice)")
            if "field larger" in message:
                return None, f"line {line} holds a value longer than {FIELD_LIMIT:,} characters"
            if "new-line character" in message:
                return None, (f"line {line} holds a line break (CR) inside a value that is not quoted; quote "
                              "the value, or save the file with ordinary line endings")
            if strict:
                continue
            return None, f"line {line}: {message}"
        return rows, None
    raise AssertionError("unreachable")  # pragma: no cover


def _read_csv(path: Path, table: str, encoding: str | None = None) -> RawTable:
    raw = RawTable(table, None, path.name, str(path), 2)
    data = path.read_bytes()
    fast = _read_csv_arrow(data) if encoding is None else None
    if fast is not None:
        header, columns, n_rows, raw.encoding = fast
        _with_header(raw, header, _text_frame(columns, n_rows))
        return raw
    try:
        text, raw.encoding = _decode(data, encoding)
    except UnicodeDecodeError as exc:
        if encoding:
            raw.error = (f"cannot decode the file as {encoding} (the mapping's encoding): the first bad byte, "
                         f"0x{data[exc.start]:02X}, is at {_where(data, exc.start)}")
            return raw
        raw.error = (decode_error_message(data, "the file").replace("the file is not UTF-8", "the file is neither "
                     "UTF-8 nor GBK", 1).replace(". Save it as UTF-8", ". Save it as UTF-8 CSV, or name its "
                                                 f"encoding in the mapping file ({table}: encoding: cp1252)"))
        return raw
    except LookupError:
        raw.error = f"unknown encoding {encoding!r} in the mapping file"
        return raw
    if not text.strip():
        raw.error = ("the file is empty (0 bytes)" if not data else "the file holds only blank lines") + \
            ": expected a header line naming the columns, then one line per row"
        return raw
    if "\0" in text:
        raw.error = (f"a NUL byte (\\x00) at {_where(text, text.index(chr(0)))}: the file is binary, or UTF-16 "
                     "without a byte-order mark; save it as UTF-8 CSV")
        return raw
    if "\r" in text and "\n" not in text:  # old Mac line endings (CR only): read as lines
        text = text.replace("\r", "\n")
    delimiter = _sniff_delimiter(text)
    width = _first_line(text).count(delimiter) + 1
    if width > MAX_COLUMNS:
        shown = {",": "comma", ";": "semicolon", "\t": "tab", "|": "|"}[delimiter]
        raw.error = (f"the header has {width:,} columns (split at each {shown}); crmbook reads at most "
                     f"{MAX_COLUMNS:,}: check the delimiter, or that line 1 is the header")
        return raw
    split = _split_plain_csv(text, delimiter)
    if split is not None:
        header, columns, n_rows = split
    else:
        # the csv module, not pandas: the header is read as written (no renaming, no index column)
        rows, error = _csv_rows(text, delimiter)
        if error is not None:
            raw.error = f"cannot read the CSV file: {error}"
            return raw
        assert rows is not None
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
    _with_header(raw, header, _text_frame(columns, n_rows))
    return raw


def _text_frame(columns: list[pa.Array], n_rows: int) -> pd.DataFrame:
    """Arrow text columns as a frame of pandas text with positional column names (0, 1 ...)."""
    return pd.DataFrame({i: pd.array(col, dtype="string") for i, col in enumerate(columns)},
                        index=pd.RangeIndex(n_rows), columns=range(len(columns)))


#: The byte-order mark of UTF-8, which the csv path drops (``utf-8-sig``) and Arrow skips.
_UTF8_BOM = b"\xef\xbb\xbf"
#: A last row appended to quoted text before Arrow reads it: it comes back as a row of its own only when
#: every quote before it was closed (a NUL byte cannot be in the text, which is checked first).
_END_MARK = "\0"


def _read_csv_arrow(data: bytes) -> tuple[list[str], list[pa.Array], int, str] | None:
    """The header, the columns (Arrow text), the number of rows and the encoding label of a CSV file
    read from its bytes by Arrow's CSV reader, when that gives exactly what the csv module gives.

    That is so for UTF-8 text (with or without BOM) with a header line that is not blank, no NUL byte, no
    carriage return but in CR LF line ends, at least one data row, and every row as wide as the header
    (a blank line is a row of empty fields in both readers). Arrow reads a quote as the csv module does
    (a quote opens a value only at its start, ``""`` inside is one quote, ``"ab"c`` is ``abc``), but it
    accepts a quote that is never closed by ending the value at the end of the text; so quoted text is
    read with one row appended (:data:`_END_MARK`), which comes back as a row only when every quote was
    closed. None for any other file (and for a value longer than :data:`FIELD_LIMIT`): the caller reads
    it as text, where each problem is reported with its line.
    """
    if not data or data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    first_line = _first_line(data, len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0)
    try:
        first = first_line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not first.strip():
        return None
    delimiter = _sniff_delimiter(first)
    if first.count(delimiter) + 1 > MAX_COLUMNS:
        return None
    quoted = b'"' in data
    read_options = pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24)
    parse_options = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False)
    try:
        width = _arrow_csv(first_line + b"\n", read_options, parse_options).num_columns
        if quoted:
            data = data + (b"" if data.endswith(b"\n") else b"\n") + (_END_MARK + delimiter * (width - 1)).encode()
        table = _arrow_csv(data, read_options, parse_options)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if table.num_columns != width:
        return None
    columns = [col.combine_chunks() for col in table.columns]
    if quoted:
        if [col[-1].as_py() for col in columns] != [_END_MARK] + [""] * (width - 1):
            return None  # a quote left open swallowed the appended row
        columns = [col[:-1] for col in columns]
    n_rows = len(columns[0]) - 1
    if n_rows < 1 or any(pc.max(pc.binary_length(col)).as_py() >= FIELD_LIMIT for col in columns):
        return None
    header = [col[0].as_py() for col in columns]
    label = "UTF-8 with BOM" if data.startswith(_UTF8_BOM) else "UTF-8"
    return header, [col[1:] for col in columns], n_rows, label


def _arrow_csv(data: bytes, read_options: pacsv.ReadOptions, parse_options: pacsv.ParseOptions) -> pa.Table:
    """CSV bytes read by Arrow with every field as text, exactly as written (no value becomes null);
    the header is the first row (columns ``f0``, ``f1`` ...)."""
    convert_options = pacsv.ConvertOptions(column_types={f"f{i}": pa.large_string() for i in range(MAX_COLUMNS)},
                                           strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pacsv.read_csv(pa.BufferReader(data), read_options=read_options, parse_options=parse_options,
                          convert_options=convert_options)


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


def _read_excel_sheet(path: Path, table: str, sheet: str | int = 0, label: str | None = None) -> RawTable:
    raw = RawTable(table, None, label or path.name, str(path) if label is None else f"{path} [{sheet}]", 2)
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


def _read_table_xlsx(path: Path, table: str, sheet: str | None) -> RawTable:
    """A per-table workbook in a data folder: the sheet the mapping names, else its only sheet with data."""
    if sheet is not None:
        return _read_excel_sheet(path, table, sheet)
    try:
        sheets = _sheets_with_data(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is reported, not raised
        return RawTable(table, None, path.name, str(path), 2, error=f"cannot read the Excel file: {exc}")
    if len(sheets) > 1:
        return RawTable(table, None, path.name, str(path), 2, error=(
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


def _read_parquet(path: Path, table: str) -> RawTable:
    raw = RawTable(table, None, path.name, str(path), 1)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001
        raw.error = f"cannot read the Parquet file: {exc}"
        return raw
    raw.frame = _texts(df.reset_index(drop=True))
    return raw


def _read_file(path: Path, table: str, sheet: str | None = None, encoding: str | None = None) -> RawTable:
    """The file ``path`` as table ``table``, read by its suffix (``sheet``: of an ``.xlsx`` file;
    ``encoding``: of a CSV file, default detected)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table, encoding)
    if suffix == ".xlsx":
        return _read_table_xlsx(path, table, sheet)
    if suffix == ".parquet":
        return _read_parquet(path, table)
    return RawTable(table, None, path.name, str(path), 2,
                    error=f"unsupported file type {suffix!r} (use {', '.join(DATA_SUFFIXES)})")

