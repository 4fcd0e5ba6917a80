r"""Psychographic segmentation (心理细分): what customers value, from their survey attribute ratings.

.. math::
    d_{ik} = r_{ik} - \bar r_i, \qquad \bar r_i = \frac{1}{K_i} \sum_k r_{ik}, \qquad
    \text{orientation}_i = \arg\max_k d_{ik} \ \text{ if } \max_k d_{ik} \ge \text{min\_gap}
    \text{ and the maximum is unique, else "no clear preference"}

:math:`r_{ik}` is customer :math:`i`'s rating (1-5) of attribute :math:`k` (quality, service, delivery,
price ...: the ``rating_*`` columns of ``surveys``) in their latest survey answer that rates at least two
attributes, and :math:`\bar r_i` their own mean rating in that answer. Comparing each rating with the
customer's *own* mean removes their general generosity: a customer who rates everything 5 is not
"quality-minded" for it (all gaps are 0); one who rates quality 5 and the rest 3 is.

A rating measures how well the company does on the attribute *as the customer sees it*, which is the
closest that survey answers come to what the customer cares about; it is not a stated importance. Read
the orientation beside the customer's overall level (``own_mean``): a group that stands out on price while
rating everything low is an unhappy group more than a bargain-hunting one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmbook.tables import require_columns

from .rfm import RFM_SEGMENT_ORDER

__all__ = [
    "NO_PREFERENCE",
    "PSYCHO_MIN_GAP",
    "PSYCHO_MIN_SURVEYS",
    "rating_columns",
    "value_orientation",
    "orientation_summary",
    "orientation_by_segment",
]

#: The group of customers whose latest ratings show no single attribute clearly above their own mean
#: (flat raters, ties, gaps below ``min_gap``).
NO_PREFERENCE = "no_preference"
#: Minimum gap (rating points, 1-5 scale) between the top attribute and the customer's own mean rating.
#: 0.5: with four attributes a single point above the rest (5, 4, 4, 4) gives a gap of 0.75 and counts,
#: while a one-point spread shared by two attributes is a tie anyway.
PSYCHO_MIN_GAP = 0.5
#: Minimum number of answers with ratings a customer needs to be classified. 1: one answer is all most
#: customers give; raise it to keep only customers who answered repeatedly.
PSYCHO_MIN_SURVEYS = 1


def rating_columns(surveys: pd.DataFrame | None, *, prefix: str = "rating_") -> list[str]:
    """The attribute-rating columns of ``surveys`` (``rating_quality`` ...), in table order; ``[]`` when
    there is no surveys table or no such column."""
    if surveys is None:
        return []
    return [c for c in surveys.columns if str(c).startswith(prefix) and len(str(c)) > len(prefix)]


def value_orientation(surveys: pd.DataFrame, *, as_of: object = None, min_gap: float = PSYCHO_MIN_GAP,
                      min_surveys: int = PSYCHO_MIN_SURVEYS, ratings: Sequence[str] | None = None,
                      prefix: str = "rating_") -> pd.DataFrame:
    r"""The value orientation of every customer who rated attributes in a survey (rule: module docstring).

    Parameters
    ----------
    surveys : DataFrame
        ``customer_id, response_date`` and the ``rating_*`` columns (1-5, missing allowed).
    as_of : date, optional
        Answers after it are left out.
    min_gap : float
        The top attribute must be at least this many rating points above the customer's own mean
        (:data:`PSYCHO_MIN_GAP`, 0.5).
    min_surveys : int
        Customers with fewer answers that rate at least two attributes are not classified
        (:data:`PSYCHO_MIN_SURVEYS`, 1).
    ratings : sequence of str, optional
        The rating columns (default: every column starting with ``prefix``).

    Returns
    -------
    DataFrame
        One row per classified customer, by id: ``customer_id, surveys`` (answers with ratings),
        ``response_date`` (of the latest), its ``rating_*`` values, ``own_mean``, ``top_gap`` (the largest
        :math:`d_{ik}`) and ``orientation`` (the attribute's name without the prefix, e.g. ``"quality"``,
        or :data:`NO_PREFERENCE`).
    """
    cols = list(ratings) if ratings is not None else rating_columns(surveys, prefix=prefix)
    require_columns(surveys, "surveys", ["customer_id", "response_date", *cols])
    if not cols:
        raise ValueError(f"surveys: no attribute-rating column (a name starting {prefix!r}, e.g. 'rating_quality')")
    if min_surveys < 1:
        raise ValueError(f"min_surveys must be at least 1, got {min_surveys!r}")
    sv = surveys[["customer_id", "response_date", *cols]].copy()
    sv["customer_id"] = sv["customer_id"].astype(str)
    sv["response_date"] = pd.to_datetime(sv["response_date"], errors="coerce")
    sv[cols] = sv[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    sv = sv[sv["response_date"].notna() & (sv[cols].notna().sum(axis=1) >= 2)]
    if as_of is not None:
        sv = sv[sv["response_date"] <= pd.Timestamp(as_of)]
    sv = sv.sort_values(["customer_id", "response_date"], kind="stable")
    counts = sv.groupby("customer_id").size()
    out = sv.groupby("customer_id").tail(1).set_index("customer_id")
    out.insert(0, "surveys", counts.reindex(out.index).astype(int))
    out = out[out["surveys"] >= int(min_surveys)]
    r = out[cols].to_numpy()
    own = np.nanmean(r, axis=1) if len(r) else np.zeros(0)
    d = r - own[:, None]
    top = np.nanmax(d, axis=1) if len(r) else np.zeros(0)
    ties = (np.isclose(d, top[:, None]) & ~np.isnan(d)).sum(axis=1)
    names = np.array([c[len(prefix):] for c in cols], dtype=object)
    best = names[np.nanargmax(np.where(np.isnan(d), -np.inf, d), axis=1)] if len(r) else names[:0]
    clear = (top >= float(min_gap) - 1e-9) & (ties == 1)
    out["own_mean"] = own
    out["top_gap"] = top
    out["orientation"] = np.where(clear, best, NO_PREFERENCE)
    return out.reset_index()


def _orientation_order(orientation: pd.Series) -> list[str]:
    counts = orientation[orientation != NO_PREFERENCE].value_counts()
    order = sorted(counts.index, key=lambda o: (-counts[o], str(o)))
    return order + ([NO_PREFERENCE] if (orientation == NO_PREFERENCE).any() else [])


def orientation_summary(orientation: pd.DataFrame) -> pd.DataFrame:
    """Size and overall rating level of each orientation of :func:`value_orientation`.

    Returns
    -------
    DataFrame
        ``orientation, customers, customer_share`` (of the classified customers) and ``own_mean`` (the
        group's mean own rating, 1-5); largest orientation first, :data:`NO_PREFERENCE` last.
    """
    require_columns(orientation, "orientation", ["customer_id", "orientation", "own_mean"])
    g = orientation.groupby("orientation")
    out = pd.DataFrame({"customers": g.size(), "own_mean": g["own_mean"].mean()})
    out["customer_share"] = out["customers"] / max(len(orientation), 1)
    out = out.loc[_orientation_order(orientation["orientation"])]
    return out.rename_axis("orientation").reset_index()[["orientation", "customers", "customer_share", "own_mean"]]


def orientation_by_segment(orientation: pd.DataFrame, assignments: pd.DataFrame, *, segment_col: str = "segment",
                           order: Sequence[str] | None = None) -> pd.DataFrame:
    """The share of each orientation among the surveyed customers of each behavioural segment.

    Parameters
    ----------
    orientation : DataFrame
        :func:`value_orientation` (``customer_id, orientation``).
    assignments : DataFrame
        ``customer_id`` and ``segment_col`` (e.g. :func:`crmbook.segmentation.rfm_segmentation`).
    order : sequence of str, optional
        Row order (default :data:`crmbook.segmentation.RFM_SEGMENT_ORDER`; other segments follow).

    Returns
    -------
    DataFrame
        ``segment_col, customers`` (surveyed customers in the segment), then one share column per
        orientation (rows sum to 1; largest orientation first, :data:`NO_PREFERENCE` last); the last row,
        ``segment_col = "all"``, is every classified customer with a segment.
    """
    require_columns(orientation, "orientation", ["customer_id", "orientation"])
    require_columns(assignments, "assignments", ["customer_id", segment_col])
    seg_of = assignments.assign(customer_id=assignments["customer_id"].astype(str)).set_index("customer_id")[segment_col]
    o = orientation.assign(**{segment_col: orientation["customer_id"].astype(str).map(seg_of)}).dropna(
        subset=[segment_col])
    columns = _orientation_order(o["orientation"])
    shares = pd.crosstab(o[segment_col], o["orientation"], normalize="index").reindex(columns=columns, fill_value=0.0)
    sizes = o.groupby(segment_col).size()
    order = list(RFM_SEGMENT_ORDER if order is None else order)
    present = list(shares.index)
    rows = [s for s in order if s in present] + sorted((s for s in present if s not in set(order)), key=str)
    out = shares.loc[rows]
    out.insert(0, "customers", sizes.loc[rows].astype(int))
    total = o["orientation"].value_counts(normalize=True).reindex(columns, fill_value=0.0)
    out.loc["all"] = [len(o), *total.tolist()]
    out["customers"] = out["customers"].astype(int)
    out.columns.name = None
    return out.rename_axis(segment_col).reset_index()
