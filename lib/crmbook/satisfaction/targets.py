r"""Targets (目标设定 → 指标衡量 → 持续优化): each score against the target set for it, with its uncertainty.

.. math:: \text{gap} = \text{score} - \text{target}

A score **misses** its target only when the whole confidence interval is on the wrong side of it (for NPS
and CSAT, where higher is better: the upper bound is below the target; for CES, where lower is better:
the lower bound is above it); it **meets** the target when the whole interval is on the right side; when
the interval straddles the target the data **cannot tell** yet (more answers would).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from crmbook.tables import require_columns

__all__ = ["TARGETS", "target_gaps", "target_status"]

#: Default targets: NPS +30 points, CSAT 80 % satisfied, CES 3.0 (on 1-7, lower is better).
TARGETS: dict[str, float] = {"nps": 30.0, "csat": 0.80, "ces": 3.0}


def target_status(low: float, high: float, target: float, better: str = "up") -> str:
    """``"misses"``, ``"meets"`` or ``"cannot_tell"`` (see the module docstring); ``"cannot_tell"`` when
    the interval is unknown."""
    if any(pd.isna(v) for v in (low, high, target)):
        return "cannot_tell"
    if better == "down":
        low, high, target = -high, -low, -target
    if high < target:
        return "misses"
    if low > target:
        return "meets"
    return "cannot_tell"


def target_gaps(scores: pd.DataFrame, targets: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each score of :func:`crmbook.satisfaction.score_table` against its target.

    Returns
    -------
    DataFrame
        ``score, n, value, low, high, target, gap, gap_low, gap_high, status``: the gap and its interval
        (score minus target; for CES a positive gap is worse), ``status`` of :func:`target_status`.
        Scores without a target are left out.
    """
    require_columns(scores, "scores", ["score", "value", "low", "high", "better"])
    targets = dict(TARGETS if targets is None else targets)
    out = scores[scores["score"].isin(list(targets))].copy()
    out["target"] = out["score"].map(targets).astype(float)
    out["gap"] = out["value"] - out["target"]
    out["gap_low"] = out["low"] - out["target"]
    out["gap_high"] = out["high"] - out["target"]
    out["status"] = [target_status(lo, hi, t, b) for lo, hi, t, b in
                     out[["low", "high", "target", "better"]].itertuples(index=False)]
    cols = ["score", "n", "value", "low", "high", "target", "gap", "gap_low", "gap_high", "status"]
    return out[cols].reset_index(drop=True)


