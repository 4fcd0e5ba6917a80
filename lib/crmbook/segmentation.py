"""Customer segmentation (客户细分): RFM, ABC, behavioural clusters, portraits, target customers.

Every analysis takes the ``customers`` and ``orders`` tables (columns as in :data:`crmbook.data.SCHEMAS`)
and an explicit ``as_of`` date; orders dated after ``as_of`` are ignored and customers who signed up after
it are left out. Functions return new DataFrames and never change their inputs; ``plot_*`` functions draw
one of those frames into ``ax`` (matplotlib is imported inside them).

Time windows
------------
Everything that speaks of "a year" uses 12-month windows anchored on ``as_of``:

- **year 0** ("annual revenue") = the 12 months ending at ``as_of``: ``as_of - 12 months < date <= as_of``;
- **year 1** = the 12 months before that: ``as_of - 24 months < date <= as_of - 12 months``;
- **year 2** = ``as_of - 36 months < date <= as_of - 24 months``.

With ``as_of = 2025-12-31`` these are the calendar years 2025, 2024 and 2023.

Sections
--------
1. RFM (:func:`rfm_table`, :func:`rfm_scores`, :func:`rfm_segments`, :func:`segment_summary`).
2. ABC classes as taught in the course (:func:`abc_classes`, :func:`abc_windows`, :func:`abc_summary`,
   :func:`abc_reasons`) and the Pareto curve (:func:`pareto_curve`, :func:`top_share_revenue`).
3. Behavioural clusters with k-means (:class:`BehaviourClusters`, :func:`describe_clusters`,
   :func:`cluster_table`, :func:`segment_cluster_crosstab`).
4. Demographics and the customer portrait, 客户画像 (:func:`customer_attributes`,
   :func:`consumer_attributes`, :func:`demographic_summary`, :func:`demographic_summaries`,
   :func:`demographic_highlights`, :func:`customer_portrait`, :func:`purchase_mix`).
5. The target-customer matrix (:func:`target_matrix`).
6. Penetration and market share (:func:`market_penetration`).
7. Actions (:func:`action_plan`, :func:`export_segments`), KPIs (:func:`segment_kpis`) and the
   exercises of notebook ``01_segmentation`` (:func:`exercises`).
8. Reading the results: the paragraphs, summary tables and KPIs of the report, computed from the
   tables above (:func:`describe_data`, the ``*_interpretation`` functions, which return sentences as a
   list of strings, :func:`target_summary`, :func:`target_kpis`, :func:`penetration_kpis`,
   :func:`summary_points`), so the notebook only calls and shows them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmbook.exercises import ChoiceExercise, ExerciseSet, NumberExercise, SetExercise

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    # defaults
    "RFM_BINS",
    "RFM_SEGMENT_MAP",
    "RFM_SEGMENT_ORDER",
    "RFM_PLAYBOOK",
    "NO_PURCHASE",
    "ABC_TOP_SHARE",
    "ABC_GROWTH",
    "ABC_KEY_ACCOUNT_TYPES",
    "ABC_PLAYBOOK",
    "K_RANGE",
    "CLUSTER_FEATURES",
    "CLUSTER_SEED",
    "CLUSTER_N_INIT",
    "CLUSTER_SILHOUETTE_SAMPLE",
    "CLUSTER_THREADS",
    "CLUSTER_WORDS",
    "AGE_BANDS",
    "DEMOGRAPHIC_COLUMNS",
    "CONSUMER_ACCOUNT_TYPES",
    "TARGET_SPLIT",
    "TARGET_QUADRANTS",
    "TARGET_PLAYBOOK",
    "CONTACT_SEGMENTS",
    "OPTIONAL_CUSTOMER_COLUMNS",
    # 1. RFM
    "quantile_score",
    "rfm_table",
    "rfm_scores",
    "rfm_segments",
    "rfm_segmentation",
    "segment_summary",
    # 2. ABC and Pareto
    "yearly_revenue",
    "abc_classes",
    "pareto_curve",
    "top_share_revenue",
    "abc_windows",
    "describe_windows",
    "abc_summary",
    "abc_reasons",
    # 3. clusters
    "BehaviourClusters",
    "describe_clusters",
    "cluster_table",
    "segment_cluster_crosstab",
    # 4. demographics and portraits
    "age_bands",
    "customer_attributes",
    "demographic_summary",
    "consumer_attributes",
    "demographic_summaries",
    "demographic_notes",
    "demographic_highlights",
    "customer_portrait",
    "purchase_mix",
    # 5. target customers
    "target_matrix",
    # 6. market
    "market_penetration",
    # 7. actions, KPIs, exercises
    "action_plan",
    "contact_list",
    "export_segments",
    "format_table",
    "segment_kpis",
    "abc_exercise_table",
    "exercises",
    # 8. reading the results
    "describe_data",
    "segment_map_table",
    "rfm_interpretation",
    "abc_interpretation",
    "cluster_interpretation",
    "demographic_interpretation",
    "target_summary",
    "target_interpretation",
    "target_kpis",
    "penetration_interpretation",
    "penetration_kpis",
    "contact_interpretation",
    "summary_points",
    # charts
    "plot_pareto",
    "plot_segments",
    "plot_silhouette",
    "plot_cluster_profile",
    "plot_target_matrix",
    "plot_penetration",
    "plot_demographic",
    "plot_demographics",
]

# ==================================================================================================
# Defaults (named constants; every one can be replaced by a function argument)
# ==================================================================================================

#: Number of quantile scores for R, F and M (1 = worst ... 5 = best).
RFM_BINS = 5

#: Label of customers without any order up to ``as_of``: they have no R, F or M score.
NO_PURCHASE = "no_purchase"

#: Default RFM segment map. Keys are regular expressions matched, in this order, against the two-digit
#: code ``f"{r_score}{fm_score}"`` (the R score, then the rounded mean of the F and M scores); the first
#: pattern that matches the whole code names the segment. It covers all 25 codes of 5 bins.
RFM_SEGMENT_MAP: dict[str, str] = {
    r"5[4-5]": "champions",              # bought very recently, buy often, spend most
    r"[3-4][4-5]": "loyal",              # buy often and spend well, fairly recently
    r"[4-5][2-3]": "potential_loyalists",  # recent, middling frequency and spend
    r"51": "new",                        # bought very recently, once or little
    r"41": "promising",                  # recent, little so far
    r"33": "need_attention",             # average on both
    r"3[1-2]": "about_to_sleep",         # fading, little value
    r"[1-2]5": "cant_lose",              # were the best customers, not seen for long
    r"[1-2][3-4]": "at_risk",            # were good customers, not seen for long
    r"11": "lost",                       # long gone, bought little
    r"[1-2][1-2]": "hibernating",        # long gone, bought little
}

#: Display order of the RFM segments (best first).
RFM_SEGMENT_ORDER: tuple[str, ...] = (
    "champions", "loyal", "potential_loyalists", "new", "promising", "need_attention", "about_to_sleep",
    "cant_lose", "at_risk", "hibernating", "lost", "other", NO_PURCHASE,
)

#: Default playbook: the recommended strategy per RFM segment.
RFM_PLAYBOOK: dict[str, str] = {
    "champions": "Reward and involve: early access, VIP service, ask for reviews and referrals; no discounts needed.",
    "loyal": "Up-sell and cross-sell higher-value products; loyalty-programme upgrades; ask for feedback.",
    "potential_loyalists": "Build the habit: membership offer, personalised recommendations, second-category trial.",
    "new": "Onboard: welcome series, usage tips, a small incentive for the second order within 30 days.",
    "promising": "Create brand awareness: free trials or samples, follow-up on the first experience.",
    "need_attention": "Limited-time offers based on past purchases; re-engage before they slip.",
    "about_to_sleep": "Reactivate cheaply: popular products, modest discount, reminder messages.",
    "cant_lose": "Win back personally: account manager call, find out what went wrong, tailored offer.",
    "at_risk": "Personalised reactivation campaign with a meaningful offer; survey for reasons of decline.",
    "hibernating": "Low-cost automated reminders only; include in broad campaigns; do not over-invest.",
    "lost": "Stop active spending; one last low-cost win-back attempt, then suppress from campaigns.",
    "other": "Review: the segment map does not name this pattern.",
    NO_PURCHASE: "Convert: first-purchase offer and onboarding; check the acquisition channel's quality.",
}

#: ABC: share of customers (ranked by annual revenue) that form class A.
ABC_TOP_SHARE = 0.2
#: ABC: minimum year-on-year revenue growth, in each of the last two years, for class B.
ABC_GROWTH = 0.10
#: ABC: ``account_type`` values that are always class A (key accounts and agents, 大客户与代理商).
ABC_KEY_ACCOUNT_TYPES: tuple[str, ...] = ("key_account", "agent")

#: Default playbook per ABC class.
ABC_PLAYBOOK: dict[str, str] = {
    "A": "Key-account management: a named account manager, regular reviews, priority service and "
         "tailored terms; protect the relationship first.",
    "B": "Grow: invest sales time and cross-selling, as these customers are growing fast; watch for "
         "the ones ready to become A.",
    "C": "Serve efficiently: standard offers, self-service and automated channels; keep cost-to-serve low.",
}

#: k-means: range of cluster counts tried (inclusive); the best silhouette wins.
K_RANGE: tuple[int, int] = (2, 8)
#: k-means: the random seed (k-means++ starts), so a rerun gives the same clusters.
CLUSTER_SEED = 42
#: k-means: restarts per k (the best of them is kept). On the bundled sample (4,000 buyers) 2 restarts and
#: a 1,000-customer silhouette sample choose the same k (3) as 10 restarts with exact silhouettes, for
#: seeds 0, 1, 7 and 42, and the clusters agree (adjusted Rand index >= 0.98); see the tests.
CLUSTER_N_INIT = 2
#: k-means: silhouettes are computed on a seeded sample of at most this many customers (the exact mean
#: silhouette costs n^2 distances per k tried).
CLUSTER_SILHOUETTE_SAMPLE = 1000
#: k-means: numerical threads while fitting. One: a few thousand customers gain nothing from threads, and
#: on a shared machine (or with notebooks run in parallel) OpenMP threads that wait on each other made the
#: fit about ten times slower (5 s instead of 0.5 s).
CLUSTER_THREADS = 1
#: k-means: features (columns of :func:`rfm_table`), log-transformed (``log1p``) then standardized.
CLUSTER_FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary", "tenure_days")
#: Words used to describe a cluster whose mean standardized feature is high / low.
CLUSTER_WORDS: dict[str, tuple[str, str]] = {
    # feature: (word when high, word when low)
    "recency_days": ("long since last purchase", "bought recently"),
    "frequency": ("frequent buyers", "infrequent buyers"),
    "monetary": ("high spend", "low spend"),
    "tenure_days": ("long-standing", "newly acquired"),
}

#: Age bands: lower edges in full years; the last band is open ("65+").
AGE_BANDS: tuple[int, ...] = (0, 25, 35, 45, 55, 65)
#: ``account_type`` values of consumers: age and gender describe people, so the demographic breakdown
#: is done on these customers (business accounts have no age or gender).
CONSUMER_ACCOUNT_TYPES: tuple[str, ...] = ("retail",)
#: Optional columns of ``customers`` that the segmentation uses (reported by :func:`describe_data`).
OPTIONAL_CUSTOMER_COLUMNS: tuple[str, ...] = ("account_type", "birth_date", "gender", "region",
                                              "acquisition_channel")
#: Demographic dimensions, in ``customers`` (``age_band`` is derived from ``birth_date``).
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = ("age_band", "gender", "region", "acquisition_channel")

#: Target matrix: a customer is "high" on an axis when their percentile is above this split.
TARGET_SPLIT = 0.5
#: Target matrix quadrants: (value high?, attractiveness high?) -> (name, Chinese name).
TARGET_QUADRANTS: dict[tuple[bool, bool], tuple[str, str]] = {
    (True, True): ("focus", "重点选择"),
    (False, True): ("opportunistic", "择机选择"),
    (True, False): ("passive", "消极选择"),
    (False, False): ("abandon", "放弃选择"),
}
#: Default playbook per target quadrant.
TARGET_PLAYBOOK: dict[str, str] = {
    "focus": "Invest: first call on sales and service time, retention and growth programmes.",
    "opportunistic": "Nurture when the chance arises: growing customers of modest value - targeted "
                     "cross-sell, test offers, promote to focus when value follows.",
    "passive": "Maintain at low cost: valuable today but cooling - keep service good, no new investment; "
               "find out why activity is falling.",
    "abandon": "Do not invest: serve through the cheapest channels; suppress from paid campaigns.",
}

#: Segments whose customers head the contact list, in order of urgency: the valuable customers slipping
#: away first, then the best customers to keep close, then those to convert or wake up.
CONTACT_SEGMENTS: tuple[str, ...] = ("cant_lose", "at_risk", "champions", "need_attention", "new")


# ==================================================================================================
# Helpers
# ==================================================================================================

def _ts(as_of: Any) -> pd.Timestamp:
    if as_of is None:
        raise ValueError("as_of is required (an analysis date such as '2025-12-31'); nothing reads the clock")
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"as_of must be a date such as '2025-12-31', got {as_of!r}") from exc
    if pd.isna(ts):
        raise ValueError(f"as_of must be a date such as '2025-12-31', got {as_of!r}")
    return ts


def _require(df: pd.DataFrame, table: str, columns: Iterable[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{table}: a pandas DataFrame was expected, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{table}: column(s) {', '.join(map(repr, missing))} missing; "
                         f"found {', '.join(map(str, df.columns))}")


def _dates(s: pd.Series) -> pd.Series:
    return s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, errors="coerce")


def _orders_until(orders: pd.DataFrame, as_of: pd.Timestamp, customer_col: str, date_col: str,
                  revenue_col: str, extra: Sequence[str] = ()) -> pd.DataFrame:
    _require(orders, "orders", [customer_col, date_col, revenue_col, *extra])
    o = orders[[customer_col, date_col, revenue_col, *extra]].copy()
    o[date_col] = _dates(o[date_col])
    o[customer_col] = o[customer_col].astype(str)
    o[revenue_col] = pd.to_numeric(o[revenue_col], errors="coerce").astype(float)
    bad = o[date_col].isna() | o[revenue_col].isna()
    if bad.any():
        rows = ", ".join(map(str, o.index[bad][:5]))
        raise ValueError(f"orders: {int(bad.sum())} row(s) without a valid {date_col!r} or {revenue_col!r} "
                         f"(rows {rows}); load the data with crmbook.data.load to set them aside")
    return o[o[date_col] <= as_of]


def _customers_until(customers: pd.DataFrame, as_of: pd.Timestamp, customer_col: str,
                     signup_col: str) -> pd.DataFrame:
    _require(customers, "customers", [customer_col])
    c = customers.copy()
    c[customer_col] = c[customer_col].astype(str)
    dup = c[customer_col].duplicated()
    if dup.any():
        raise ValueError(f"customers: {customer_col!r} is not unique ({int(dup.sum())} repeated ids, e.g. "
                         f"{c.loc[dup, customer_col].iloc[0]!r})")
    if signup_col in c.columns:
        c[signup_col] = _dates(c[signup_col])
        c = c[~(c[signup_col] > as_of)]
    return c.reset_index(drop=True)


def _check_known(o: pd.DataFrame, c: pd.DataFrame, customer_col: str) -> None:
    # ``c`` has unique ids (``_customers_until``), so a hash lookup answers ``isin`` - about ten times faster
    # than ``Series.isin`` against a column of thousands of Arrow strings
    unknown = pd.Index(c[customer_col]).get_indexer(o[customer_col]) < 0
    if unknown.any():
        ids = ", ".join(map(repr, o.loc[unknown, customer_col].unique()[:5]))
        raise ValueError(f"orders: {int(unknown.sum())} order(s) belong to customers not in the customers table "
                         f"(or who signed up after as_of), e.g. {ids}")


def _window(dates: pd.Series, as_of: pd.Timestamp, year: int) -> pd.Series:
    """Is ``dates`` in year ``year`` (0 = the 12 months ending at ``as_of``, 1 = the 12 before, ...)."""
    end = as_of - pd.DateOffset(years=year)
    start = as_of - pd.DateOffset(years=year + 1)
    return (dates > start) & (dates <= end)


def _slug(text: Any) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", str(text)).strip("_").lower()
    return s or "segment"


def _group_codes(groups: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer code of each row's group (-1 where missing) and the groups, in order of appearance."""
    codes, names = pd.factorize(groups)
    return codes, pd.Index(names)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer code of each value as text (-1 where missing) and the texts, sorted (alphabetical)."""
    known = values.notna().to_numpy()
    codes = np.full(len(values), -1, dtype=np.intp)
    sub, texts = pd.factorize(values[known].astype(str).to_numpy(dtype=object), sort=True)
    codes[known] = sub
    return codes, np.asarray(texts, dtype=object)


def _mode_shares(groups: pd.Series, values: pd.Series) -> dict[Any, tuple[Any, float]]:
    """The most common value of ``values`` (as text; ties: alphabetical) in each group of ``groups``, with
    its share of the group's non-missing values; a group without any value is absent."""
    g, names = _group_codes(groups)
    v, texts = _text_codes(values)
    ok = (g >= 0) & (v >= 0)
    counts = np.bincount(g[ok] * len(texts) + v[ok], minlength=len(names) * len(texts))
    counts = counts.reshape(len(names), len(texts))
    out = {}
    for i, name in enumerate(names):
        total = counts[i].sum()
        if total:
            j = int(counts[i].argmax())  # the first of the largest counts: ties go to the first text
            out[name] = (texts[j], float(counts[i, j] / total))
    return out


