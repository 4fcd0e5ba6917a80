r"""Drivers of satisfaction and the importance-performance matrix (重要性-表现矩阵).

**Importance** of attribute :math:`k` (quality, service, delivery, price: the ``rating_*`` columns) is its
**relative weight** (Johnson 2000) in explaining the overall satisfaction score :math:`y` (CSAT by default)
by the attribute ratings :math:`x_1 \dots x_K`. The ratings are correlated (a happy customer rates
everything higher), which makes plain regression coefficients unstable and can even flip their signs;
relative weights split the model's :math:`R^2` among the attributes, each weight :math:`\ge 0`:

.. math::
    R_{xx} = Q \Lambda Q^\top, \quad Z = Q \Lambda^{1/2} Q^\top \ (\text{the orthogonal counterpart of } x),
    \quad \beta = Z^{-1} r_{xy}, \quad \varepsilon_k = \sum_j Z_{kj}^2 \beta_j^2, \quad
    \sum_k \varepsilon_k = R^2

with :math:`R_{xx}` the correlation matrix of the ratings and :math:`r_{xy}` their correlations with
:math:`y`. The **standardized regression coefficients** :math:`b^* = R_{xx}^{-1} r_{xy}` (OLS on z-scores)
are shown beside them. Only answers with :math:`y` and every rating present are used (the others are
counted, ``attrs["left_out"]``).

**Performance** is the mean rating (1-5). The matrix splits both axes at the mean over the attributes
(or at given values):

- high importance, high performance: *keep up the good work* (``keep_up``);
- high importance, low performance: *concentrate here* (``concentrate``);
- low importance, low performance: *low priority* (``low_priority``);
- low importance, high performance: *possible overkill* (``overkill``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmbook.tables import require_columns

__all__ = ["QUADRANTS", "driver_importance", "ipa_quadrant", "rating_columns"]

#: The four quadrants of the importance-performance matrix, in reading order.
QUADRANTS: tuple[str, ...] = ("concentrate", "keep_up", "low_priority", "overkill")


def rating_columns(surveys: pd.DataFrame | None, *, prefix: str = "rating_") -> list[str]:
    """The attribute-rating columns of ``surveys`` (``rating_quality`` ...), in table order."""
    if surveys is None:
        return []
    return [c for c in surveys.columns if str(c).startswith(prefix) and len(str(c)) > len(prefix)
            and surveys[c].notna().any()]


def ipa_quadrant(importance: float, performance: float, importance_split: float,
                 performance_split: float) -> str:
    """The quadrant of one attribute; a value equal to its split counts as high."""
    high_i, high_p = importance >= importance_split, performance >= performance_split
    if high_i:
        return "keep_up" if high_p else "concentrate"
    return "overkill" if high_p else "low_priority"


def driver_importance(surveys: pd.DataFrame, *, outcome: str = "csat", ratings: Sequence[str] | None = None,
                      importance_split: float | None = None, performance_split: float | None = None,
                      ) -> pd.DataFrame:
    """Importance (relative weight) and performance (mean rating) of each attribute, and its quadrant.

    Returns
    -------
    DataFrame
        ``attribute`` (the name without ``rating_``), ``importance`` (relative weight, the attributes sum
        to ``attrs["r2"]``), ``importance_share`` (weight / R², 0-1), ``beta`` (standardized coefficient),
        ``performance`` (mean rating), ``quadrant``; sorted by importance, highest first. ``attrs`` hold
        ``n`` (answers used), ``left_out``, ``r2``, ``outcome`` and the two splits.
    """
    ratings = list(ratings) if ratings is not None else rating_columns(surveys)
    require_columns(surveys, "surveys", [outcome, *ratings])
    if len(ratings) < 2:
        raise ValueError(f"driver_importance: at least two rating_* columns are needed, got {ratings}")
    data = surveys[[outcome, *ratings]].apply(pd.to_numeric, errors="coerce").astype(float)
    complete = data.dropna()
    if len(complete) <= len(ratings) + 1:
        raise ValueError(f"driver_importance: {len(complete)} complete answers is too few for {len(ratings)} "
                         "ratings")
    sd = complete.std(ddof=1)
    flat = [c for c in complete.columns if not sd[c] > 0]
    if flat:
        raise ValueError(f"driver_importance: {', '.join(flat)} do not vary; no importance can be estimated")
    corr = complete.corr().to_numpy()
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    beta_std = np.linalg.solve(rxx, rxy)
    evals, evecs = np.linalg.eigh(rxx)
    z = evecs @ np.diag(np.sqrt(np.clip(evals, 0, None))) @ evecs.T
    beta_z = np.linalg.solve(z, rxy)
    weights = (z ** 2) @ (beta_z ** 2)
    r2 = float(rxy @ beta_std)
    out = pd.DataFrame({"attribute": [c.removeprefix("rating_") for c in ratings], "importance": weights,
                        "importance_share": weights / r2 if r2 > 0 else np.nan, "beta": beta_std,
                        "performance": complete[ratings].mean().to_numpy()})
    i_split = float(out["importance"].mean()) if importance_split is None else float(importance_split)
    p_split = float(out["performance"].mean()) if performance_split is None else float(performance_split)
    out["quadrant"] = [ipa_quadrant(i, p, i_split, p_split) for i, p in
                       out[["importance", "performance"]].itertuples(index=False)]
    out = out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(n=len(complete), left_out=len(data) - len(complete), r2=r2, outcome=outcome,
                     importance_split=i_split, performance_split=p_split)
    return out
