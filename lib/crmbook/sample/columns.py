"""Text columns of the generated tables, built in Arrow without one Python string per value.

pandas 3 keeps text as Arrow-backed ``str`` columns. Building them from numpy object arrays of Python
strings (``f"C{i:05d}"`` per customer, ``str(date)`` per order) costs about a microsecond a value, a large
part of the generator's time at a million customers. The helpers here build the same columns (same values,
same ``str`` dtype, missing values as NaN) from integer codes with Arrow compute kernels. Nothing here is
random.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__: list[str] = []

#: pandas 3's default text dtype (``str``): Arrow storage, NaN as the missing value.
_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _text_column(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as a pandas ``str`` column (nulls are missing)."""
    return pd.array(values.cast(pa.large_string()), dtype=_STR)


def _pick(labels: Sequence[str] | np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``labels[codes]`` as a ``str`` column; a negative code is a missing value."""
    codes = np.asarray(codes, dtype="int64")
    missing = codes < 0
    return _take(pa.array(list(labels), type=pa.large_string()), codes, missing if missing.any() else None)


def _take(labels: pa.Array, codes: np.ndarray, missing: np.ndarray | None = None
          ) -> pd.api.extensions.ExtensionArray:
    """``labels[codes]`` (an Arrow string array, e.g. the customer ids) as a ``str`` column; where
    ``missing`` is true the value is missing."""
    codes = np.asarray(codes, dtype="int64")
    if missing is not None:
        codes = pa.array(np.where(missing, 0, codes), mask=missing)
    return _text_column(labels.take(codes))


def _ids(prefix: str, numbers: np.ndarray, width: int, missing: np.ndarray | None = None
         ) -> pd.api.extensions.ExtensionArray:
    """``f"{prefix}{number:0{width}d}"`` for every number (non-negative integers), as a ``str`` column;
    where ``missing`` is true the value is missing."""
    numbers = pa.array(np.asarray(numbers, dtype="int64"), mask=missing)
    digits = pc.utf8_lpad(numbers.cast(pa.large_string()), width=width, padding="0")
    return _text_column(pc.binary_join_element_wise(pa.scalar(prefix, pa.large_string()), digits,
                                                    pa.scalar("", pa.large_string())))


def _iso_column(d0: np.datetime64, days: np.ndarray, missing: np.ndarray | None = None
                ) -> pd.api.extensions.ExtensionArray:
    """Day offsets from ``d0`` as ISO dates ``YYYY-MM-DD`` in a ``str`` column (``missing``: left empty).

    Each distinct day is formatted once (numpy), then the column is taken from those strings.
    """
    days = np.asarray(days, dtype="int64")
    if days.size == 0:
        return _text_column(pa.array([], type=pa.large_string()))
    lo, hi = int(days.min()), int(days.max())
    labels = (d0 + np.arange(lo, hi + 1)).astype("datetime64[D]").astype(str)
    codes = days - lo
    if missing is not None:
        codes = np.where(missing, -1, codes)
    return _pick(labels, codes)
