"""The data check: what a loaded data set holds and what each topic can do with it (notebook 00).

Customer management needs three kinds of data (客户经营所需数据):

- **who the customers are** - the basic profile (基本资料: id, sign-up date, region, gender, birth date),
  their characteristics (特征: acquisition channel, member tier, account type) and business status
  (经营状况);
- **what they do** - transactions (交易: orders, revenue, cost of goods) and contacts (service calls,
  complaints, visits, campaign touches);
- **what they think** - feedback (反馈: surveys with NPS, CSAT, CES and attribute ratings).

Every function here takes a :class:`crmbook.data.Dataset` (already validated) and returns a new
DataFrame; ``plot_*`` functions draw one of them into ``ax``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from crmbook.data import SCHEMAS, Dataset
from crmbook.exercises import ChoiceExercise, ExerciseSet, NumberExercise

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DATA_KINDS",
    "TOPIC_NEEDS",
    "Need",
    "tables_overview",
    "date_coverage",
    "missing_values",
    "monthly_activity",
    "topic_readiness",
    "findings",
    "category_counts",
    "plot_monthly_activity",
    "plot_order_values",
    "plot_reconciliation",
    "exercises",
]

#: Which kind of customer data each table carries (the course's three kinds).
DATA_KINDS: dict[str, str] = {
    "customers": "who: basic profile, characteristics, business status",
    "orders": "what they do: transactions",
    "contacts": "what they do: contacts and service",
    "campaigns": "what we do: marketing campaigns",
    "campaign_members": "what we do: who was targeted, who responded",
    "costs": "what it costs: cost pools",
    "surveys": "what they think: feedback",
    "market": "the market around them: potential customers",
}


@dataclass(frozen=True)
class Need:
    """One analysis of a topic and what it needs: tables, ``table.column`` pairs, months of history."""

    topic: str
    analysis: str
    tables: tuple[str, ...] = ("customers", "orders")
    columns: tuple[str, ...] = ()
    months: int = 0


#: What each later topic needs. A topic whose needs are unmet skips that analysis and says why.
TOPIC_NEEDS: tuple[Need, ...] = (
    Need("segmentation", "RFM scores and segments"),
    Need("segmentation", "ABC classes with the two-year growth rule", months=36),
    Need("segmentation", "key accounts / agents in class A", columns=("customers.account_type",)),
    Need("segmentation", "behavioural clusters"),
    Need("segmentation", "demographic portrait: age bands", columns=("customers.birth_date",)),
    Need("segmentation", "demographic portrait: gender and region",
         columns=("customers.gender", "customers.region")),
    Need("segmentation", "penetration and market share", tables=("customers", "orders", "market"),
         columns=("customers.region",)),
    Need("lifecycle", "cohort retention and the customer lifecycle", months=12),
    Need("lifecycle", "win-back of lapsed customers with contact history",
         tables=("customers", "orders", "contacts")),
    Need("satisfaction", "NPS, CSAT and CES", tables=("customers", "surveys")),
    Need("satisfaction", "satisfaction drivers (attribute ratings)", tables=("customers", "surveys"),
         columns=("surveys.rating_*",)),
    Need("satisfaction", "satisfaction and churn", tables=("customers", "orders", "surveys"), months=12),
    Need("cost_accounting", "gross margin per customer", columns=("orders.cost_of_goods",)),
    Need("cost_accounting", "cost to serve (activity-based costing)",
         tables=("customers", "orders", "contacts", "costs")),
    Need("roi", "customer lifetime value (BG/NBD, Gamma-Gamma)", months=12),
    Need("roi", "campaign ROI and uplift against a control group",
         tables=("customers", "orders", "campaigns", "campaign_members"),
         columns=("campaign_members.group",)),
)


def _present(ds: Dataset, table: str) -> bool:
    return table in ds


def _short_source(source: str) -> str:
    """A file's name without its folder (the report names the data folder once); URLs stay whole."""
    if "://" in source:
        return source
    return Path(source).name or source


