r"""RFM segmentation (RFM 客户价值分析): recency, frequency and monetary value, scored and named.

.. math::
    R_i = \text{days since the last order}, \quad F_i = \#\text{orders}, \quad M_i = \sum \text{revenue}

Each of R, F and M becomes a quantile score 1..5 among the buying customers (:func:`quantile_score`; R
reversed, so recent buyers score 5); the pair (R, mean of F and M) names the segment through
:data:`RFM_SEGMENT_MAP`. The per-customer values come from the shared customer facts
(:attr:`crmbook.facts.CustomerFacts.base`), computed once per dataset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.playbook import load_playbook
from crmbook.tables import group_summary, require_columns

__all__ = [
    "RFM_BINS",
    "NO_PURCHASE",
    "RFM_SEGMENT_MAP",
    "RFM_SEGMENT_ORDER",
    "RFM_PLAYBOOK",
    "quantile_score",
    "rfm_table",
    "rfm_scores",
    "rfm_segments",
    "rfm_segmentation",
    "segment_summary",
    "segment_map_table",
]

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

#: The RFM playbook (``playbooks/rfm.yaml``): label and strategy per segment in every report language,
#: read as a mapping segment -> English strategy (``RFM_PLAYBOOK["champions"]``).
RFM_PLAYBOOK = load_playbook("crmbook.segmentation", "rfm")

#: Display order of the RFM segments (best first): the playbook's order.
RFM_SEGMENT_ORDER: tuple[str, ...] = tuple(RFM_PLAYBOOK.order)


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


def rfm_table(facts: CustomerFacts) -> pd.DataFrame:
    """Recency, frequency, monetary value and tenure of every customer (a copy of ``facts.base``).

    Customers without any order up to ``as_of`` are kept (``frequency = 0``, ``monetary = 0``,
    ``recency_days`` missing); they get no scores and the segment :data:`NO_PURCHASE`.

    Returns
    -------
    DataFrame
        ``customer_id, first_order, last_order, recency_days, frequency, monetary, tenure_days``; one row
        per customer, sorted by id.
    """
    return facts.base.copy()


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
    require_columns(rfm, "rfm", ["recency_days", "frequency", "monetary"])
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
    require_columns(scored, "scored", ["r_score", "fm_score"])
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


def rfm_segmentation(facts: CustomerFacts, *, bins: int = RFM_BINS,
                     segment_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """:func:`rfm_table`, :func:`rfm_scores` and :func:`rfm_segments` in one call (one row per customer)."""
    return rfm_segments(rfm_scores(rfm_table(facts), bins=bins), segment_map)


def segment_summary(assignments: pd.DataFrame, *, segment_col: str = "segment", revenue_col: str = "monetary",
                    order: Sequence[str] | None = None) -> pd.DataFrame:
    r"""Size and revenue share of each segment (:func:`crmbook.tables.group_summary`).

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
    require_columns(assignments, "assignments", [segment_col, revenue_col])
    if order is None and set(assignments[segment_col].unique()) <= set(RFM_SEGMENT_ORDER):
        order = RFM_SEGMENT_ORDER
    return group_summary(assignments, group_col=segment_col, order=order, revenue_col=revenue_col)


def segment_map_table(segment_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The RFM segment map as a table: ``pattern, segment`` (default :data:`RFM_SEGMENT_MAP`)."""
    m = dict(RFM_SEGMENT_MAP if segment_map is None else segment_map)
    return pd.DataFrame({"pattern": list(m), "segment": list(m.values())})
