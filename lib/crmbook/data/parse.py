"""Typing the cells of one column: dates, numbers, flags, periods and closed vocabularies.

Every cell arrives as text (or NA). :func:`_parse_column` turns a column into its kind (see
:class:`~crmbook.data.schemas.ColumnSpec`) and returns, beside the typed column, the cells it could not
read (:class:`_Issue`), which :mod:`crmbook.data.validate` reports and, for a required column, sets
aside. A date needs a four-digit year, a month and a day; nothing is filled in.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.data import arrow
from crmbook.data.arrow import _isin, _lookup, _matches
from crmbook.data.schemas import ColumnSpec

__all__: list[str] = []  # helpers of the loader; nothing here is public

_TRUE = {"true", "t", "yes", "y", "1", "是", "对", "真"}
_FALSE = {"false", "f", "no", "n", "0", "否", "错", "假"}
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3
#: Whole numbers this large do not fit a 64-bit integer column.
_INTEGER_LIMIT = 2.0 ** 63
#: Years a date may have: outside them a date is a typing slip or a placeholder (0000-00-00, 9999-12-31).
DATE_YEARS = (1800, 2200)


@dataclass
class _Issue:
    """Rows (positions) with one problem in one column."""

    column: str | None
    reason: str
    positions: np.ndarray
    values: pd.Series          # the offending values, aligned with positions
    message: str
    expected: str
    reject: bool               # set the rows aside (else: blank the cells, keep the rows)


def _to_str(s: pd.Series) -> pd.Series:
    """Text as pandas' ``str`` dtype (pandas 3), or object holding str/None (pandas 2)."""
    if _PANDAS3:
        return s.astype(str)
    return s.astype(object).where(s.notna(), None)


#: A clock time followed by a time zone (``10:30:00+08:00``, ``10:30Z``): the zone is dropped.
#: (Patterns without lookarounds, ``\s`` or ``\d``, so pandas can run them in pyarrow: fast.)
_TZ_SUFFIX = r"([0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?) *(?:Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)$"
#: The date part of ``2025/3/5``, ``05.03.2025``: its separators become ``-``.
_DATE_SEPARATORS = r"^([0-9]{1,4})[/.]([0-9]{1,2})[/.]([0-9]{1,4})( |T|$)"
#: An ISO date with an optional time, after normalising (read as ISO 8601).
_ISO_DATE = r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
#: A date with the year last (``03-04-2025``, after normalising): day first or month first.
_NUMERIC_DATE = r"^\d{1,2}-\d{1,2}-\d{4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$"
#: A plain ISO date in ASCII digits (``2025-03-05``): normalising leaves it as it is, and it is ISO.
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"


def _date_order(vals: pd.Series) -> str:
    """Which order the dates of a column use, from the dates themselves (text ``d-m-yyyy`` or ``m-d-yyyy``).

    ``"dayfirst"`` when some first fields exceed 12 and no second field does, ``"monthfirst"`` the other
    way round, ``"same"`` when no date could be read two ways (day and month are equal in every one),
    ``"ambiguous"`` when no field exceeds 12, ``"mixed"`` when both do (two orders in one column).
    """
    fields = vals.str.extract(r"^(\d{1,2})-(\d{1,2})-")
    first, second = (pd.to_numeric(fields[i], errors="coerce") for i in (0, 1))
    day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
    if day_first and month_first:
        return "mixed"
    if day_first or month_first:
        return "dayfirst" if day_first else "monthfirst"
    return "same" if bool((first == second).all()) else "ambiguous"