def tables_overview(ds: Dataset) -> pd.DataFrame:
    """One row per table of the data model: is it there, where from, how many rows were read and used.

    Returns
    -------
    DataFrame
        ``table, kind, required, present, source, rows_read, rows_used, rows_rejected, columns`` where
        ``source`` is the file name (or the URL, without password, or the SQL table), ``columns`` counts the schema columns found out of those the schema knows. Rows read always equal
        rows used plus rows rejected.
    """
    counts = ("rows_read", "rows_used", "rows_rejected")
    recon = {line[0]: line[1:] for line in ds.reconciliation()[["table", *counts]].itertuples(index=False)}
    # (a dict of tuples: three .loc look-ups per table cost more than the rest of the function)
    rows = []
    for name, schema in SCHEMAS.items():
        present = _present(ds, name)
        found = [c.name for c in schema.columns if present and c.name in ds[name].columns]
        read, used, rejected = recon.get(name, (0, 0, 0))
        rows.append({
            "table": name,
            "kind": DATA_KINDS.get(name, ""),
            "required": schema.required,
            "present": present,
            "source": _short_source(ds.sources.get(name, "")) if present else "",
            "rows_read": int(read),
            "rows_used": int(used),
            "rows_rejected": int(rejected),
            "columns": f"{len(found)} of {len(schema.columns)}" if present else "",
        })
    return pd.DataFrame(rows)


def date_coverage(ds: Dataset) -> pd.DataFrame:
    """First and last date of each dated table, and the months between them.

    Returns
    -------
    DataFrame
        ``table, column, first, last, months`` for each present table with an event date; ``months`` is
        the number of calendar months touched (Jan 2024 .. Mar 2024 = 3).
    """
    rows = [span for name in SCHEMAS if (span := _date_span(ds, name)) is not None]
    return pd.DataFrame(rows, columns=["table", "column", "first", "last", "months"])


