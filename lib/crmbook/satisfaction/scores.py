r"""Satisfaction scores with their sample size and confidence interval: CSAT, NPS and CES.

.. math::
    \text{CSAT} = \frac{\#\{\text{csat} \ge 4\}}{n}, \qquad
    \text{NPS} = 100\,(p_+ - p_-), \qquad
    \text{CES} = \bar x = \frac{1}{n}\sum_i \text{ces}_i

- **CSAT** (customer satisfaction, 1-5 scale): the share of answers that are 4 or 5 ("satisfied" or "very
  satisfied"), *not* the mean answer. A binomial proportion; its interval is **Wilson's score interval**

  .. math:: \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n} + \frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}}

  which keeps inside [0, 1] and keeps its coverage near 95 % for small n and for shares near 0 or 1,
  where the textbook (Wald) interval :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/n}` fails.
- **NPS** (net promoter score, 0-10 "would you recommend us"): promoters answer 9-10, passives 7-8,
  detractors 0-6; :math:`p_+` and :math:`p_-` are their shares of *one* sample. Each answer is a value
  :math:`y_i \in \{+1, 0, -1\}` and the NPS is 100 times their mean, so its variance is

  .. math:: \operatorname{Var}(\hat p_+ - \hat p_-) = \frac{p_+ + p_- - (p_+ - p_-)^2}{n}

  (:math:`E[y^2] - E[y]^2`). The two shares are *not* independent (a promoter more is a detractor fewer
  or a passive fewer): their covariance is :math:`-p_+p_-/n`, so the formula for two independent shares
  would understate the width by :math:`2p_+p_-/n`. The interval is the normal one on that mean (Wald for
  a multinomial difference), clipped to [-100, 100]; it is used only for groups of at least ``min_n``
  answers (:data:`MIN_N`), where the normal approximation of a mean of bounded values holds.
- **CES** (customer effort score, 1-7, lower is better): a mean, with Student's *t* interval
  :math:`\bar x \pm t_{n-1}\, s/\sqrt n`.

Answers with the score missing are left out of that score only (each score has its own ``n``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.intervals import mean_interval, wilson_interval, z_value
from crmbook.tables import require_columns

__all__ = [
    "CONFIDENCE",
    "CSAT_SATISFIED",
    "MIN_N",
    "NPS_DETRACTOR_MAX",
    "NPS_PROMOTER_MIN",
    "SCORES",
    "ces_score",
    "csat_score",
    "mean_interval",
    "monthly_scores",
    "nps_group",
    "nps_interval",
    "nps_score",
    "score_table",
    "response_rates",
    "scores_by",
    "wilson_interval",
]

#: Confidence level of every interval (a parameter of the notebook overrides it).
CONFIDENCE = 0.95
#: Minimum answers for a group to be judged (ranked, compared with a target); smaller groups are shown
#: as "too small to judge". 30: with fewer, a CSAT interval is about +-15 points wide.
MIN_N = 30
#: CSAT answers counted as satisfied (the top two boxes of 1-5).
CSAT_SATISFIED = 4
#: NPS bands: promoters 9-10, detractors 0-6 (passives 7-8).
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
#: The three scores: name -> (survey column, which way is better).
SCORES: dict[str, tuple[str, str]] = {"nps": ("nps", "up"), "csat": ("csat", "up"), "ces": ("ces", "down")}


def nps_interval(promoters: float, detractors: float, n: float,
                 confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The normal interval of the NPS (in points, -100 to 100) from the counts of promoters and
    detractors among ``n`` answers, with the multinomial variance of the module docstring."""
    if n <= 0:
        return (np.nan, np.nan)
    pp, pd_ = promoters / n, detractors / n
    nps = pp - pd_
    se = np.sqrt(max(pp + pd_ - nps * nps, 0.0) / n)
    z = z_value(confidence)
    return (float(max(-100.0, 100 * (nps - z * se))), float(min(100.0, 100 * (nps + z * se))))


def _values(values: Any) -> np.ndarray:
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()
    return x[~np.isnan(x)]


def csat_score(values: Any, confidence: float = CONFIDENCE) -> dict[str, float]:
    """``{"n", "value", "low", "high"}``: the CSAT (share of answers >= 4, 0-1) and its Wilson interval."""
    x = _values(values)
    k = float((x >= CSAT_SATISFIED).sum())
    low, high = wilson_interval(k, x.size, confidence)
    return {"n": int(x.size), "value": k / x.size if x.size else np.nan, "low": low, "high": high}


def nps_score(values: Any, confidence: float = CONFIDENCE) -> dict[str, float]:
    """``{"n", "value", "low", "high", "promoters", "passives", "detractors"}``: the NPS in points
    (-100 to 100), its interval and the three shares (0-1)."""
    x = _values(values)
    n = x.size
    pro, det = float((x >= NPS_PROMOTER_MIN).sum()), float((x <= NPS_DETRACTOR_MAX).sum())
    low, high = nps_interval(pro, det, n, confidence)
    share = (lambda k: k / n) if n else (lambda k: np.nan)
    return {"n": int(n), "value": 100 * (pro - det) / n if n else np.nan, "low": low, "high": high,
            "promoters": share(pro), "passives": share(n - pro - det), "detractors": share(det)}


