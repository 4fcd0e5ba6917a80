r"""The whale curve (鲸鱼曲线): cumulative profit against customers ranked by profit.

Rank the :math:`n` customers by profit, most profitable first, :math:`\pi_{(1)} \ge \dots \ge \pi_{(n)}`, and
plot

.. math:: W(k/n) = \frac{\sum_{j \le k} \pi_{(j)}}{\sum_{j \le n} \pi_{(j)}}

against the share of customers :math:`k/n`. The curve climbs while customers make money, peaks above
100 % when some lose money (the peak is the profit the profitable customers make), and falls back to
100 % at the end: the fall is the profit the unprofitable customers eat.

Published figures: Kaplan and Narayanan (2001, "Measuring and managing customer profitability",
*Journal of Cost Management* 15(5), 5-15) report that the most profitable 20 % of customers typically
generate 150-300 % of total profit, the middle 70 % break even, and the least profitable 10 % lose
50-200 % of it (:data:`PUBLISHED`). The course says the top customers create the profit and *half of it*
is consumed by the unprofitable customers at the bottom, i.e. a peak near 200 % (:data:`COURSE_LOSS_OF_PEAK`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PUBLISHED", "COURSE_LOSS_OF_PEAK", "whale_curve", "whale_facts"]

#: Kaplan & Narayanan (2001): the top 20 % make 150-300 % of profit; the bottom 10 % lose 50-200 %.
PUBLISHED = {"top20_share": (1.5, 3.0), "bottom10_loss": (0.5, 2.0)}

#: The course: the unprofitable customers eat half of the profit the good ones make.
COURSE_LOSS_OF_PEAK = 0.5


def whale_curve(profit: pd.Series) -> pd.DataFrame:
    """The whale curve of ``profit`` (one value per customer; missing values are left out and counted).

    Returns
    -------
    DataFrame
        ``rank`` (1 = most profitable), ``customer_id``, ``profit``, ``customer_share`` (:math:`k/n`) and
        ``cumulative_share`` (:math:`W(k/n)`, missing when the total profit is not positive), most
        profitable first. ``attrs``: ``left_out``, ``total``.
    """
    p = pd.to_numeric(profit, errors="coerce")
    kept = p.dropna()
    order = np.lexsort((kept.index.astype(str).to_numpy(), -kept.to_numpy()))
    ranked = kept.iloc[order]
    total = float(ranked.sum())
    n = len(ranked)
    out = pd.DataFrame({"rank": np.arange(1, n + 1), "customer_id": ranked.index.astype(str),
                        "profit": ranked.to_numpy(dtype=float)})
    out["customer_share"] = out["rank"] / max(n, 1)
    cum = np.cumsum(out["profit"].to_numpy())
    out["cumulative_share"] = cum / total if total > 0 else np.nan
    out.attrs.update(left_out=int(p.isna().sum()), total=total)
    return out


def _top_sum(ranked: np.ndarray, share: float, *, bottom: bool = False) -> float:
    k = int(np.ceil(share * len(ranked) - 1e-9))
    return float(ranked[-k:].sum() if bottom else ranked[:k].sum()) if k else 0.0


def whale_facts(curve: pd.DataFrame) -> dict:
    """The figures of a whale curve, as shares of the total profit.

    Returns
    -------
    dict
        ``customers, total_profit, peak_share`` (the curve's maximum, :math:`\\ge 1` when someone loses money),
        ``peak_customer_share`` (where it peaks), ``top20_share`` (profit of the top 20 %: the first
        :math:`\\lceil 0.2 n \\rceil`), ``bottom10_loss`` (minus the profit of the bottom 10 %, as a share; positive
        when they lose money), ``unprofitable_customers, unprofitable_share, loss_share`` (the profit the
        customers below zero eat: :math:`-\\sum_{\\pi_i<0}\\pi_i / \\sum \\pi_i`), ``loss_of_peak`` (that loss
        as a share of the peak profit: the course's "half"); the shares are NaN when the total profit is
        not positive (``positive_total`` False).
    """
    p = curve["profit"].to_numpy(dtype=float)
    n, total = len(p), float(p.sum())
    neg = p < 0
    loss = float(-p[neg].sum())
    ok = total > 0
    peak_pos = int(np.argmax(np.cumsum(p))) if n else 0
    peak = float(np.cumsum(p)[peak_pos]) if n else 0.0
    return {
        "customers": n, "total_profit": total, "positive_total": ok,
        "peak_profit": peak, "peak_share": peak / total if ok else np.nan,
        "peak_customer_share": (peak_pos + 1) / n if n else np.nan,
        "top20_share": _top_sum(p, 0.2) / total if ok else np.nan,
        "bottom10_loss": -_top_sum(p, 0.1, bottom=True) / total if ok else np.nan,
        "unprofitable_customers": int(neg.sum()), "unprofitable_share": float(neg.mean()) if n else np.nan,
        "loss": loss, "loss_share": loss / total if ok else np.nan,
        "loss_of_peak": loss / peak if peak > 0 else np.nan,
    }
