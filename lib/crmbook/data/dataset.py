"""A checked data set and its account: :class:`Dataset`, the :class:`Problem` it lists, :class:`DataError`.

A Dataset holds the usable rows of each table and everything else that was found: the rows set aside
with their reasons (rows read = rows used + rows set aside, table by table), the problems by severity,
and where each table came from. The severities are described in the package documentation
(``help(crmbook.data)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmbook.data.schemas import REQUIRED_TABLES, SCHEMAS

__all__ = ["DataError", "Problem", "Dataset", "ROWS_SHOWN", "VALUES_SHOWN"]

#: Row numbers listed in a message before "and N more".
ROWS_SHOWN = 5
#: Distinct offending values shown in a message.
VALUES_SHOWN = 3
_SEVERITIES = ("error", "rejected", "warning")


class DataError(Exception):
    """The data cannot be used; the message is the full problem report (:meth:`Dataset.problem_report`)."""

    def __init__(self, message: str, dataset: Dataset | None = None):
        super().__init__(message)
        self.dataset = dataset


def _rows_text(rows: list[int], shown: int = ROWS_SHOWN) -> str:
    """``"row 5"``, ``"rows 5, 9 and 12"``, ``"rows 5, 9, 12, 15, 20 and 37 more"``."""
    if not rows:
        return ""
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= shown:
        return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    return "rows " + ", ".join(map(str, rows[:shown])) + f" and {len(rows) - shown} more"


def _examples(values: Iterable[Any], shown: int = VALUES_SHOWN) -> str:
    """``"'a', 'b', empty and 2 other values"``: the distinct values, as a problem's ``found``."""
    distinct: list[str] = []
    for v in values:
        text = "empty" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else repr(str(v))
        if text not in distinct:
            distinct.append(text)
    more = "" if len(distinct) <= shown else f" and {len(distinct) - shown} other values"
    return ", ".join(distinct[:shown]) + more


@dataclass
class Problem:
    """One problem found in the data.

    Parameters
    ----------
    table : str
        The crmbook table (``"orders"``).
    file : str
        Where the table came from: a file name (``"orders.csv"``), a sheet, or a database table/query.
    column : str or None
        Our column name, or None for a problem of the whole table.
    rows : list of int
        Row numbers as a person sees them (CSV/Excel: header = row 1, first data row = row 2; Parquet
        and databases: first record = row 1); empty for a problem of the whole table or column.
    message : str
        What is wrong, in plain words.
    expected, found : str
        What was expected and what was found (a few example values).
    severity : str
        ``"error"`` (the table, or for a required table the data set, cannot be used), ``"rejected"``
        (the rows were set aside) or ``"warning"`` (the data is used as it is).
    """

    table: str
    file: str
    column: str | None
    rows: list[int]
    message: str
    expected: str = ""
    found: str = ""
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise ValueError(f"Problem severity must be one of {_SEVERITIES}, got {self.severity!r}")

    def __str__(self) -> str:
        where = f"{self.table} ({self.file})" if self.file else self.table
        if self.column:
            where += f", column {self.column}"
        if self.rows:
            where += f", {_rows_text(self.rows)}"
        text = f"[{self.severity}] {where}: {self.message}"
        details = [f"expected {self.expected}" if self.expected else "", f"found {self.found}" if self.found else ""]
        details = [d for d in details if d]
        if details:
            text += " (" + "; ".join(details) + ")"
        return text


_REJECTED_COLUMNS = ["table", "file", "row", "column", "reason", "value"]


