r"""The target-customer matrix (客户选择矩阵): customer value x customer attractiveness.

.. math:: \text{value}_i = \mathrm{pct}(y_{0,i}), \qquad
          \text{attractiveness}_i = \tfrac12\left(\mathrm{pct}(-R_i) + \mathrm{pct}(t_i)\right), \qquad
          t_i = \frac{y_{0,i} - y_{1,i}}{y_{0,i} + y_{1,i}}

A customer is *high* on an axis above ``split``; the four quadrants are focus (重点选择), opportunistic
(择机选择), passive (消极选择) and abandon (放弃选择), named in ``playbooks/target.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.playbook import load_playbook
from crmbook.tables import require_columns

from .rfm import segment_summary

__all__ = ["TARGET_SPLIT", "TARGET_QUADRANTS", "TARGET_PLAYBOOK", "target_matrix", "target_summary"]

#: Target matrix: a customer is "high" on an axis when their percentile is above this split.
TARGET_SPLIT = 0.5
#: Target matrix quadrants: (value high?, attractiveness high?) -> quadrant code.
TARGET_QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, True): "focus",
    (False, True): "opportunistic",
    (True, False): "passive",
    (False, False): "abandon",
}
#: The target playbook (``playbooks/target.yaml``): label (e.g. 重点选择) and strategy per quadrant.
TARGET_PLAYBOOK = load_playbook("crmbook.segmentation", "target")


def target_matrix(facts: CustomerFacts, *, split: float = TARGET_SPLIT) -> pd.DataFrame:
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
    quadrants (:data:`TARGET_QUADRANTS`): high value & high attractiveness = **focus**; low value &
    high attractiveness = **opportunistic**; high value & low attractiveness = **passive**; low & low =
    **abandon**.

    Returns
    -------
    DataFrame
        ``customer_id, annual_revenue, previous_revenue, recency_days, trend, value, attractiveness,
        quadrant`` (a quadrant code).
    """
    if not 0 < float(split) < 1:
        raise ValueError(f"split must be a fraction in (0, 1), got {split!r}")
    out = facts.yearly_revenue(2).rename(columns={"revenue_y0": "annual_revenue", "revenue_y1": "previous_revenue"})
    recency = facts.base.set_index("customer_id")["recency_days"]
    out["recency_days"] = out["customer_id"].map(recency).astype(float)
    both = out["annual_revenue"] + out["previous_revenue"]
    out["trend"] = ((out["annual_revenue"] - out["previous_revenue"]) / both.where(both > 0)).fillna(-1.0)
    out["value"] = out["annual_revenue"].rank(pct=True, method="average")
    rec = (-out["recency_days"]).rank(pct=True, method="average")
    trend = out["trend"].rank(pct=True, method="average")
    out["attractiveness"] = (rec + trend) / 2
    hi_v, hi_a = (out["value"] > split).to_numpy(), (out["attractiveness"] > split).to_numpy()
    which = 2 * hi_v + hi_a  # 0..3: (low, low), (low, high), (high, low), (high, high)
    names = [TARGET_QUADRANTS[(bool(v), bool(a))] for v in (False, True) for a in (False, True)]
    out["quadrant"] = np.array(names, dtype=object)[which].tolist()
    return out


def target_summary(target: pd.DataFrame, *, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Size and annual revenue of each target-matrix quadrant (a :func:`segment_summary` of
    :func:`target_matrix`).

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, annual_revenue, revenue_share, revenue_per_customer``;
        quadrants in ``order`` (default the order of :data:`TARGET_PLAYBOOK`).
    """
    require_columns(target, "target", ["quadrant", "annual_revenue"])
    out = segment_summary(target[["quadrant", "annual_revenue"]], segment_col="quadrant",
                          revenue_col="annual_revenue", order=list(TARGET_PLAYBOOK.order if order is None else order))
    return out.rename(columns={"revenue": "annual_revenue"})
