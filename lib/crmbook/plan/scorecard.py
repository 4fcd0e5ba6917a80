r"""The management scorecard (管理记分卡) of the course's evaluation step (客户管理战略的评估与改进): a few
figures of satisfaction, loyalty, sales and marketing effect, each with its target and status.

=====================  ============================================================  ==========  ======
figure                 formula                                                       area        better
=====================  ============================================================  ==========  ======
``nps``                % promoters (9-10) - % detractors (0-6), answers of the last   satisfaction up
                       12 months
``retention_rate``     buyers of year 1 who bought in year 0 / buyers of year 1       loyalty     up
``repeat_rate``        buyers of year 0 with 2+ orders in it / buyers of year 0       loyalty     up
``revenue_growth``     revenue year 0 / revenue year 1 - 1                            sales       up
``campaign_roi``       (incremental revenue x margin rate - cost) / cost, the latest  marketing   up
                       campaign with a control group
=====================  ============================================================  ==========  ======

Status: ``on_target`` when the value reaches its target in the good direction, ``below_target``
otherwise, ``no_data`` when it cannot be computed; ``change`` is the difference with the value of the
previous run of the plan (the run index draws the trend over runs).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts, window_mask

__all__ = ["SCORECARD", "SCORECARD_TARGETS", "scorecard_values", "scorecard", "previous_values"]

#: The figures: name -> (area, unit).
SCORECARD: dict[str, tuple[str, str]] = {"nps": ("satisfaction", "points"), "retention_rate": ("loyalty", "%"),
                                         "repeat_rate": ("loyalty", "%"), "revenue_growth": ("sales", "%"),
                                         "campaign_roi": ("marketing", "%")}
#: Default targets (notebook parameters override them): NPS points and percentages.
SCORECARD_TARGETS: dict[str, float] = {"nps": 30.0, "retention_rate": 60.0, "repeat_rate": 30.0,
                                       "revenue_growth": 5.0, "campaign_roi": 0.0}


def scorecard_values(facts: CustomerFacts, *, surveys: pd.DataFrame | None = None,
                     uplifts: pd.DataFrame | None = None, campaigns: pd.DataFrame | None = None,
                     margin_rate: float = 1.0) -> dict[str, float]:
    """The scorecard's figures (NaN when the data does not allow one), shares and growth in % (0-100)."""
    from crmbook.roi import yearly_retention

    out: dict[str, float] = dict.fromkeys(SCORECARD, float("nan"))
    if surveys is not None and "nps" in surveys.columns:
        d = pd.to_datetime(surveys["response_date"], errors="coerce")
        nps = pd.to_numeric(surveys.loc[window_mask(d, facts.as_of, 0), "nps"], errors="coerce").dropna()
        if len(nps):
            out["nps"] = float(100 * ((nps >= 9).mean() - (nps <= 6).mean()))
    r, n = yearly_retention(facts)
    out["retention_rate"] = 100 * r if n else float("nan")
    o = facts.orders_in_year(0, ["customer_id"])
    counts = o.groupby("customer_id").size()
    if len(counts):
        out["repeat_rate"] = float(100 * (counts >= 2).mean())
    yr = facts.yearly_revenue(2)
    y0, y1 = float(yr["revenue_y0"].sum()), float(yr["revenue_y1"].sum())
    if y1 > 0:
        out["revenue_growth"] = 100 * (y0 / y1 - 1)
    if uplifts is not None and len(uplifts) and campaigns is not None and "cost" in campaigns.columns:
        latest = uplifts.iloc[0]
        cost = pd.to_numeric(campaigns.set_index(campaigns["campaign_id"].astype(str))["cost"], errors="coerce") \
            .get(str(latest["campaign_id"]), np.nan)
        if cost and np.isfinite(cost) and cost > 0:
            gain = float(latest["revenue_uplift"]) * int(latest["treated"]) * float(margin_rate)
            out["campaign_roi"] = 100 * (gain - cost) / cost
    return out


def scorecard(values: Mapping[str, float], *, targets: Mapping[str, float] | None = None,
              previous: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The scorecard as a table: ``figure, area, value, unit, target, status, previous, change``.

    Parameters
    ----------
    values : mapping
        :func:`scorecard_values`.
    targets : mapping, optional
        Targets by figure (default :data:`SCORECARD_TARGETS`).
    previous : mapping, optional
        The values of the previous run (missing: no change shown).
    """
    t = {**SCORECARD_TARGETS, **(targets or {})}
    rows = []
    for name, (area, unit) in SCORECARD.items():
        v = float(values.get(name, np.nan))
        target = float(t[name])
        status = "no_data" if not np.isfinite(v) else ("on_target" if v >= target else "below_target")
        before = (previous or {}).get(name)
        before = float(before) if before is not None and np.isfinite(float(before)) else np.nan
        rows.append({"figure": name, "area": area, "value": v, "unit": unit, "target": target, "status": status,
                     "previous": before, "change": v - before if np.isfinite(before) and np.isfinite(v) else np.nan})
    return pd.DataFrame(rows)


def previous_values(run_folder: str | Path | None) -> dict[str, float]:
    """The scorecard figures a previous run recorded (its ``kpis.json``: ``score_<figure>``), by figure."""
    if run_folder is None:
        return {}
    path = Path(run_folder) / "kpis.json"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for k in saved.get("kpis", []):
        name = str(k.get("name", ""))
        if str(k.get("notebook", k.get("topic", ""))).endswith("customer_plan") and name.startswith("score_"):
            with contextlib.suppress(TypeError, ValueError):
                out[name.removeprefix("score_")] = float(k["value"])
    return out