# ==================================================================================================
# 1. RFM
# ==================================================================================================

def quantile_score(values: pd.Series, bins: int = RFM_BINS, *, higher_is_better: bool = True) -> pd.Series:
    r"""Quantile score 1..``bins`` of each value among all (non-missing) values.

    .. math:: s_i = \left\lceil \frac{q \cdot \mathrm{rank}_{\min}(x_i)}{n} \right\rceil

    where :math:`q` is ``bins``, :math:`n` the number of non-missing values and
    :math:`\mathrm{rank}_{\min}` the rank from 1 (worst) to :math:`n` (best) in which **tied values share
    the lowest rank of their group**. So the best value always scores :math:`q`, equal values always get
    the same score, and a value shared by many customers (e.g. "one order") is never promoted above the
    share of customers it really beats; the price is that bins may be unequal in size and some scores
    may be unused when ties are heavy (with 60% one-time buyers, F scores 2 and 3 are empty).

    Parameters
    ----------
    values : Series
        One number per customer; missing values get a missing score.
    bins : int
        Number of scores (5 gives 1-5).
    higher_is_better : bool
        ``True`` for frequency and monetary value; ``False`` for recency in days, where *fewer* days since
        the last purchase is better, so the most recent buyers score highest.

    Returns
    -------
    Series
        Nullable integer scores (``Int64``), same index as ``values``.

    Examples
    --------
    >>> quantile_score(pd.Series([1, 1, 1, 1, 1, 1, 2, 3, 5, 8])).tolist()
    [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    """
    if int(bins) < 2:
        raise ValueError(f"bins must be at least 2, got {bins!r}")
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if not higher_is_better:
        v = -v
    n = int(v.notna().sum())
    if n == 0:
        return pd.Series(pd.array([pd.NA] * len(v), dtype="Int64"), index=values.index, name=values.name)
    rank = v.rank(method="min")
    score = np.ceil(int(bins) * rank / n)
    return score.astype("Int64").rename(values.name)


def rfm_table(customers: pd.DataFrame, orders: pd.DataFrame, as_of: Any, *,
              customer_col: str = "customer_id", date_col: str = "order_date", revenue_col: str = "revenue",
              signup_col: str = "signup_date") -> pd.DataFrame:
    r"""Recency, frequency, monetary value and tenure of every customer as of ``as_of``.

    .. math::
        R_i = \text{days}(\text{as\_of} - \text{last order}_i), \quad
        F_i = \#\{\text{orders}_i \le \text{as\_of}\}, \quad
        M_i = \sum \text{revenue of those orders}

    Tenure is the number of days from the sign-up date (the first order when there is no sign-up
    column) to ``as_of``. All orders up to ``as_of`` count (the whole history).

    Customers without any order up to ``as_of`` are kept: ``frequency = 0``, ``monetary = 0`` and
    ``recency_days`` missing (there is no last purchase); they get no scores and the segment
    :data:`NO_PURCHASE`.

    Parameters
    ----------
    customers, orders : DataFrame
        The two required tables (``customer_id``; ``customer_id``, ``order_date``, ``revenue``).
    as_of : date
        The analysis date; later orders are ignored, customers who signed up later are left out.
    customer_col, date_col, revenue_col, signup_col : str
        Column names.

    Returns
    -------
    DataFrame
        ``customer_id, first_order, last_order, recency_days, frequency, monetary, tenure_days``; one row
        per customer, sorted by id.
    """
    as_of = _ts(as_of)
    c = _customers_until(customers, as_of, customer_col, signup_col)
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col)
    _check_known(o, c, customer_col)
    g = o.groupby(customer_col)
    agg = pd.DataFrame({
        "first_order": g[date_col].min(),
        "last_order": g[date_col].max(),
        "frequency": g.size(),
        "monetary": g[revenue_col].sum(),
    })
    out = c[[customer_col]].merge(agg, left_on=customer_col, right_index=True, how="left")
    out["frequency"] = out["frequency"].fillna(0).astype(int)
    out["monetary"] = out["monetary"].fillna(0.0).astype(float)
    out["recency_days"] = (as_of - out["last_order"]).dt.days.astype(float)
    start = c[signup_col] if signup_col in c.columns else pd.Series(pd.NaT, index=c.index)
    start = start.fillna(out["first_order"])
    out["tenure_days"] = (as_of - start).dt.days.astype(float)
    cols = [customer_col, "first_order", "last_order", "recency_days", "frequency", "monetary", "tenure_days"]
    return out[cols].sort_values(customer_col).reset_index(drop=True)


def rfm_scores(rfm: pd.DataFrame, *, bins: int = RFM_BINS) -> pd.DataFrame:
    r"""Add R, F and M quantile scores (1-``bins``) and the RFM code to an :func:`rfm_table`.

    Scores are computed among customers who bought at least once (see :func:`quantile_score` for the
    formula and the tie rule). **R is reversed**: a *small* recency (bought recently) is good, so the most
    recent buyers get R = 5 and the longest-absent R = 1. F and M: more is better.

    ``fm_score`` is the mean of F and M rounded half up, :math:`\lfloor (F+M)/2 + 1/2 \rfloor`; the segment
    map reads ``r_score`` and ``fm_score``. ``rfm_code`` is the three digits, e.g. ``"545"``.

    Returns
    -------
    DataFrame
        The input columns plus ``r_score, f_score, m_score, fm_score`` (``Int64``, missing for customers
        without orders) and ``rfm_code`` (string, missing likewise).
    """
    _require(rfm, "rfm", ["recency_days", "frequency", "monetary"])
    out = rfm.copy()
    buyers = out["frequency"] > 0
    nan = pd.Series(np.nan, index=out.index)
    out["r_score"] = quantile_score(out["recency_days"].where(buyers, nan), bins, higher_is_better=False)
    out["f_score"] = quantile_score(out["frequency"].where(buyers, nan).astype(float), bins)
    out["m_score"] = quantile_score(out["monetary"].where(buyers, nan).astype(float), bins)
    fm = np.floor((out["f_score"].astype(float) + out["m_score"].astype(float)) / 2 + 0.5)
    out["fm_score"] = fm.astype("Int64")
    code = (out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str))
    out["rfm_code"] = code.where(buyers, None).astype("string")
    return out


def rfm_segments(scored: pd.DataFrame, segment_map: Mapping[str, str] | None = None, *,
                 other: str = "other", no_purchase: str = NO_PURCHASE) -> pd.DataFrame:
    """Name each customer's segment from their R and FM scores.

    The code ``f"{r_score}{fm_score}"`` (e.g. ``"54"``) is matched against the patterns of
    ``segment_map`` in order; the first regular expression that matches the *whole* code names the
    segment (the default :data:`RFM_SEGMENT_MAP` covers all 25 codes: champions = ``5[4-5]``, loyal =
    ``[3-4][4-5]``, ..., lost = ``11``). A code no pattern matches is labelled ``other``; customers
    without orders are labelled ``no_purchase``.

    Parameters
    ----------
    scored : DataFrame
        Output of :func:`rfm_scores`.
    segment_map : mapping of str to str, optional
        Pattern -> segment name; replaces the default map.

    Returns
    -------
    DataFrame
        ``scored`` plus a ``segment`` column.
    """
    _require(scored, "scored", ["r_score", "fm_score"])
    patterns = [(re.compile(p), name) for p, name in (segment_map or RFM_SEGMENT_MAP).items()]
    out = scored.copy()

    def name(r: Any, fm: Any) -> str:
        if pd.isna(r) or pd.isna(fm):
            return no_purchase
        code = f"{int(r)}{int(fm)}"
        return next((seg for pat, seg in patterns if pat.fullmatch(code)), other)

    # name each distinct (R, FM) pair once, then give every customer the name of their pair
    r_codes, r_values = pd.factorize(out["r_score"])
    fm_codes, fm_values = pd.factorize(out["fm_score"])
    pairs = (r_codes + 1) * (len(fm_values) + 1) + (fm_codes + 1)  # 0 in a code: missing score
    _, first, which = np.unique(pairs, return_index=True, return_inverse=True)
    names = np.array([name(out["r_score"].iloc[i], out["fm_score"].iloc[i]) for i in first], dtype=object)
    out["segment"] = names[which.reshape(-1)].tolist()
    return out


def rfm_segmentation(customers: pd.DataFrame, orders: pd.DataFrame, as_of: Any, *, bins: int = RFM_BINS,
                     segment_map: Mapping[str, str] | None = None, **columns: str) -> pd.DataFrame:
    """:func:`rfm_table`, :func:`rfm_scores` and :func:`rfm_segments` in one call (one row per customer)."""
    return rfm_segments(rfm_scores(rfm_table(customers, orders, as_of, **columns), bins=bins), segment_map)


def segment_summary(assignments: pd.DataFrame, *, segment_col: str = "segment", revenue_col: str = "monetary",
                    order: Sequence[str] | None = None) -> pd.DataFrame:
    r"""Size and revenue share of each segment.

    .. math:: \text{customer share}_s = \frac{n_s}{n}, \qquad
              \text{revenue share}_s = \frac{\sum_{i \in s} M_i}{\sum_i M_i}

    Parameters
    ----------
    assignments : DataFrame
        One row per customer with ``segment_col`` and ``revenue_col`` (e.g. :func:`rfm_segmentation`).
        ``recency_days`` and ``frequency`` are averaged when present.
    order : sequence of str, optional
        Row order (segments not listed follow, largest first); default :data:`RFM_SEGMENT_ORDER` when the
        segments are RFM segments, else by size.

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, revenue, revenue_share, revenue_per_customer`` and, when
        available, ``mean_recency_days, mean_frequency``; shares are fractions (0-1).
    """
    _require(assignments, "assignments", [segment_col, revenue_col])
    a = assignments
    g = a.groupby(segment_col, observed=True)
    out = pd.DataFrame({"customers": g.size(), "revenue": g[revenue_col].sum().astype(float)})
    total_rev = float(a[revenue_col].sum())
    out["customer_share"] = out["customers"] / len(a)
    out["revenue_share"] = out["revenue"] / total_rev if total_rev else np.nan
    out["revenue_per_customer"] = out["revenue"] / out["customers"]
    if "recency_days" in a.columns:
        out["mean_recency_days"] = g["recency_days"].mean()
    if "frequency" in a.columns:
        out["mean_frequency"] = g["frequency"].mean()
    if order is None and set(out.index) <= set(RFM_SEGMENT_ORDER):
        order = RFM_SEGMENT_ORDER
    ranked = out.sort_values("customers", ascending=False, kind="stable").index.tolist()
    if order is not None:
        ranked = [s for s in order if s in out.index] + [s for s in ranked if s not in set(order)]
    out = out.loc[ranked]
    out.index.name = "segment"
    cols = ["customers", "customer_share", "revenue", "revenue_share", "revenue_per_customer"]
    cols += [c for c in ("mean_recency_days", "mean_frequency") if c in out.columns]
    return out[cols].reset_index()


