"""Tables for readers: column kinds, human labels in the report language, formatting, group summaries.

Every column a report shows has a **kind** that decides how its values look — ``money`` (thousands
separators, the currency in the header), ``share`` (a percentage), ``count`` and ``days`` (whole numbers),
``number`` (two decimals), ``score`` (a small integer), ``date``, ``bool`` (yes/no, 是/否) and ``text``
(left-aligned) — and a **label** in each report language. Kinds and labels are declared, not guessed
from names: the shared declarations are in ``crmbook/text/columns.yaml``; a topic package adds its own in
its ``text/columns.yaml`` and passes ``package=`` (topics wrap this as their ``table()`` function). A
column declared nowhere (a data value used as a column, such as a channel name) keeps its name and gets
its kind from its type.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from crmbook.context import LANGUAGES, Context, require_languages
from crmbook.csv_writer import write_csv
from crmbook.data.schemas import PERSONAL_COLUMNS
from crmbook.language import catalogue, package_yaml
from crmbook.outputs import link, output_dir

__all__ = ["KINDS", "Column", "columns", "column", "format_table", "group_summary", "require_columns",
           "save_full_list", "without_formulas", "map_distinct", "FORMULA_PREFIXES"]

#: The kinds of column and the format of each (``None``: shown as is).
KINDS: dict[str, str | None] = {
    "money": "{:,.0f}", "share": "{:.1%}", "count": "{:,.0f}", "days": "{:,.0f}", "number": "{:,.2f}",
    "score": "{:.0f}", "date": None, "bool": None, "text": None,
}

_YES_NO = {"en": ("yes", "no"), "zh": ("是", "否")}


class Column:
    """A declared column: its kind and its label per language (``Column("money", {"en": "Revenue", ...})``)."""

    __slots__ = ("kind", "labels")

    def __init__(self, kind: str, labels: Mapping[str, str]) -> None:
        if kind not in KINDS:
            raise ValueError(f"column kind must be one of {', '.join(KINDS)}, got {kind!r}")
        require_languages(labels, f"column label {dict(labels)!r}")
        self.kind = kind
        self.labels = dict(labels)

    def __repr__(self) -> str:
        return f"Column({self.kind!r}, {self.labels!r})"

    def header(self, ctx: Context) -> str:
        """The header in ``ctx``'s language, with the currency for money (``"Revenue (CNY)"``)."""
        label = self.labels[ctx.language]
        return ctx.unit(label) if self.kind == "money" else label


class _ReaderTable(Styler):
    """A ``Styler`` whose plain-text form is the table itself, not an object address that changes per run."""

    def __repr__(self) -> str:
        return self.data.to_string(index=False, max_rows=20)


def _read_columns(package: str) -> dict[str, Column]:
    source = resources.files(package) / "text" / "columns.yaml"
    if not source.is_file():
        return {}
    tree = package_yaml(source.read_text(encoding="utf-8")) or {}
    out = {}
    for name, spec in tree.items():
        if not isinstance(spec, Mapping) or "kind" not in spec:
            raise ValueError(f"{package}/text/columns.yaml: {name!r} needs a kind and a label per language")
        out[str(name)] = Column(spec["kind"], {k: str(v) for k, v in spec.items() if k != "kind"})
    return out


@functools.cache
def columns(package: str | None = None) -> Mapping[str, Column]:
    """The declared columns: the shared ones, overridden and extended by ``package``'s."""
    out = dict(_read_columns("crmbook"))
    if package:
        out.update(_read_columns(package))
    return out


