"""One Excel workbook (``.xlsx``) with a sheet per table, named like the tables (or as the mapping says).

Sheets that are not tables are listed as ignored (``sheet Notes``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crmbook.data.dataset import Problem
from crmbook.data.sources.base import RawTable, Reading, _no_queries, _not_found, _wanted
from crmbook.data.sources.files import _read_excel_sheet

__all__ = ["WorkbookSource"]


@dataclass(frozen=True)
class WorkbookSource:
    """A workbook of one sheet per table (:class:`~crmbook.data.sources.base.Source`); ``path`` is absolute."""

    path: Path

    def describe(self) -> str:
        return f"workbook {self.path}"

    def expected(self, table: str) -> str:
        return f"a sheet named {table}"

    def read(self, mapping: dict[str, dict[str, Any]], tables: Collection[str] | None = None) -> Reading:
        import openpyxl

        path = self.path
        try:
            wb = openpyxl.load_workbook(path, read_only=True)
            sheets = list(wb.sheetnames)
            wb.close()
        except Exception as exc:  # noqa: BLE001
            raise ValueError(f"cannot read the Excel workbook {path}: {exc}") from None
        _no_queries(mapping, f"a workbook ({path})")
        raws: dict[str, RawTable] = {}
        problems: list[Problem] = []
        used: set[str] = set()
        for table in _wanted(tables):
            spec = mapping.get(table, {})
            wanted = spec.get("sheet") or spec.get("file")
            if wanted is not None:
                match = [s for s in sheets if s == str(wanted)]
                if not match:
                    problems.append(_not_found(table, path.name,
                                               f"the mapping names sheet {wanted!r} for {table}, but {path.name} "
                                               f"has no such sheet (sheets: {', '.join(sheets)})", "the sheet"))
                    continue
            else:
                match = [s for s in sheets if s.strip().lower() == table]
            if not match:
                continue
            used.add(match[0])
            raws[table] = _read_excel_sheet(path, table, match[0], label=f"{path.name} sheet {match[0]}")
        ignored = [f"sheet {s}" for s in sheets if s not in used]
        return raws, problems, ignored
