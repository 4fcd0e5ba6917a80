r"""The target-customer matrix (客户选择矩阵): customer value x customer attractiveness.

.. math:: \text{value}_i = \mathrm{pct}(y_{0,i}), \qquad
          \text{attractiveness}_i = \frac{1}{|K|}\sum_{k \in K} \mathrm{pct}(e_{k,i})

over the *active* customers (annual revenue :math:`y_0 > 0`); :math:`e_k` are the pieces of evidence of
potential (需求潜力, 发展趋势) that the data hold (:data:`TARGET_EVIDENCE`). A customer is *high* on an axis
above ``split``; the four quadrants are focus (重点选择), opportunistic (择机选择), passive (消极选择) and
abandon (放弃选择). Buying customers without revenue in the last 12 months have no place on the value axis:
they form their own group, :data:`TARGET_DORMANT`. Names and strategies are in ``playbooks/target.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts, window_mask
from crmbook.playbook import load_playbook
from crmbook.positions import order_rows
from crmbook.tables import require_columns

from .rfm import segment_summary

__all__ = ["TARGET_SPLIT", "TARGET_QUADRANTS", "TARGET_DORMANT", "TARGET_EVIDENCE", "TARGET_BUSINESS_TYPES",
           "TARGET_PLAYBOOK", "target_matrix", "target_summary"]

#: Target matrix: a customer is "high" on an axis when their percentile (among active customers) is above
#: this split. 0.6 keeps the top 40% on each axis, so *focus* (top 40% on both) is the fifth of the active
#: customers that first sales and service time can really cover (13% of the buying customers of the sample;
#: the former median split over all buyers labelled 45% of them "focus").
TARGET_SPLIT = 0.6
#: Target matrix quadrants: (value high?, attractiveness high?) -> quadrant code.
TARGET_QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, True): "focus",
    (False, True): "opportunistic",
    (True, False): "passive",
    (False, False): "abandon",
}
#: The group of buying customers without revenue in the 12 months ending at ``as_of`` (not on the matrix).
TARGET_DORMANT = "dormant"
#: The evidence of potential that attractiveness can combine, in this order (those the data hold are used):
#: ``trend`` revenue trend, ``recency`` days since the last order (fewer is better), ``frequency_trend`` the
#: trend of the number of orders, ``breadth`` product categories bought in the last 12 months (needs
#: ``orders.category``), ``account`` a business account (needs ``customers.account_type``).
TARGET_EVIDENCE: tuple[str, ...] = ("trend", "recency", "frequency_trend", "breadth", "account")
#: ``account_type`` values that buy for a business (resale or many users): more demand potential.
TARGET_BUSINESS_TYPES: tuple[str, ...] = ("franchisee", "agent", "key_account")
#: The target playbook (``playbooks/target.yaml``): label (e.g. 重点选择) and strategy per group.
TARGET_PLAYBOOK = load_playbook("crmbook.segmentation", "target")


def _trend(now: pd.Series, before: pd.Series) -> pd.Series:
    both = now + before
    return ((now - before) / both.where(both > 0)).fillna(-1.0)


def target_matrix(facts: CustomerFacts, *, split: float = TARGET_SPLIT,
                  evidence: Sequence[str] = TARGET_EVIDENCE,
                  business_types: Sequence[str] = TARGET_BUSINESS_TYPES) -> pd.DataFrame:
    r"""Target-customer matrix (客户选择矩阵): customer value x customer attractiveness.

    Both axes are percentile ranks (0-1, ties share their average rank) among the **active** customers,
    those with annual revenue :math:`y_0 > 0` (the 12 months ending at ``as_of``):

    - **value** (what the customer is worth to us now) = percentile of :math:`y_0`;
    - **attractiveness** (the customer's potential, 需求潜力 and 发展趋势) = the mean of the percentiles of
      the pieces of ``evidence`` the data hold (:data:`TARGET_EVIDENCE`):

      - ``trend`` :math:`t = (y_0 - y_1) / (y_0 + y_1) \in [-1, 1]` (+1 = new in the last 12 months);
      - ``recency``: fewer days since the last order is better;
      - ``frequency_trend``: the same trend on the number of orders, :math:`(f_0 - f_1) / (f_0 + f_1)`;
      - ``breadth``: product categories bought in the last 12 months (when ``orders`` has ``category``):
        a customer who buys across the range has needs beyond one product;
      - ``account``: 1 for an ``account_type`` in ``business_types`` (a business buys for resale or many
        users), else 0 (when ``customers`` has ``account_type``).

      None of them is the size of the annual revenue, so the two axes are not the same signal twice. A
      per-customer share of wallet would belong here too, but the market table is regional.

    A customer is *high* on an axis when their percentile exceeds ``split`` (:data:`TARGET_SPLIT`). The
    quadrants (:data:`TARGET_QUADRANTS`): high value & high attractiveness = **focus**; low value & high
    attractiveness = **opportunistic**; high value & low attractiveness = **passive**; low & low =
    **abandon**. Buying customers with :math:`y_0 = 0` are the group :data:`TARGET_DORMANT` (value and
    attractiveness missing): a tie of hundreds of zeros would otherwise sit as one bar on the value axis.

    Returns
    -------
    DataFrame
        ``customer_id, annual_revenue, previous_revenue, recency_days, trend, frequency_trend`` (and
        ``categories`` with a category column), ``value, attractiveness, quadrant`` (a code), one row per
        buying customer. ``attrs``: ``split`` and ``evidence`` (the pieces used).
    """
    if not 0 < float(split) < 1:
        raise ValueError(f"split must be a fraction in (0, 1), got {split!r}")
    unknown = set(evidence) - set(TARGET_EVIDENCE)
    if unknown:
        raise ValueError(f"evidence: unknown piece(s) {sorted(unknown)}; choose from {list(TARGET_EVIDENCE)}")
    yr = facts.yearly_revenue(3)  # the frame the ABC classes use (cached once)
    out = yr[["customer_id", "revenue_y0", "revenue_y1"]].rename(
        columns={"revenue_y0": "annual_revenue", "revenue_y1": "previous_revenue"})
    # customers as integer positions in ``facts.customers``: counts by bincount, lookups by indexing
    n = len(facts.customers)
    at = facts.customer_index.get_indexer(out["customer_id"])
    base = facts.base
    recency = np.full(n, np.nan)
    recency[facts.customer_index.get_indexer(base["customer_id"])] = base["recency_days"].to_numpy(float)
    out["recency_days"] = recency[at]
    out["trend"] = _trend(out["annual_revenue"], out["previous_revenue"])
    rows = order_rows(facts)
    in_year = [window_mask(facts.orders["order_date"], facts.as_of, year).to_numpy() for year in (0, 1)]
    code0, code1 = rows[in_year[0]], rows[in_year[1]]
    f0 = pd.Series(np.bincount(code0, minlength=n)[at].astype(float), index=out.index)
    f1 = pd.Series(np.bincount(code1, minlength=n)[at].astype(float), index=out.index)
    out["frequency_trend"] = _trend(f0, f1)
    signals = {"trend": out["trend"], "recency": -out["recency_days"], "frequency_trend": out["frequency_trend"]}
    if "category" in facts.orders.columns:
        # distinct non-missing categories per customer in year 0 (0 for a customer without such orders)
        cat, _ = pd.factorize(facts.orders["category"][in_year[0]], use_na_sentinel=True)
        width = int(cat.max(initial=0)) + 1
        pairs = np.unique(code0[cat >= 0].astype(np.int64) * width + cat[cat >= 0])
        breadth = np.bincount(pairs // width, minlength=n)[at]
        # as ``map(groupby().nunique()).fillna(0)``: whole numbers, as floats when a customer had no order
        out["categories"] = breadth if (f0 > 0).all() else breadth.astype(float)
        signals["breadth"] = out["categories"]
    c = facts.customers
    if "account_type" in c.columns:
        kind = pd.Series(c["account_type"].astype(str).to_numpy()[at], index=out.index)
        signals["account"] = kind.isin(set(business_types)).astype(float)
    used = [k for k in evidence if k in signals]
    active = out["annual_revenue"] > 0
    out["value"] = out["annual_revenue"].where(active).rank(pct=True, method="average")
    if used:
        ranks = pd.concat([signals[k].where(active).rank(pct=True, method="average") for k in used], axis=1)
        out["attractiveness"] = ranks.mean(axis=1).rank(pct=True, method="average")
    else:
        out["attractiveness"] = np.nan
    hi_v, hi_a = (out["value"] > split).to_numpy(), (out["attractiveness"] > split).to_numpy()
    which = 2 * hi_v + hi_a  # 0..3: (low, low), (low, high), (high, low), (high, high)
    names = [TARGET_QUADRANTS[(bool(v), bool(a))] for v in (False, True) for a in (False, True)]
    quadrant = np.array(names, dtype=object)[which]
    quadrant[~active.to_numpy()] = TARGET_DORMANT
    out["quadrant"] = quadrant.tolist()
    out.attrs.update(split=float(split), evidence=tuple(used))
    return out


def target_summary(target: pd.DataFrame, *, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Size and annual revenue of each target-matrix group (a :func:`segment_summary` of
    :func:`target_matrix`); shares are of all buying customers, the :data:`TARGET_DORMANT` group included.

    Returns
    -------
    DataFrame
        ``segment, customers, customer_share, annual_revenue, revenue_share, revenue_per_customer``;
        groups in ``order`` (default the order of :data:`TARGET_PLAYBOOK`); ``attrs`` those of ``target``.
    """
    require_columns(target, "target", ["quadrant", "annual_revenue"])
    out = segment_summary(target[["quadrant", "annual_revenue"]], segment_col="quadrant",
                          revenue_col="annual_revenue", order=list(TARGET_PLAYBOOK.order if order is None else order))
    out = out.rename(columns={"revenue": "annual_revenue"})
    out.attrs = dict(target.attrs)
    return out
