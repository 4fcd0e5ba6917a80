"""A folder holding one file per table: ``customers.csv``, ``orders.parquet``, ``surveys.xlsx`` ...

A table is the file named like it (any case, ``.csv``, ``.xlsx`` or ``.parquet``: :mod:`.files` reads
it), or the file the mapping names. Other files (``README.md``, ``truth.json`` ...) are listed as
ignored; hidden files and Excel lock files (``~$orders.xlsx``) are not looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from crmbook.data.dataset import Problem
from crmbook.data.schemas import table_order as _table_order
from crmbook.data.sources.base import RawTable, ReadAhead, Reading, _no_queries, _not_found, _wanted
from crmbook.data.sources.files import DATA_SUFFIXES, _read_file

__all__ = ["FolderSource"]


@dataclass(frozen=True)
class FolderSource:
    """A data folder (:class:`~crmbook.data.sources.base.Source`); ``path`` is absolute."""

    path: Path
    label: str | None = None  # how messages name it, when not by its path (the bundled sample)

    def describe(self) -> str:
        return self.label or f"folder {self.path}"

    def expected(self, table: str) -> str:
        return f"a file {table}.csv, {table}.xlsx or {table}.parquet"

    def read(self, mapping: dict[str, dict[str, Any]], tables: Collection[str] | None = None) -> Reading:
        folder = self.path
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
        _no_queries(mapping, f"a folder ({folder})")
        raws: dict[str, Callable[[], RawTable]] = {}  # each table's reading, started below
        problems: list[Problem] = []
        used: set[Path] = set()
        for table in _wanted(tables):
            spec = mapping.get(table, {})
            if spec.get("file"):
                path = Path(spec["file"]).expanduser()
                path = path if path.is_absolute() else folder / path
                if not path.is_file():
                    problems.append(_not_found(table, str(spec["file"]),
                                               f"the mapping names the file {spec['file']!r} for {table}, but it "
                                               f"is not in {folder}", "the file"))
                    continue
                candidates = [path]
            else:
                candidates = [p for p in files
                              if p.stem.strip().lower() == table and p.suffix.lower() in DATA_SUFFIXES]
            if not candidates:
                continue
            used.update(candidates)
            if len(candidates) > 1:
                problems.append(Problem(table, ", ".join(p.name for p in candidates), None, [],
                                        f"several files for table {table}; keep one", "one file",
                                        ", ".join(p.name for p in candidates), "error"))
                continue
            raws[table] = partial(_read_file, candidates[0], table, spec.get("sheet"), spec.get("encoding"))
        ignored = [p.name for p in files if p not in used]
        order = {t: i for i, t in enumerate(_table_order())}  # the order the checks take them
        return ReadAhead(dict(sorted(raws.items(), key=lambda kv: order[kv[0]]))), problems, ignored
