"""Where the tables come from: one reader per kind of source, behind one small interface.

Each kind of source is a class with ``describe()``, ``expected(table)`` and ``read(mapping)``
(:class:`~crmbook.data.sources.base.Source`); :func:`open_source` picks it for the ``source`` argument
of :func:`crmbook.data.check`. A new kind of source is a new module here and a line in
:func:`open_source`.

- :mod:`~crmbook.data.sources.folder`: a folder of one file per table (each file read by
  :mod:`~crmbook.data.sources.files`: CSV, ``.xlsx``, Parquet); ``"sample"`` is the bundled one;
- :mod:`~crmbook.data.sources.workbook`: one ``.xlsx`` workbook, a sheet per table;
- :mod:`~crmbook.data.sources.sql`: a database reached by a SQLAlchemy URL.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from crmbook.data.sources.base import RawTable, Reading, Source
from crmbook.data.sources.folder import FolderSource
from crmbook.data.sources.sql import DEFAULT_PASSWORD_ENV, DatabaseSource
from crmbook.data.sources.workbook import WorkbookSource

__all__ = ["Source", "RawTable", "Reading", "FolderSource", "WorkbookSource", "DatabaseSource", "open_source", "sample_folder"]


def _looks_like_url(source: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+\-.]*://", source) is not None


def sample_folder(source: str | os.PathLike) -> Path | None:
    """The bundled sample's folder when ``source`` is ``"sample"`` (any case, spaces around), else None.

    Raises
    ------
    FileNotFoundError
        ``source`` is ``"sample"`` and the folder is not there (crmbook installed without its clone).
    """
    if not (isinstance(source, str) and source.strip().lower() == "sample"):
        return None
    from crmbook.sample import SAMPLE_DIR  # lazy: the generator is heavy and optional here

    if not Path(SAMPLE_DIR).is_dir():
        raise FileNotFoundError(
            f'the bundled sample data is not installed: "sample" means the folder {SAMPLE_DIR}, which does '
            "not exist. The sample ships with the crmbook repository, not inside the package: install "
            "crmbook from a clone with `pip install -e .` (as the README says), or pass the path of a "
            "data folder instead of \"sample\"")
    return Path(SAMPLE_DIR).resolve()


def open_source(source: str | os.PathLike, *, password_env: str = DEFAULT_PASSWORD_ENV) -> Source:
    """The reader for ``source``: a folder, ``"sample"``, an ``.xlsx`` workbook or a SQLAlchemy URL.

    Nothing is read yet, except the database password from the environment variable ``password_env``.

    Raises
    ------
    FileNotFoundError
        ``source`` (or for ``"sample"`` the bundled sample folder) does not exist.
    ValueError
        ``source`` is empty, a single file that is not a workbook, or a URL that cannot be parsed.
    """
    if isinstance(source, str) and not source.strip():
        raise ValueError('no data source given: pass a folder, an .xlsx workbook, a SQLAlchemy URL, or "sample"')
    sample = sample_folder(source)
    if sample is not None:
        # named, not by its path: reports and stored notebook outputs do not carry this machine's folders
        return FolderSource(sample, label="the bundled sample (datasets/sample)")
    if isinstance(source, str) and _looks_like_url(source.strip()):
        return DatabaseSource.from_url(source.strip(), password_env)
    path = Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"data source {str(source)!r} does not exist (expected a folder of table files, "
                                "an .xlsx workbook, a SQLAlchemy URL, or \"sample\")")
    path = path.resolve()
    if path.is_dir():
        return FolderSource(path)
    if path.suffix.lower() == ".xlsx":
        return WorkbookSource(path)
    raise ValueError(f"data source {path} is a single {path.suffix or 'extension-less'} file; give the folder "
                     "that holds one file per table (customers.csv, orders.csv ...), or an .xlsx workbook with "
                     "one sheet per table")
