"""CSV files written in Arrow, byte for byte as ``DataFrame.to_csv`` writes them (生成数据与完整名单的 CSV).

``frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\\n")`` formats every value in Python
(about 75 s for the tables of a million customers, 20 s for a topic's full list of them). :func:`write_csv`
writes the same bytes from Arrow
compute kernels: each column becomes text as pandas writes it, the rows are joined with ``,`` and ``\\n``,
and the joined text is written in blocks of rows. The rules pandas (the ``csv`` module, ``QUOTE_MINIMAL``)
follows, and this module too:

- text: as is; quoted (``"..."``, inner quotes doubled) when it holds a comma, a quote or a line feed;
- missing values (NaN, None): empty;
- floats: the shortest text that reads back as the same number, ``repr``-style (``12.5``, ``100.0``,
  ``-0.0``, ``1e-05``, ``1e+16``), as ``numpy.ndarray.astype(str)`` gives it;
- integers: decimal; booleans (also in object columns): ``True`` / ``False``.

A column this module does not know (another dtype, text with a carriage return, a table of one column)
makes it hand the whole table to pandas, so the bytes are always those of ``to_csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["write_csv"]

_TEXT = pa.large_string()
_BLOCK_ROWS = 1 << 20


class _Unsupported(Exception):
    """A column :func:`_column_text` does not format as pandas does: let pandas write the table."""


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as ``frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\\n")`` does."""
    try:
        header = ",".join(_quote_scalar(str(c)) for c in frame.columns) + "\n"
        if frame.shape[1] < 2:
            raise _Unsupported("one column: the csv module quotes an empty row")
        with open(path, "wb") as out:
            out.write(header.encode("utf-8"))
            for lo in range(0, len(frame), _BLOCK_ROWS):
                block = frame.iloc[lo:lo + _BLOCK_ROWS]
                columns = [_column_text(block[c]) for c in block.columns]
                comma, newline = pa.scalar(",", _TEXT), pa.scalar("\n", _TEXT)
                parts = [p for column in columns for p in (column, comma)][:-1] + [newline]
                rows = pc.binary_join_element_wise(*parts, pa.scalar("", _TEXT))
                for chunk in rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]:
                    out.write(_data(chunk))
    except _Unsupported:
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _data(text: pa.Array) -> memoryview:
    """The characters of a string array (of a slice of it: only its own), one value after the other."""
    text = text.cast(_TEXT)
    offsets = np.frombuffer(text.buffers()[1], dtype="int64")[text.offset:text.offset + len(text) + 1]
    data = text.buffers()[2]
    return memoryview(data)[int(offsets[0]):int(offsets[-1])] if data is not None else memoryview(b"")


def _quote_scalar(text: str) -> str:
    if "\r" in text:
        raise _Unsupported("carriage return")
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


#: The bytes that make the csv module quote a value (comma, quote, line feed) or this module give up (CR).
_SPECIAL_BYTES = np.zeros(256, dtype=bool)
_SPECIAL_BYTES[[ord(","), ord('"'), ord("\n"), ord("\r")]] = True


def _has_special_bytes(text: pa.Array | pa.ChunkedArray) -> bool:
    """Whether any value holds a comma, a quote, a line feed or a carriage return (one scan of the bytes)."""
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        if len(chunk) and _SPECIAL_BYTES[np.frombuffer(_data(chunk), dtype=np.uint8)].any():
            return True
    return False


def _quote(text: pa.Array) -> pa.Array:
    """Text values quoted as the csv module quotes them; missing values empty."""
    text = text.cast(_TEXT)
    if not _has_special_bytes(text):
        return pc.fill_null(text, "")
    if pc.any(pc.match_substring(text, "\r")).as_py():
        raise _Unsupported("carriage return")
    needs = pc.or_(pc.or_(pc.match_substring(text, ","), pc.match_substring(text, '"')),
                   pc.match_substring(text, "\n"))
    if pc.any(needs).as_py():
        quoted = pc.binary_join_element_wise(pa.scalar('"', _TEXT), pc.replace_substring(text, '"', '""'),
                                             pa.scalar('"', _TEXT), pa.scalar("", _TEXT))
        text = pc.if_else(needs, quoted, text)
    return pc.fill_null(text, "")


def _booleans(values: pa.Array) -> pa.Array:
    return pc.fill_null(pc.if_else(values, pa.scalar("True", _TEXT), pa.scalar("False", _TEXT)), "")


def _floats(values: np.ndarray) -> pa.Array:
    """Floats as ``values.astype(str)`` writes them, NaN empty."""
    text = pc.cast(pa.array(values, type=pa.float64(), from_pandas=True), _TEXT)  # NaN: null
    # Arrow writes whole numbers without ".0" ("100", "-0"): appended; numpy formats the values Arrow
    # writes otherwise (Arrow writes 1e-05 as 0.00001, some long numbers with an exponent) and inf
    exponent = pc.fill_null(pc.match_substring(text, "e"), False)
    by_numpy = exponent.to_numpy(zero_copy_only=False) | np.isinf(values)
    by_numpy |= ((values != 0) & (np.abs(values) < 1e-4)) | (np.abs(values) >= 1e16)
    whole = pc.fill_null(pc.invert(pc.match_substring(text, ".")), False).to_numpy(zero_copy_only=False)
    whole &= ~by_numpy
    if whole.any():
        mask = pa.array(whole)
        text = pc.replace_with_mask(text, mask, pc.binary_join_element_wise(
            pc.filter(text, mask), pa.scalar(".0", _TEXT), pa.scalar("", _TEXT)))
    if by_numpy.any():
        text = pc.replace_with_mask(text, pa.array(by_numpy), pa.array(values[by_numpy].astype(str), type=_TEXT))
    return pc.fill_null(text, "")


def _column_text(column: pd.Series) -> pa.Array:
    """One column's values as the text ``to_csv`` writes for them (no nulls)."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        return _quote(pa.array(column.array, type=_TEXT))
    if dtype.kind == "O":
        try:
            values = pa.array(column.to_numpy(dtype=object), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise _Unsupported(str(exc)) from exc
        if pa.types.is_null(values.type):
            return pc.fill_null(values.cast(_TEXT), "")
        if pa.types.is_boolean(values.type):
            return _booleans(values)
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            return _quote(values)
        raise _Unsupported(f"object column of {values.type}")
    if dtype.kind == "b":
        return _booleans(pa.array(column.to_numpy()))
    if dtype.kind in "iu":
        return pc.cast(pa.array(column.to_numpy()), _TEXT)
    if dtype == np.float64:
        return _floats(column.to_numpy())
    raise _Unsupported(f"dtype {dtype}")