def _parse_dates(s: pd.Series, dayfirst: bool | None,
                 date_format: str | None) -> tuple[pd.Series, np.ndarray, str | None]:
    """Dates from text: year (4 digits), month and day are required; a time of day is allowed.

    A time zone is dropped and the local wall-clock date kept (``2024-03-01T01:30+08:00`` is 1 March,
    as the person who wrote it saw it). Nothing is filled in from the clock or from defaults: ``10:30``,
    ``2025``, ``2024-02`` and ``1/2/3`` are not dates.

    Dates with the year last (``03/04/2025``) are read day first or month first as ``dayfirst`` says; with
    ``dayfirst=None`` the column decides (:func:`_date_order`): a day above 12 settles it. A column where
    nothing settles it, or where both orders occur, is not guessed: those cells stay empty.

    Returns
    -------
    (dates, undecided, order)
        The dates; a mask of the cells left empty because the order was not settled; and, then, why
        (``"ambiguous"`` or ``"mixed"``), else ``None``.
    """
    undecided = np.zeros(len(s), dtype=bool)
    if date_format:
        out = pd.to_datetime(s, format=date_format, errors="coerce")
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out, undecided, None
    arr = arrow._arrow_text(s)
    if arr is not None and len(arr):
        encoded = pc.dictionary_encode(arr)
        if 0 < len(encoded.dictionary) <= _DISTINCT_SHARE * len(arr):
            return _parse_distinct_dates(s, encoded, dayfirst)
    # A plain ISO date (2025-03-05 in ASCII digits) is left as it is by the normalising and is ISO:
    # the regular expressions (some run in Python) see only the other cells.
    plain = _matches(arr, _PLAIN_DATE) if arr is not None else np.zeros(len(s), dtype=bool)
    messy = s.notna().to_numpy() & ~plain
    iso = pd.Series(plain, index=s.index)
    numeric = pd.Series(False, index=s.index)
    norm = s
    if messy.any():
        other = _normalise_dates(s[messy])
        other_iso = other.str.match(_ISO_DATE, na=False)
        other_numeric = other.str.match(_NUMERIC_DATE, na=False) & ~other_iso
        norm = other if messy.all() else s.where(~messy, other)
        iso[other_iso.index] = other_iso
        numeric[other_numeric.index] = other_numeric
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if iso.any():
        out[iso] = pd.to_datetime(norm[iso].astype(str), format="ISO8601", errors="coerce")
    unsettled = None
    if numeric.any() and dayfirst is None:
        found = _date_order(norm[numeric].astype(str))
        if found in ("ambiguous", "mixed"):
            unsettled, undecided = found, numeric.to_numpy().copy()
            numeric = pd.Series(False, index=s.index)
        dayfirst = found == "dayfirst"
    if numeric.any():  # 03/04/2025: strictly day first or month first, never a mix of both
        order = "%d-%m-%Y" if dayfirst else "%m-%d-%Y"
        vals = norm[numeric].astype(str)
        parsed = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[us]")
        for fmt in (order, order + " %H:%M", order + " %H:%M:%S", order + "T%H:%M", order + "T%H:%M:%S"):
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(vals[todo], format=fmt, errors="coerce")
        out[numeric] = parsed
    rest = norm.notna() & ~iso & ~numeric & ~undecided
    if rest.any():
        parsed = [_parse_one_date(v, bool(dayfirst)) for v in norm[rest].astype(str)]
        out[rest] = pd.to_datetime(pd.Series(parsed, index=norm[rest].index, dtype=object))
    return out, undecided, unsettled


#: A date column with at most this share of distinct values (each date written on many rows) is read
#: through its distinct values (:func:`_parse_distinct_dates`).
_DISTINCT_SHARE = 0.5


def _parse_distinct_dates(s: pd.Series, encoded: pa.DictionaryArray,
                          dayfirst: bool | None) -> tuple[pd.Series, np.ndarray, str | None]:
    """:func:`_parse_dates` of a column through its distinct values (``encoded``, the column
    dictionary-encoded): each value is read once and its date given to every cell that holds it. The
    date of a cell depends only on its text and, for the order of day and month, on which values occur in
    the column (not on how often), so the result is the same.
    """
    distinct = pd.Series(pd.array(encoded.dictionary, dtype=s.dtype))
    dates, undecided, unsettled = _parse_dates(distinct, dayfirst, None)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)  # -1 (no value): the NaT appended
    values = np.append(dates.to_numpy(), np.datetime64("NaT", "us"))
    flags = np.append(undecided, False)
    return pd.Series(values[codes], index=s.index, dtype="datetime64[us]"), flags[codes], unsettled


def _normalise_dates(s: pd.Series) -> pd.Series:
    """Date text in one layout: ``年/月/日`` and ``/`` or ``.`` separators become ``-``, a time zone goes."""
    return (s.str.replace("年", "-", regex=False).str.replace("月", "-", regex=False)
            .str.replace("日", "", regex=False).str.strip()
            .str.replace(_DATE_SEPARATORS, r"\1-\2-\3\4", regex=True)
            .str.replace(_TZ_SUFFIX, r"\1", regex=True))