def ces_score(values: Any, confidence: float = CONFIDENCE) -> dict[str, float]:
    """``{"n", "value", "low", "high"}``: the CES mean (1-7, lower is better) and its *t* interval."""
    x = _values(values)
    low, high = mean_interval(x, confidence)
    return {"n": int(x.size), "value": float(x.mean()) if x.size else np.nan, "low": low, "high": high}


_SCORERS = {"nps": nps_score, "csat": csat_score, "ces": ces_score}


def nps_group(nps: Any) -> pd.Series:
    """``promoter`` (9-10), ``passive`` (7-8), ``detractor`` (0-6) or missing, for each NPS answer."""
    x = pd.to_numeric(pd.Series(nps), errors="coerce").astype(float)
    out = pd.Series(np.where(x >= NPS_PROMOTER_MIN, "promoter",
                             np.where(x > NPS_DETRACTOR_MAX, "passive", "detractor")), index=x.index, dtype=object)
    return out.where(x.notna())


def score_table(surveys: pd.DataFrame, *, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """One row per score present in ``surveys`` (columns ``nps``, ``csat``, ``ces``).

    Returns
    -------
    DataFrame
        ``score, n, value, low, high, better``: NPS in points, CSAT as a share (0-1), CES as a mean;
        ``better`` is ``up`` or ``down``. Scores whose column is absent or empty are left out.
    """
    require_columns(surveys, "surveys", [])
    rows = []
    for name, (col, better) in SCORES.items():
        if col in surveys.columns and surveys[col].notna().any():
            r = _SCORERS[name](surveys[col], confidence)
            rows.append({"score": name, "n": r["n"], "value": r["value"], "low": r["low"], "high": r["high"],
                         "better": better})
    return pd.DataFrame(rows, columns=["score", "n", "value", "low", "high", "better"])


def _sorted_codes(keys: pd.Series) -> tuple[np.ndarray, Any]:
    """Each key's position among the distinct keys in sorted order (-1 when missing), and those keys: the
    groups of a sorted groupby by the keys as objects (Arrow text factorized as it is, in the same order)."""
    return pd.factorize(keys if _arrow_text(keys) else keys.astype(object), sort=True)


def _customer_codes(surveys: pd.DataFrame, customers: pd.DataFrame, by: str) -> tuple[np.ndarray, Any] | None:
    """:func:`_sorted_codes` of column ``by`` of each answer's customer (missing when ``customers`` does not
    hold the customer), as a left merge of ``customers[["customer_id", by]]`` on ``customer_id`` would give
    it, found by each answer's customer row. None unless the ids of both are Arrow text, the customers'
    unique, and ``by`` is Arrow text (then the caller merges)."""
    ids, asked = customers["customer_id"], surveys["customer_id"]
    if not (_arrow_text(ids) and _arrow_text(asked) and _arrow_text(customers[by])):
        return None
    # the customers' ids, then the answers' ids, coded together (one hash of each id; codes in order of
    # first appearance): the customers' ids are unique exactly when they are coded 0, 1, 2 ... in their
    # order, and then an answer's code is its customer's row when it is below the number of customers
    known = _chunks(ids)
    both = pc.dictionary_encode(pa.concat_arrays(known + [c.cast(known[0].type) for c in _chunks(asked)]))
    code = np.asarray(both.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    n = len(ids)
    if not np.array_equal(code[:n], np.arange(n)):
        return None
    at = np.where(code[n:] < n, code[n:], -1)  # a missing id (-1) stays -1
    codes, names = _sorted_codes(customers[by])
    return np.append(codes, -1)[at], names  # the last: no such customer


def _chunks(values: pd.Series) -> list[pa.Array]:
    """The Arrow arrays holding an Arrow text column."""
    data = pa.array(values.array)
    chunks = list(data.chunks) if isinstance(data, pa.ChunkedArray) else [data]
    return chunks or [pa.array([], type=pa.large_string())]


def _arrow_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def scores_by(surveys: pd.DataFrame, by: str, *, customers: pd.DataFrame | None = None,
              min_n: int = MIN_N, confidence: float = CONFIDENCE, scores: Sequence[str] = ("nps", "csat", "ces"),
              ) -> pd.DataFrame:
    """The scores of each group of ``by`` (a column of ``surveys``, or of ``customers`` joined on
    ``customer_id``), with ``judged`` False for groups of fewer than ``min_n`` answers of a score.

    Returns
    -------
    DataFrame
        ``group, score, n, value, low, high, judged, rank``: ``rank`` 1 = best among the judged groups of
        that score (missing for groups too small to judge); answers with ``by`` missing are left out
        (``attrs["unknown"]`` counts them).
    """
    require_columns(surveys, "surveys", ["customer_id"])
    s = surveys
    if by in s.columns:
        codes, names = _sorted_codes(s[by])
    else:
        if customers is None or by not in customers.columns:
            raise ValueError(f"scores_by: {by!r} is neither a column of surveys nor of customers")
        found = _customer_codes(s, customers, by)
        if found is None:
            s = s.merge(customers[["customer_id", by]], on="customer_id", how="left")
            found = _sorted_codes(s[by])
        codes, names = found
    unknown = int((codes < 0).sum())
    known = codes >= 0
    # the answers of each group together (in their order), as the groupby by value would give them
    order = np.argsort(codes[known], kind="stable")
    bounds = np.searchsorted(codes[known][order], np.arange(len(names) + 1))
    values = {SCORES[name][0]: s[SCORES[name][0]][known].iloc[order] for name in scores
              if SCORES[name][0] in s.columns}
    rows = []
    for g, group in enumerate(names):
        if bounds[g] == bounds[g + 1]:
            continue
        for name in scores:
            col = SCORES[name][0]
            if col not in values:
                continue
            r = _SCORERS[name](values[col].iloc[bounds[g]:bounds[g + 1]], confidence)
            if r["n"] == 0:
                continue
            rows.append({"group": str(group), "score": name, "n": r["n"], "value": r["value"], "low": r["low"],
                         "high": r["high"], "judged": r["n"] >= min_n})
    out = pd.DataFrame(rows, columns=["group", "score", "n", "value", "low", "high", "judged"])
    out["rank"] = np.nan
    for name in out["score"].unique():
        m = (out["score"] == name) & out["judged"]
        ascending = SCORES[name][1] == "down"
        out.loc[m, "rank"] = out.loc[m, "value"].rank(ascending=ascending, method="min")
    out["rank"] = out["rank"].astype("Int64")
    out.attrs.update(by=by, unknown=unknown, min_n=min_n)
    return out


def monthly_scores(surveys: pd.DataFrame, score: str = "nps", *, confidence: float = CONFIDENCE,
                   min_n: int = MIN_N) -> pd.DataFrame:
    """``month, n, value, low, high, judged``: one score per calendar month of ``response_date`` (months
    without an answer are absent; ``judged`` False below ``min_n`` answers)."""
    require_columns(surveys, "surveys", ["response_date", SCORES[score][0]])
    s = surveys[surveys[SCORES[score][0]].notna()]
    month = pd.to_datetime(s["response_date"]).dt.to_period("M")
    rows = []
    for m, part in s.groupby(month, sort=True):
        r = _SCORERS[score](part[SCORES[score][0]], confidence)
        rows.append({"month": m.to_timestamp(), "n": r["n"], "value": r["value"], "low": r["low"],
                     "high": r["high"], "judged": r["n"] >= min_n})
    return pd.DataFrame(rows, columns=["month", "n", "value", "low", "high", "judged"])


def response_rates(surveys: pd.DataFrame, *, orders: pd.DataFrame | None = None,
                   contacts: pd.DataFrame | None = None, customers: int | None = None) -> pd.DataFrame:
    """How many occasions were followed by an answer: the caveat of every score (non-response).

    When the survey ``category`` names the occasion (``post_purchase``, ``after_service``), answers are
    compared with the orders and with the service calls and complaints of the same period (first to last
    answer); ``surveyed_customers`` compares the customers who answered with all ``customers``.

    Returns
    -------
    DataFrame
        ``occasion, answers, occasions, rate`` (rate = answers / occasions, 0-1).
    """
    require_columns(surveys, "surveys", ["customer_id", "response_date"])
    dates = pd.to_datetime(surveys["response_date"])
    first, last = dates.min(), dates.max()
    rows = []
    cat = surveys["category"].astype(str).str.lower() if "category" in surveys.columns else None
    if cat is not None and orders is not None and (cat == "post_purchase").any():
        od = pd.to_datetime(orders["order_date"])
        n_occ = int(((od >= first) & (od <= last)).sum())
        rows.append({"occasion": "post_purchase", "answers": int((cat == "post_purchase").sum()), "occasions": n_occ})
    if cat is not None and contacts is not None and (cat == "after_service").any() and "type" in contacts.columns:
        cd = pd.to_datetime(contacts["contact_date"])
        svc = contacts["type"].astype(str).isin(["service_call", "complaint"]) & (cd >= first) & (cd <= last)
        rows.append({"occasion": "after_service", "answers": int((cat == "after_service").sum()),
                     "occasions": int(svc.sum())})
    if customers:
        rows.append({"occasion": "surveyed_customers", "answers": int(surveys["customer_id"].nunique()),
                     "occasions": int(customers)})
    out = pd.DataFrame(rows, columns=["occasion", "answers", "occasions"])
    out["rate"] = out["answers"] / out["occasions"].where(out["occasions"] > 0)
    return out
