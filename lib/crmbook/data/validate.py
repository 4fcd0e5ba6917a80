"""Checking one table: column names, values, the analysis window, references and keys.

:func:`_check_table` takes a table as read (:class:`~crmbook.data.sources.base.RawTable`) and returns
its usable rows, typed, with an account of the rest: every problem (:class:`~crmbook.data.dataset.Problem`)
and one record per row set aside and reason. Tables are checked in :func:`~crmbook.data.schemas.table_order`, so that a row
referring to a customer who was set aside is set aside too (the cascade). What is checked, and what
happens, is described in the package documentation (``help(crmbook.data)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crmbook.data import arrow
from crmbook.data.arrow import _duplicated, _isin, _text_keys
from crmbook.data.dataset import _REJECTED_COLUMNS, ROWS_SHOWN, VALUES_SHOWN, Problem, _examples, _rows_text
from crmbook.data.parse import _Issue, _parse_column, _to_str
from crmbook.data.schemas import PERSONAL_COLUMNS, SCHEMAS
from crmbook.data.sources.base import RawTable

__all__: list[str] = []  # helpers of the loader; nothing here is public

_TABLE_UNUSABLE = "table unusable"
#: Unknown column names listed in a warning before "and N more".
_NAMES_SHOWN = 10


def _entity(table: str) -> str:
    return {"customers": "customer", "campaigns": "campaign"}.get(table, table)


#: The reason of a row outside the analysis window (dated, or a period starting, after ``as_of``): set
#: aside, but not a defect of the data (the set-aside limit does not count it).
WINDOW_REASON = "after as_of"


def _check_table(raw: RawTable, mapping: dict, as_of: pd.Timestamp | None,
                 done: dict[str, tuple[pd.DataFrame | None, set[str], set[str]]]
                 ) -> tuple[pd.DataFrame | None, set[str], set[str], list[dict], list[Problem], int, int, int]:
    """Check one table.

    Returns the typed frame of usable rows (None if the table is unusable), the key values of the rows
    set aside (for the cascade) and, among them, those set aside only because they lie outside the
    analysis window, the set-aside records, the problems, the number of rows read, the number of blank
    lines skipped, and the number of rows set aside only for the window (after ``as_of``, or referring
    to a row that is): rows set aside that are not defects of the data.
    """
    table, schema = raw.table, SCHEMAS[raw.table]
    spec = mapping.get(table, {})
    problems: list[Problem] = []
    records: list[dict] = []

    def problem(column, rows, message, expected="", found="", severity="error"):
        problems.append(Problem(table, raw.file, column, sorted(int(r) for r in rows), message,
                                expected, found, severity))

    if raw.frame is None:
        problem(None, [], raw.error or "cannot read the table")
        return None, set(), set(), records, problems, 0, 0, 0
    df = raw.frame
    rownum = np.arange(len(df)) + raw.first_row
    blank = df.isna().all(axis=1).to_numpy() if df.shape[1] else np.ones(len(df), dtype=bool)
    n_blank = int(blank.sum())
    df, rownum = _keep(df, ~blank), rownum[~blank]
    n_read = len(df)

    problems.extend(raw.problems)
    read_error = any(p.severity == "error" for p in raw.problems)

    # --- column names: mapping, case, duplicates, unknown ------------------------------------------
    names = [str(c) for c in df.columns]
    doubled_in_file = sorted({c for c in names if names.count(c) > 1})
    for c in doubled_in_file:
        where = [i + 1 for i, n in enumerate(names) if n == c]
        problem(c, [], f"column {c!r} appears {len(where)} times in {raw.file} (columns "
                f"{', '.join(map(str, where[:-1]))} and {where[-1]}); crmbook cannot tell which one to use, so "
                "the table is not used. Remove or rename the extra column(s)", "each column name once",
                f"{len(where)} columns named {c!r}")
    rename = dict(spec.get("columns", {}))
    mapped_missing = [c for c in rename if c not in df.columns]
    for c in mapped_missing:
        problem(None, [], f"the mapping renames column {c!r}, but the table has no such column "
                f"(columns: {', '.join(map(str, df.columns))})", severity="warning")
    known = {c.name for c in schema.columns}
    for c in df.columns:
        if c not in rename and c not in known and c.lower() in known:
            rename[c] = c.lower()
    df = df.rename(columns=rename)
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    renamed_dupes = [c for c in dupes if c not in doubled_in_file]
    if renamed_dupes:
        problem(renamed_dupes[0], [], f"column(s) {', '.join(renamed_dupes)} appear more than once (after the "
                "mapping)", "each column once", f"{len(df.columns)} columns")
    missing = [c for c in schema.required_columns if c not in df.columns]
    for c in missing:
        problem(c, [], f"required column {c} is missing", f"a column {c} ({schema.column(c).description})",
                "columns " + ", ".join(map(str, df.columns)))
    unknown = [c for c in df.columns if schema.column(c) is None]
    if unknown:
        names = ", ".join(map(str, unknown[:_NAMES_SHOWN])) + (
            f" and {len(unknown) - _NAMES_SHOWN:,} more" if len(unknown) > _NAMES_SHOWN else "")
        problem(None, [], f"unknown column(s) {names} are kept as text",
                "crmbook's column names (or a mapping file)", names, "warning")
    if n_read == 0:
        severity = "error" if schema.required else "warning"
        problem(None, [], f"table {table} has no rows", "at least one row", "only a header", severity)
        return None, set(), set(), records, problems, 0, n_blank, 0
    if missing or dupes or read_error:
        reason = _TABLE_UNUSABLE
        col = (missing or dupes or [None])[0]
        records.extend({"table": table, "file": raw.file, "row": int(r), "column": col, "reason": reason,
                        "value": None} for r in rownum)
        return None, set(), set(), records, problems, n_read, n_blank, 0

    # --- values mapping ------------------------------------------------------------------------------
    for col, pairs in spec.get("values", {}).items():
        if col in df.columns:
            df[col] = df[col].map(lambda v, p=pairs: p.get(v, v) if isinstance(v, str) else v).astype("string")

    # --- parse every known column ----------------------------------------------------------------------
    typed: dict[str, pd.Series] = {}
    issues: list[_Issue] = []
    for c in df.columns:
        cs = schema.column(c)
        if cs is None:
            typed[c] = _to_str(df[c])
            continue
        typed[c], col_issues = _parse_column(df[c], cs, spec)
        issues.extend(col_issues)
    out = pd.DataFrame(typed, index=df.index, copy=False)  # not copied into 2-D blocks
    rejected = np.zeros(n_read, dtype=bool)
    for iss in issues:
        if iss.reject:
            rejected[iss.positions] = True

    # --- signs decided by a category (points: + when earned, - when redeemed or expired) --------------------
    for col, (by, signs) in schema.signs.items():
        if col not in out.columns or by not in out.columns:
            continue
        expected_sign = out[by].map(signs).astype("float64").to_numpy()
        value = out[col].astype("float64").to_numpy()
        known = ~np.isnan(expected_sign) & ~np.isnan(value) & ~rejected
        wrong = known & (np.sign(value) != expected_sign)
        pos = np.flatnonzero(wrong)
        if len(pos):
            rule = "; ".join(f"{k}: {'> 0' if s > 0 else '< 0'}" for k, s in signs.items())
            found = out[by].iloc[pos].astype(str) + " " + out[col].iloc[pos].astype(str)
            issues.append(_Issue(col, f"sign does not match {by}", pos, found,
                                 f"{col} has the wrong sign for its {by} (or is zero)", rule, True))
            rejected |= wrong

    # --- rows after as_of --------------------------------------------------------------------------------
    if as_of is not None and schema.event_date and schema.event_date in out.columns:
        cutoff = as_of.normalize() + pd.Timedelta(days=1)
        late = (out[schema.event_date] >= cutoff).fillna(False).to_numpy()
        pos = np.flatnonzero(late)
        if len(pos):
            issues.append(_Issue(schema.event_date, WINDOW_REASON, pos,
                                 out[schema.event_date].iloc[pos].dt.strftime("%Y-%m-%d"),
                                 f"dated after as_of {as_of:%Y-%m-%d}: outside the analysis window",
                                 f"a date on or before {as_of:%Y-%m-%d}", True))
            rejected |= late

    if as_of is not None:
        for c in out.columns:
            cs = schema.column(c)
            if cs is None or cs.kind != "period":
                continue
            text = out[c].astype("string")
            starts = pd.to_datetime(text.where(text.str.len() == 7, text + "-01") + "-01", format="%Y-%m-%d",
                                    errors="coerce")
            late = (starts > as_of.normalize()).fillna(False).to_numpy()
            pos = np.flatnonzero(late)
            if len(pos):
                issues.append(_Issue(c, WINDOW_REASON, pos, out[c].iloc[pos],
                                     f"{c} starts after as_of {as_of:%Y-%m-%d}: outside the analysis window",
                                     f"a period starting on or before {as_of:%Y-%m-%d}", cs.required))
                if cs.required:
                    rejected |= late

    # --- references (cascade) ----------------------------------------------------------------------------
    cascade_window: dict[str, set[str]] = {}  # per reference column: referred keys set aside for the window
    for col, (ref_table, ref_col) in schema.references.items():
        if col not in out.columns:
            continue
        cs = schema.column(col)
        if ref_table == table:
            keep = ~rejected
            has_ref = ref_col in out.columns
            used_keys = _text_keys(out.loc[keep, ref_col]) if has_ref else []
            set_aside = _text_keys(out.loc[~keep, ref_col]) if has_ref else []
        elif ref_table in done and done[ref_table][0] is not None:
            used_keys = _text_keys(done[ref_table][0][ref_col])
            set_aside = done[ref_table][1]
            cascade_window[col] = done[ref_table][2]
        else:
            problem(col, [], f"{col} was not checked against {ref_table}: that table is not available",
                    severity="warning")
            continue
        vals = out[col]
        present = vals.notna().to_numpy()
        known_mask = _isin(vals, used_keys)
        aside_mask = present & ~known_mask
        if aside_mask.any():  # only the values not found among the usable rows are looked up again
            aside_mask[aside_mask] = _isin(vals[aside_mask], set_aside)
        unknown_mask = present & ~known_mask & ~aside_mask
        noun = _entity(ref_table)
        for mask, reason, message in (
                (unknown_mask, f"unknown {noun}", f"{col} refers to a {noun} not found in {ref_table}"),
                (aside_mask, f"{noun} set aside", f"{noun} {{ids}} was set aside (see {ref_table}), so the "
                 "rows that refer to it are set aside too")):
            if "{ids}" in message:
                ids = list(dict.fromkeys(vals[mask]))
                shown = ", ".join(map(str, ids[:VALUES_SHOWN])) + (
                    f" and {len(ids) - VALUES_SHOWN} others" if len(ids) > VALUES_SHOWN else "")
                message = message.replace("{ids}", shown).replace(" was ", " were " if len(ids) > 1 else " was ")
            pos = np.flatnonzero(mask) if cs.required else np.flatnonzero(mask & ~rejected)
            if len(pos):
                issues.append(_Issue(col, reason, pos, vals.iloc[pos], message,
                                     f"a {ref_col} of a usable row of {ref_table}", cs.required))
        if cs.required:
            rejected |= unknown_mask | aside_mask

    # --- duplicate keys (among the rows still in) ----------------------------------------------------------
    if schema.key and all(k in out.columns for k in schema.key):
        keys = out[list(schema.key)]
        dup = np.zeros(n_read, dtype=bool)
        alive = ~rejected
        dup[alive], is_first = _duplicated(_keep(keys, alive))
        pos = np.flatnonzero(dup)
        if len(pos):
            firsts = sorted(int(r) for r in rownum[np.flatnonzero(alive)[is_first]])
            vals = keys.iloc[pos].astype(str).agg(" / ".join, axis=1)
            issues.append(_Issue("+".join(schema.key), "duplicate key", pos, vals,
                                 f"{' + '.join(schema.key)} repeats a row already kept (first seen on "
                                 f"{_rows_text(firsts)}); the first one is kept",
                                 f"each {' + '.join(schema.key)} once", True))
            rejected |= dup

    # --- collect problems and set-aside rows ------------------------------------------------------------------
    for iss in issues:
        rows = rownum[iss.positions]
        severity = "rejected" if iss.reject else "warning"
        message = iss.message + ("" if iss.reject else "; the value is left blank and the row kept")
        count = f"{len(rows):,} rows: " if len(rows) > ROWS_SHOWN else ""
        problem(iss.column, rows, count + message,
                iss.expected, _examples(iss.values), severity)
        if iss.reject:
            personal = iss.column in PERSONAL_COLUMNS
            records.extend({"table": table, "file": raw.file, "row": int(r), "column": iss.column,
                            "reason": iss.reason, "value": None if personal or pd.isna(v) else str(v)}
                           for r, v in zip(rows, iss.values, strict=True))
        elif iss.column in out.columns:
            blank_cells = np.zeros(n_read, dtype=bool)
            blank_cells[iss.positions] = True
            out[iss.column] = out[iss.column].mask(blank_cells)
    for iss in issues:  # an order of day and month that the data cannot settle is never guessed
        if iss.reason == "ambiguous date order":
            problem(iss.column, [], f"the day/month order of {iss.column} cannot be told from the data, so "
                    f"its {len(iss.positions):,} dates of that form were not read", iss.expected,
                    _examples(iss.values), "error")
    clean = _keep(out, ~rejected)
    window_only = rejected & ~_defects(issues, cascade_window, n_read)
    if schema.required and clean.empty:
        reasons = (pd.DataFrame(records, columns=_REJECTED_COLUMNS).drop_duplicates(["row", "reason"])
                   ["reason"].value_counts())
        top = ", ".join(f"{reason} ({n:,} rows)" for reason, n in reasons.head(VALUES_SHOWN).items())
        problem(None, [], f"all {n_read:,} rows of {table} were set aside, so there is nothing to analyse; "
                f"top reasons: {top}" + (f"; as_of is {as_of:%Y-%m-%d}" if as_of is not None else ""),
                "at least one usable row", f"0 of {n_read:,} rows usable")
    aside: set[str] = set()
    aside_window: set[str] = set()
    if len(schema.key) == 1:
        key = schema.key[0]
        gone = out.loc[rejected, key].dropna()
        aside = set(gone[~_isin(gone, _text_keys(clean[key]))])
        aside_window = set(out.loc[window_only, key].dropna()) & aside
    return clean, aside, aside_window, records, problems, n_read, n_blank, int(window_only.sum())


def _keep(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows of ``frame`` where ``mask`` holds, numbered from 0.

    Without copying when every row is kept (``loc`` copies every column even then: 10M rows of text take a
    second). Otherwise column by column: Arrow-backed text through Arrow's ``filter`` (``loc`` gathers the
    rows by their positions with ``take``, about 1.5 times slower), NumPy columns by the mask, and
    without gathering the columns into 2-D blocks afterwards.
    """
    if mask.all():
        return frame.reset_index(drop=True)
    if frame.columns.has_duplicates or frame.shape[1] == 0:
        return frame.loc[mask].reset_index(drop=True)
    keep = pa.array(mask)
    columns: dict[str, Any] = {}
    for name in frame.columns:
        s = frame[name]
        arr = arrow._arrow_text(s)
        if arr is not None:
            columns[name] = pd.array(arr.filter(keep), dtype=s.dtype)
        elif isinstance(s.dtype, np.dtype):
            columns[name] = s.to_numpy()[mask]
        else:
            columns[name] = s.array[mask]
    return pd.DataFrame(columns, columns=frame.columns, copy=False)


def _defects(issues: list[_Issue], cascade_window: dict[str, set[str]], n_read: int) -> np.ndarray:
    """The rows set aside for a defect of the data: any reason but the analysis window (:data:`WINDOW_REASON`),
    and a reference to a row set aside unless that row was set aside only for the window."""
    defect = np.zeros(n_read, dtype=bool)
    for iss in issues:
        if not iss.reject or iss.reason == WINDOW_REASON:
            continue
        if iss.reason.endswith(" set aside") and iss.column in cascade_window:
            window_keys = cascade_window[iss.column]
            own = ~_isin(iss.values.reset_index(drop=True), window_keys)
            defect[iss.positions[own]] = True
        else:
            defect[iss.positions] = True
    return defect
