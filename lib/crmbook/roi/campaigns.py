r"""Campaign ROI against a control group (营销活动投资回报率).

A campaign's effect is what its treated members did **beyond** what comparable members who were held out
(the control group, picked at random) did in the same window - never "more than last month" and never
"more than all customers".

.. math::
    \Delta p = p_T - p_C, \qquad \Delta v = \bar v_T - \bar v_C, \qquad
    \text{incremental margin} = \Delta v \times n_T \times \text{margin rate}, \qquad
    \mathrm{ROI} = \frac{\text{incremental margin} - \text{cost}}{\text{cost}}

with :math:`p` the response rate and :math:`\bar v` the revenue per member of each group. Intervals:

- response uplift :math:`\Delta p`: **Newcombe's hybrid score interval** (Newcombe 1998, method 10: the
  Wilson score intervals of the two rates combined), which keeps its coverage for small rates where the
  Wald interval does not;
- revenue uplift :math:`\Delta v`: **Welch's t interval** (unequal variances, Welch-Satterthwaite degrees
  of freedom); the ROI interval is the revenue interval mapped through the (linear) ROI formula.

No ROI is claimed when a campaign has no control group or a control group smaller than ``min_control``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.intervals import newcombe_interval, welch_interval, wilson_interval
from crmbook.tables import map_distinct, require_columns

__all__ = ["CONFIDENCE", "MIN_CONTROL", "wilson_interval", "newcombe_interval", "welch_interval",
           "campaign_results"]

#: Confidence level of the campaign intervals.
CONFIDENCE: float = 0.95

#: A control group smaller than this is too small to judge a campaign (no ROI is claimed).
MIN_CONTROL: int = 50


#: How a ``responded`` value reads as a flag (anything else is unknown and left out of the rate).
_FLAGS = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0, "yes": 1.0, "no": 0.0}


def _flags(responded: pd.Series) -> pd.Series:
    """1.0 / 0.0 for each yes / no of ``responded`` as :data:`_FLAGS` reads its text, NaN for anything else;
    a boolean column (missing values allowed) read directly: ``True`` and ``False`` are ``"true"`` and
    ``"false"``, a missing value is not a flag."""
    if pd.api.types.is_bool_dtype(responded.dtype):
        flags = responded.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(flags, index=responded.index, name=responded.name)
    return map_distinct(responded, lambda v: _FLAGS.get(str(v).strip().lower(), np.nan)).astype(float)


def _verdict(low: float, high: float, response_low: float, response_high: float) -> str:
    """On the revenue uplift's interval first (sales are what pays), then on the response uplift's."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "unknown"
    if low > 0 or high < 0:
        return "positive" if low > 0 else "negative"
    if response_low > 0:
        return "response_only"
    return "response_down" if response_high < 0 else "not_shown"


def campaign_results(campaigns: pd.DataFrame, members: pd.DataFrame, *, margin_rate: float,
                     confidence: float = CONFIDENCE, min_control: int = MIN_CONTROL) -> pd.DataFrame:
    """Per campaign: treatment vs control, the uplifts with their intervals, incremental margin and ROI.

    Parameters
    ----------
    campaigns : DataFrame
        ``campaign_id, cost`` (and ``channel``).
    members : DataFrame
        ``campaign_id, customer_id, group`` (``treatment`` / ``control``), ``responded`` (bool) and
        ``revenue`` (in the response window; missing read as 0, counted in ``revenue_missing``).
    margin_rate : float
        Gross margin per unit of revenue of the campaign's incremental sales (``nan``: no ROI).
    confidence : float
        Level of the intervals (0.95).
    min_control : int
        Smallest control group that allows a judgement (:data:`MIN_CONTROL`).

    Returns
    -------
    DataFrame
        One row per campaign: ``campaign_id, channel, cost, treated, control, response_treated,
        response_control, response_uplift, response_low, response_high, revenue_uplift, revenue_low,
        revenue_high, incremental_revenue, incremental_margin, roi, roi_low, roi_high, verdict, status``.
        ``status`` is ``ok``, ``no_control`` or ``small_control``; the uplifts, margin and ROI are missing
        unless ``ok``. ``verdict``: ``positive`` / ``negative`` when the revenue uplift's interval excludes 0;
        otherwise ``response_only`` (more responders shown, more revenue not), ``response_down`` (fewer
        responders shown) or ``not_shown`` (both intervals include 0). Members of groups other than treatment/control are
        counted in ``attrs["other_group"]``.
    """
    require_columns(campaigns, "campaigns", ["campaign_id", "cost"])
    require_columns(members, "campaign_members", ["campaign_id", "customer_id", "group"])
    m = members.copy()
    m["campaign_id"] = m["campaign_id"].astype(str)
    group = m["group"].astype(str).str.strip().str.lower()
    other = ~group.isin(["treatment", "control"])
    m["group"] = group
    responded = m["responded"] if "responded" in m.columns else pd.Series(np.nan, index=m.index)
    m["responded"] = _flags(responded)
    revenue = pd.to_numeric(m["revenue"], errors="coerce") if "revenue" in m.columns else pd.Series(
        np.nan, index=m.index)
    m["revenue_missing"] = revenue.isna()
    m["revenue"] = revenue.fillna(0.0)
    rows = []
    for c in campaigns.itertuples(index=False):
        cid = str(c.campaign_id)
        cm = m[(m["campaign_id"] == cid) & ~other]
        t, k = cm[cm["group"] == "treatment"], cm[cm["group"] == "control"]
        row = {"campaign_id": cid, "channel": getattr(c, "channel", None), "cost": float(c.cost),
               "treated": len(t), "control": len(k),
               "response_treated": t["responded"].mean() if len(t) else np.nan,
               "response_control": k["responded"].mean() if len(k) else np.nan,
               "revenue_missing": int(cm["revenue_missing"].sum())}
        status = "no_control" if len(k) == 0 else "small_control" if len(k) < min_control else "ok"
        row["status"] = status
        if status == "ok" and len(t):
            rt, rk = t["responded"].dropna(), k["responded"].dropna()
            row["response_uplift"] = rt.mean() - rk.mean()
            row["response_low"], row["response_high"] = newcombe_interval(
                int(rt.sum()), len(rt), int(rk.sum()), len(rk), confidence)
            d, lo, hi = welch_interval(t["revenue"], k["revenue"], confidence)
            row.update(revenue_uplift=d, revenue_low=lo, revenue_high=hi, incremental_revenue=d * len(t))
            cost = float(c.cost)
            row["incremental_margin"] = d * len(t) * margin_rate
            for key, value in (("roi", d), ("roi_low", lo), ("roi_high", hi)):
                row[key] = (value * len(t) * margin_rate - cost) / cost if cost > 0 else np.nan
            row["verdict"] = _verdict(lo, hi, row["response_low"], row["response_high"])
        else:
            row["verdict"] = "unknown"
        rows.append(row)
    cols = ["campaign_id", "channel", "cost", "treated", "control", "response_treated", "response_control",
            "response_uplift", "response_low", "response_high", "revenue_uplift", "revenue_low", "revenue_high",
            "incremental_revenue", "incremental_margin", "roi", "roi_low", "roi_high", "verdict", "status",
            "revenue_missing"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    out.attrs.update(confidence=confidence, min_control=min_control, margin_rate=margin_rate,
                     other_group=int(other.sum()),
                     unknown_campaign=int((~m["campaign_id"].isin(campaigns["campaign_id"].astype(str))).sum()))
    return out