def _kind_of(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_integer_dtype(values):
        return "count"
    if pd.api.types.is_numeric_dtype(values):
        known = values.dropna()
        whole = len(known) > 0 and bool((known % 1 == 0).all())
        return "count" if whole else "number"  # a whole-number float (14000.0) shows no decimals
    return "text"


def column(name: Any, ctx: Context, *, package: str | None = None) -> Column:
    """The declaration of column ``name`` (an undeclared one: its own name, kind ``text``)."""
    found = columns(package).get(str(name))
    return found if found is not None else Column("text", {lang: str(name) for lang in LANGUAGES})


def format_table(table: pd.DataFrame, ctx: Context, *, package: str | None = None,
                 kinds: Mapping[str, str] | None = None, index: bool = False, max_rows: int | None = None,
                 full_list: str | None = None):
    """A pandas ``Styler`` showing ``table`` to a reader in ``ctx``'s language (the frame is not changed).

    Headers become the declared labels (money with the currency), values are formatted by kind, text is
    left-aligned, booleans read yes/no (是/否) and missing values ``-``; values and headers are escaped, so
    data is shown as text, never read as HTML. The table's HTML ids derive from
    its content, so the same table gives the same HTML on every run.

    Parameters
    ----------
    table : DataFrame
        The table to show.
    ctx : Context
        Language and currency.
    package : str, optional
        The topic package whose ``text/columns.yaml`` adds to the shared declarations.
    kinds : mapping, optional
        Column -> kind, overriding the declarations for this table only.
    index : bool
        Show the index (default: hidden).
    max_rows : int, optional
        Show only the first rows; when rows are left out a caption says so: "20 of 1,234 rows shown".
    full_list : str, optional
        Where the whole list is (the link :func:`save_full_list` returns): the caption adds "the whole
        list is in <file>", linked.
    """
    declared = columns(package)
    t = table if max_rows is None else table.head(int(max_rows))
    t = t.copy()
    yes, no = _YES_NO[ctx.language]
    headers: dict[Any, str] = {}
    fmt: dict[str, Any] = {}
    left: list[str] = []
    for name in t.columns:
        spec = declared.get(str(name))
        kind = (kinds or {}).get(str(name)) or (spec.kind if spec else _kind_of(t[name]))
        header = spec.header(ctx) if spec else str(name)
        if kind == "money" and not spec:
            header = ctx.unit(header)
        headers[name] = header
        if kind == "bool":
            t[name] = t[name].map(lambda v: "-" if pd.isna(v) else (yes if bool(v) else no)).astype(object)
            left.append(header)
        elif kind == "date":
            t[name] = pd.to_datetime(t[name], errors="coerce").dt.strftime("%Y-%m-%d")
        elif kind == "text":
            left.append(header)
        elif pd.api.types.is_numeric_dtype(t[name]) and KINDS[kind]:
            fmt[header] = KINDS[kind]
    t = t.rename(columns=headers)
    if len(set(t.columns)) < len(t.columns):  # two columns with one label: keep the names apart
        t.columns = [f"{h} [{n}]" if list(headers.values()).count(h) > 1 else h for n, h in headers.items()]
    # every value and header is text: a region called "<b>East</b>" is shown, not interpreted
    styler = _ReaderTable(t).format({k: v for k, v in fmt.items() if k in t.columns}, na_rep="-", escape="html")
    styler = styler.format_index(escape="html", axis=1)
    # ids from the content, not random: a report (and a notebook's stored output) is the same on every run
    styler = styler.set_uuid(hashlib.sha1(t.to_csv().encode("utf-8")).hexdigest()[:10])
    present = [c for c in left if c in t.columns]
    if present:
        styler = styler.set_properties(subset=present, **{"text-align": "left"})
        styler = styler.set_table_styles({c: [{"selector": "th.col_heading", "props": "text-align: left;"}]
                                          for c in present}, overwrite=False)
    if max_rows is not None and len(table) > len(t):
        texts = catalogue("crmbook")
        caption = texts.say("table.rows_shown", ctx.language, shown=f"{len(t):,}", total=f"{len(table):,}")
        if full_list:
            where = f'<a href="{html.escape(full_list)}">{html.escape(full_list.rsplit("/", 1)[-1])}</a>'
            caption += texts.say("table.whole_list", ctx.language, escape=False, file=where)
        styler = styler.set_caption(caption)
    return styler if index else styler.hide(axis="index")


#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): ``=``, ``+``,
#: ``-``, ``@``, tab and carriage return.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def map_distinct(values: pd.Series, fn: Callable[[Any], Any], *, na_action: str | None = None) -> pd.Series:
    """``values.map(fn, na_action=na_action)``, with ``fn`` called once per distinct value instead of once
    per row: the same values, index, name and dtype (the distinct values are mapped by ``Series.map``
    itself, then spread to the rows). For a long column of a few codes (a segment or a stage per customer)
    that is a few calls instead of a million.

    Only text columns and NumPy boolean or integer columns (and short ones) take this path: in a column
    of mixed objects, values that a hash table holds equal (``1``, ``1.0``, ``True``) could map
    differently, so such a column is mapped row by row as before.
    """
    if len(values) < 256:
        return values.map(fn, na_action=na_action)
    plain = isinstance(values.dtype, np.dtype) and values.dtype.kind in "biu"
    distinct = values.drop_duplicates()
    if not plain and pd.api.types.infer_dtype(distinct, skipna=True) not in ("string", "empty"):
        return values.map(fn, na_action=na_action)
    mapped = distinct.map(fn, na_action=na_action)
    out = mapped.iloc[pd.Index(distinct).get_indexer(values)]
    out.index = values.index
    return out


def without_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` that a spreadsheet cannot run: text cells starting with a formula character get a
    leading ``'`` (OWASP's advice for CSV exports), so ``=HYPERLINK(...)`` in a name is shown, not followed.

    Only text cells change: numbers stay numbers (``-3`` is a number in a numeric column, not text), and a
    text that does not start with one of :data:`FORMULA_PREFIXES` is written as it is.
    """
    out = table.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col) or \
                pd.api.types.is_bool_dtype(col):
            continue
        if isinstance(col.dtype, pd.StringDtype):  # text (or missing) in every cell: one vectorised test
            risky = col.str.startswith(FORMULA_PREFIXES)
        else:
            risky = map_distinct(col, lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES),
                                 na_action="ignore")
        risky = risky.fillna(False).astype(bool)
        if risky.any():
            out[name] = col.astype(object).where(~risky, "'" + col[risky].astype(str))
    return out


def save_full_list(table: pd.DataFrame, name: str, *, mask_personal: bool = True) -> str | None:
    """Write the whole of a long list as ``<name>.csv`` beside the report; return its link (or None).

    In a ``crmbook run`` the file goes to the report's folder in the run folder
    (:func:`crmbook.outputs.output_dir`) and moves with the run; outside a run nothing is written and the
    result is None (the report then says only how many rows are shown). With ``mask_personal`` (the
    notebooks' parameter, default) the personal columns (``name``, ``phone``, ``email``) are left out, so
    customers are named by their ids only.

    Parameters
    ----------
    table : DataFrame
        The whole list (not changed).
    name : str
        File name without ``.csv``: letters, digits, ``_`` and ``-``.
    mask_personal : bool
        Leave out personal columns.

    Returns
    -------
    str or None
        The relative link for :func:`format_table`'s ``full_list`` (``"00_data_check_files/rejected_rows.csv"``).
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", str(name)):
        raise ValueError(f"save_full_list: name must be letters, digits, _ or -, got {name!r}")
    require_columns(table, name, [])
    folder = output_dir()
    if folder is None:
        return None
    keep = [c for c in table.columns if not (mask_personal and str(c) in PERSONAL_COLUMNS)]
    path = folder / f"{name}.csv"
    frame = without_formulas(table[keep])
    if os.linesep == "\n":  # the bytes of to_csv below, written in Arrow (a million rows: ~1 s, not ~20 s)
        write_csv(frame, path)
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    return link(path)


def require_columns(df: pd.DataFrame, table: str, names: Sequence[str]) -> None:
    """Fail early, in plain words, when ``df`` is not a DataFrame or lacks one of ``names`` (``table`` names it)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{table}: a pandas DataFrame was expected, got {type(df).__name__}")
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ValueError(f"{table}: column(s) {', '.join(map(repr, missing))} missing; "
                         f"found {', '.join(map(str, df.columns))}")


def group_summary(assignments: pd.DataFrame, *, group_col: str, order: Sequence[str] | None = None,
                  revenue_col: str = "monetary") -> pd.DataFrame:
    r"""Size and revenue share of each group, in the given order.

    .. math:: \text{customer share}_g = \frac{n_g}{n}, \qquad
              \text{revenue share}_g = \frac{\sum_{i \in g} M_i}{\sum_i M_i}

    Parameters
    ----------
    assignments : DataFrame
        One row per customer with ``group_col`` and ``revenue_col``; ``recency_days`` and ``frequency``
        are averaged when present.
    group_col : str
        The grouping column (segment, class, quadrant ...).
    order : sequence of str, optional
        Row order; groups not listed follow, largest first. ``None``: largest first.
    revenue_col : str
        The money column summed per group.

    Returns
    -------
    DataFrame
        ``<group_col>`` renamed ``segment``, then ``customers, customer_share, revenue, revenue_share,
        revenue_per_customer`` and, when available, ``mean_recency_days, mean_frequency``; shares are
        fractions (0-1).
    """
    require_columns(assignments, "assignments", [group_col, revenue_col])
    a = assignments
    g = a.groupby(group_col, observed=True)
    out = pd.DataFrame({"customers": g.size(), "revenue": g[revenue_col].sum().astype(float)})
    total_rev = float(a[revenue_col].sum())
    out["customer_share"] = out["customers"] / len(a)
    out["revenue_share"] = out["revenue"] / total_rev if total_rev else np.nan
    out["revenue_per_customer"] = out["revenue"] / out["customers"]
    if "recency_days" in a.columns:
        out["mean_recency_days"] = g["recency_days"].mean()
    if "frequency" in a.columns:
        out["mean_frequency"] = g["frequency"].mean()
    ranked = out.sort_values("customers", ascending=False, kind="stable").index.tolist()
    if order is not None:
        listed = [s for s in order if s in out.index]
        ranked = listed + [s for s in ranked if s not in set(listed)]
    out = out.loc[ranked]
    out.index.name = "segment"
    cols = ["customers", "customer_share", "revenue", "revenue_share", "revenue_per_customer"]
    cols += [c for c in ("mean_recency_days", "mean_frequency") if c in out.columns]
    return out[cols].reset_index()