def _parse_one_date(text: str, dayfirst: bool) -> pd.Timestamp | None:
    """A date in a free layout (``5 March 2025``, ``Mar 5, 2025 10:30``, ``20250305``), or None.

    Parsed twice with two different defaults: when the results differ, a part of the date (year, month
    or day) was missing and would have been invented, so it is refused. The year must be written with
    four digits. The clock is never read; a time zone is dropped, keeping the wall-clock date.
    """
    from dateutil import parser

    if not re.search(r"\d", text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = parser.parse(text, dayfirst=dayfirst, default=datetime(2000, 1, 1))
            b = parser.parse(text, dayfirst=dayfirst, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError, parser.ParserError):
        return None
    if a.date() != b.date() or f"{a.year:04d}" not in text:
        return None
    return pd.Timestamp(a.replace(tzinfo=None))


#: Removed from numbers before reading them: a leading currency sign, thousands separators, spaces.
_NUMBER_NOISE = r"^[¥￥$€£]|(?<=\d),(?=\d{3}(\D|$))|\s"
#: Text in which :data:`_NUMBER_NOISE` finds nothing (no currency sign, comma or space).
_NUMBER_PLAIN = r"^[0-9A-Za-z.+\-]*$"
#: A plain decimal number (ASCII digits, an optional decimal point, an optional minus sign). When every
#: value of a column is one, at most :data:`_PLAIN_NUMBER_LENGTH` characters long, the column is read in
#: Arrow: with at most 15 digits (an exact integer in a double) and a scale that is an exact power of
#: ten, Arrow and ``pandas.to_numeric`` both give the correctly rounded double (of either sign), so the
#: numbers are the same. A negative zero (:data:`_NEGATIVE_ZERO`) is left to pandas (``-0`` is 0.0 in a
#: column of whole numbers, -0.0 in Arrow).
_PLAIN_NUMBER = r"^-?[0-9]+([.][0-9]+)?$"
_PLAIN_NUMBER_LENGTH = 15
_NEGATIVE_ZERO = r"^-[0.]*$"


def _parse_numbers(s: pd.Series) -> pd.Series:
    """Numbers from text: a leading currency sign, thousands separators and spaces are ignored;
    anything else that is not a finite number is NA."""
    arr = arrow._arrow_text(s)
    if arr is not None:
        present = s.notna().to_numpy()
        plain = (_matches(arr, _PLAIN_NUMBER)
                 & (pc.binary_length(arr).fill_null(0).to_numpy(zero_copy_only=False) <= _PLAIN_NUMBER_LENGTH))
        if pc.any(pc.starts_with(arr, "-")).as_py():
            plain &= ~_matches(arr, _NEGATIVE_ZERO)
        if (plain | ~present).all():
            return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), index=s.index,
                             name=s.name)
        noisy = ~_matches(arr, _NUMBER_PLAIN) & present
    if arr is None or noisy.all():
        cleaned = s.str.replace(_NUMBER_NOISE, "", regex=True)
    elif noisy.any():  # the clean-up runs in Python (``re``): only on the cells that need it
        cleaned = s.where(~noisy, s[noisy].str.replace(_NUMBER_NOISE, "", regex=True))
    else:
        cleaned = s
    out = pd.to_numeric(cleaned.astype(object), errors="coerce").astype("float64")
    return out.where(np.isfinite(out))  # inf, Infinity, 1e400: not a number


def _bounds_text(spec: ColumnSpec) -> str:
    if spec.min is not None and spec.max is not None:
        return f"between {spec.min:g} and {spec.max:g}"
    if spec.min is not None:
        return f">= {spec.min:g}"
    return f"<= {spec.max:g}"


