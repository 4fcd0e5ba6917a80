"""Text columns in Arrow: the fast paths shared by the loader's modules.

Cells are read as pandas text (``string``, Arrow-backed). A few pandas operations on such columns still
loop in Python (``isin`` builds its value set one scalar at a time, ``map`` visits every cell, a regex
pyarrow cannot run falls back to ``re``); these helpers do the same work in pyarrow, and the callers
run the slow, general code only on the cells that need it. Columns not backed by Arrow (pandas 2
defaults to Python-backed strings) take the general code throughout.

:func:`_arrow_text` is the one switch between the two: every caller, here and in the other modules,
looks it up in this module when it runs (``arrow._arrow_text(s)``), so that replacing it with a
function returning None turns every fast path off (``tests/test_data_speed_equivalence.py`` checks
that the general code then gives exactly the same data set).

:func:`use_jemalloc` picks Arrow's memory pool for the process (called when :mod:`crmbook.data` is imported).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__: list[str] = []  # helpers of the loader; nothing here is public

#: Arrow's own switch of its memory pool; when it is set, crmbook leaves the choice to it.
POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def use_jemalloc() -> str:
    """Make jemalloc Arrow's memory pool, unless :data:`POOL_ENV` chooses one; return the pool's name.

    Loading allocates and frees columns of hundreds of megabytes one after the other. Arrow's default pool on
    Linux (mimalloc) hands such memory back to the system at once, and the next column faults every page in
    again; jemalloc keeps freed pages for a moment and reuses them. Measured on 1M customers / 10.6M orders
    (``crmbook validate``, median of 3 paired runs): 0.84x the wall time, a third less system time, the same
    peak memory. Where jemalloc is not built in (Windows wheels), the default pool stays.
    """
    if not os.environ.get(POOL_ENV):
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:  # pragma: no cover - a pyarrow built without jemalloc
            pass
    return pa.default_memory_pool().backend_name


def _arrow_text(s: pd.Series) -> pa.Array | None:
    """The Arrow array behind a text column, or None when ``s`` is not Arrow-backed text."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)
        if isinstance(arr, pa.ChunkedArray):  # one chunk (the usual case) without a copy
            return arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
        return arr
    return None


def _isin(s: pd.Series, values: Iterable[str] | pa.Array) -> np.ndarray:
    """``s.isin(values)`` as a NumPy mask, for text ``values`` (an iterable, or an Arrow array from
    :func:`_text_keys`); in Arrow when ``s`` is Arrow-backed text."""
    arr = _arrow_text(s)
    if arr is None:
        return s.isin(values.to_pylist() if isinstance(values, pa.Array) else list(values)).to_numpy(dtype=bool)
    value_set = values.cast(arr.type) if isinstance(values, pa.Array) else pa.array(list(values), type=arr.type)
    if len(value_set) > len(arr):  # look up in the smaller set: the values of ``values`` that occur in ``s``
        value_set = value_set.filter(pc.is_in(value_set, value_set=arr).fill_null(False))
    return pc.is_in(arr, value_set=value_set).fill_null(False).to_numpy(zero_copy_only=False)


def _duplicated(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``keys`` whose combination of values occurred on an earlier row
    (``keys.duplicated(keep="first")``), and the first row of each combination that occurs more than once.

    For text columns without missing values, from one stable sort in Arrow (rows with equal keys end up
    side by side, the earliest first) instead of a hash table of every key.
    """
    arrays = [_arrow_text(keys[c]) for c in keys.columns]
    if len(keys) < 2 or any(a is None or a.null_count for a in arrays):
        repeats = keys.duplicated(keep="first").to_numpy(dtype=bool)
        return repeats, keys.duplicated(keep=False).to_numpy(dtype=bool) & ~repeats
    table = pa.table({str(i): a for i, a in enumerate(arrays)})
    order = pc.sort_indices(table, sort_keys=[(str(i), "ascending") for i in range(len(arrays))])
    same = np.ones(len(keys) - 1, dtype=bool)  # same[i]: the (i+1)-th key in sorted order equals the i-th
    for a in arrays:
        ordered = a.take(order)
        same &= pc.equal(ordered[1:], ordered[:-1]).to_numpy(zero_copy_only=False)
    order = order.to_numpy()
    repeats = np.zeros(len(keys), dtype=bool)
    repeats[order[1:][same]] = True
    firsts = np.zeros(len(keys), dtype=bool)
    firsts[order[:-1][same & ~np.r_[False, same[:-1]]]] = True
    return repeats, firsts


def _trim(arr: pa.Array) -> pa.Array:
    """``pc.utf8_trim_whitespace(arr)``, without copying a column that has nothing to trim.

    A value can start or end with white space only if its first or last byte is a space, a control
    character or part of a non-ASCII character; when no value's first or last byte is one, the column is
    returned as it is (the common case of ids, dates and numbers), else trimmed.
    """
    if len(arr) == 0 or arr.buffers()[2] is None:
        return arr
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset:arr.offset + len(arr) + 1]
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    edges = np.concatenate([data[starts[filled]], data[ends[filled] - 1]])
    if ((edges <= 0x20) | (edges >= 0x7F)).any():
        return pc.utf8_trim_whitespace(arr)
    return arr


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """Cells of an Arrow text array in which ``pattern`` (RE2 syntax) is found; missing cells: False."""
    return pc.match_substring_regex(arr, pattern).fill_null(False).to_numpy(zero_copy_only=False)


def _text_keys(s: pd.Series) -> pa.Array | list[str]:
    """The present values of a text column, to look up with :func:`_isin` (no Python set needed)."""
    arr = _arrow_text(s)
    return arr.drop_null() if arr is not None else list(s.dropna())


def _lookup(s: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """``s.map(mapping, na_action="ignore")``: NA where ``s`` is NA or not a key (fast for Arrow text)."""
    arr = _arrow_text(s)
    if arr is None:
        return s.map(mapping, na_action="ignore")
    found = pc.index_in(arr, value_set=pa.array(list(mapping), type=arr.type))
    values = pa.array(list(mapping.values()), type=arr.type).take(found)
    return pd.Series(pd.array(values, dtype="string"), index=s.index)