@dataclass(eq=False)
class Dataset:
    """A checked data set: the usable rows of each table, and an account of everything else.

    Attributes
    ----------
    tables : dict of str to DataFrame
        The usable tables, typed: dates are ``datetime64``, ids, text and categories are ``str``,
        numbers ``float64``, integers ``Int64``, flags ``boolean``. Only rows that passed every check;
        personal data masked unless turned off. Unknown columns are kept as text.
    absent : tuple of str
        Optional tables that are not available: not found, or found but empty or unusable (see
        ``problems``). A notebook tests ``"surveys" in ds`` and skips its section otherwise.
    rejected : DataFrame
        One line per set-aside row and reason: ``table, file, row, column, reason, value``.
    problems : list of Problem
        Everything found, errors first.
    as_of : Timestamp or None
        The analysis date (rows dated later were set aside), None for no cut-off.
    sources : dict of str to str
        Where each table came from: a file path, or a database URL shown without its password.
    origin : str
        The source as given (password hidden).
    encodings : dict of str to str
        The encoding used for each CSV file.
    ignored : list of str
        Files (or sheets, or database tables) found but not read.
    rows_read : dict of str to int
        Rows read per table found (blank lines not counted).
    blank_rows : dict of str to int
        Entirely blank lines skipped per table.
    rows_outside_window : dict of str to int
        Rows set aside only because they lie outside the analysis window (dated after ``as_of``, or
        referring to a row that is): not defects of the data, so the set-aside limit does not count them
        (:meth:`set_aside_defects`).
    """

    tables: dict[str, pd.DataFrame]
    absent: tuple[str, ...]
    rejected: pd.DataFrame
    problems: list[Problem]
    as_of: pd.Timestamp | None
    sources: dict[str, str]
    origin: str = ""
    encodings: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    blank_rows: dict[str, int] = field(default_factory=dict)
    rows_outside_window: dict[str, int] = field(default_factory=dict)
    #: The per-customer facts written with a snapshot of this data set (:mod:`crmbook.data.snapshot`), which
    #: :meth:`crmbook.facts.CustomerFacts.from_dataset` takes instead of computing them again; empty for a
    #: data set read from its source.
    precomputed: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table in self.tables:
            return self.tables[table]
        if table not in SCHEMAS:
            raise KeyError(f"{table!r} is not a crmbook table (tables: {', '.join(SCHEMAS)})")
        why = [str(p) for p in self.problems if p.table == table and p.severity == "error"]
        reason = "; ".join(why) if why else f"no {table} table was found in {self.origin or 'the data'}"
        raise KeyError(f"table {table!r} is not available: {reason}")

    def __contains__(self, table: object) -> bool:
        return table in self.tables

    def __iter__(self):
        return iter(self.tables)

    @property
    def usable(self) -> bool:
        """True when every required table was loaded with at least one usable row.

        Some rows set aside do not count against it; all rows of a required table set aside do.
        """
        return all(t in self.tables for t in REQUIRED_TABLES) and not any(
            p.severity == "error" and p.table in REQUIRED_TABLES for p in self.problems)

    def reconciliation(self) -> pd.DataFrame:
        """Rows read, used and set aside per table found.

        ``rows_read = rows_used + rows_rejected`` holds for every table (a row set aside for two
        reasons counts once here). Entirely blank lines are not rows and are not counted.

        Returns
        -------
        DataFrame
            Columns ``table, source, rows_read, rows_used, rows_rejected``; one line per table found.
        """
        lines = []
        for table, n_read in self.rows_read.items():
            rej = self.rejected[self.rejected["table"] == table]
            n_rejected = int(rej["row"].nunique())
            lines.append({"table": table, "source": self.sources.get(table, ""), "rows_read": n_read,
                          "rows_used": n_read - n_rejected, "rows_rejected": n_rejected})
        return pd.DataFrame(lines, columns=["table", "source", "rows_read", "rows_used", "rows_rejected"])

    def set_aside_defects(self) -> pd.DataFrame:
        """Rows set aside *as defects* per table found: every row set aside except those outside the
        analysis window (dated after ``as_of``, or referring to a row that is).

        Returns
        -------
        DataFrame
            Columns ``table, rows_read, rows_defective, share, top_reasons``; ``share`` is
            ``rows_defective / rows_read`` (0 for a table without rows), ``top_reasons`` the three
            commonest reasons with their row counts (``"unparseable date 1,000; unknown customer 12"``).
        """
        rec = self.reconciliation()
        lines = []
        reasons = self.rejected_by_reason()
        for r in rec.itertuples():
            n_def = int(r.rows_rejected) - int(self.rows_outside_window.get(r.table, 0))
            mine = reasons[(reasons["table"] == r.table) & (reasons["reason"] != "after as_of")]
            top = "; ".join(f"{x.reason} {x.rows:,}" for x in mine.head(VALUES_SHOWN).itertuples())
            lines.append({"table": r.table, "rows_read": int(r.rows_read), "rows_defective": n_def,
                          "share": n_def / r.rows_read if r.rows_read else 0.0, "top_reasons": top})
        return pd.DataFrame(lines, columns=["table", "rows_read", "rows_defective", "share", "top_reasons"])

    def rejected_by_reason(self) -> pd.DataFrame:
        """Rows set aside per table and reason.

        A row set aside for two reasons counts under both, so the counts of one table may add up to
        more than its ``rows_rejected``.

        Returns
        -------
        DataFrame
            Columns ``table, reason, rows``, largest first within each table.
        """
        if self.rejected.empty:
            return pd.DataFrame({"table": pd.Series(dtype=str), "reason": pd.Series(dtype=str),
                                 "rows": pd.Series(dtype="int64")})
        out = (self.rejected.drop_duplicates(["table", "row", "reason"])
               .groupby(["table", "reason"], sort=False).size().rename("rows").reset_index())
        order = {t: i for i, t in enumerate(SCHEMAS)}
        out["_t"] = out["table"].map(order)
        return (out.sort_values(["_t", "rows"], ascending=[True, False]).drop(columns="_t")
                .reset_index(drop=True))

    def _count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)

    def summary(self) -> str:
        """A readable overview: status, one line per table (source, encoding, rows), absent tables,
        ignored files, and one line per problem."""
        as_of = self.as_of.strftime("%Y-%m-%d") if self.as_of is not None else "no cut-off"
        lines = [f"Data: {self.origin}", f"As of: {as_of}"]
        if self.usable:
            status = "USABLE"
        else:
            status = ("NOT USABLE - a required table or column is missing or empty, or a required table has "
                      "no usable row (see the problems below)")
        lines.append(f"Status: {status}")
        lines.append("")
        rec = self.reconciliation()
        if not rec.empty:
            width = max(len(t) for t in rec["table"])
            lines.append(f"{'table':<{width}}  {'read':>8}  {'used':>8}  {'set aside':>9}  source")
            for r in rec.itertuples():
                src = r.source
                if r.table in self.encodings:
                    src += f" [{self.encodings[r.table]}]"
                if self.blank_rows.get(r.table):
                    src += f" ({self.blank_rows[r.table]} blank lines skipped)"
                flag = "" if r.table in self.tables else "  UNUSABLE"
                lines.append(f"{r.table:<{width}}  {r.rows_read:>8,}  {r.rows_used:>8,}  "
                             f"{r.rows_rejected:>9,}  {src}{flag}")
        missing_required = [t for t in REQUIRED_TABLES if t not in self.rows_read]
        if missing_required:
            lines.append("Missing required tables: " + ", ".join(missing_required))
        if self.absent:
            lines.append("Optional tables not available: " + ", ".join(self.absent))
        if self.ignored:
            lines.append("Ignored (not crmbook tables): " + ", ".join(self.ignored))
        defects = self.set_aside_defects()
        defects = defects[defects["table"].isin(REQUIRED_TABLES)]
        if not defects.empty:
            from crmbook.data.limits import share_text

            lines.append("Set aside as defects (not counting rows after as_of): " + ", ".join(
                f"{r.table} {r.rows_defective:,} of {r.rows_read:,} ({share_text(r.share)})"
                for r in defects.itertuples()))
        by_reason = self.rejected_by_reason()
        if not by_reason.empty:
            lines.append("")
            lines.append("Rows set aside by reason:")
            for r in by_reason.itertuples():
                lines.append(f"  {r.table}: {r.reason}: {r.rows:,}")
        lines.append("")
        n_err, n_rej, n_warn = (self._count(s) for s in _SEVERITIES)
        if not self.problems:
            lines.append("Problems: none")
        else:
            lines.append(f"Problems: {n_err} errors, {n_rej} with rows set aside, {n_warn} warnings")
            lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)

    def problem_report(self) -> str:
        """Every problem, grouped by severity, with the file, column, rows, expected and found."""
        if not self.problems:
            return f"No problems found in {self.origin}."
        titles = {"error": "Errors (the table cannot be used)",
                  "rejected": "Rows set aside",
                  "warning": "Warnings (the data is used as it is)"}
        out = [f"Problems found in {self.origin}:"]
        for severity in _SEVERITIES:
            group = [p for p in self.problems if p.severity == severity]
            if not group:
                continue
            out.append("")
            out.append(f"{titles[severity]}: {len(group)}")
            for i, p in enumerate(group, 1):
                where = f"{p.table} ({p.file})" if p.file else p.table
                out.append(f"{i:>3}. {where}" + (f", column {p.column}" if p.column else ""))
                if p.rows:
                    out.append(f"     {_rows_text(p.rows)}")
                out.append(f"     {p.message}")
                if p.expected:
                    out.append(f"     expected: {p.expected}")
                if p.found:
                    out.append(f"     found:    {p.found}")
        if not self.usable:
            out.append("")
            out.append("The data cannot be used until the errors in the required tables "
                       f"({', '.join(REQUIRED_TABLES)}) are fixed.")
        return "\n".join(out)

