"""Snapshots of a checked data set (数据快照): load and check once, read many times.

Reading and checking a large export is the costliest step of a report (about a minute of CPU at a
million customers), and every topic notebook needs the same checked tables. A **snapshot** is a checked
:class:`~crmbook.data.Dataset` written to a folder in Arrow's columnar file format (Arrow IPC, uncompressed):
one file per usable table and one for the rows set aside, plus ``meta.json`` with everything else the
check found (problems, rows read, sources, encodings ...). Reading it back gives a Dataset equal to the
one written, column by column and dtype by dtype, and reading is memory-mapped: the numeric, date and text
buffers of the tables point into the file, so kernels that read the same snapshot share its pages (the
operating system's page cache) instead of each holding a private copy.

Two places hold snapshots:

- **the run's snapshots**: ``crmbook run`` checks the data once, before any kernel starts, writes the
  snapshot into a temporary folder and names it in the kernels' environment (:data:`SNAPSHOT_ENV`);
  :func:`crmbook.data.check` and :func:`crmbook.data.load` in a notebook of that run then read the
  snapshot instead of the source. The folder's ``index.json`` maps each request (source, ``as_of``,
  mapping, masking) to its snapshot, so a notebook run with other parameters than the check still reads
  its source itself. The folder is removed when the run ends.
- **the cache**, for a trainee or an analyst running a notebook by hand: :func:`crmbook.data.load`
  stores the snapshot of a usable data set under :func:`cache_dir` (``$CRMBOOK_CACHE_DIR``, default
  ``~/.cache/crmbook/snapshots``) keyed by the source's **fingerprint** (:func:`fingerprint`): a hash of
  the bytes of every file read, the mapping file, ``as_of``, the masking, crmbook's version and the code
  of its loader (a file is known by its full path: the tables name where they came from). Any change
  to a file, a parameter or the loader gives another key, so a snapshot is never stale; the newest :data:`CACHE_KEEP` snapshots are kept. ``CRMBOOK_CACHE_DIR=off`` turns the
  cache off. A database has no fingerprint (its rows change without a file changing): it is always read.

A snapshot also holds the **per-customer facts** every topic starts from, computed once when it is written:
for each order the row of its customer, the base values (:attr:`crmbook.facts.CustomerFacts.base`) and the
revenue of the last :data:`FACT_YEARS` years (:meth:`~crmbook.facts.CustomerFacts.yearly_revenue`).
:meth:`CustomerFacts.from_dataset <crmbook.facts.CustomerFacts.from_dataset>` takes them, memory-mapped,
instead of each kernel computing them again, as long as the tables are those read from the snapshot, unchanged.

A snapshot holds personal data exactly as the Dataset did: masked unless ``mask_personal=False`` was
asked for (and then the key differs, so a masked request never reads an unmasked snapshot). Snapshot
and cache files are created readable by their owner only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from crmbook.data.dataset import Dataset, Problem

__all__ = ["SNAPSHOT_ENV", "CACHE_ENV", "CACHE_KEEP", "cache_dir", "fingerprint", "request_key",
           "write_snapshot", "read_snapshot", "run_snapshot", "find_snapshot", "cached", "store"]

#: Environment variable naming the run's snapshot folder (set by ``crmbook run`` for its kernels).
SNAPSHOT_ENV = "CRMBOOK_SNAPSHOT_DIR"
#: Environment variable naming the cache folder; ``off`` (or empty) turns the cache off.
CACHE_ENV = "CRMBOOK_CACHE_DIR"
#: Snapshots kept in the cache (the newest by use); older ones are removed when a new one is stored.
CACHE_KEEP = 4
#: Version of the snapshot layout: a snapshot of another layout is not read.
LAYOUT = 2
#: Years of revenue windows written with the facts (the topics ask for 1, 2 and 3).
FACT_YEARS = 3
_META = "meta.json"
_REJECTED = "_rejected"
_FACTS = "_facts"
_CHUNK = 1 << 22


# -- keys -------------------------------------------------------------------------------------------------

def _as_of_text(as_of: Any) -> str | None:
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        return None
    return f"{pd.Timestamp(as_of):%Y-%m-%d}"


def _mapping_text(mapping: Any) -> str:
    """The mapping as part of a key: a file's bytes (hashed), a dict's JSON, nothing for none."""
    if mapping is None or (isinstance(mapping, str) and not mapping.strip()):
        return ""
    if isinstance(mapping, Mapping):
        return "dict:" + json.dumps(mapping, sort_keys=True, default=str, ensure_ascii=False)
    path = Path(mapping).expanduser()
    return "file:" + (_hash_file(path) if path.is_file() else str(path))


def _hash_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _code_version() -> str:
    """crmbook's version and a hash of the loader's code: a changed check gives new keys."""
    import crmbook

    h = hashlib.blake2b(digest_size=12)
    h.update(f"{crmbook.__version__}/{LAYOUT}".encode())
    package = Path(__file__).parent.parent  # the loader, and the facts a snapshot holds
    for path in [*sorted(Path(__file__).parent.rglob("*.py")), package / "facts.py", package / "positions.py",
                 *sorted((package / "engine").glob("*.py"))]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _source_files(source: str | os.PathLike, mapping: Any = None) -> list[Path] | None:
    """The files a source is read from (every file of a folder, and any file the mapping names for a table,
    which may lie outside it), or None for a database URL."""
    text = str(source)
    if "://" in text:
        return None
    from crmbook.data.sources import sample_folder

    path = sample_folder(text) or Path(text).expanduser()
    if not path.is_dir():
        return [path] if path.is_file() else None
    files = sorted(p for p in path.iterdir() if p.is_file())
    from crmbook.data.mapping import read_mapping

    for spec in read_mapping(mapping).values():  # resolved as the folder reader does
        named = Path(str(spec["file"])).expanduser() if spec.get("file") else None
        if named is not None:
            named = named if named.is_absolute() else path / named
            if named.is_file() and named not in files:
                files.append(named)
    return files


def fingerprint(source: str | os.PathLike, *, as_of: Any, mapping: Any = None, mask_personal: bool = True,
                password_env: str = "") -> str | None:
    """The cache key of a data set: a hash of its files' bytes, the mapping, ``as_of``, the masking and
    the loader's code; None for a source without files (a database URL) or that does not exist.

    Reads every file once (about a second per gigabyte)."""
    files = _source_files(source, mapping)
    if files is None:
        return None
    h = hashlib.blake2b(digest_size=20)
    for part in (_code_version(), _as_of_text(as_of) or "", _mapping_text(mapping), str(bool(mask_personal)),
                 password_env):
        h.update(part.encode("utf-8") + b"\0")
    for path in files:
        h.update(str(path).encode("utf-8") + b"\0" + _hash_file(path).encode() + b"\0")
    return h.hexdigest()


def request_key(source: str | os.PathLike, *, as_of: Any, mapping: Any = None, mask_personal: bool = True,
                password_env: str = "") -> str:
    """The key of a request inside one run: the arguments as given (the run checked that very source)."""
    src = str(source)
    if src.strip().lower() == "sample":
        src = "sample"
    elif "://" not in src:
        src = str(Path(src).expanduser().resolve())
    if isinstance(mapping, str | os.PathLike) and str(mapping).strip():
        mapping = str(Path(mapping).expanduser().resolve())
    parts = [src, _as_of_text(as_of) or "", json.dumps(mapping, sort_keys=True, default=str) if mapping else "",
             str(bool(mask_personal)), password_env]
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


# -- writing and reading ----------------------------------------------------------------------------------

def _write_table(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_table(path: Path) -> pd.DataFrame:
    # memory-mapped, one block per column (no consolidation copy): the buffers stay in the file's pages
    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    return table.to_pandas(split_blocks=True)


def _write_facts(ds: Dataset, folder: Path) -> dict[str, Any] | None:
    """Write the per-customer facts of ``ds`` into ``folder``; their account for ``meta.json``, or None when
    ``ds`` has no facts (no customers or orders, no as_of) or when they do not cover every row of its tables
    (then a kernel's facts would not be the same rows, and it computes its own)."""
    if "customers" not in ds or "orders" not in ds or ds.as_of is None:
        return None
    from crmbook.facts import CustomerFacts

    try:
        facts = CustomerFacts.from_dataset(ds)
    except ValueError:  # not usable as facts: the topics will say why
        return None
    if len(facts.customers) != len(ds["customers"]) or len(facts.orders) != len(ds["orders"]):
        return None
    facts.precompute(FACT_YEARS)
    folder.mkdir()
    _write_table(pd.DataFrame({"row": facts.order_rows}), folder / "order_rows.arrow")
    _write_table(facts.base, folder / "base.arrow")
    _write_table(facts.yearly_revenue(FACT_YEARS), folder / "yearly.arrow")
    return {"customers": len(facts.customers), "orders": len(facts.orders), "years": FACT_YEARS}


def _read_facts(folder: Path, info: dict[str, Any] | None, tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """The facts written by :func:`_write_facts`, with the tables they belong to (see ``Dataset.precomputed``)."""
    if not info:
        return {}
    from crmbook.facts import columns_key

    rows = _read_table(folder / "order_rows.arrow")["row"].to_numpy()
    customers, orders = tables["customers"], tables["orders"]
    if len(rows) != len(orders) or info["customers"] != len(customers):
        raise ValueError(f"the facts in {folder} do not match the snapshot's tables")
    return {"customers": customers, "orders": orders, "key": columns_key(customers, orders), "order_rows": rows,
            "base": _read_table(folder / "base.arrow"), "yearly": {info["years"]: _read_table(folder / "yearly.arrow")}}


def write_snapshot(ds: Dataset, folder: str | os.PathLike) -> Path:
    """Write ``ds`` into ``folder`` (made, or replaced as a whole: a reader sees the old or the new one).

    Returns the folder."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, frame in ds.tables.items():
            _write_table(frame, tmp / f"{name}.arrow")
        _write_table(ds.rejected, tmp / f"{_REJECTED}.arrow")
        facts = _write_facts(ds, tmp / _FACTS)
        meta = {
            "layout": LAYOUT,
            "tables": list(ds.tables),
            "absent": list(ds.absent),
            "problems": [dataclasses.asdict(p) for p in ds.problems],
            "as_of": None if ds.as_of is None else ds.as_of.isoformat(),
            "sources": ds.sources, "origin": ds.origin, "encodings": ds.encodings, "ignored": ds.ignored,
            "rows_read": ds.rows_read, "blank_rows": ds.blank_rows,
            "rows_outside_window": ds.rows_outside_window, "facts": facts,
        }
        (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_snapshot(folder: str | os.PathLike) -> Dataset:
    """The Dataset written by :func:`write_snapshot` into ``folder``.

    Raises
    ------
    ValueError
        ``folder`` holds no snapshot, or one of another layout, or a file is missing.
    """
    folder = Path(folder)
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder} is not a crmbook snapshot (no readable {_META}): {exc}") from None
    if meta.get("layout") != LAYOUT:
        raise ValueError(f"{folder} is a snapshot of layout {meta.get('layout')!r}, not {LAYOUT}: check the data again")
    try:
        tables = {name: _read_table(folder / f"{name}.arrow") for name in meta["tables"]}
        rejected = _read_table(folder / f"{_REJECTED}.arrow")
        precomputed = _read_facts(folder / _FACTS, meta.get("facts"), tables)
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise ValueError(f"the snapshot in {folder} cannot be read: {exc}") from None
    return Dataset(tables=tables, absent=tuple(meta["absent"]), rejected=rejected,
                   problems=[Problem(**p) for p in meta["problems"]],
                   as_of=None if meta["as_of"] is None else pd.Timestamp(meta["as_of"]),
                   sources=meta["sources"], origin=meta["origin"], encodings=meta["encodings"],
                   ignored=meta["ignored"], rows_read=meta["rows_read"], blank_rows=meta["blank_rows"],
                   rows_outside_window=meta["rows_outside_window"], precomputed=precomputed)


# -- the run's snapshots ----------------------------------------------------------------------------------

def run_snapshot(folder: str | os.PathLike, key: str, ds: Dataset) -> Path:
    """Add the snapshot of ``ds`` to a run's snapshot folder under the request ``key``."""
    folder = Path(folder)
    path = write_snapshot(ds, folder / key)
    index_file = folder / "index.json"
    index = json.loads(index_file.read_text(encoding="utf-8")) if index_file.exists() else {}
    index[key] = path.name
    index_file.write_text(json.dumps(index), encoding="utf-8")
    return path


def find_snapshot(source: str | os.PathLike, *, as_of: Any, mapping: Any = None, mask_personal: bool = True,
                  password_env: str = "") -> Dataset | None:
    """The run's snapshot of this request (when ``crmbook run`` made one, :data:`SNAPSHOT_ENV`), else None."""
    folder = os.environ.get(SNAPSHOT_ENV, "").strip()
    if not folder:
        return None
    index_file = Path(folder) / "index.json"
    try:
        index = json.loads(index_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    key = request_key(source, as_of=as_of, mapping=mapping, mask_personal=mask_personal, password_env=password_env)
    return read_snapshot(Path(folder) / index[key]) if key in index else None


# -- the cache --------------------------------------------------------------------------------------------

def cache_dir() -> Path | None:
    """The cache folder (``$CRMBOOK_CACHE_DIR``, default ``$XDG_CACHE_HOME/crmbook/snapshots`` or
    ``~/.cache/crmbook/snapshots``); None when the cache is turned off (``CRMBOOK_CACHE_DIR=off``)."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        value = value.strip()
        return None if value.lower() in ("", "off", "0", "none", "false") else Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "crmbook" / "snapshots"


def cached(key: str | None) -> Dataset | None:
    """The cached snapshot of fingerprint ``key``, or None (no cache, no key, not cached, unreadable)."""
    folder = cache_dir()
    if folder is None or key is None or not (folder / key / _META).is_file():
        return None
    try:
        ds = read_snapshot(folder / key)
    except ValueError:
        return None
    with contextlib.suppress(OSError):
        os.utime(folder / key / _META)  # newest by use: kept longest
    return ds


def store(key: str | None, ds: Dataset) -> Path | None:
    """Store ``ds`` in the cache under fingerprint ``key`` and drop the oldest beyond :data:`CACHE_KEEP`.

    A cache that cannot be written (read-only home, full disk) is skipped: the analysis goes on."""
    folder = cache_dir()
    if folder is None or key is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        old_umask = os.umask(0o077)
        try:
            path = write_snapshot(ds, folder / key)
        finally:
            os.umask(old_umask)
        entries = sorted((p for p in folder.iterdir() if (p / _META).is_file()),
                         key=lambda p: (p / _META).stat().st_mtime, reverse=True)
        for stale in entries[CACHE_KEEP:]:
            shutil.rmtree(stale, ignore_errors=True)
        now = time.time()
        for leftover in folder.glob(".*-*"):  # a write that died half-way
            with contextlib.suppress(OSError):
                if now - leftover.stat().st_mtime > 3600:
                    shutil.rmtree(leftover, ignore_errors=True)
        return path
    except OSError:
        return None