# ==================================================================================================
# 2. ABC and Pareto
# ==================================================================================================

def yearly_revenue(orders: pd.DataFrame, as_of: Any, *, years: int = 3, customer_col: str = "customer_id",
                   date_col: str = "order_date", revenue_col: str = "revenue") -> pd.DataFrame:
    r"""Revenue per customer in consecutive 12-month windows ending at ``as_of``.

    ``revenue_y0`` = revenue with :math:`\text{as\_of} - 12\,\text{months} < \text{date} \le
    \text{as\_of}` (the *annual revenue*); ``revenue_y1`` the 12 months before; and so on to
    ``revenue_y{years-1}``. Only customers with at least one order up to ``as_of`` appear; zero when a
    customer had no order in a window.

    Returns
    -------
    DataFrame
        ``customer_id, revenue_y0, revenue_y1, ...``, sorted by id.
    """
    as_of = _ts(as_of)
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col)
    out = pd.DataFrame(index=pd.Index(sorted(o[customer_col].unique()), name=customer_col))
    for y in range(int(years)):
        inside = _window(o[date_col], as_of, y)
        out[f"revenue_y{y}"] = o[inside].groupby(customer_col)[revenue_col].sum()
    return out.fillna(0.0).astype(float).reset_index()


def abc_classes(customers: pd.DataFrame, orders: pd.DataFrame, as_of: Any, *, top_share: float = ABC_TOP_SHARE,
                growth: float = ABC_GROWTH, key_account_col: str | None = "account_type",
                key_account_types: Iterable[str] = ABC_KEY_ACCOUNT_TYPES, customer_col: str = "customer_id",
                date_col: str = "order_date", revenue_col: str = "revenue",
                signup_col: str = "signup_date") -> pd.DataFrame:
    r"""ABC classes as taught in the course (first rule that applies wins).

    - **A** - the top ``top_share`` of customers by annual revenue, plus every key account / agent:
      rank the :math:`n` customers with annual revenue :math:`> 0` by it (ties broken by id); the first
      :math:`\lceil \text{top\_share} \cdot n \rceil` are A. Customers whose ``account_type`` is in
      ``key_account_types`` are A whatever their revenue. Without an ``account_type`` column, A is by
      revenue only (``DataFrame.attrs["key_account_rule"]`` says so).
    - **B** - customers who grew by at least ``growth`` in each of the last two years:
      :math:`y_1 \ge (1+g)\,y_2` and :math:`y_0 \ge (1+g)\,y_1` with :math:`y_2 > 0`, where
      :math:`y_0, y_1, y_2` are the revenues of the 12-month windows of :func:`yearly_revenue`
      (:math:`y_0` ends at ``as_of``). Growth from zero is not defined, so a customer without revenue in
      :math:`y_2` cannot be B by this rule.
    - **C** - everyone else (including customers who bought nothing in the last 12 months).

    Returns
    -------
    DataFrame
        One row per customer: ``customer_id, revenue_y2, revenue_y1, revenue_y0`` (``revenue_y0`` is the
        annual revenue), ``growth_y1`` (:math:`y_1/y_2 - 1`), ``growth_y0`` (:math:`y_0/y_1 - 1`),
        ``key_account`` (bool), ``revenue_rank`` (1 = largest annual revenue; missing without revenue),
        ``abc_class`` (A/B/C) and ``abc_reason``.
    """
    if not 0 < float(top_share) <= 1:
        raise ValueError(f"top_share must be a fraction in (0, 1], got {top_share!r}")
    if float(growth) < -1:
        raise ValueError(f"growth must be a fraction such as 0.10, got {growth!r}")
    as_of = _ts(as_of)
    c = _customers_until(customers, as_of, customer_col, signup_col)
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col)
    _check_known(o, c, customer_col)
    yr = yearly_revenue(o, as_of, years=3, customer_col=customer_col, date_col=date_col, revenue_col=revenue_col)
    out = c[[customer_col]].merge(yr, on=customer_col, how="left")
    for col in ("revenue_y0", "revenue_y1", "revenue_y2"):
        out[col] = out[col].fillna(0.0)
    y0, y1, y2 = out["revenue_y0"], out["revenue_y1"], out["revenue_y2"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["growth_y1"] = np.where(y2 > 0, y1 / y2.where(y2 > 0) - 1, np.nan)
        out["growth_y0"] = np.where(y1 > 0, y0 / y1.where(y1 > 0) - 1, np.nan)

    types = set(key_account_types)
    if key_account_col and key_account_col in c.columns:
        out["key_account"] = c[key_account_col].astype(str).isin(types).to_numpy()
        out.attrs["key_account_rule"] = (f"customers whose {key_account_col} is "
                                         f"{' or '.join(sorted(types))} are class A whatever their revenue")
    else:
        out["key_account"] = False
        out.attrs["key_account_rule"] = (f"there is no {key_account_col} column in customers, so class A is by "
                                         "revenue only")

    buyers = out[y0 > 0].sort_values(["revenue_y0", customer_col], ascending=[False, True])
    rank = pd.Series(np.arange(1, len(buyers) + 1), index=buyers.index)
    out["revenue_rank"] = rank.reindex(out.index).astype("Int64")
    n_top = math.ceil(float(top_share) * len(buyers) - 1e-9)
    top = out["revenue_rank"].le(n_top).fillna(False).astype(bool)
    eps = 1e-9
    grew = (y2 > 0) & (y1 >= (1 + growth) * y2 - eps) & (y0 >= (1 + growth) * y1 - eps)

    share_txt = f"{float(top_share):.0%}"
    cls = np.select([top, out["key_account"], grew], ["A", "A", "B"], default="C")
    reason = np.select(
        [top, out["key_account"], grew, y0 > 0],
        [f"top {share_txt} by annual revenue", "key account / agent",
         f"grew >= {float(growth):.0%} in each of the last two years", "rest"],
        default="rest (no revenue in the last 12 months)",
    )
    out["abc_class"] = cls
    out["abc_reason"] = reason
    cols = [customer_col, "revenue_y2", "revenue_y1", "revenue_y0", "growth_y1", "growth_y0", "key_account",
            "revenue_rank", "abc_class", "abc_reason"]
    return out[cols].sort_values(customer_col).reset_index(drop=True)


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
    as_of = _ts(as_of)
    if int(years) < 1:
        raise ValueError(f"years must be at least 1, got {years!r}")
    rows = [{"year": y, "start": as_of - pd.DateOffset(years=y + 1) + pd.Timedelta(days=1),
             "end": as_of - pd.DateOffset(years=y)} for y in range(int(years))]
    return pd.DataFrame(rows)


def describe_windows(windows: pd.DataFrame) -> str:
    """The windows of :func:`abc_windows` in words: ``"year 0 = 2025-01-01 to 2025-12-31; year 1 = ..."``."""
    _require(windows, "windows", ["year", "start", "end"])
    return "; ".join(f"year {int(y)} = {a:%Y-%m-%d} to {b:%Y-%m-%d}"
                     for y, a, b in windows[["year", "start", "end"]].itertuples(index=False))


def abc_summary(abc: pd.DataFrame, *, order: Sequence[str] = ("A", "B", "C")) -> pd.DataFrame:
    r"""Size and annual revenue of each ABC class (a :func:`segment_summary` of :func:`abc_classes`).

    .. math:: \text{revenue share}_c = \frac{\sum_{i \in c} y_{0,i}}{\sum_i y_{0,i}}

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, annual_revenue, revenue_share, revenue_per_customer``
        (revenue is the annual revenue ``revenue_y0``), classes in ``order``.
    """
    _require(abc, "abc", ["abc_class", "revenue_y0"])
    out = segment_summary(abc[["abc_class", "revenue_y0"]], segment_col="abc_class", revenue_col="revenue_y0",
                          order=list(order))
    return out.rename(columns={"revenue": "annual_revenue"})


def abc_reasons(abc: pd.DataFrame) -> pd.DataFrame:
    """Why customers are in their ABC class: ``abc_class, abc_reason, customers`` (counts of
    :func:`abc_classes` by class and reason)."""
    _require(abc, "abc", ["abc_class", "abc_reason"])
    return abc.groupby(["abc_class", "abc_reason"]).size().rename("customers").reset_index()


# ==================================================================================================
# 3. Behavioural clusters
# ==================================================================================================

def describe_clusters(profile: pd.DataFrame, *, threshold: float = 0.5,
                      words: Mapping[str, tuple[str, str]] | None = None) -> pd.Series:
    r"""Plain-language description of each cluster from its standardized profile.

    For every feature with a column ``z_<feature>`` in ``profile`` (the cluster's mean of the
    standardized, log-transformed feature: 0 = the average customer, 1 = one standard deviation above),
    the cluster is called *high* when :math:`z > \text{threshold}` and *low* when
    :math:`z < -\text{threshold}`; the words come from :data:`CLUSTER_WORDS`, ordered by how far the
    cluster is from average. A cluster near average on everything is "close to the average customer".

    Returns
    -------
    Series
        One sentence per cluster, same index as ``profile``.
    """
    words = dict(words or CLUSTER_WORDS)
    zcols = [f"z_{f}" for f in words if f"z_{f}" in profile.columns]
    if not zcols:
        raise ValueError("profile: no z_<feature> columns to describe (expected e.g. 'z_recency_days')")
    out = {}
    for idx, row in profile[zcols].iterrows():
        parts = []
        for col in sorted(zcols, key=lambda c: -abs(row[c])):
            z = row[col]
            high, low = words[col[2:]]
            if z > threshold:
                parts.append(high)
            elif z < -threshold:
                parts.append(low)
        out[idx] = (", ".join(parts).capitalize() if parts else "Close to the average customer")
    return pd.Series(out, name="description")


class BehaviourClusters:
    r"""Behavioural segments by k-means on standardized log RFM and tenure features.

    Each customer with at least one order is a point :math:`x_i = \mathrm{std}(\log(1 + f_i))` over the
    ``features`` (recency in days, number of orders, revenue, tenure in days). k-means splits them into
    :math:`k` groups minimising the within-cluster sum of squares
    :math:`\sum_c \sum_{i \in c} \lVert x_i - \mu_c \rVert^2`. :math:`k` is chosen in
    ``[k_min, k_max]`` by the mean silhouette :math:`s = \frac{1}{n}\sum_i \frac{b_i - a_i}{\max(a_i, b_i)}`
    (:math:`a_i`: mean distance to its own cluster, :math:`b_i`: to the nearest other cluster; the
    highest wins, ties go to the smaller :math:`k`). The log tames the long tails of frequency and spend;
    standardizing gives every feature the same weight.

    Clusters are numbered 1..k by decreasing mean revenue, so the numbering is stable. Everything is
    seeded: the same data and ``seed`` give the same clusters.

    Parameters
    ----------
    k_min, k_max : int
        Range of cluster counts tried (inclusive).
    seed : int
        Random seed of the k-means++ starts and of the silhouette sample.
    features : sequence of str
        Columns of :func:`rfm_table` used.
    n_init : int
        k-means restarts per :math:`k` (the best is kept); default :data:`CLUSTER_N_INIT`.
    silhouette_sample : int
        Silhouettes are computed on a seeded sample of at most this many customers (exact below it);
        default :data:`CLUSTER_SILHOUETTE_SAMPLE`.
    threads : int or None
        Numerical threads (OpenMP / BLAS) used while fitting; default :data:`CLUSTER_THREADS` (one).
        ``None`` leaves the libraries' own setting (all cores).

    Attributes
    ----------
    k_ : int
        The chosen number of clusters.
    silhouette_ : DataFrame
        ``k, silhouette`` for every :math:`k` tried.
    labels_ : Series
        Cluster number (1..k) per customer id; customers without orders are not clustered.
    profile_ : DataFrame
        Per cluster: ``customers, customer_share, revenue_share``, the mean of each feature, ``z_<feature>``
        (mean standardized feature) and ``description``.
    """

    def __init__(self, k_min: int = K_RANGE[0], k_max: int = K_RANGE[1], *, seed: int = CLUSTER_SEED,
                 features: Sequence[str] = CLUSTER_FEATURES, n_init: int = CLUSTER_N_INIT,
                 silhouette_sample: int = CLUSTER_SILHOUETTE_SAMPLE,
                 threads: int | None = CLUSTER_THREADS) -> None:
        self.k_min = int(k_min)
        self.k_max = int(k_max)
        self.seed = int(seed)
        self.features = tuple(features)
        self.n_init = int(n_init)
        self.silhouette_sample = int(silhouette_sample)
        self.threads = None if threads is None else int(threads)

    def _matrix(self, rfm: pd.DataFrame) -> pd.DataFrame:
        x = rfm[list(self.features)].astype(float)
        if (x < 0).any().any():
            raise ValueError("rfm: cluster features must be non-negative (log1p is taken)")
        return np.log1p(x)

    def fit(self, rfm: pd.DataFrame, *, customer_col: str = "customer_id") -> BehaviourClusters:
        """Choose k by silhouette and cluster the customers of an :func:`rfm_table` who bought."""
        # scikit-learn is imported *before* the thread limit is set: threadpoolctl limits only the libraries
        # already loaded when the limit is entered, and k-means' OpenMP runtime is loaded by this import. The
        # other order left the first fit of a fresh kernel on all cores, where the threads waiting on each
        # other on a busy machine took 3-7 s instead of 0.2 s.
        import sklearn.cluster
        import sklearn.metrics
        import sklearn.preprocessing  # noqa: F401
        from threadpoolctl import threadpool_limits

        if self.threads is None:
            return self._fit(rfm, customer_col=customer_col)
        with threadpool_limits(limits=self.threads):
            return self._fit(rfm, customer_col=customer_col)

    def _fit(self, rfm: pd.DataFrame, *, customer_col: str) -> BehaviourClusters:
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score
        from sklearn.preprocessing import StandardScaler

        if not 2 <= self.k_min <= self.k_max:
            raise ValueError(f"k range must satisfy 2 <= k_min <= k_max, got {self.k_min}..{self.k_max}")
        _require(rfm, "rfm", [customer_col, "frequency", *self.features])
        data = rfm[rfm["frequency"] > 0].reset_index(drop=True)
        if len(data) <= self.k_min:
            raise ValueError(f"rfm: {len(data)} customers with orders; at least {self.k_min + 1} are needed "
                             f"for {self.k_min} clusters")
        logx = self._matrix(data)
        self.scaler_ = StandardScaler().fit(logx)
        z = pd.DataFrame(self.scaler_.transform(logx), columns=list(self.features), index=data.index)
        sample = min(self.silhouette_sample, len(data)) if len(data) > self.silhouette_sample else None
        rows, models = [], {}
        for k in range(self.k_min, min(self.k_max, len(data) - 1) + 1):
            model = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.seed).fit(z.to_numpy())
            if len(set(model.labels_)) < 2:
                continue
            s = silhouette_score(z.to_numpy(), model.labels_, sample_size=sample, random_state=self.seed)
            rows.append({"k": k, "silhouette": float(s)})
            models[k] = model
        if not rows:
            raise ValueError("rfm: the customers could not be split into clusters (all alike?)")
        self.silhouette_ = pd.DataFrame(rows)
        best = self.silhouette_.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
        self.k_ = int(best["k"])
        self.model_ = models[self.k_]
        raw = pd.Series(self.model_.labels_, index=data.index)
        order = data["monetary"].groupby(raw).mean().sort_values(ascending=False, kind="stable").index
        relabel = {old: new for new, old in enumerate(order, start=1)}
        labels = raw.map(relabel)
        self.labels_ = pd.Series(labels.to_numpy(), index=pd.Index(data[customer_col], name=customer_col),
                                 name="cluster")
        self.profile_ = self._profile(data, z, labels)
        return self

    def _profile(self, data: pd.DataFrame, z: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
        g = data.groupby(labels)
        prof = pd.DataFrame({"customers": g.size()})
        prof["customer_share"] = prof["customers"] / len(data)
        prof["revenue_share"] = g["monetary"].sum() / float(data["monetary"].sum())
        for f in self.features:
            prof[f"mean_{f}"] = g[f].mean()
        zm = z.groupby(labels).mean()
        for f in self.features:
            prof[f"z_{f}"] = zm[f]
        prof["description"] = describe_clusters(prof)
        prof.index.name = "cluster"
        return prof

    def assign(self, rfm: pd.DataFrame, *, customer_col: str = "customer_id",
               no_purchase: str = NO_PURCHASE) -> pd.DataFrame:
        """The cluster of every customer of ``rfm`` (``"no_purchase"`` for customers without orders).

        Returns a new DataFrame: ``rfm`` plus ``cluster`` (a string ``"1"``..``"k"`` or ``no_purchase``)
        and ``cluster_description``.
        """
        if not hasattr(self, "labels_"):
            raise RuntimeError("BehaviourClusters: call fit() first")
        out = rfm.copy()
        lab = out[customer_col].map(self.labels_)
        desc = lab.map(self.profile_["description"])
        text = {v: str(int(v)) for v in pd.unique(lab.dropna())}  # each cluster number once, not per customer
        out["cluster"] = lab.map(text).fillna(no_purchase).astype(str)
        out["cluster_description"] = desc.fillna("No order up to the analysis date")
        return out


def cluster_table(profile: pd.DataFrame) -> pd.DataFrame:
    """The readable columns of ``BehaviourClusters.profile_``: ``cluster, customers, customer_share,
    revenue_share``, the plain means ``mean_<feature>`` and ``description`` (the ``z_`` columns left out)."""
    _require(profile, "profile", ["customers", "customer_share", "revenue_share", "description"])
    means = [c for c in profile.columns if str(c).startswith("mean_")]
    out = profile[["customers", "customer_share", "revenue_share", *means, "description"]].reset_index()
    return out.rename(columns={out.columns[0]: "cluster"})


def _cluster_key(label: Any) -> tuple[int, float, str]:
    text = str(label)
    return (0, float(text), "") if text.isdigit() else (1, 0.0, text)


def segment_cluster_crosstab(assignments: pd.DataFrame, *, segment_col: str = "segment",
                             cluster_col: str = "cluster", order: Sequence[str] | None = None) -> pd.DataFrame:
    """Customers per RFM segment (rows) and behavioural cluster (columns).

    Rows follow ``order`` (default :data:`RFM_SEGMENT_ORDER`; segments it does not name follow,
    alphabetically); columns are the clusters in number order (``"2"`` before ``"10"``), other labels such
    as ``no_purchase`` last.

    Returns
    -------
    DataFrame
        Counts, index ``segment_col``, columns ``cluster_col``; 0 where a segment has no customer in a
        cluster.
    """
    _require(assignments, "assignments", [segment_col, cluster_col])
    table = pd.crosstab(assignments[segment_col], assignments[cluster_col])
    order = list(RFM_SEGMENT_ORDER if order is None else order)
    present = set(table.index)
    rows = [s for s in order if s in present] + sorted((s for s in present if s not in set(order)), key=str)
    return table.loc[rows, sorted(table.columns, key=_cluster_key)]


# ==================================================================================================
# 4. Demographics and the customer portrait (客户画像)
# ==================================================================================================

def age_bands(birth_dates: pd.Series, as_of: Any, *, bands: Sequence[int] = AGE_BANDS) -> pd.Series:
    """Age band of each birth date at ``as_of`` (age in full years; the last band is open, e.g. "65+").

    Bands are ``[lower edge, next edge)``: with the default edges 0, 25, 35, 45, 55, 65 the labels are
    ``"<25", "25-34", "35-44", "45-54", "55-64", "65+"``. Missing or future birth dates give a missing band.

    Returns
    -------
    Series
        Ordered categorical, same index as ``birth_dates``.
    """
    as_of = _ts(as_of)
    edges = [int(b) for b in bands]
    if edges != sorted(edges) or len(set(edges)) != len(edges) or len(edges) < 2:
        raise ValueError(f"bands must be at least two increasing ages, got {bands!r}")
    b = _dates(birth_dates)
    age = as_of.year - b.dt.year - ((b.dt.month > as_of.month) | ((b.dt.month == as_of.month)
                                                                  & (b.dt.day > as_of.day))).astype(int)
    age = age.where(b <= as_of)
    labels = ([f"<{edges[1]}"] if edges[0] == 0 else [f"{edges[0]}-{edges[1] - 1}"])
    labels += [f"{lo}-{hi - 1}" for lo, hi in zip(edges[1:-1], edges[2:], strict=True)] + [f"{edges[-1]}+"]
    cut = pd.cut(age, bins=[*edges, np.inf], right=False, labels=labels)
    return cut.rename("age_band")


def customer_attributes(customers: pd.DataFrame, as_of: Any, *, customer_col: str = "customer_id",
                        birth_col: str = "birth_date", signup_col: str = "signup_date",
                        columns: Sequence[str] = ("gender", "region", "acquisition_channel", "account_type",
                                                  "member_tier"),
                        bands: Sequence[int] = AGE_BANDS) -> pd.DataFrame:
    """The demographic attributes of each customer: ``age_band`` (when there is a birth date column) and the
    ``columns`` that exist in ``customers``. Missing optional columns are simply absent from the result
    (``attrs["absent"]`` lists them).

    Returns
    -------
    DataFrame
        ``customer_id`` plus the available attribute columns, one row per customer (signed up by ``as_of``).
    """
    as_of = _ts(as_of)
    c = _customers_until(customers, as_of, customer_col, signup_col)
    out = c[[customer_col]].copy()
    absent = []
    if birth_col in c.columns:
        out["age_band"] = age_bands(c[birth_col], as_of, bands=bands).array
    else:
        absent.append("age_band")
    for col in columns:
        if col in c.columns:
            out[col] = c[col].to_numpy()
        else:
            absent.append(col)
    out.attrs["absent"] = tuple(absent)
    return out


def demographic_summary(attributes: pd.DataFrame, rfm: pd.DataFrame, by: str, *,
                        customer_col: str = "customer_id") -> pd.DataFrame:
    r"""Customers and value per value of one demographic dimension (age band, gender, region, channel).

    .. math:: \text{revenue per customer}_g = \frac{\sum_{i \in g} M_i}{n_g}, \qquad
              \text{AOV}_g = \frac{\sum_{i \in g} M_i}{\sum_{i \in g} F_i}

    Parameters
    ----------
    attributes : DataFrame
        :func:`customer_attributes`.
    rfm : DataFrame
        :func:`rfm_table` (``frequency``, ``monetary``).
    by : str
        A column of ``attributes``.

    Returns
    -------
    DataFrame
        ``<by>, customers, customer_share, buyer_share, orders_per_customer, avg_order_value,
        revenue_per_customer, revenue_share``; a missing value of ``by`` is shown as ``"unknown"``.
    """
    _require(attributes, "attributes", [customer_col, by])
    _require(rfm, "rfm", [customer_col, "frequency", "monetary"])
    return _demographic_table(_with_rfm(attributes, rfm, [by], customer_col), by)


def _with_rfm(attributes: pd.DataFrame, rfm: pd.DataFrame, columns: Sequence[str],
              customer_col: str) -> pd.DataFrame:
    """``columns`` of ``attributes`` with each customer's ``frequency`` and ``monetary`` (missing when not in
    ``rfm``), one row per row of ``attributes``."""
    return attributes[[customer_col, *columns]].merge(rfm[[customer_col, "frequency", "monetary"]],
                                                      on=customer_col, how="left")


def _demographic_table(d: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`demographic_summary` of ``d`` (from :func:`_with_rfm`) by its column ``by``."""
    key = d[by].astype(object).where(d[by].notna(), "unknown")
    if isinstance(d[by].dtype, pd.CategoricalDtype):
        cats = [*map(str, d[by].cat.categories), "unknown"]
        key = pd.Categorical(key.astype(str), categories=cats, ordered=True)
    g = d[["frequency", "monetary"]].assign(_buyer=d["frequency"] > 0).groupby(key, observed=True)
    out = pd.DataFrame({"customers": g.size(), "buyers": g["_buyer"].sum(), "orders": g["frequency"].sum(),
                        "revenue": g["monetary"].sum()})
    out["customer_share"] = out["customers"] / len(d)
    out["buyer_share"] = out["buyers"] / out["customers"]
    out["orders_per_customer"] = out["orders"] / out["customers"]
    out["avg_order_value"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["revenue_per_customer"] = out["revenue"] / out["customers"]
    out["revenue_share"] = out["revenue"] / float(d["monetary"].sum())
    out.index.name = by
    cols = ["customers", "customer_share", "buyer_share", "orders_per_customer", "avg_order_value",
            "revenue_per_customer", "revenue_share"]
    return out[cols].reset_index()


def consumer_attributes(customers: pd.DataFrame, as_of: Any, *,
                        account_types: Iterable[str] = CONSUMER_ACCOUNT_TYPES,
                        account_type_col: str = "account_type", **options: Any) -> pd.DataFrame:
    """:func:`customer_attributes` of the consumers only: the customers whose ``account_type_col`` is one of
    ``account_types`` (default :data:`CONSUMER_ACCOUNT_TYPES`), since age and gender describe people, not
    businesses. Without that column every customer is kept. ``options`` go to
    :func:`customer_attributes`.

    Returns
    -------
    DataFrame
        As :func:`customer_attributes` (``attrs["absent"]`` included), fewer rows.
    """
    attrs = customer_attributes(customers, as_of, **options)
    if account_type_col not in attrs.columns:
        return attrs
    out = attrs[attrs[account_type_col].isin(set(account_types))].reset_index(drop=True)
    out.attrs = dict(attrs.attrs)
    return out


def demographic_summaries(attributes: pd.DataFrame, rfm: pd.DataFrame, *,
                          dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS,
                          customer_col: str = "customer_id") -> dict[str, pd.DataFrame]:
    """:func:`demographic_summary` for each of ``dimensions`` (default :data:`DEMOGRAPHIC_COLUMNS`) that is a
    column of ``attributes``, in that order; the dimensions that are not columns are left out.

    Returns
    -------
    dict of str to DataFrame
        Dimension -> its summary; empty when no dimension is present.
    """
    dims = list(dict.fromkeys(d for d in dimensions if d in attributes.columns))
    if not dims or {customer_col, "frequency", "monetary"} & set(dims):
        return {d: demographic_summary(attributes, rfm, d, customer_col=customer_col) for d in dims}
    _require(attributes, "attributes", [customer_col, *dims])
    _require(rfm, "rfm", [customer_col, "frequency", "monetary"])
    joined = _with_rfm(attributes, rfm, dims, customer_col)  # one join for all dimensions
    return {d: _demographic_table(joined, d) for d in dims}


def demographic_notes(attributes: pd.DataFrame, *, dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS) -> list[str]:
    """What the demographic breakdown cannot show, in words (empty when every dimension is present).

    Returns
    -------
    list of str
        A note naming the missing dimensions, and a second one when none is present at all.
    """
    missing = [d for d in dimensions if d not in attributes.columns]
    notes = []
    if missing:
        notes.append(f"*Not available in this data:* {', '.join(missing)} "
                     "(the customers table has no such column; `age_band` needs `birth_date`).")
    if len(missing) == len(dimensions):
        notes.append("No demographic column is present, so the demographic breakdown is skipped.")
    return notes


def demographic_highlights(tables: Mapping[str, pd.DataFrame], *, unknown: str = "unknown") -> pd.DataFrame:
    r"""The stand-out group of each demographic dimension: the one whose share of revenue most exceeds its
    share of customers,

    .. math:: g^* = \arg\max_g \left(\text{revenue share}_g - \text{customer share}_g\right)

    (first group on ties; the ``unknown`` group is left out, and so is a dimension with no known group).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Dimension -> :func:`demographic_summary` (e.g. :func:`demographic_summaries`).

    Returns
    -------
    DataFrame
        ``dimension, group, customers, customer_share, revenue_share, revenue_per_customer``, one row per
        dimension.
    """
    rows = []
    for dim, table in tables.items():
        _require(table, f"demographic summary of {dim}", [dim, "customers", "customer_share", "revenue_share",
                                                          "revenue_per_customer"])
        known = table[table[dim].astype(str) != unknown]
        if known.empty:
            continue
        best = known.loc[(known["revenue_share"] - known["customer_share"]).idxmax()]
        rows.append({"dimension": dim, "group": best[dim], "customers": int(best["customers"]),
                     "customer_share": float(best["customer_share"]),
                     "revenue_share": float(best["revenue_share"]),
                     "revenue_per_customer": float(best["revenue_per_customer"])})
    cols = ["dimension", "group", "customers", "customer_share", "revenue_share", "revenue_per_customer"]
    return pd.DataFrame(rows, columns=cols)


def customer_portrait(assignments: pd.DataFrame, customers: pd.DataFrame, orders: pd.DataFrame, as_of: Any, *,
                      segment_col: str = "segment", customer_col: str = "customer_id", currency: str = "",
                      date_col: str = "order_date", revenue_col: str = "revenue",
                      bands: Sequence[int] = AGE_BANDS, order: Sequence[str] | None = None) -> pd.DataFrame:
    r"""Customer portrait (客户画像) of each segment: who they are, how they buy, what they are worth.

    - *who*: the most common age band, gender, region and acquisition channel, each with its share of
      the segment (columns absent from ``customers`` are left out);
    - *how they buy*: orders per customer, average order value
      :math:`\text{AOV} = \sum \text{revenue} / \#\text{orders}` and the main sales channel and product
      category with their share of the segment's revenue (when ``orders`` has those columns);
    - *what they are worth*: revenue per customer and share of total revenue (orders up to ``as_of``).

    Returns
    -------
    DataFrame
        One row per segment: ``segment, customers, customer_share``, ``top_<attribute>`` and
        ``top_<attribute>_share`` for each attribute, ``orders_per_customer, avg_order_value``,
        ``top_channel(_share)``, ``top_category(_share)``, ``revenue_per_customer, revenue_share`` and a
        ``portrait`` sentence.
    """
    as_of = _ts(as_of)
    _require(assignments, "assignments", [customer_col, segment_col])
    seg = assignments[[customer_col, segment_col]].copy()
    seg[customer_col] = seg[customer_col].astype(str)
    attrs = customer_attributes(customers, as_of, customer_col=customer_col, bands=bands,
                                columns=("gender", "region", "acquisition_channel"))
    extra = [c for c in ("channel", "category") if c in orders.columns]
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col, extra)
    d = seg.merge(attrs, on=customer_col, how="left")
    o = o.merge(seg, on=customer_col, how="inner")
    total_rev = float(o[revenue_col].sum())
    # one pass per attribute over all segments (not one per segment and attribute), one split of the orders
    who = [c for c in ("age_band", "gender", "region", "acquisition_channel") if c in d.columns]
    modes = {col: _mode_shares(d[segment_col], d[col]) for col in who}
    parts = dict(tuple(o.groupby(segment_col, sort=False)))
    rows = []
    for name, size in d.groupby(segment_col, sort=False).size().items():
        n = int(size)
        po = parts.get(name, o.iloc[:0])
        row: dict[str, Any] = {"segment": name, "customers": n, "customer_share": n / len(d)}
        for col in who:
            row[f"top_{col}"], row[f"top_{col}_share"] = modes[col].get(name, (np.nan, np.nan))
        n_orders, rev = len(po), float(po[revenue_col].sum())
        row["orders_per_customer"] = n_orders / n
        row["avg_order_value"] = rev / n_orders if n_orders else np.nan
        for col in extra:
            # the segment's own groupby, as its sums depend (in the last digit) on how the rows are grouped
            by = po.groupby(po[col].astype(str))[revenue_col].sum()
            if len(by) and rev > 0:
                j = int(np.argmax(by.to_numpy()))  # the first of the largest: ties go alphabetically
                row[f"top_{col}"], row[f"top_{col}_share"] = by.index[j], float(by.iloc[j] / rev)
            else:
                row[f"top_{col}"], row[f"top_{col}_share"] = np.nan, np.nan
        row["revenue_per_customer"] = rev / n
        row["revenue_share"] = rev / total_rev if total_rev else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    names = out["segment"].tolist()
    if order is None and set(names) <= set(RFM_SEGMENT_ORDER):
        order = RFM_SEGMENT_ORDER
    if order is not None:
        ranked = [s for s in order if s in names] + [s for s in names if s not in set(order)]
    else:
        ranked = out.sort_values("customers", ascending=False, kind="stable")["segment"].tolist()
    out = out.set_index("segment").loc[ranked].reset_index()
    out["portrait"] = [_portrait_sentence(r, currency) for r in out.to_dict("records")]
    return out


def _portrait_sentence(r: Mapping[str, Any], currency: str = "") -> str:
    unit = f" {currency}" if currency else ""
    who = []
    for col, fmt in (("top_age_band", "aged {}"), ("top_gender", "gender {}"), ("top_region", "from {}"),
                     ("top_acquisition_channel", "acquired via {}")):
        if col in r and pd.notna(r[col]):
            who.append(f"{fmt.format(r[col])} ({r[col + '_share']:.0%})")
    how = f"{r['orders_per_customer']:.1f} orders per customer"
    if pd.notna(r["avg_order_value"]):
        how += f" at {r['avg_order_value']:,.0f}{unit} per order"
    for col, what in (("top_channel", "channel"), ("top_category", "category")):
        if col in r and pd.notna(r[col]):
            how += f"; main {what} {r[col]} ({r[col + '_share']:.0%} of revenue)"
    worth = f"{r['revenue_per_customer']:,.0f}{unit} revenue per customer"
    if pd.notna(r["revenue_share"]):
        worth += f", {r['revenue_share']:.1%} of all revenue"
    head = ("Most common: " + ", ".join(who) + ". ") if who else ""
    return f"{head}Buy {how}. Worth {worth}."


def purchase_mix(orders: pd.DataFrame, assignments: pd.DataFrame, as_of: Any, *, by: str = "channel",
                 segment_col: str = "segment", customer_col: str = "customer_id", date_col: str = "order_date",
                 revenue_col: str = "revenue") -> pd.DataFrame:
    """Revenue mix of each segment over ``by`` (``channel`` or ``category`` of ``orders``).

    Returns
    -------
    DataFrame
        Segments as rows, values of ``by`` as columns, each row the segment's revenue shares (sums to 1).
    """
    as_of = _ts(as_of)
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col, [by])
    seg = assignments[[customer_col, segment_col]].copy()
    seg[customer_col] = seg[customer_col].astype(str)
    o = o.merge(seg, on=customer_col, how="inner")
    # the groupby and unstack of ``pivot_table(index=segment_col, columns=by, aggfunc="sum", fill_value=0.0)``,
    # without its general-purpose overhead
    sums = o.groupby([o[segment_col], o[by].astype(str).rename(by)], observed=True)[revenue_col].sum()
    table = sums.unstack(by, fill_value=0.0)
    share = table.div(table.sum(axis=1).where(lambda s: s > 0), axis=0)
    names = share.index.tolist()
    if set(names) <= set(RFM_SEGMENT_ORDER):
        share = share.loc[[s for s in RFM_SEGMENT_ORDER if s in names]]
    share.columns.name = by
    return share


# ==================================================================================================
# 5. Target-customer matrix
# ==================================================================================================

def target_matrix(orders: pd.DataFrame, as_of: Any, *, split: float = TARGET_SPLIT,
                  customer_col: str = "customer_id", date_col: str = "order_date",
                  revenue_col: str = "revenue") -> pd.DataFrame:
    r"""Target-customer matrix (客户选择矩阵): customer value x customer attractiveness.

    Both axes are percentile ranks (0-1, ties share their average rank) among customers with at least one
    order up to ``as_of``:

    - **value** (what the customer is worth to us now) = percentile of the annual revenue :math:`y_0`
      (12 months ending at ``as_of``);
    - **attractiveness** (where the customer is heading) = the mean of two percentiles: recency (more
      recent is better) and the revenue trend

      .. math:: t = \frac{y_0 - y_1}{y_0 + y_1} \in [-1, 1]

      (+1 = new in the last 12 months, -1 = bought the year before but not in the last 12 months, 0 =
      flat; -1 as well when neither window has revenue).

    A customer is *high* on an axis when their percentile exceeds ``split`` (default the median). The
    quadrants (:data:`TARGET_QUADRANTS`): high value & high attractiveness = **focus** 重点选择; low value &
    high attractiveness = **opportunistic** 择机选择; high value & low attractiveness = **passive** 消极选择;
    low & low = **abandon** 放弃选择.

    Returns
    -------
    DataFrame
        ``customer_id, annual_revenue, previous_revenue, recency_days, trend, value, attractiveness,
        quadrant, quadrant_zh``.
    """
    as_of = _ts(as_of)
    if not 0 < float(split) < 1:
        raise ValueError(f"split must be a fraction in (0, 1), got {split!r}")
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col)
    yr = yearly_revenue(o, as_of, years=2, customer_col=customer_col, date_col=date_col, revenue_col=revenue_col)
    last = o.groupby(customer_col)[date_col].max()
    out = yr.rename(columns={"revenue_y0": "annual_revenue", "revenue_y1": "previous_revenue"})
    out["recency_days"] = (as_of - out[customer_col].map(last)).dt.days.astype(float)
    both = out["annual_revenue"] + out["previous_revenue"]
    out["trend"] = ((out["annual_revenue"] - out["previous_revenue"]) / both.where(both > 0)).fillna(-1.0)
    out["value"] = out["annual_revenue"].rank(pct=True, method="average")
    rec = (-out["recency_days"]).rank(pct=True, method="average")
    trend = out["trend"].rank(pct=True, method="average")
    out["attractiveness"] = (rec + trend) / 2
    hi_v, hi_a = (out["value"] > split).to_numpy(), (out["attractiveness"] > split).to_numpy()
    which = 2 * hi_v + hi_a  # 0..3: (low, low), (low, high), (high, low), (high, high)
    names = [TARGET_QUADRANTS[(bool(v), bool(a))] for v in (False, True) for a in (False, True)]
    out["quadrant"] = np.array([q[0] for q in names], dtype=object)[which].tolist()
    out["quadrant_zh"] = np.array([q[1] for q in names], dtype=object)[which].tolist()
    return out


# ==================================================================================================
# 6. Penetration and market share
# ==================================================================================================

def market_penetration(customers: pd.DataFrame, orders: pd.DataFrame, market: pd.DataFrame, as_of: Any, *,
                       region_col: str = "region", customer_col: str = "customer_id",
                       date_col: str = "order_date", revenue_col: str = "revenue",
                       signup_col: str = "signup_date", total: bool = True) -> pd.DataFrame:
    r"""Penetration and market share by region.

    .. math:: \text{penetration}_g = \frac{\text{customers}_g}{\text{potential customers}_g}, \qquad
              \text{market share}_g = \frac{\text{our revenue}_g}{\text{market revenue}_g}

    ``customers`` counts everyone signed up by ``as_of``; ``active_customers`` those with an order in the
    12 months ending at ``as_of`` (``active_penetration`` uses them). Our revenue is the revenue of those
    12 months, to match ``market_revenue`` (a yearly figure). Regions present on one side only are kept
    (missing figures stay empty). Without ``market_revenue`` the share columns are missing values.

    Returns
    -------
    DataFrame
        ``region, customers, active_customers, potential_customers, penetration, active_penetration,
        revenue, market_revenue, market_share``; with ``total=True`` a last row ``"All regions"``.
    """
    as_of = _ts(as_of)
    c = _customers_until(customers, as_of, customer_col, signup_col)
    _require(c, "customers", [region_col])
    _require(market, "market", [region_col, "potential_customers"])
    o = _orders_until(orders, as_of, customer_col, date_col, revenue_col)
    region = c[region_col].astype(str).where(c[region_col].notna(), "unknown")
    where = pd.Series(region.to_numpy(), index=c[customer_col], name="_region")
    o = o[_window(o[date_col], as_of, 0)]
    o = o.assign(_region=o[customer_col].map(where))
    g = pd.DataFrame({"customers": region.value_counts()})
    by_region = o.groupby("_region")  # one grouping for both figures
    g["active_customers"] = by_region[customer_col].nunique()
    g["revenue"] = by_region[revenue_col].sum()
    m = market.copy()
    m[region_col] = m[region_col].astype(str)
    m = m.set_index(region_col)
    if "market_revenue" not in m.columns:
        m["market_revenue"] = np.nan
    out = g.join(m[["potential_customers", "market_revenue"]], how="outer")
    out[["customers", "active_customers", "revenue"]] = out[["customers", "active_customers", "revenue"]].fillna(0)
    out = out.sort_index()
    if total:
        known = out["potential_customers"].notna()
        tot = pd.DataFrame({
            "customers": [out.loc[known, "customers"].sum()],
            "active_customers": [out.loc[known, "active_customers"].sum()],
            "revenue": [out.loc[known, "revenue"].sum()],
            "potential_customers": [out.loc[known, "potential_customers"].sum()],
            "market_revenue": [out.loc[known, "market_revenue"].sum(min_count=1)],
        }, index=["All regions"])
        out = pd.concat([out, tot])
    out["potential_customers"] = out["potential_customers"].astype(float)
    pot = out["potential_customers"].where(out["potential_customers"] > 0)
    out["penetration"] = out["customers"] / pot
    out["active_penetration"] = out["active_customers"] / pot
    out["market_share"] = out["revenue"] / out["market_revenue"].where(out["market_revenue"] > 0)
    out.index.name = "region"
    out[["customers", "active_customers"]] = out[["customers", "active_customers"]].astype(int)
    cols = ["customers", "active_customers", "potential_customers", "penetration", "active_penetration",
            "revenue", "market_revenue", "market_share"]
    return out[cols].reset_index()


# ==================================================================================================
# 7. Actions, exports, KPIs, exercises
# ==================================================================================================

def action_plan(assignments: pd.DataFrame, playbook: Mapping[str, str] | None = None, *,
                segment_col: str = "segment", revenue_col: str | None = "monetary",
                order: Sequence[str] | None = None) -> pd.DataFrame:
    """The recommended strategy for each segment, with its size and revenue share.

    Parameters
    ----------
    assignments : DataFrame
        One row per customer with ``segment_col`` (and ``revenue_col`` when given).
    playbook : mapping, optional
        Segment -> strategy; default :data:`RFM_PLAYBOOK` (use :data:`ABC_PLAYBOOK` or
        :data:`TARGET_PLAYBOOK` for those segmentations). A segment the playbook does not name gets
        "No strategy in the playbook - define one".

    order : sequence of str, optional
        Row order; default the playbook's order (segments it does not name follow, largest first).

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, revenue_share, action``.
    """
    playbook = dict(RFM_PLAYBOOK if playbook is None else playbook)
    rev = revenue_col if revenue_col and revenue_col in assignments.columns else None
    a = assignments if rev else assignments.assign(_one=1.0)
    summary = segment_summary(a, segment_col=segment_col, revenue_col=rev or "_one",
                              order=order if order is not None else list(playbook))
    out = summary[["segment", "customers", "customer_share"]].copy()
    out["revenue_share"] = summary["revenue_share"] if rev else np.nan
    out["action"] = [playbook.get(s, "No strategy in the playbook - define one.") for s in out["segment"]]
    return out


def contact_list(assignments: pd.DataFrame, *, segments: Sequence[str] = CONTACT_SEGMENTS,
                 playbook: Mapping[str, str] | None = None, n_per_segment: int = 10,
                 segment_col: str = "segment", customer_col: str = "customer_id",
                 currency: str = "") -> pd.DataFrame:
    """Which customers to contact first, and why: the ``n_per_segment`` most valuable customers (by
    ``monetary``) of each of ``segments``, in that order, with the reason and the playbook's action.

    Parameters
    ----------
    assignments : DataFrame
        :func:`rfm_segmentation` output (``recency_days, frequency, monetary`` and ``segment_col``).
    segments : sequence of str
        Segments to draw from, most urgent first (default :data:`CONTACT_SEGMENTS`).
    playbook : mapping, optional
        Segment -> action (default :data:`RFM_PLAYBOOK`).

    Returns
    -------
    DataFrame
        ``priority, customer_id, segment, monetary, frequency, recency_days, why, action``.
    """
    _require(assignments, "assignments", [customer_col, segment_col, "recency_days", "frequency", "monetary"])
    playbook = dict(RFM_PLAYBOOK if playbook is None else playbook)
    parts = []
    # one (stable) sort of everyone: each segment's rows then come out in the order of sorting that segment
    ranked = assignments.sort_values(["monetary", customer_col], ascending=[False, True])
    for rank, name in enumerate(segments, start=1):
        part = ranked[ranked[segment_col] == name].head(int(n_per_segment))
        parts.append(part.assign(priority=rank))
    cols = ["priority", customer_col, segment_col, "monetary", "frequency", "recency_days"]
    if not parts:
        return pd.DataFrame(columns=[*cols, "why", "action"])
    out = pd.concat(parts, ignore_index=True)[cols]
    unit = f" {currency}" if currency else ""
    out["why"] = [f"{str(s).replace('_', ' ')}: {m:,.0f}{unit} over {int(f)} order{'s' if f != 1 else ''}, "
                  f"last order {r:,.0f} day{'s' if r != 1 else ''} ago"
                  for s, m, f, r in out[[segment_col, "monetary", "frequency", "recency_days"]].itertuples(
                      index=False)]
    out["action"] = [playbook.get(s, "No strategy in the playbook - define one.") for s in out[segment_col]]
    return out


def export_segments(assignments: pd.DataFrame, out_dir: str | Path, *, mask_personal: bool = True,
                    segment_col: str = "segment", customer_col: str = "customer_id",
                    customers: pd.DataFrame | None = None,
                    personal_columns: Sequence[str] = ("name", "phone", "email"),
                    prefix: str | None = None) -> list[Path]:
    """Write one CSV per segment with the customers to contact.

    With ``mask_personal=True`` (the default) each file holds **only the customer ids**. With masking
    turned off, the ``personal_columns`` (name, phone, e-mail) found in ``customers`` (or in
    ``assignments``) are added, so the list can go straight to a call centre. Files are named
    ``<prefix>_<segment>.csv`` (UTF-8 with BOM so Excel opens them), ``prefix`` defaulting to
    ``segment_col``; the folder is created if needed.

    Returns
    -------
    list of Path
        The files written, in segment order.
    """
    _require(assignments, "assignments", [customer_col, segment_col])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    a = assignments[[customer_col, segment_col]].copy()
    a[customer_col] = a[customer_col].astype(str)
    if not mask_personal:
        source = customers if customers is not None else assignments
        cols = [c for c in personal_columns if c in source.columns]
        if cols:
            extra = source[[customer_col, *cols]].copy()
            extra[customer_col] = extra[customer_col].astype(str)
            a = a.merge(extra.drop_duplicates(customer_col), on=customer_col, how="left")
    prefix = _slug(prefix or segment_col)
    paths = []
    for seg, part in a.groupby(segment_col, sort=True):
        path = out_dir / f"{prefix}_{_slug(seg)}.csv"
        keep = [customer_col] if mask_personal else [c for c in part.columns if c != segment_col]
        part[keep].sort_values(customer_col).to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths


def format_table(table: pd.DataFrame, *, currency: str = "", index: bool = False):
    """A pandas ``Styler`` that shows a segmentation table for a report.

    Columns are formatted by name: shares (``*_share``, ``*penetration``, ``*_pct``, ``value``,
    ``attractiveness``, ``trend``) as percentages; money (``revenue*``, ``monetary``, ``market_revenue``,
    ``avg_order_value``, ``*_per_customer``) with thousands separators and the currency in the header;
    counts and day counts (``*_days``) with thousands separators; other floats with two decimals. The table itself is not changed.
    """
    t = table.copy()
    money = [c for c in t.columns if isinstance(c, str) and (c.startswith(("revenue", "mean_monetary"))
             or c in ("monetary", "market_revenue", "avg_order_value", "annual_revenue", "previous_revenue")
             or (c.endswith("_per_customer") and not c.startswith("orders")))
             and not c.endswith("_share")
             and pd.api.types.is_numeric_dtype(t[c])]
    if currency:
        t = t.rename(columns={c: f"{c} ({currency})" for c in money})
        money = [f"{c} ({currency})" for c in money]
    fmt: dict[Any, Any] = {}
    for c in t.columns:
        name = str(c)
        if c in money:
            fmt[c] = "{:,.0f}"
        elif not pd.api.types.is_numeric_dtype(t[c]) or pd.api.types.is_bool_dtype(t[c]):
            continue
        elif name.endswith(("_share", "penetration", "_pct")) or name in ("value", "attractiveness", "trend",
                                                                          "growth_y0", "growth_y1"):
            fmt[c] = "{:.1%}"
        elif (pd.api.types.is_integer_dtype(t[c]) or name.endswith("_days")
              or bool(((t[c].dropna() % 1) == 0).all())):
            fmt[c] = "{:,.0f}"
        else:
            fmt[c] = "{:,.2f}"
    styler = t.style.format(fmt, na_rep="-")
    return styler if index else styler.hide(axis="index")


def segment_kpis(summary: pd.DataFrame, *, prefix: str = "rfm") -> list[dict[str, Any]]:
    """KPI records for :func:`crmbook.report.record_kpi`: customers and customer share per segment.

    For each row of a :func:`segment_summary` two records: ``<prefix>_<segment>_customers`` (unit
    ``customers``) and ``<prefix>_<segment>_share`` (unit ``%``, 0-100, one decimal).

    Returns
    -------
    list of dict
        Keyword arguments for ``record_kpi(**kpi)``.
    """
    _require(summary, "summary", ["segment", "customers", "customer_share"])
    kpis = []
    for seg, n, share in summary[["segment", "customers", "customer_share"]].itertuples(index=False):
        key = f"{_slug(prefix)}_{_slug(seg)}"
        shown = f"{prefix.upper()} {str(seg).replace('_', ' ')}"
        kpis.append({"name": f"{key}_customers", "value": int(n), "unit": "customers",
                     "label": f"{shown}: customers"})
        kpis.append({"name": f"{key}_share", "value": round(float(share) * 100, 1), "unit": "%",
                     "label": f"{shown}: share of customers"})
    return kpis


def abc_exercise_table(abc: pd.DataFrame, *, n: int = 6, customer_col: str = "customer_id") -> pd.DataFrame:
    """A small table for classifying customers by hand: some A (by revenue and, when present, key
    accounts), some B and some C, with the three yearly revenues and the key-account flag.

    Customers are picked deterministically (the first ids of each kind), then sorted by id. The
    revenue cut-off for A is in ``attrs["a_cutoff"]`` (the annual revenue of the last customer ranked in
    A by revenue).
    """
    _require(abc, "abc", [customer_col, "revenue_y0", "revenue_y1", "revenue_y2", "key_account", "abc_class",
                          "abc_reason"])
    a = abc.sort_values(customer_col)
    by_rev = a[a["abc_reason"].str.startswith("top")]
    key = a[(a["abc_reason"] == "key account / agent")]
    b = a[a["abc_class"] == "B"]
    # C customers with some growth but not enough, and plain ones: the instructive near-misses first
    c_near = a[(a["abc_class"] == "C") & (a["revenue_y2"] > 0) & (a["revenue_y1"] > a["revenue_y2"])]
    c_rest = a[(a["abc_class"] == "C") & ~a[customer_col].isin(c_near[customer_col])]
    k = max(1, n // 6)
    picks = pd.concat([by_rev.head(k), key.head(k), b.head(2 * k), c_near.head(k), c_rest.head(k)])
    picks = picks.drop_duplicates(customer_col).head(n).sort_values(customer_col)
    table = picks[[customer_col, "revenue_y2", "revenue_y1", "revenue_y0", "key_account"]].reset_index(drop=True)
    cut = by_rev["revenue_y0"].min() if len(by_rev) else float("nan")
    table.attrs["a_cutoff"] = float(cut)
    table.attrs["answer"] = dict(zip(picks[customer_col], picks["abc_class"], strict=True))
    return table


def exercises(scored: pd.DataFrame, abc: pd.DataFrame, target: pd.DataFrame | None = None, *,
              top_share: float = ABC_TOP_SHARE, growth: float = ABC_GROWTH,
              customer_col: str = "customer_id") -> ExerciseSet:
    """The exercises of notebook ``01_segmentation``, built from the data (answers computed, never typed).

    - ``q1`` (number): the RFM code of one customer, scored by hand from the quantile rule;
    - ``q2`` (set): which customers of :func:`abc_exercise_table` are class B;
    - ``q3`` (number): the share of annual revenue brought by the top ``top_share`` of customers;
    - ``q4`` (choice, when ``target`` is given): the target-matrix quadrant of one customer.

    Parameters
    ----------
    scored : DataFrame
        :func:`rfm_segmentation` (or :func:`rfm_scores`) output.
    abc : DataFrame
        :func:`abc_classes` output.
    target : DataFrame, optional
        :func:`target_matrix` output.
    """
    buyers = scored[scored["frequency"] > 0].sort_values(customer_col)
    if buyers.empty:
        raise ValueError("scored: no customer with orders; the exercises need at least one")
    # a customer whose three scores differ makes the best exercise; else the first buyer
    varied = buyers[(buyers["r_score"] != buyers["f_score"]) & (buyers["f_score"] != buyers["m_score"])]
    who = (varied if len(varied) else buyers).iloc[len(varied if len(varied) else buyers) // 2]
    n = len(buyers)
    worse_r = int((buyers["recency_days"] > who["recency_days"]).sum())
    worse_f = int((buyers["frequency"] < who["frequency"]).sum())
    worse_m = int((buyers["monetary"] < who["monetary"]).sum())
    bins = int(max(buyers["r_score"].max(), buyers["f_score"].max(), buyers["m_score"].max()))
    q1 = NumberExercise(
        "Exercise 1",
        f"Customer {who[customer_col]} last bought {who['recency_days']:.0f} days before the analysis date, "
        f"placed {int(who['frequency'])} orders and spent {who['monetary']:,.2f} in total. Of the {n} buying "
        f"customers, {worse_r} bought longer ago, {worse_f} placed fewer orders and {worse_m} spent less. "
        f"Score R, F and M from 1 to {bins} with the quantile rule and answer the three digits as one "
        "number (e.g. 345).",
        int(who["rfm_code"]), abs_tol=0.0, rel_tol=0.0,
        hint=f"score = ceil({bins} x rank / n) where rank = 1 + the number of customers strictly worse "
             "(tied customers share the lowest rank); for R, longer ago is worse.",
        solution=f"R = ceil({bins} x {worse_r + 1} / {n}) = {who['r_score']}, "
                 f"F = ceil({bins} x {worse_f + 1} / {n}) = {who['f_score']}, "
                 f"M = ceil({bins} x {worse_m + 1} / {n}) = {who['m_score']} -> {who['rfm_code']}",
    )
    table = abc_exercise_table(abc, customer_col=customer_col)
    answer = table.attrs["answer"]
    q2 = SetExercise(
        "Exercise 2",
        f"In the small ABC table, A = annual revenue (revenue_y0) of at least {table.attrs['a_cutoff']:,.2f} "
        f"or a key account; B = not A and grew by at least {growth:.0%} in each of the last two years "
        "(revenue_y1 >= (1+g) revenue_y2 and revenue_y0 >= (1+g) revenue_y1). Which customers are B? "
        "Answer a list of ids.",
        [c for c, k in answer.items() if k == "B"],
        hint="check A first; then both growth steps; growth from 0 does not count.",
        solution="B: " + ", ".join(c for c, k in answer.items() if k == "B") + "; A: "
                 + ", ".join(c for c, k in answer.items() if k == "A"),
    )
    share = top_share_revenue(abc.set_index(customer_col)["revenue_y0"], top_share)
    q3 = NumberExercise(
        "Exercise 3",
        f"What share of the annual revenue do the top {top_share:.0%} of customers (by annual revenue) bring? "
        "Answer a fraction (0.62) or a percentage (62).",
        share, rel_tol=0.01, percent_ok=True,
        hint="sort annual revenue from largest to smallest, take the first ceil(share x n) buyers, divide by "
             "the total.",
        solution=f"top_share_revenue(abc.set_index('customer_id')['revenue_y0'], {top_share}) = {share:.4f}",
    )
    items: dict[str, Any] = {"q1": q1, "q2": q2, "q3": q3}
    if target is not None and len(target):
        t = target.sort_values(customer_col)
        pick = t.iloc[len(t) // 3]
        q4 = ChoiceExercise(
            "Exercise 4",
            f"Customer {pick[customer_col]} has value percentile {pick['value']:.2f} and attractiveness "
            f"{pick['attractiveness']:.2f}. Which quadrant of the target matrix are they in?",
            pick["quadrant"], choices=[q[0] for q in TARGET_QUADRANTS.values()],
            hint=f"high means above {TARGET_SPLIT:.2f} on an axis; value is the horizontal axis.",
            solution=f"{pick['quadrant']} ({pick['quadrant_zh']})",
        )
        items["q4"] = q4
    return ExerciseSet(**items)


# ==================================================================================================
# 8. Reading the results: the tables, sentences and KPIs of the report
# ==================================================================================================
# Each ``*_interpretation`` function returns the sentences of one "Interpretation" paragraph as a list of
# strings (Markdown), computed from the tables above; a notebook joins them with spaces.

def _unit(currency: str) -> str:
    return f" {currency}" if currency else ""


def _label(segment: Any) -> str:
    return str(segment).replace("_", " ")


def describe_data(customers: pd.DataFrame, orders: pd.DataFrame, as_of: Any, *, currency: str = "",
                  has_market: bool = False, optional_columns: Sequence[str] = OPTIONAL_CUSTOMER_COLUMNS,
                  order_columns: Sequence[str] = ("channel", "category"), date_col: str = "order_date",
                  revenue_col: str = "revenue") -> str:
    """One paragraph on the data: counts, the order period and total revenue, which optional columns of
    ``customers`` (default :data:`OPTIONAL_CUSTOMER_COLUMNS`) and ``orders`` are present, and whether
    there is a market table.
    """
    as_of = _ts(as_of)
    _require(orders, "orders", [date_col, revenue_col])
    present = [c for c in optional_columns if c in customers.columns]
    absent = [c for c in optional_columns if c not in customers.columns]
    details = [c for c in order_columns if c in orders.columns]
    dates = _dates(orders[date_col])
    period = (f" from {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if dates.notna().any() else "")
    revenue = float(pd.to_numeric(orders[revenue_col], errors="coerce").sum())
    return (f"The analysis date is **{as_of:%Y-%m-%d}**. The data holds **{len(customers):,} customers** and "
            f"**{len(orders):,} orders**{period}, worth **{revenue:,.0f}{_unit(currency)}** in total. "
            f"Optional customer columns present: {', '.join(present) or 'none'}"
            + (f"; absent: {', '.join(absent)}." if absent else ".")
            + f" Order details: {', '.join(details) or 'none'}. "
            + ("The market table is present." if has_market else "There is no market table."))


def segment_map_table(segment_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The RFM segment map as a table: ``pattern (R, FM), segment`` (default :data:`RFM_SEGMENT_MAP`)."""
    m = dict(RFM_SEGMENT_MAP if segment_map is None else segment_map)
    return pd.DataFrame({"pattern (R, FM)": list(m), "segment": list(m.values())})


def _rows(summary: pd.DataFrame, segments: Iterable[str]) -> pd.DataFrame:
    return summary[summary["segment"].isin(list(segments))]


def rfm_interpretation(summary: pd.DataFrame) -> list[str]:
    """What the RFM segments say (from a :func:`segment_summary` of :func:`rfm_segmentation`): the largest
    segment, the segment with the most revenue, the valuable customers slipping away (``cant_lose``,
    ``at_risk``) and the weight of ``lost`` and ``hibernating`` customers.

    Returns
    -------
    list of str
        Four sentences.
    """
    _require(summary, "summary", ["segment", "customers", "customer_share", "revenue_share"])
    if summary.empty:
        raise ValueError("summary: no segment to interpret (no customer)")
    top = summary.sort_values("revenue_share", ascending=False, kind="stable").iloc[0]
    big = summary.sort_values("customers", ascending=False, kind="stable").iloc[0]
    slipping = _rows(summary, ["cant_lose", "at_risk"])
    gone = _rows(summary, ["lost", "hibernating"])
    return [
        f"The largest segment is *{_label(big['segment'])}* with {int(big['customers']):,} customers "
        f"({big['customer_share']:.1%}).",
        f"The segment that brings the most revenue is *{_label(top['segment'])}*: {top['customer_share']:.1%} of "
        f"customers bring {top['revenue_share']:.1%} of all revenue.",
        f"The customers who used to buy well but have not bought for long (*can't lose* and *at risk*) are "
        f"{int(slipping['customers'].sum()):,} customers with {slipping['revenue_share'].sum():.1%} of "
        "historical revenue - the revenue most worth defending.",
        f"*Lost* and *hibernating* customers are {gone['customer_share'].sum():.1%} of the base but bring only "
        f"{gone['revenue_share'].sum():.1%} of revenue.",
    ]


def abc_interpretation(abc: pd.DataFrame, as_of: Any, *, top_share: float = ABC_TOP_SHARE,
                       first_order: Any = None) -> list[str]:
    """What the ABC classes say (from :func:`abc_classes`): the Pareto share, the class sizes, the
    key-account rule and, when ``first_order`` (the date of the first order in the data) is later than
    the first day of year 2, a warning that class B cannot be complete.

    Returns
    -------
    list of str
        Three to five sentences.
    """
    _require(abc, "abc", ["revenue_y0", "abc_class", "abc_reason", "key_account"])
    annual = abc["revenue_y0"]
    share = top_share_revenue(annual, top_share)
    counts = abc["abc_class"].value_counts()
    rule = abc.attrs.get("key_account_rule", "")
    out = [
        f"The top {top_share:.0%} of buying customers bring **{share:.1%}** of the annual revenue "
        f"({int((annual > 0).sum()):,} customers bought in the last 12 months).",
        f"Class A holds {counts.get('A', 0):,} customers, class B {counts.get('B', 0):,} and class C "
        f"{counts.get('C', 0):,}.",
    ]
    if rule:
        out.append(f"{rule[0].upper()}{rule[1:]}.")
    if abc["key_account"].any():
        only_flag = int((abc["abc_reason"] == "key account / agent").sum())
        out.append(f"{int(abc['key_account'].sum()):,} customers are key accounts or agents; {only_flag:,} of them "
                   "are A only because of that flag (their revenue alone would not put them in the top group).")
    start = abc_windows(as_of, years=3)["start"].iloc[-1]
    if first_order is not None and pd.Timestamp(first_order) > start:
        out.append(f"The orders start on {pd.Timestamp(first_order):%Y-%m-%d}, after the start of year 2, so the "
                   "growth rule cannot yet see two full years of growth and class B is incomplete.")
    return out


def cluster_interpretation(clusters: BehaviourClusters, *, currency: str = "") -> list[str]:
    """What the fitted :class:`BehaviourClusters` say: the chosen k and its silhouette, one sentence per
    cluster (share of buying customers, share of revenue, description) and the most valuable cluster.

    Returns
    -------
    list of str
        ``k + 2`` sentences.
    """
    if not hasattr(clusters, "profile_"):
        raise RuntimeError("BehaviourClusters: call fit() first")
    sil = clusters.silhouette_.set_index("k")["silhouette"]
    k = clusters.k_
    best = clusters.profile_.iloc[0]
    out = [f"The silhouette is highest for **k = {k}** ({sil[k]:.2f}; values of {sil.min():.2f} to "
           f"{sil.max():.2f} over k = {sil.index.min()} to {sil.index.max()}), so the customers fall into {k} "
           "behavioural groups."]
    out += [f"Cluster {c} ({r['customer_share']:.0%} of buying customers, {r['revenue_share']:.0%} of revenue): "
            f"{r['description'].lower()}." for c, r in clusters.profile_.iterrows()]
    out.append(f"Cluster {clusters.profile_.index[0]} is the most valuable: on average "
               f"{best['mean_monetary']:,.0f}{_unit(currency)} over {best['mean_frequency']:.1f} orders.")
    return out


def demographic_interpretation(highlights: pd.DataFrame, *, consumers: int, currency: str = "") -> list[str]:
    """What the demographic breakdown says, from :func:`demographic_highlights` (``consumers``: how many
    customers the breakdown covers).

    Returns
    -------
    list of str
        Two sentences (one when there is no highlight).
    """
    _require(highlights, "highlights", ["dimension", "group", "customer_share", "revenue_share",
                                        "revenue_per_customer"])
    if highlights.empty:
        return [f"Among {int(consumers):,} consumers, no demographic group can be compared (no known values)."]
    groups = "; ".join(
        f"{_label(r['dimension'])} *{r['group']}* ({r['customer_share']:.1%} of customers, "
        f"{r['revenue_share']:.1%} of revenue, {r['revenue_per_customer']:,.0f}{_unit(currency)} per customer)"
        for r in highlights.to_dict("records"))
    return [f"Among {int(consumers):,} consumers, the group whose share of revenue most exceeds its share of "
            f"customers, per dimension: {groups}.",
            "These are the profiles acquisition should look for; a group with many customers but little revenue "
            "per customer needs a cheaper way to serve it or a reason to buy more."]


def target_summary(target: pd.DataFrame, *, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Size and annual revenue of each target-matrix quadrant (a :func:`segment_summary` of
    :func:`target_matrix`), with the quadrant's Chinese name.

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, annual_revenue, revenue_share, revenue_per_customer,
        chinese``; quadrants in ``order`` (default the order of :data:`TARGET_PLAYBOOK`).
    """
    _require(target, "target", ["quadrant", "annual_revenue"])
    out = segment_summary(target[["quadrant", "annual_revenue"]], segment_col="quadrant",
                          revenue_col="annual_revenue", order=list(TARGET_PLAYBOOK if order is None else order))
    zh = dict(TARGET_QUADRANTS.values())
    out = out.rename(columns={"revenue": "annual_revenue"})
    out["chinese"] = out["segment"].map(zh)
    return out


def target_interpretation(summary: pd.DataFrame) -> list[str]:
    """What the target matrix says (from :func:`target_summary`): each quadrant's customers and share of
    annual revenue, and how many customers sit on the diagonal (*focus* or *abandon*).

    Returns
    -------
    list of str
        One sentence per quadrant, then two.
    """
    _require(summary, "summary", ["segment", "customers", "customer_share", "revenue_share"])
    zh = dict(TARGET_QUADRANTS.values())
    out = [f"*{r['segment']}* ({zh.get(r['segment'], '-')}): {int(r['customers']):,} customers "
           f"({r['customer_share']:.1%}) with {r['revenue_share']:.1%} of annual revenue."
           for r in summary.to_dict("records")]
    diagonal = _rows(summary, ["focus", "abandon"])["customer_share"].sum()
    out.append(f"{diagonal:.0%} of buying customers sit on the diagonal (*focus* or *abandon*), where the choice "
               "is clear.")
    out.append("The other two quadrants are where judgement is needed: growing customers of modest value "
               "(*opportunistic*) and valuable customers who are cooling (*passive*).")
    return out


def target_kpis(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """KPI records (for ``record_kpi(**kpi)``): ``target_<quadrant>_share``, each quadrant's share of buying
    customers in % (0-100, one decimal), from :func:`target_summary`."""
    _require(summary, "summary", ["segment", "customer_share"])
    zh = dict(TARGET_QUADRANTS.values())
    return [{"name": f"target_{_slug(q)}_share", "value": round(100 * float(s), 1), "unit": "%",
             "label": f"Target matrix: {q} ({zh.get(q, '-')}), share of buying customers"}
            for q, s in summary[["segment", "customer_share"]].itertuples(index=False)]


def _penetration_total(penetration: pd.DataFrame) -> pd.Series:
    _require(penetration, "penetration", ["region", "penetration", "active_penetration", "market_share"])
    total = penetration[penetration["region"] == "All regions"]
    if total.empty:
        raise ValueError("penetration: no 'All regions' row; compute it with market_penetration(..., total=True)")
    return total.iloc[0]


def penetration_interpretation(penetration: pd.DataFrame) -> list[str]:
    """What the penetration table says (from :func:`market_penetration` with its total row): overall
    penetration, active penetration and market share, and the regions where penetration is highest and
    lowest.

    Returns
    -------
    list of str
        Two sentences (one when no region has a penetration).
    """
    total = _penetration_total(penetration)
    regions = penetration[penetration["region"] != "All regions"].dropna(subset=["penetration"])
    share = (f" and a market share of {total['market_share']:.1%}" if pd.notna(total["market_share"]) else "")
    out = [f"Overall we reach {total['penetration']:.1%} of the potential customers "
           f"({total['active_penetration']:.1%} active in the last 12 months){share}."]
    if len(regions):
        hi = regions.loc[regions["penetration"].idxmax()]
        lo = regions.loc[regions["penetration"].idxmin()]
        out.append(f"Penetration is highest in **{hi['region']}** ({hi['penetration']:.1%}) and lowest in "
                   f"**{lo['region']}** ({lo['penetration']:.1%}): the low-penetration regions have the most room "
                   "for acquisition, the high-penetration ones for retention and share of wallet.")
    return out


def penetration_kpis(penetration: pd.DataFrame) -> list[dict[str, Any]]:
    """KPI records (for ``record_kpi(**kpi)``): ``penetration`` and, when the market revenue is known,
    ``market_share`` of all regions, in % (0-100, two decimals), from :func:`market_penetration`."""
    total = _penetration_total(penetration)
    kpis = [{"name": "penetration", "value": round(100 * float(total["penetration"]), 2), "unit": "%",
             "label": "Penetration, all regions"}]
    if pd.notna(total["market_share"]):
        kpis.append({"name": "market_share", "value": round(100 * float(total["market_share"]), 2), "unit": "%",
                     "label": "Market share, all regions"})
    return kpis


def contact_interpretation(assignments: pd.DataFrame, *, segments: Sequence[str] = ("cant_lose", "at_risk"),
                           segment_col: str = "segment", currency: str = "") -> list[str]:
    """What to do first: how many customers are in ``segments`` (default the valuable customers slipping
    away, ``cant_lose`` and ``at_risk``) and what they spent, then the first steps.

    Returns
    -------
    list of str
        Two sentences.
    """
    _require(assignments, "assignments", [segment_col, "monetary"])
    at_stake = assignments[assignments[segment_col].isin(list(segments))]
    return [f"{len(at_stake):,} customers are *can't lose* or *at risk*; together they spent "
            f"{at_stake['monetary'].sum():,.0f}{_unit(currency)} with us.",
            "Call the top of the list personally this month, start the reactivation campaign for the rest of "
            "these two segments, and keep the champions close with recognition rather than discounts."]


def summary_points(rfm_summary: pd.DataFrame, abc: pd.DataFrame, clusters: BehaviourClusters,
                   quadrants: pd.DataFrame, *, top_share: float = ABC_TOP_SHARE) -> list[str]:
    """The notebook's summary, one point per method (RFM, ABC, clusters, target matrix) and the next step.

    Parameters
    ----------
    rfm_summary : DataFrame
        :func:`segment_summary` of :func:`rfm_segmentation`.
    abc : DataFrame
        :func:`abc_classes`.
    clusters : BehaviourClusters
        Fitted.
    quadrants : DataFrame
        :func:`target_summary`.

    Returns
    -------
    list of str
        Five Markdown points.
    """
    r = rfm_summary.set_index("segment")
    champ_share = r.loc["champions", "customer_share"] if "champions" in r.index else 0.0
    champ_rev = r.loc["champions", "revenue_share"] if "champions" in r.index else 0.0
    slipping = int(_rows(rfm_summary, ["cant_lose", "at_risk"])["customers"].sum())
    counts = abc["abc_class"].value_counts()
    share = top_share_revenue(abc["revenue_y0"], top_share)
    t = quadrants.set_index("segment")
    focus = t.loc["focus", "customer_share"] if "focus" in t.index else 0.0
    return [
        f"**RFM:** {champ_share:.1%} of customers are champions and bring {champ_rev:.1%} of revenue; "
        f"{slipping:,} valuable customers are slipping away (*can't lose*, *at risk*).",
        f"**ABC:** the top {top_share:.0%} of customers bring {share:.1%} of annual revenue; "
        f"A = {counts.get('A', 0):,}, B = {counts.get('B', 0):,}, C = {counts.get('C', 0):,} customers.",
        f"**Clusters:** {clusters.k_} behavioural groups; the most valuable: "
        f"{clusters.profile_.iloc[0]['description'].lower()}.",
        f"**Target matrix:** {focus:.1%} of buying customers are *focus* (重点选择) customers.",
        "**Next step:** work the contact list above, starting with the *can't lose* customers.",
    ]


# ==================================================================================================
# Charts
# ==================================================================================================

def plot_pareto(curve: pd.DataFrame, *, top_share: float = ABC_TOP_SHARE, ax: Axes | None = None) -> Axes:
    """Pareto chart: cumulative share of revenue against share of customers (largest first), with the
    diagonal of perfect equality and the top-``top_share`` point marked."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax)
    x = np.r_[0.0, curve["customer_share"].to_numpy(dtype=float)]
    y = np.r_[0.0, curve["revenue_share"].to_numpy(dtype=float)]
    ax.plot(x, y, lw=2, label="cumulative revenue share")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="all customers equal")
    if len(curve):
        k = math.ceil(top_share * len(curve) - 1e-9)
        px, py = float(x[k]), float(y[k])
        ax.plot([px, px, 0], [0, py, py], ls=":", color="C3", lw=1)
        ax.scatter([px], [py], color="C3", zorder=3)
        ax.annotate(f"top {top_share:.0%} of customers\nbring {py:.0%} of revenue", (px, py),
                    xytext=(12, -30), textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="lower right")
    return finish(ax, "Pareto curve of annual revenue", "Share of customers (largest first)",
                  "Cumulative share of revenue")


def plot_segments(summary: pd.DataFrame, *, title: str = "RFM segments: customers and revenue",
                  ax: Axes | None = None) -> Axes:
    """Horizontal bars of each segment's share of customers and share of revenue (a
    :func:`segment_summary`)."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax, figsize=(8.0, 0.45 * len(summary) + 1.5))
    y = np.arange(len(summary))
    h = 0.4
    ax.barh(y - h / 2, summary["customer_share"], height=h, label="share of customers")
    ax.barh(y + h / 2, summary["revenue_share"].fillna(0), height=h, label="share of revenue")
    ax.set_yticks(y, [str(s).replace("_", " ") for s in summary["segment"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="lower right")
    return finish(ax, title, "Share (%)", None)


def plot_silhouette(silhouette: pd.DataFrame, *, chosen: int | None = None, ax: Axes | None = None) -> Axes:
    """Mean silhouette per number of clusters (``BehaviourClusters.silhouette_``), the chosen k marked."""
    from crmbook.plots import finish, get_ax

    ax = get_ax(ax, figsize=(6.0, 3.5))
    ax.plot(silhouette["k"], silhouette["silhouette"], marker="o")
    if chosen is not None:
        s = float(silhouette.set_index("k").loc[chosen, "silhouette"])
        ax.scatter([chosen], [s], s=120, facecolors="none", edgecolors="C3", lw=2, zorder=3,
                   label=f"chosen k = {chosen}")
        ax.legend()
    ax.set_xticks(silhouette["k"])
    return finish(ax, "Choosing k: mean silhouette", "Number of clusters k", "Mean silhouette (-1 to 1)")


def plot_cluster_profile(profile: pd.DataFrame, *, currency: str = "", ax: Axes | None = None) -> Axes:
    """Heatmap of the clusters' standardized profiles (colour: mean z of the log feature; text: the
    plain mean in its unit)."""
    import seaborn as sns

    from crmbook.plots import finish, get_ax

    zcols = [c for c in profile.columns if c.startswith("z_")]
    feats = [c[2:] for c in zcols]
    ax = get_ax(ax, figsize=(8.0, 0.6 * len(profile) + 1.8))
    z = profile[zcols].astype(float)
    units = {"recency_days": "{:,.0f} d", "frequency": "{:,.1f}", "monetary": "{:,.0f}" + (f" {currency}" if
                                                                                          currency else ""),
             "tenure_days": "{:,.0f} d"}
    annot = np.array([[units.get(f, "{:,.1f}").format(profile.loc[i, f"mean_{f}"]) for f in feats]
                      for i in profile.index])
    names = {"recency_days": "recency (days)", "frequency": "orders", "monetary": "revenue",
             "tenure_days": "tenure (days)"}
    labels = [f"{i} ({int(n)})" for i, n in zip(profile.index, profile["customers"], strict=True)]
    sns.heatmap(z.to_numpy(), annot=annot, fmt="", cmap="RdBu_r", center=0, vmin=-2, vmax=2, ax=ax,
                xticklabels=[names.get(f, f) for f in feats], yticklabels=labels,
                cbar_kws={"label": "standardized mean (z)"})
    ax.tick_params(axis="y", rotation=0)
    return finish(ax, "Cluster profiles (colour: z-score; text: mean)", None, "Cluster (customers)")


def plot_target_matrix(matrix: pd.DataFrame, *, split: float = TARGET_SPLIT, max_points: int = 4000,
                       seed: int = CLUSTER_SEED, ax: Axes | None = None) -> Axes:
    """Scatter of the target matrix: value percentile (x) against attractiveness (y), one colour per
    quadrant, the split lines and the quadrant names (a seeded sample of ``max_points`` when larger)."""
    from crmbook.plots import finish, get_ax

    ax = get_ax(ax, figsize=(7.0, 6.0))
    m = matrix if len(matrix) <= max_points else matrix.sample(max_points, random_state=seed)
    colours = {"focus": "C2", "opportunistic": "C0", "passive": "C1", "abandon": "C7"}
    for q, part in m.groupby("quadrant"):
        ax.scatter(part["value"], part["attractiveness"], s=8, alpha=0.5, color=colours.get(q, "C4"),
                   label=f"{q} ({(matrix['quadrant'] == q).mean():.0%})")
    ax.axvline(split, color="black", lw=1)
    ax.axhline(split, color="black", lw=1)
    for (hv, ha), (name, _zh) in TARGET_QUADRANTS.items():
        ax.text(0.98 if hv else 0.02, 0.98 if ha else 0.02, name.upper(), transform=ax.transAxes,
                ha="right" if hv else "left", va="top" if ha else "bottom", fontweight="bold", alpha=0.7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), title="quadrant (share)")
    return finish(ax, "Target-customer matrix", "Customer value (percentile of annual revenue)",
                  "Attractiveness (percentile: recency and trend)")


def plot_penetration(penetration: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars of penetration and market share per region (a :func:`market_penetration`, total row left
    out)."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax)
    p = penetration[penetration["region"] != "All regions"]
    x = np.arange(len(p))
    w = 0.4
    ax.bar(x - w / 2, p["penetration"].fillna(0), width=w, label="penetration (customers / potential)")
    ax.bar(x + w / 2, p["market_share"].fillna(0), width=w, label="market share (revenue / market)")
    ax.set_xticks(x, p["region"].astype(str))
    top = float(np.nanmax([p["penetration"].max(), p["market_share"].max(), 0.0]))
    if top > 0:
        ax.set_ylim(0, top * 1.3)  # room for the legend
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.legend()
    return finish(ax, "Penetration and market share by region", "Region", "Share (%)")


def plot_demographic(summary: pd.DataFrame, by: str, *, currency: str = "", ax: Axes | None = None) -> Axes:
    """Bars of revenue per customer per value of a demographic dimension (a :func:`demographic_summary`),
    labelled with the share of customers."""
    from crmbook.plots import finish, get_ax, money_formatter

    ax = get_ax(ax, figsize=(6.0, 3.5))
    x = np.arange(len(summary))
    bars = ax.bar(x, summary["revenue_per_customer"])
    ax.bar_label(bars, labels=[f"{s:.0%}" if s >= 0.01 else f"{s:.1%}" for s in summary["customer_share"]],
                 padding=2, fontsize=8)
    names = summary[by].astype(str)
    tilt = len(summary) > 5 or names.str.len().max() > 7
    ax.set_xticks(x, names, rotation=30 if tilt else 0, ha="right" if tilt else "center")
    ax.yaxis.set_major_formatter(money_formatter(currency))
    label = by.replace("_", " ")
    return finish(ax, f"Revenue per customer by {label} (labels: share of customers)", label.capitalize(),
                  f"Revenue per customer ({currency})" if currency else "Revenue per customer")


def plot_demographics(tables: Mapping[str, pd.DataFrame], *, currency: str = "", ncols: int = 2,
                      axes: Sequence[Axes] | None = None) -> Figure:
    """A grid of :func:`plot_demographic` charts, one per dimension of ``tables`` (e.g.
    :func:`demographic_summaries`), under a common title.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Dimension -> :func:`demographic_summary`; at least one.
    ncols : int
        Charts per row of a new figure.
    axes : sequence of Axes, optional
        Draw into these (at least one per dimension) instead of a new figure; the figure's layout is left
        alone and no common title is added.

    Returns
    -------
    Figure
        The figure holding the charts.
    """
    if not tables:
        raise ValueError("tables: no demographic summary to draw (no demographic column in customers?)")
    if axes is None:
        import matplotlib.pyplot as plt

        nrows = math.ceil(len(tables) / int(ncols))
        fig, grid = plt.subplots(nrows, int(ncols), figsize=(4.75 * int(ncols), 3.6 * nrows), squeeze=False)
        targets = list(grid.flat)
        for ax in targets[len(tables):]:
            ax.set_visible(False)
    else:
        targets = list(axes)
        if len(targets) < len(tables):
            raise ValueError(f"axes: {len(tables)} charts need {len(tables)} axes, got {len(targets)}")
        fig = targets[0].figure
    for ax, (dim, table) in zip(targets, tables.items(), strict=False):
        plot_demographic(table, dim, currency=currency, ax=ax)
        ax.set_title(_label(dim).capitalize() + " (labels: share of customers)", fontsize=10)
    if axes is None:
        fig.suptitle(f"Revenue per consumer{f' ({currency})' if currency else ''} by demographic group",
                     fontweight="bold")
        fig.tight_layout()  # adapts to the group names of any data (fixed spacing saved only ~0.1 s)
    return fig