def _parse_column(raw: pd.Series, spec: ColumnSpec, table_spec: dict) -> tuple[pd.Series, list[_Issue]]:
    """Type one column; return the typed column and the issues (bad cells)."""
    issues: list[_Issue] = []
    present = raw.notna().to_numpy()
    reject = spec.required

    def issue(bad: np.ndarray, reason: str, message: str, expected: str) -> None:
        pos = np.flatnonzero(bad)
        if len(pos):
            issues.append(_Issue(spec.name, reason, pos, raw.iloc[pos], message, expected, reject))

    if spec.required:
        issue(~present, "missing value", f"no {spec.name} given; it is required", "a value")
    kind = spec.kind
    if kind == "date":
        typed, undecided, unsettled = _parse_dates(raw, table_spec.get("dayfirst"), table_spec.get("date_format"))
        fmt = table_spec.get("date_format")
        if unsettled is not None:  # never guessed: the analyst says which order the export uses
            why = ("some dates have a day above 12 in the first place and others in the second"
                   if unsettled == "mixed" else "no date in the column has a day above 12")
            issue(undecided, "ambiguous date order",
                  f"{spec.name}: dates such as {raw[undecided].iloc[0]} could be day first or month first "
                  f"({why})", "the order named in the mapping file: dayfirst: true (31/12/2025) or "
                  "dayfirst: false (12/31/2025), or a date_format")
        issue(present & ~undecided & typed.isna().to_numpy(), "unparseable date", f"{spec.name} is not a date",
              f"a date as {fmt}" if fmt else "a date such as 2025-03-31")
        years = typed.dt.year
        far = (typed.notna() & ((years < DATE_YEARS[0]) | (years > DATE_YEARS[1]))).to_numpy()
        issue(far, "date out of range", f"{spec.name} has a year outside {DATE_YEARS[0]}-{DATE_YEARS[1]}",
              f"a date in the years {DATE_YEARS[0]} to {DATE_YEARS[1]}")
        typed = typed.where(~far)
    elif kind in ("number", "integer"):
        typed = _parse_numbers(raw)
        bad = present & typed.isna().to_numpy()
        noun = "a whole number" if kind == "integer" else "a number"
        issue(bad, "not a number", f"{spec.name} is not {noun}", noun)
        if kind == "integer":
            frac = (typed.notna() & (typed % 1 != 0)).to_numpy()
            issue(frac, "not a whole number", f"{spec.name} must be a whole number", "a whole number")
            huge = (typed.abs() >= _INTEGER_LIMIT).fillna(False).to_numpy() & ~frac
            issue(huge, "out of range", f"{spec.name} is too large for a whole number",
                  f"a whole number below {_INTEGER_LIMIT:,.0f} in size")
            typed = typed.where(~(frac | huge))
        out_of_range = np.zeros(len(raw), dtype=bool)
        if spec.min is not None:
            out_of_range |= (typed < spec.min).fillna(False).to_numpy()
        if spec.max is not None:
            out_of_range |= (typed > spec.max).fillna(False).to_numpy()
        if out_of_range.any():
            below = spec.min is not None and spec.max is None and spec.min == 0
            reason = f"negative {spec.name}" if below else "out of range"
            issue(out_of_range, reason, f"{spec.name} must be {_bounds_text(spec)}",
                  f"a number {_bounds_text(spec)}")
            typed = typed.where(~out_of_range)
        if kind == "integer":
            typed = typed.round().astype("Int64")
    elif kind == "bool":
        low = raw.str.lower()
        typed = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        typed[_isin(low, _TRUE)] = True
        typed[_isin(low, _FALSE)] = False
        issue(present & typed.isna().to_numpy(), "not true/false", f"{spec.name} is not true/false",
              "true/false, yes/no, 1/0 or 是/否")
    elif kind == "period":
        parts = raw.str.extract(r"^(\d{4})(?:[-/.](\d{1,2}))?$")
        month = pd.to_numeric(parts[1], errors="coerce")
        ok = (parts[0].notna() & (parts[1].isna() | month.between(1, 12))).to_numpy()
        issue(present & ~ok, "not a period", f"{spec.name} is not a month YYYY-MM or a year YYYY",
              "a month such as 2025-03, or a year such as 2025")
        typed = (parts[0] + ("-" + month.astype("Int64").astype("string").str.zfill(2)).fillna("")).where(ok)
    elif kind == "category" and spec.allowed:
        lookup = {a.lower(): a for a in spec.allowed}
        typed = _lookup(raw.str.lower(), lookup)
        bad = present & typed.isna().to_numpy()
        issue(bad, "unknown value", f"{spec.name} has a value outside its list",
              "one of " + ", ".join(spec.allowed))
    else:  # id, text, free category
        typed = raw
    if kind in ("id", "text", "category", "period"):
        typed = _to_str(typed)
    return typed, issues
