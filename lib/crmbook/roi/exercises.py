"""The exercises of notebook ``05_roi``, built from the data (answers computed, never typed in). Each one
names a specific plausible mistake (a trap) when the trainee makes it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.exercises import ExerciseSet, NumberExercise
from crmbook.language import catalogue

from .clv import retention_clv
from .narrative import PACKAGE

__all__ = ["exercises"]


def _text(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def _unavailable(why: str):
    def expected():
        raise ValueError(why)
    return expected


def _campaign_exercises(members: pd.DataFrame | None, results: pd.DataFrame | None, ctx: Context):
    ok = results[results["status"] == "ok"] if results is not None else pd.DataFrame()
    margin = float(results.attrs.get("margin_rate", float("nan"))) if results is not None else float("nan")
    if members is None or ok.empty or not np.isfinite(margin):
        why = ("no campaign with a control group in this data" if members is None or ok.empty
               else "no gross margin rate (the orders have no cost of goods)")
        return (NumberExercise(_text("name", ctx, n=1), "", _unavailable(why), language=ctx.language),
                NumberExercise(_text("name", ctx, n=2), "", _unavailable(why), language=ctx.language))
    r = ok.sort_values("treated", ascending=False).iloc[0]
    m = members[members["campaign_id"].astype(str) == r["campaign_id"]]
    grp = m["group"].astype(str).str.lower()
    t, c = m[grp == "treatment"], m[grp == "control"]
    rev_t, rev_c = float(pd.to_numeric(t["revenue"]).fillna(0).mean()), float(pd.to_numeric(c["revenue"]).fillna(0).mean())
    g, cost, n_t = float(results.attrs["margin_rate"]), float(r["cost"]), int(r["treated"])
    roi = ((rev_t - rev_c) * n_t * g - cost) / cost
    v = dict(campaign=r["campaign_id"], treated=n_t, control=int(r["control"]), rev_t=rev_t, rev_c=rev_c,
             margin=g, cost=cost)
    q1 = NumberExercise(
        _text("name", ctx, n=1), _text("q1.question", ctx, **v), roi, rel_tol=0.01, abs_tol=0.005,
        traps={_text("q1.revenue", ctx): ((rev_t - rev_c) * n_t - cost) / cost,
               _text("q1.no_control", ctx): (rev_t * n_t * g - cost) / cost},
        hint=_text("q1.hint", ctx), solution=_text("q1.solution", ctx, roi=roi, **v), language=ctx.language)
    x_t, x_c = int(t["responded"].astype(bool).sum()), int(c["responded"].astype(bool).sum())
    uplift = x_t / len(t) - x_c / len(c)
    w = dict(campaign=r["campaign_id"], treated=len(t), control=len(c), x_t=x_t, x_c=x_c)
    q2 = NumberExercise(
        _text("name", ctx, n=2), _text("q2.question", ctx, **w), uplift, rel_tol=0.01, abs_tol=0.0005,
        percent_ok=True,
        traps={_text("q2.all_members", ctx): x_t / len(t) - (x_t + x_c) / (len(t) + len(c)),
               _text("q2.treated_only", ctx): x_t / len(t)},
        hint=_text("q2.hint", ctx), solution=_text("q2.solution", ctx, uplift=uplift, **w), language=ctx.language)
    return q1, q2


def _clv_exercise(closed: pd.DataFrame | None, ctx: Context, discount: float):
    if closed is None or closed.empty:
        return NumberExercise(_text("name", ctx, n=3), "", _unavailable("no closed-form CLV on this data"),
                              language=ctx.language)
    m, r, d = round(float(closed["margin_y0"].mean()), 2), round(float(closed.attrs["retention"]), 4), float(discount)
    clv = float(retention_clv(m, r, d))
    return NumberExercise(
        _text("name", ctx, n=3), _text("q3.question", ctx, m=m, r=r, d=d), clv, rel_tol=0.005,
        traps={_text("q3.lifespan", ctx): m / (1 - r), _text("q3.no_retention", ctx): m / (1 + d - r)},
        hint=_text("q3.hint", ctx), solution=_text("q3.solution", ctx, m=m, r=r, d=d, clv=clv), language=ctx.language)


def _segment_exercise(roi: pd.DataFrame | None, segments: pd.DataFrame | None, ctx: Context):
    if roi is None or segments is None or segments["roi"].notna().sum() == 0:
        return NumberExercise(_text("name", ctx, n=4), "", _unavailable("no customer cost on this data"),
                              language=ctx.language)
    name = segments.columns[0]
    row = segments.dropna(subset=["roi"]).sort_values("customers").iloc[0]
    seg = row[name]
    margin, cost = float(row["gross_margin"]), float(row["customer_cost"])
    expected = (margin - cost) / cost
    return NumberExercise(
        _text("name", ctx, n=4), _text("q4.question", ctx, segment=seg), expected, rel_tol=0.01, abs_tol=0.005,
        percent_ok=True, traps=lambda: {
            _text("q4.mean_ratio", ctx): float(segments.attrs["mean_customer_roi"][seg]),
            _text("q4.revenue", ctx): (float(row["revenue"]) - cost) / cost},
        hint=_text("q4.hint", ctx), solution=_text("q4.solution", ctx, margin=margin, cost=cost, roi=expected),
        language=ctx.language)


def exercises(ctx: Context, *, members: pd.DataFrame | None = None, campaign_results: pd.DataFrame | None = None,
              closed: pd.DataFrame | None = None, discount: float = 0.10, roi: pd.DataFrame | None = None,
              segments: pd.DataFrame | None = None) -> ExerciseSet:
    """The four exercises: campaign ROI (q1), incremental response (q2), CLV by margin x retention (q3),
    a segment's ROI (q4). An exercise the data does not allow says "not available" when checked.

    ``segments`` is a :func:`crmbook.roi.segment_roi` table (its ``attrs["mean_customer_roi"]`` gives the
    trap of q4).
    """
    q1, q2 = _campaign_exercises(members, campaign_results, ctx)
    return ExerciseSet(q1=q1, q2=q2, q3=_clv_exercise(closed, ctx, discount), q4=_segment_exercise(roi, segments, ctx))
