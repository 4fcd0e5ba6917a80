r"""ABC classes as taught in the course (ABC 分类), and the Pareto curve of revenue.

- **A**: the top ``top_share`` of buying customers by annual revenue :math:`y_0`, plus every key account
  or agent;
- **B**: customers who grew by at least ``growth`` in each of the last two years,
  :math:`y_1 \ge (1+g)\,y_2` and :math:`y_0 \ge (1+g)\,y_1` with :math:`y_2 > 0`, **and** show high
  cooperation and loyalty (合作度高、忠诚度高), read from the data (:func:`abc_classes`: regular ordering,
  and satisfaction and complaints where surveys and contacts exist);
- **C**: everyone else.

:math:`y_0, y_1, y_2` are the revenues of the 12-month windows ending at ``as_of``
(:meth:`crmbook.facts.CustomerFacts.yearly_revenue`). Each customer's class comes with a *reason code*
(``abc_reason``); the words for it are in the package's text catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import as_date
from crmbook.facts import CustomerFacts, year_window
from crmbook.playbook import load_playbook
from crmbook.positions import order_rows
from crmbook.tables import require_columns

from .rfm import segment_summary

__all__ = [
    "ABC_TOP_SHARE",
    "ABC_GROWTH",
    "ABC_KEY_ACCOUNT_TYPES",
    "ABC_MAX_GAP_DAYS",
    "ABC_MIN_CSAT",
    "ABC_PLAYBOOK",
    "ABC_REASONS",
    "yearly_revenue",
    "abc_classes",
    "pareto_curve",
    "top_share_revenue",
    "abc_windows",
    "abc_summary",
    "abc_reasons",
    "abc_exercise_table",
]

#: ABC: share of customers (ranked by annual revenue) that form class A.
ABC_TOP_SHARE = 0.2
#: ABC: minimum year-on-year revenue growth, in each of the last two years, for class B.
ABC_GROWTH = 0.10
#: ABC: ``account_type`` values that are always class A (key accounts and agents, 大客户与代理商).
ABC_KEY_ACCOUNT_TYPES: tuple[str, ...] = ("key_account", "agent")
#: The ABC playbook (``playbooks/abc.yaml``): label and strategy per class.
ABC_PLAYBOOK = load_playbook("crmbook.segmentation", "abc")
#: ABC, loyalty half of B: the longest gap allowed between two orders (and from the last order to ``as_of``)
#: in the three years, in days: 365 = the customer never let a whole year pass without ordering (the
#: course's "high cooperation and loyalty" read from the orders as regular ordering). On the sample, where
#: consumers order a few times a year, 180 days would leave class B empty.
ABC_MAX_GAP_DAYS = 365
#: ABC, loyalty half of B (when surveys exist): the lowest acceptable latest satisfaction ``csat`` (1-5).
ABC_MIN_CSAT = 3
#: Reason codes of :func:`abc_classes`, in the order the rules are tried.
ABC_REASONS: tuple[str, ...] = ("top_revenue", "key_account", "key_account_dormant", "growth", "growth_not_loyal",
                                "rest", "no_revenue")


def yearly_revenue(facts: CustomerFacts, *, years: int = 3) -> pd.DataFrame:
    r"""Revenue per buying customer in consecutive 12-month windows ending at ``as_of`` (a copy of
    :meth:`crmbook.facts.CustomerFacts.yearly_revenue`).

    ``revenue_y0`` = revenue with :math:`\text{as\_of} - 12\,\text{months} < \text{date} \le
    \text{as\_of}` (the *annual revenue*); ``revenue_y1`` the 12 months before; and so on.

    Returns
    -------
    DataFrame
        ``customer_id, revenue_y0, revenue_y1, ...``, sorted by id.
    """
    return facts.yearly_revenue(years).copy()


def _loyalty(facts: CustomerFacts, ids: pd.Series, *, max_gap_days: int | None, surveys: pd.DataFrame | None,
             contacts: pd.DataFrame | None, min_csat: float) -> tuple[pd.Series, pd.Series, list[str]]:
    """The loyalty proxy of class B for each of ``ids``: (loyal, longest gap in days, the evidence used)."""
    as_of = facts.as_of
    loyal = pd.Series(True, index=ids.index)
    gap = pd.Series(np.nan, index=ids.index)
    used: list[str] = []
    # customers as integer positions in ``facts.customers`` (no sort, groupby or isin on text ids)
    index = facts.customer_index
    at = index.get_indexer(ids)
    known = at >= 0

    def per_id(values: np.ndarray, missing: Any) -> np.ndarray:
        return np.where(known, values[np.where(known, at, 0)], missing)

    if max_gap_days is not None:
        start = year_window(as_of, 2)[0]
        after = (facts.orders["order_date"] > start).to_numpy()
        o = facts.orders.loc[after, ["customer_id", "order_date"]]
        code = order_rows(facts)[after]
        dates = o["order_date"].to_numpy()
        order = np.lexsort((dates, code))  # by customer, then date; stable as the sort by id and date was
        code, dates = code[order], dates[order]
        between = pd.Series(dates).diff().dt.days.where(pd.Series(code).eq(pd.Series(code).shift()))
        longest = between.groupby(code).max()
        to_end = (as_of - pd.Series(dates).groupby(code).max()).dt.days
        longest = pd.concat([longest, to_end], axis=1).max(axis=1)
        every = np.full(len(index), np.nan)
        every[longest.index.to_numpy()] = longest.to_numpy(float)
        gap = pd.Series(per_id(every, np.nan), index=ids.index, name=ids.name).astype(float)
        loyal &= gap.le(max_gap_days).fillna(False)
        used.append("order_gap")
    if surveys is not None and {"customer_id", "response_date", "csat"} <= set(surveys.columns):
        sv = surveys[["customer_id", "response_date", "csat"]].dropna()
        sv = sv.assign(customer_id=sv["customer_id"].astype(str),
                       response_date=pd.to_datetime(sv["response_date"], errors="coerce"))
        sv = sv[sv["response_date"] <= as_of]
        code = index.get_indexer(sv["customer_id"])
        mine = np.flatnonzero(code >= 0)  # answers of other ids are never looked up
        mine = mine[np.lexsort((sv["response_date"].to_numpy()[mine], code[mine]))]
        latest = sv["csat"].iloc[mine].groupby(code[mine]).last()
        answered = latest.reindex(np.where(known, at, -1))
        answered.index = ids.index
        loyal &= ~answered.lt(min_csat).fillna(False)  # no answer is no evidence against
        used.append("satisfaction")
    if contacts is not None and {"customer_id", "contact_date", "type"} <= set(contacts.columns):
        ct = contacts[["customer_id", "contact_date", "type"]]
        dates = pd.to_datetime(ct["contact_date"], errors="coerce")
        start, end = year_window(as_of, 0)
        recent = ct[(ct["type"].astype(str) == "complaint") & (dates > start) & (dates <= end)]
        complained = np.zeros(len(index), dtype=bool)
        code = index.get_indexer(recent["customer_id"].astype(str))
        complained[code[code >= 0]] = True
        loyal &= ~pd.Series(per_id(complained, False).astype(bool), index=ids.index)
        used.append("complaints")
    return loyal, gap, used


def abc_classes(facts: CustomerFacts, *, top_share: float = ABC_TOP_SHARE, growth: float = ABC_GROWTH,
                key_account_col: str | None = "account_type",
                key_account_types: Iterable[str] = ABC_KEY_ACCOUNT_TYPES,
                max_gap_days: int | None = ABC_MAX_GAP_DAYS, surveys: pd.DataFrame | None = None,
                contacts: pd.DataFrame | None = None, min_csat: float = ABC_MIN_CSAT) -> pd.DataFrame:
    r"""ABC classes as taught in the course (first rule that applies wins).

    - **A** - the top ``top_share`` of customers by annual revenue, plus every key account / agent:
      rank the :math:`n` customers with annual revenue :math:`> 0` by it (ties broken by id); the first
      :math:`\lceil \text{top\_share} \cdot n \rceil` are A. Customers whose ``account_type`` is in
      ``key_account_types`` are A whatever their revenue; those of them without revenue in the last 12
      months are flagged (``dormant_key_account``, reason ``key_account_dormant``): A by status, not by
      what they buy. Without an ``account_type`` column, A is by revenue only
      (``attrs["key_account_types"]`` is then ``None``).
    - **B** - both halves of the course's rule:

      1. *growth*: at least ``growth`` in each of the last two years, :math:`y_1 \ge (1+g)\,y_2` and
         :math:`y_0 \ge (1+g)\,y_1` with :math:`y_2 > 0` (growth from zero is not defined);
      2. *high cooperation and loyalty*, a proxy from the data: no gap longer than ``max_gap_days``
         between two orders of the three years or since the last order (regular ordering); with
         ``surveys`` (``csat``), a latest satisfaction of at least ``min_csat``; with ``contacts``, no
         complaint in the last 12 months. A customer without a survey answer is not held back by it.
         ``max_gap_days=None`` and no surveys or contacts: the growth half only.

      A customer who grew but fails the proxy is C with reason ``growth_not_loyal``.
    - **C** - everyone else (including customers who bought nothing in the last 12 months).

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id, revenue_y2, revenue_y1, revenue_y0`` (``revenue_y0`` is the
        annual revenue), ``growth_y1`` (:math:`y_1/y_2 - 1`), ``growth_y0`` (:math:`y_0/y_1 - 1`),
        ``longest_gap_days``, ``loyal`` (the proxy), ``key_account`` and ``dormant_key_account`` (bool),
        ``revenue_rank`` (1 = largest annual revenue; missing without revenue), ``abc_class`` (A/B/C) and
        ``abc_reason`` (a code of :data:`ABC_REASONS`). ``attrs`` holds ``top_share``, ``growth``,
        ``key_account_col``, ``key_account_types`` (sorted; ``None`` when ``customers`` has no such
        column), ``max_gap_days``, ``min_csat`` and ``loyalty_evidence`` (the pieces of the proxy used:
        ``order_gap``, ``satisfaction``, ``complaints``; empty = growth half only).
    """
    if not 0 < float(top_share) <= 1:
        raise ValueError(f"top_share must be a fraction in (0, 1], got {top_share!r}")
    if float(growth) < -1:
        raise ValueError(f"growth must be a fraction such as 0.10, got {growth!r}")
    if max_gap_days is not None and float(max_gap_days) <= 0:
        raise ValueError(f"max_gap_days must be a positive number of days or None, got {max_gap_days!r}")
    c = facts.customers
    out = facts.yearly_revenue_all(3)
    y0, y1, y2 = out["revenue_y0"], out["revenue_y1"], out["revenue_y2"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth_y1"] = np.where(y2 > 0, y1 / y2.where(y2 > 0) - 1, np.nan)
        out["growth_y0"] = np.where(y1 > 0, y0 / y1.where(y1 > 0) - 1, np.nan)
    loyal, gap, used = _loyalty(facts, out["customer_id"], max_gap_days=max_gap_days, surveys=surveys,
                                contacts=contacts, min_csat=min_csat)
    out["longest_gap_days"], out["loyal"] = gap, loyal.astype(bool)

    types = set(key_account_types)
    has_types = bool(key_account_col) and key_account_col in c.columns
    out["key_account"] = c[key_account_col].astype(str).isin(types).to_numpy() if has_types else False

    buying = np.flatnonzero((y0 > 0).to_numpy())
    if out["customer_id"].is_monotonic_increasing:  # rows in id order: a stable sort by revenue breaks ties by id
        ranked = out.index[buying[np.argsort(-y0.to_numpy()[buying], kind="stable")]]
    else:
        ranked = out.iloc[buying].sort_values(["revenue_y0", "customer_id"], ascending=[False, True]).index
    rank = pd.Series(np.arange(1, len(ranked) + 1), index=ranked)
    out["revenue_rank"] = rank.reindex(out.index).astype("Int64")
    n_top = math.ceil(float(top_share) * len(ranked) - 1e-9)
    top = out["revenue_rank"].le(n_top).fillna(False).astype(bool)
    eps = 1e-9
    grew = (y2 > 0) & (y1 >= (1 + growth) * y2 - eps) & (y0 >= (1 + growth) * y1 - eps)
    key = out["key_account"].astype(bool)
    out["dormant_key_account"] = key & ~top & (y0 <= 0)

    out["abc_class"] = np.select([top, key, grew & out["loyal"]], ["A", "A", "B"], default="C")
    out["abc_reason"] = np.select(
        [top, key & (y0 > 0), key, grew & out["loyal"], grew, y0 > 0], list(ABC_REASONS[:6]),
        default=ABC_REASONS[6])
    cols = ["customer_id", "revenue_y2", "revenue_y1", "revenue_y0", "growth_y1", "growth_y0", "longest_gap_days",
            "loyal", "key_account", "dormant_key_account", "revenue_rank", "abc_class", "abc_reason"]
    out = out[cols].sort_values("customer_id").reset_index(drop=True)
    out.attrs.update(top_share=float(top_share), growth=float(growth), key_account_col=key_account_col,
                     key_account_types=tuple(sorted(types)) if has_types else None,
                     max_gap_days=max_gap_days, min_csat=float(min_csat), loyalty_evidence=tuple(used))
    return out


def pareto_curve(revenue: pd.Series) -> pd.DataFrame:
    r"""The Pareto (cumulative concentration) curve of revenue over customers.

    Customers with positive revenue are sorted from largest to smallest; for the first :math:`k` of
    :math:`n`:

    .. math:: x_k = \frac{k}{n}, \qquad y_k = \frac{\sum_{j \le k} r_{(j)}}{\sum_j r_j}

    Parameters
    ----------
    revenue : Series
        Revenue per customer (index: customer id). Zero and missing values are left out.

    Returns
    -------
    DataFrame
        ``rank, customer_share, revenue, cumulative_revenue, revenue_share`` (``revenue_share`` is the
        cumulative share :math:`y_k`), starting at rank 1.
    """
    r = pd.to_numeric(revenue, errors="coerce")
    r = r[r > 0].sort_values(ascending=False, kind="stable")
    n = len(r)
    cum = r.cumsum()
    total = float(r.sum())
    return pd.DataFrame({
        "rank": np.arange(1, n + 1),
        "customer_share": np.arange(1, n + 1) / n if n else [],
        "revenue": r.to_numpy(dtype=float),
        "cumulative_revenue": cum.to_numpy(dtype=float),
        "revenue_share": (cum / total).to_numpy(dtype=float) if n else [],
    })


def top_share_revenue(revenue: pd.Series, share: float = ABC_TOP_SHARE) -> float:
    r"""Share of revenue brought by the top ``share`` of customers.

    .. math:: \frac{\sum_{j \le \lceil s n \rceil} r_{(j)}}{\sum_j r_j}

    over the :math:`n` customers with positive revenue, :math:`r_{(1)} \ge r_{(2)} \ge \dots`. Under the
    80/20 rule of thumb the answer for ``share = 0.2`` is about 0.8.

    Returns
    -------
    float
        A fraction 0-1 (NaN when nobody has revenue).
    """
    if not 0 < float(share) <= 1:
        raise ValueError(f"share must be a fraction in (0, 1], got {share!r}")
    curve = pareto_curve(revenue)
    if curve.empty:
        return float("nan")
    k = math.ceil(float(share) * len(curve) - 1e-9)
    return float(curve["revenue_share"].iloc[k - 1])


def abc_windows(as_of: Any, *, years: int = 3) -> pd.DataFrame:
    r"""The 12-month windows of :func:`yearly_revenue` and :func:`abc_classes`, as first and last days.

    Year :math:`y` holds the dates :math:`\text{as\_of} - (y+1)\,\text{years} < d \le \text{as\_of} -
    y\,\text{years}`, so its first day is the day after :math:`\text{as\_of} - (y+1)` years.

    Parameters
    ----------
    as_of : date
        The analysis date (``facts.as_of``).

    Returns
    -------
    DataFrame
        ``year, start, end`` (``year`` 0 = the 12 months ending at ``as_of``; ``start`` and ``end`` are the
        first and last day, both inside the window), one row per year.

    Examples
    --------
    >>> abc_windows("2025-12-31", years=1)["start"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-01-01']
    """
    as_of = as_date(as_of)
    if int(years) < 1:
        raise ValueError(f"years must be at least 1, got {years!r}")
    windows = [year_window(as_of, y) for y in range(int(years))]  # start is outside: the next day is the first
    rows = [{"year": y, "start": start + pd.Timedelta(days=1), "end": end} for y, (start, end) in enumerate(windows)]
    return pd.DataFrame(rows)


def abc_summary(abc: pd.DataFrame, *, order: Sequence[str] = ABC_PLAYBOOK.order) -> pd.DataFrame:
    r"""Size and annual revenue of each ABC class (a :func:`segment_summary` of :func:`abc_classes`).

    .. math:: \text{revenue share}_c = \frac{\sum_{i \in c} y_{0,i}}{\sum_i y_{0,i}}

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, annual_revenue, revenue_share, revenue_per_customer``
        (revenue is the annual revenue ``revenue_y0``), classes in ``order``.
    """
    require_columns(abc, "abc", ["abc_class", "revenue_y0"])
    out = segment_summary(abc[["abc_class", "revenue_y0"]], segment_col="abc_class", revenue_col="revenue_y0",
                          order=list(order))
    return out.rename(columns={"revenue": "annual_revenue"})


def abc_reasons(abc: pd.DataFrame) -> pd.DataFrame:
    """Why customers are in their ABC class: ``abc_class, abc_reason, customers`` (counts of
    :func:`abc_classes` by class and reason code); ``attrs`` are those of ``abc``."""
    require_columns(abc, "abc", ["abc_class", "abc_reason"])
    out = abc.groupby(["abc_class", "abc_reason"]).size().rename("customers").reset_index()
    out.attrs = dict(abc.attrs)
    return out


def abc_exercise_table(abc: pd.DataFrame, *, n: int = 7) -> pd.DataFrame:
    """A small table for classifying customers by hand: some A (by revenue and, when present, key
    accounts), some B and some C (first one who grew but fails the loyalty proxy), with the three yearly
    revenues, the key-account flag and the longest gap between orders (when the B rule uses it).

    Customers are picked deterministically (the first ids of each kind), then sorted by id. The
    revenue cut-off for A is in ``attrs["a_cutoff"]`` (the annual revenue of the last customer ranked in
    A by revenue), the classes in ``attrs["answer"]`` and the reason codes in ``attrs["reasons"]``.
    """
    require_columns(abc, "abc", ["customer_id", "revenue_y0", "revenue_y1", "revenue_y2", "key_account",
                                 "abc_class", "abc_reason"])
    a = abc.sort_values("customer_id")
    by_rev = a[a["abc_reason"] == "top_revenue"]
    key = a[a["abc_reason"] == "key_account"]
    b = a[a["abc_class"] == "B"]
    # C customers who grew but fail the loyalty proxy, then some growth but not enough, then plain ones:
    # the instructive near-misses first
    not_loyal = a[a["abc_reason"] == "growth_not_loyal"]
    c_near = a[(a["abc_class"] == "C") & (a["revenue_y2"] > 0) & (a["revenue_y1"] > a["revenue_y2"])
               & (a["abc_reason"] != "growth_not_loyal")]
    c_rest = a[(a["abc_class"] == "C") & ~a["customer_id"].isin(c_near["customer_id"])]
    k = max(1, n // 6)
    picks = pd.concat([by_rev.head(k), key.head(k), b.head(2 * k), not_loyal.head(k), c_near.head(k), c_rest.head(k)])
    picks = picks.drop_duplicates("customer_id").head(n).sort_values("customer_id")
    cols = ["customer_id", "revenue_y2", "revenue_y1", "revenue_y0", "key_account"]
    if "longest_gap_days" in picks.columns and abc.attrs.get("max_gap_days") is not None:
        cols.append("longest_gap_days")
    table = picks[cols].reset_index(drop=True)
    cut = by_rev["revenue_y0"].min() if len(by_rev) else float("nan")
    table.attrs["a_cutoff"] = float(cut)
    table.attrs["answer"] = dict(zip(picks["customer_id"], picks["abc_class"], strict=True))
    table.attrs["reasons"] = dict(zip(picks["customer_id"], picks["abc_reason"], strict=True))
    return table