def _date_span(ds: Dataset, name: str) -> dict[str, object] | None:
    """One row of :func:`date_coverage` for table ``name``; None when it has no dated rows."""
    col = SCHEMAS[name].event_date
    if col is None or not _present(ds, name) or col not in ds[name].columns:
        return None
    dates = ds[name][col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        dates = pd.to_datetime(dates)
    first, last = dates.min(), dates.max()  # both skip missing dates
    if pd.isna(first):
        return None
    months = (last.year - first.year) * 12 + (last.month - first.month) + 1
    return {"table": name, "column": col, "first": first.date(), "last": last.date(), "months": int(months)}


def missing_values(ds: Dataset, tables: Iterable[str] | None = None) -> pd.DataFrame:
    """Missing values per column of the present tables.

    A schema column absent from the file is listed with ``status = "column absent"``; a present column
    with gaps gets its count and share of missing values.

    Returns
    -------
    DataFrame
        ``table, column, required, status, missing, missing_share`` (share in 0..1), sorted by table order
        of the data model, then column order.
    """
    rows = []
    for name in tables or SCHEMAS:
        if not _present(ds, name):
            continue
        frame = ds[name]
        schema = SCHEMAS[name]
        known = [s.name for s in schema.columns]
        extra = [c for c in frame.columns if schema.column(c) is not None and c not in set(known)]
        columns = known + extra
        missing = _missing_counts(frame, [c for c in columns if c in frame.columns])
        for col in columns:
            spec = schema.column(col)
            if col not in frame.columns:
                rows.append({"table": name, "column": col, "required": spec.required,
                             "status": "column absent", "missing": len(frame), "missing_share": 1.0})
                continue
            n_missing = missing[col]
            rows.append({"table": name, "column": col, "required": spec.required,
                         "status": "complete" if n_missing == 0 else "gaps",
                         "missing": n_missing,
                         "missing_share": n_missing / len(frame) if len(frame) else 0.0})
    return pd.DataFrame(rows, columns=["table", "column", "required", "status", "missing", "missing_share"])


def _missing_counts(frame: pd.DataFrame, columns: list[str]) -> dict[str, int]:
    """Missing values per column: empty cells, and in text columns also text that is blank once stripped.

    All text columns are stacked and stripped at once (one pass instead of one per column).
    """
    counts = {col: int(n) for col, n in frame.isna().sum().items()}
    # the test is on the column, not its dtype: a category column of text counts as text
    text = [c for c in columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if text:
        stacked = pd.concat([frame[c] for c in text], ignore_index=True)
        blank = stacked.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        for col, n in zip(text, blank.reshape(len(text), len(frame)).sum(axis=1), strict=True):
            counts[col] += int(n)
    return counts


def monthly_activity(orders: pd.DataFrame, *, date_col: str = "order_date", revenue_col: str = "revenue",
                     customer_col: str = "customer_id") -> pd.DataFrame:
    """Orders, active customers and revenue per calendar month.

    Returns
    -------
    DataFrame
        ``month`` (Period[M]), ``orders``, ``customers`` (distinct buyers), ``revenue``; every month between
        the first and the last order appears, empty months with zeros.
    """
    if orders.empty:
        return pd.DataFrame(columns=["month", "orders", "customers", "revenue"])
    month = pd.to_datetime(orders[date_col]).dt.to_period("M").rename("month")
    by_month = orders.groupby(month)
    table = pd.DataFrame({"orders": by_month.size(), "customers": by_month[customer_col].nunique(),
                          "revenue": by_month[revenue_col].sum()})
    full = pd.period_range(table.index.min(), table.index.max(), freq="M", name="month")
    return table.reindex(full, fill_value=0).reset_index()


#: Customer columns whose value counts the data check shows.
PROFILE_COLUMNS = ("acquisition_channel", "region", "gender", "member_tier", "account_type")


def category_counts(customers: pd.DataFrame, columns: Iterable[str] = PROFILE_COLUMNS) -> pd.DataFrame:
    """How customers spread over the values of their category columns.

    Columns absent from ``customers`` are skipped; missing values are counted as ``"(missing)"``.

    Returns
    -------
    DataFrame
        ``column, value, customers, share`` (share of all customers, 0..1), most frequent value first
        within each column.
    """
    import numpy as np

    names, values, counts = [], [], []
    for col in columns:
        if col not in customers.columns:
            continue
        found = customers[col].astype("string").fillna("(missing)").value_counts()
        names += [col] * len(found)
        values += found.index.astype(str).tolist()
        counts.append(found.to_numpy())
    if not counts:
        return pd.DataFrame(columns=["column", "value", "customers", "share"])
    n = np.concatenate(counts)
    # text columns typed as pandas types text (``str``), also when there are no customers
    return pd.DataFrame({"column": pd.Series(names, dtype=object).astype(str),
                         "value": pd.Series(values, dtype=object).astype(str),
                         "customers": n, "share": n / max(len(customers), 1)})


def topic_readiness(ds: Dataset, needs: Iterable[Need] = TOPIC_NEEDS) -> pd.DataFrame:
    """What each later topic can and cannot do with this data.

    An analysis is ready when its tables are present, its ``table.column`` columns hold at least one value
    (``rating_*`` means any column of that family) and the orders span at least ``months`` calendar months.

    Returns
    -------
    DataFrame
        ``topic, analysis, ready`` (bool), ``reason`` (what is missing, in one sentence; empty when ready).
    """
    orders = _date_span(ds, "orders")
    history = orders["months"] if orders is not None else 0
    rows = []
    for need in needs:
        missing: list[str] = []
        absent_tables = [t for t in need.tables if not _present(ds, t)]
        if absent_tables:
            missing.append("no " + ", ".join(absent_tables) + " table")
        for ref in need.columns:
            table, col = ref.split(".", 1)
            if table in absent_tables or not _present(ds, table):
                continue
            frame = ds[table]
            cols = [c for c in frame.columns if c.startswith(col[:-1])] if col.endswith("*") else [col]
            if not any(c in frame.columns and frame[c].notna().any() for c in cols):
                missing.append(f"no {ref} values")
        if need.months and history < need.months:
            missing.append(f"orders cover {history} months, {need.months} needed")
        rows.append({"topic": need.topic, "analysis": need.analysis, "ready": not missing,
                     "reason": "; ".join(missing)})
    return pd.DataFrame(rows, columns=["topic", "analysis", "ready", "reason"])


def findings(ds: Dataset, *, currency: str = "") -> list[str]:
    """Plain-language findings of the data check, one sentence each, computed from ``ds``.

    They say whether the data can be used, how many rows were set aside and why (the top reasons), which
    optional tables are absent, how much history the orders cover and which analyses of later topics will
    be skipped.
    """
    out: list[str] = []
    recon = ds.reconciliation()
    read, used = int(recon["rows_read"].sum()), int(recon["rows_used"].sum())
    rejected = read - used
    if not ds.usable:
        out.append("**The data cannot be used yet**: fix the errors listed above and run the check again.")
    if rejected:
        by_reason = ds.rejected_by_reason()
        count_col = "rows" if "rows" in by_reason.columns else by_reason.columns[-1]
        top = by_reason.sort_values(count_col, ascending=False).head(3)
        reasons = "; ".join(f"{r.table}: {r.reason} ({int(getattr(r, count_col))})" for r in top.itertuples())
        out.append(f"{rejected:,} of {read:,} rows ({rejected / read:.1%}) were set aside; the main reasons: "
                   f"{reasons}. Fix them at the source, or accept that the analyses leave them out.")
    else:
        out.append(f"All {read:,} rows read are usable: nothing was set aside.")
    if ds.absent:
        out.append("Optional tables absent: " + ", ".join(ds.absent) +
                   ". The sections that need them are skipped, with a note, in the later topics.")
    span = _date_span(ds, "orders")
    if span is not None:
        out.append(f"Orders run from {span['first']} to {span['last']} ({span['months']} months).")
    if ds.usable:
        orders = ds["orders"]
        total = float(orders["revenue"].sum())
        out.append(f"{len(ds['customers']):,} customers and {len(orders):,} orders are usable, with revenue "
                   f"of {total:,.0f} {currency}".rstrip() + ".")
        ready = topic_readiness(ds)
        blocked = ready[~ready["ready"]]
        if blocked.empty:
            out.append("Every analysis of the later topics has the data it needs.")
        else:
            out.append(f"{len(blocked)} of {len(ready)} analyses of the later topics lack data: " +
                       "; ".join(f"{r.topic} / {r.analysis} ({r.reason})" for r in blocked.itertuples()) + ".")
    return out


def _drop_hidden_minor_ticks(axis) -> None:
    """Remove the minor ticks of a log or symlog ``axis`` when none of them would show.

    Log scales place up to eight minor ticks per decade, and matplotlib builds and lays out a tick
    (mark, grid line, label) for each at every draw even when all of it is hidden: the crmbook theme
    draws no tick marks (``xtick.bottom`` off) and no minor grid, and minor labels are blank unless the
    axis spans about a decade or less. On the order-value chart that was a quarter of its drawing
    time. Minor ticks that show anything are kept. Call this after the last artist is added: whether
    minor labels show depends on the axis limits.
    """
    from matplotlib.ticker import NullLocator

    locs = axis.get_minorticklocs()
    if not len(locs):
        return
    tick = axis.get_minor_ticks(1)[0]
    if tick.tick1line.get_visible() or tick.tick2line.get_visible() or tick.gridline.get_visible():
        return
    if (tick.label1.get_visible() or tick.label2.get_visible()) and any(
            axis.get_minor_formatter().format_ticks(locs)):
        return
    axis.set_minor_locator(NullLocator())


def plot_monthly_activity(activity: pd.DataFrame, *, currency: str = "", ax: Axes | None = None) -> Axes:
    """Bars of monthly revenue with the number of active customers as a line on a second axis."""
    from crmbook.plots import finish, get_ax, money_formatter

    ax = get_ax(ax, figsize=(9, 4))
    labels = activity["month"].astype(str).tolist()
    # bars at positions 0..n-1 with the months as tick labels: what a categorical axis of month
    # names draws, without matplotlib's per-label category bookkeeping
    positions = range(len(labels))
    ax.bar(positions, activity["revenue"], color="#4c72b0", label="revenue")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    step = max(1, len(labels) // 12)
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    twin = ax.twinx()
    twin.plot(positions, activity["customers"], color="#dd8452", marker=".", label="active customers")
    twin.set_ylabel("Active customers")
    twin.grid(False)
    ax.figure.legend(loc="upper left", bbox_to_anchor=(0.1, 0.9))
    return finish(ax, "Revenue and active customers per month", "Month",
                  f"Revenue ({currency})" if currency else "Revenue")


def plot_order_values(orders: pd.DataFrame, *, revenue_col: str = "revenue", currency: str = "",
                      ax: Axes | None = None) -> Axes:
    """Histogram of order values on a log scale (order values are skewed: a few orders are very large)."""
    import numpy as np

    from crmbook.plots import finish, get_ax, number_formatter

    ax = get_ax(ax, figsize=(8, 3.5))
    values = orders[revenue_col].astype(float)
    positive = values[values > 0]
    if positive.empty:
        ax.text(0.5, 0.5, "no order with positive revenue", ha="center", transform=ax.transAxes)
    else:
        # widen the edges a little so the smallest and largest orders fall inside the outer bins
        bins = np.logspace(np.log10(positive.min() * 0.999), np.log10(positive.max() * 1.001), 40)
        ax.hist(positive, bins=bins, color="#4c72b0")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(number_formatter())
        median = positive.median()
        ax.axvline(median, color="#c44e52", linestyle="--", label=f"median {median:,.0f}")
        ax.legend()
        _drop_hidden_minor_ticks(ax.xaxis)
    unit = f" ({currency}, log scale)" if currency else " (log scale)"
    return finish(ax, "How large are orders?", "Order value" + unit, "Orders")


def plot_reconciliation(overview: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Stacked bars of rows used and rows rejected per present table (from :func:`tables_overview`)."""
    from crmbook.plots import finish, get_ax, number_formatter

    ax = get_ax(ax, figsize=(8, 3.5))
    shown = overview[overview["present"]]
    # bars at positions 0..n-1 labelled with the table names: what a categorical axis draws
    positions = range(len(shown))
    ax.barh(positions, shown["rows_used"], color="#55a868", label="used")
    ax.barh(positions, shown["rows_rejected"], left=shown["rows_used"], color="#c44e52", label="rejected")
    ax.set_xscale("symlog")
    ax.xaxis.set_major_formatter(number_formatter())  # 10, 100, 1k rather than 10^1, 10^2, 10^3
    ax.set_yticks(positions, shown["table"].tolist())  # after set_xscale: it fixes the margins
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    _drop_hidden_minor_ticks(ax.xaxis)
    return finish(ax, "Rows read per table: used and set aside", "Rows (log scale)", None)


def exercises(ds: Dataset) -> ExerciseSet:
    """The exercises of notebook 00, with answers computed from ``ds``.

    - ``q1``: how many orders can the analysis use?
    - ``q2``: average number of usable orders per customer who bought at least once.
    - ``q3``: which table holds feedback (the NPS answer of a customer)?
    """
    def orders_used() -> int:
        return len(ds["orders"])

    def orders_per_buyer() -> float:
        orders = ds["orders"]
        return len(orders) / orders["customer_id"].nunique()

    return ExerciseSet(
        q1=NumberExercise(
            "Exercise 1", "How many orders can the analysis use (rows read minus rows set aside)?",
            orders_used, rel_tol=0.0, abs_tol=0.5,
            hint="look at the reconciliation table: rows_used of the orders table.",
            solution="len(ds['orders'])  # or the rows_used column of ds.reconciliation()"),
        q2=NumberExercise(
            "Exercise 2", "On average, how many usable orders did each buying customer place?",
            orders_per_buyer, rel_tol=0.01,
            hint="divide the number of usable orders by the number of distinct customer_id values in orders.",
            solution="len(ds['orders']) / ds['orders']['customer_id'].nunique()"),
        q3=ChoiceExercise(
            "Exercise 3", "In which table would you find what a customer thinks of us (their NPS answer)?",
            "surveys", choices=tuple(SCHEMAS),
            hint="feedback is the third kind of customer data, beside profile and transactions.",
            solution="surveys: one row per survey response, with nps, csat, ces and rating_* columns."),
    )
