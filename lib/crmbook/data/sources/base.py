"""The reader interface: what every kind of source hands to the checks.

A source reads each table it holds as text (:class:`RawTable`: every cell a string or NA, and where it
came from); typing and checking come later (:mod:`crmbook.data.validate`). A kind of source is a class
with the three methods of :class:`Source`. Row numbers are those a person sees: below a header the first
data row is row 2, in a Parquet file or a database result the first record is row 1.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.data import arrow
from crmbook.data.dataset import Problem
from crmbook.data.schemas import SCHEMAS

__all__ = ["Source", "RawTable", "Reading", "ReadAhead", "MISSING_VALUES"]

#: Cell values read as "no value".
MISSING_VALUES = ("", "NA", "N/A", "#N/A", "NULL", "null", "NaN", "nan", "None", "<NA>", "NaT")


@dataclass
class RawTable:
    """A table as read: every cell text (or NA), with where it came from."""

    table: str
    frame: pd.DataFrame | None
    file: str            # short name for messages
    source: str          # full path / URL for Dataset.sources
    first_row: int       # row number of the first data row (2 below a header, 1 otherwise)
    encoding: str | None = None
    error: str | None = None
    problems: list[Problem] = field(default_factory=list)  # found while reading (header, extra fields)


#: What :meth:`Source.read` returns: the tables found (by crmbook table name), the problems found while
#: looking for them, and what was found but not read ("README.md", "sheet Notes", "table audit_log").
#: The tables may come as a :class:`ReadAhead`, read while the caller checks those read before.
Reading = tuple[Mapping[str, RawTable], list[Problem], list[str]]


class ReadAhead(Mapping[str, RawTable]):
    """Tables read one after the other in a background thread, in the order given, while the caller checks
    the ones already read: a table's value waits for its reading to finish.

    Reading a large file is mostly Arrow's parser and checking one mostly Arrow's and NumPy's kernels, both
    of which run outside Python's lock, so on a machine with two cores the two overlap. The tables are
    read in the order they are checked (each before the tables that refer to it), never two at once.
    :meth:`close` drops the readings not yet started (a check that stopped half-way).
    """

    def __init__(self, readers: Mapping[str, Callable[[], RawTable]]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmbook-read")
        self._futures = {table: self._pool.submit(read) for table, read in readers.items()}
        self._pool.shutdown(wait=False)  # the queued readings still run; no new ones

    def __getitem__(self, table: str) -> RawTable:
        return self._futures[table].result()

    def __contains__(self, table: object) -> bool:  # without waiting for the reading (Mapping's would)
        return table in self._futures

    def __iter__(self) -> Iterator[str]:
        return iter(self._futures)

    def __len__(self) -> int:
        return len(self._futures)

    def close(self) -> None:
        """Cancel the readings not yet started (the one running finishes)."""
        for future in self._futures.values():
            future.cancel()


class Source(Protocol):
    """One kind of source: a folder, a workbook, a database ...

    ``read`` finds each table of :data:`~crmbook.data.schemas.SCHEMAS` (under its own name, or under the
    name the mapping gives) and reads it as text; a table it does not find is simply left out (the
    checks report a missing required table with :meth:`expected`). A problem of a single table (an
    unreadable file, a sheet the mapping names but the workbook lacks) is reported, not raised; only a
    source that cannot be read at all raises (``FileNotFoundError`` or ``ValueError``, in plain words).
    """

    def describe(self) -> str:
        """The source as messages name it: ``"folder /data/crm"``, ``"database sqlite:///crm.db"``."""
        ...

    def expected(self, table: str) -> str:
        """What the source would need to hold ``table``: ``"a sheet named orders"``."""
        ...

    def read(self, mapping: dict[str, dict[str, Any]], tables: Collection[str] | None = None) -> Reading:
        """Every table found, as text; ``mapping`` as returned by :func:`~crmbook.data.read_mapping`;
        ``tables``: only these (None: all)."""
        ...


def _wanted(tables: Collection[str] | None) -> list[str]:
    """The tables of :data:`SCHEMAS` to read, in their order: ``tables`` (None: all)."""
    return [t for t in SCHEMAS if tables is None or t in tables]


def _no_queries(mapping: dict[str, dict[str, Any]], data: str) -> None:
    """Refuse a mapping that gives SQL queries to a source that is not a database (``data``: "a folder
    (/data/crm)")."""
    for table in SCHEMAS:
        if mapping.get(table, {}).get("query"):
            raise ValueError(f"mapping for {table} gives a SQL query, but the data is {data}; "
                             "queries work only with a database URL")


def _not_found(table: str, file: str, message: str, expected: str) -> Problem:
    """The mapping names a file, sheet or database table for ``table`` that the source does not have:
    an error for a required table (the data set cannot be used), a warning otherwise."""
    return Problem(table, file, None, [], message, expected, "nothing",
                   "error" if SCHEMAS[table].required else "warning")


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
        arr = arrow._trim(arr)
        missing = pc.is_in(arr, value_set=pa.array(MISSING_VALUES, type=arr.type))
        if pc.any(missing).as_py():  # else the column is kept as it is, without a copy
            arr = pc.if_else(missing, pa.scalar(None, arr.type), arr)
        return pd.Series(pd.array(arr, dtype=out.dtype), index=out.index, name=out.name)
    out = out.str.strip()
    return out.mask(out.isin(MISSING_VALUES))


def _texts(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as text; column names stripped (repeated names are kept, and reported later)."""
    out = pd.DataFrame({i: _as_text(df.iloc[:, i]) for i in range(df.shape[1])}, index=df.index)
    out.columns = [str(c).strip() for c in df.columns]
    return out.reset_index(drop=True)

