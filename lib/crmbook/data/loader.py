"""The entry points: :func:`check` (read and validate, report every problem) and :func:`load` (the same
for an analysis: an explicit ``as_of``, and an unusable data set raises :class:`DataError`).

The sources, the mapping file and what is checked are described in the package documentation
(``help(crmbook.data)``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from crmbook.data import snapshot
from crmbook.data.dataset import _REJECTED_COLUMNS, _SEVERITIES, DataError, Dataset, Problem
from crmbook.data.mapping import read_mapping
from crmbook.data.masking import mask_personal_data, mask_text
from crmbook.data.schemas import OPTIONAL_TABLES, SCHEMAS
from crmbook.data.schemas import table_order as _table_order
from crmbook.data.sources import open_source
from crmbook.data.sources.sql import DEFAULT_PASSWORD_ENV
from crmbook.data.validate import _check_table

__all__ = ["check", "load"]


def check(source: str | os.PathLike, *, as_of: str | pd.Timestamp | None = None,
          mapping: str | os.PathLike | Mapping | None = None, mask_personal: bool = True,
          password_env: str = DEFAULT_PASSWORD_ENV, tables: Collection[str] | None = None) -> Dataset:
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
        Column-mapping file (YAML; its format is in the package documentation, ``help(crmbook.data)``).
        None or ``""``: the data already uses crmbook's names.
    mask_personal : bool
        Mask names, phones and e-mails in the returned tables (default).
    password_env : str
        Environment variable holding the database password, put into the URL when it has none.
    tables : collection of str, optional
        Read and check only these tables (and the files of the others are not opened): a quicker,
        partial check, e.g. of the required tables for the set-aside limit; None (default): every table.

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
    only = None if tables is None else {str(t) for t in tables}
    if as_of is not None and not (isinstance(as_of, str) and not as_of.strip()):
        try:
            as_of_ts = pd.Timestamp(as_of)
        except (ValueError, TypeError):
            raise ValueError(f"as_of must be a date YYYY-MM-DD, got {as_of!r}") from None
        if pd.isna(as_of_ts):
            raise ValueError(f"as_of must be a date YYYY-MM-DD, got {as_of!r}")
    else:
        as_of_ts = None
    if only is None:  # in a notebook of ``crmbook run``: the run's one check (crmbook.data.snapshot)
        ds = snapshot.find_snapshot(source, as_of=as_of_ts, mapping=mapping, mask_personal=mask_personal,
                                    password_env=password_env)
        if ds is not None:
            return ds
    spec = read_mapping(mapping)
    reader = open_source(source, password_env=password_env)
    if only is not None:
        unknown = sorted(only - set(SCHEMAS))
        if unknown:
            raise ValueError(f"tables: {', '.join(unknown)} not crmbook tables (tables: {', '.join(SCHEMAS)})")
        only |= {ref for t in only for ref, _ in SCHEMAS[t].references.values()}
    raws, problems, ignored = reader.read(spec, only) if only is not None else reader.read(spec)
    try:
        return _check_read(raws, problems, ignored, reader, only, spec, as_of_ts, mask_personal)
    finally:
        if hasattr(raws, "close"):  # a check stopped half-way: the files not yet read are not read
            raws.close()


def _check_read(raws: Mapping[str, Any], problems: list[Problem], ignored: list[str], reader: Any,
                only: set[str] | None, spec: dict, as_of_ts: pd.Timestamp | None, mask_personal: bool) -> Dataset:
    """:func:`check` once the source is open: each table checked as its reading finishes."""
    if only is not None:  # the other tables were not read on purpose: not "ignored" as unknown files
        skipped = set(SCHEMAS) - only
        ignored = [n for n in ignored if Path(n.split()[-1]).stem.strip().lower() not in skipped]
    origin = reader.describe()

    tables: dict[str, pd.DataFrame] = {}
    done: dict[str, tuple[pd.DataFrame | None, set[str], set[str]]] = {}
    records: list[dict] = []
    rows_read: dict[str, int] = {}
    blank_rows: dict[str, int] = {}
    outside_window: dict[str, int] = {}
    order = [t for t in _table_order() if only is None or t in only]
    for table in order:
        if table not in raws and SCHEMAS[table].required and not any(p.table == table for p in problems):
            problems.append(Problem(table, "", None, [], f"required table {table} was not found in {origin}",
                                    reader.expected(table), "nothing", "error"))
    present = [t for t in order if t in raws]
    for table, (raw, result, frame) in zip(present, _check_tables(raws, present, spec, as_of_ts, done,
                                                                   mask_personal), strict=True):
        _, _, _, recs, probs, n_read, n_blank, n_window = result
        problems.extend(probs)
        records.extend(recs)
        if raw.frame is not None:
            rows_read[table] = n_read
        if n_blank:
            blank_rows[table] = n_blank
        if n_window:
            outside_window[table] = n_window
        if frame is not None:
            tables[table] = frame

    rejected = pd.DataFrame(records, columns=_REJECTED_COLUMNS)
    rejected["row"] = rejected["row"].astype("int64")
    order = {t: i for i, t in enumerate(SCHEMAS)}
    rejected = (rejected.assign(_t=rejected["table"].map(order)).sort_values(["_t", "row"], kind="stable")
                .drop(columns="_t").reset_index(drop=True))
    if mask_personal:  # a value quoted in a message may be personal data in the wrong column
        problems = [dataclasses.replace(p, message=mask_text(p.message), found=mask_text(p.found))
                    for p in problems]
        rejected["value"] = rejected["value"].map(mask_text, na_action="ignore")
    severity_rank = {s: i for i, s in enumerate(_SEVERITIES)}
    problems.sort(key=lambda p: (severity_rank[p.severity], order.get(p.table, 99), p.rows[:1] or [0]))
    sources = {t: r.source for t, r in raws.items()}
    encodings = {t: r.encoding for t, r in raws.items() if r.encoding}
    absent = tuple(t for t in OPTIONAL_TABLES if t not in tables)
    return Dataset(tables=tables, absent=absent, rejected=rejected, problems=problems, as_of=as_of_ts,
                   sources=sources, origin=origin, encodings=encodings, ignored=ignored,
                   rows_read={t: rows_read[t] for t in SCHEMAS if t in rows_read}, blank_rows=blank_rows,
                   rows_outside_window=outside_window)


#: Tables checked at once by :func:`_check_tables` (the reading runs in a thread of its own besides).
CHECK_THREADS = 2


def _check_tables(raws: Mapping[str, Any], present: list[str], spec: dict, as_of_ts: pd.Timestamp | None,
                  done: dict[str, tuple[pd.DataFrame | None, set[str], set[str]]], mask_personal: bool
                  ) -> list[tuple[Any, tuple, pd.DataFrame | None]]:
    """Check the tables ``present`` (in :func:`~crmbook.data.schemas.table_order`), each as soon as it is read
    and the tables it refers to are checked, :data:`CHECK_THREADS` at a time; return, in that order, each
    table's raw reading, the result of :func:`~crmbook.data.validate._check_table` and its usable frame
    (masked when ``mask_personal``).

    The checks of tables that do not refer to each other overlap (surveys and contacts while the orders are
    checked, with the reading of the next files besides): most of a check's time is spent in Arrow's and
    NumPy's kernels, outside Python's lock. Every table's check is the same as when the tables are checked
    one after the other, and so is what is returned: a check reads only the finished results of the
    tables it refers to (``done``), and the results are collected in table order.
    """
    futures: dict[str, Future] = {}

    def check_one(table: str) -> tuple[Any, tuple, pd.DataFrame | None]:
        for ref_table, _ in SCHEMAS[table].references.values():
            if ref_table != table and ref_table in futures:
                futures[ref_table].result()  # submitted earlier, so running or finished: no deadlock
        raw = raws[table]  # waits for its reading
        result = _check_table(raw, spec, as_of_ts, done)
        done[table] = result[:3]
        frame = result[0]
        if frame is not None and mask_personal:
            frame = mask_personal_data(frame)
        return raw, result, frame

    pool = ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="crmbook-check")
    try:
        for table in present:  # in table order: a check waits only for checks submitted before it
            futures[table] = pool.submit(check_one, table)
        return [futures[t].result() for t in present]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def load(source: str | os.PathLike, *, as_of: str | pd.Timestamp | None,
         mapping: str | os.PathLike | Mapping | None = None, mask_personal: bool = True,
         password_env: str = DEFAULT_PASSWORD_ENV, cache: bool = True) -> Dataset:
    """Read and validate a data set for an analysis; raise when it cannot be used.

    Same as :func:`check`, but ``as_of`` must be given (every analysis has an explicit date) and an
    unusable data set (a required table or column missing, a required table empty) raises. Rows set
    aside do not raise: they are counted in :meth:`Dataset.reconciliation` and listed in
    :attr:`Dataset.rejected`.

    Parameters
    ----------
    source, as_of, mapping, mask_personal, password_env
        As for :func:`check`.
    cache : bool
        Read a file source's checked tables from the snapshot cache, and store them there after a check
        (default; ``$CRMBOOK_CACHE_DIR``, see :mod:`crmbook.data.snapshot`): the same files, mapping,
        ``as_of`` and masking give the same tables without a second check. A database is always read.
        In a notebook of ``crmbook run``, the run's own check is read instead (either way).

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
    key = None
    if cache and not os.environ.get(snapshot.SNAPSHOT_ENV) and snapshot.cache_dir() is not None:
        key = snapshot.fingerprint(source, as_of=as_of, mapping=mapping, mask_personal=mask_personal,
                                   password_env=password_env)
        ds = snapshot.cached(key)
        if ds is not None:
            return ds
    ds = check(source, as_of=as_of, mapping=mapping, mask_personal=mask_personal, password_env=password_env)
    if ds.usable and key is not None:
        snapshot.store(key, ds)
    if not ds.usable:
        raise DataError(ds.problem_report(), ds)
    return ds
