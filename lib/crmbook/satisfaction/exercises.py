"""The exercises of notebook ``03_satisfaction``, built from the data (answers computed, never typed in);
each names a plausible wrong answer (NPS as promoters only, CSAT from the mean, a target judged on the point
value alone)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.exercises import ChoiceExercise, Exercise, ExerciseSet, NumberExercise
from crmbook.language import catalogue

from .drivers import QUADRANTS
from .narrative import PACKAGE, code_label
from .scores import CONFIDENCE, nps_score
from .targets import TARGETS, target_status

__all__ = ["exercises"]


def _text(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def _nps_exercise(surveys: pd.DataFrame, ctx: Context) -> NumberExercise:
    nps = pd.to_numeric(surveys["nps"], errors="coerce").dropna().astype(float).iloc[:200]
    r = nps_score(nps)
    n = r["n"]
    pro, det = round(r["promoters"] * n), round(r["detractors"] * n)
    pas = n - pro - det
    answer = 100 * (pro - det) / n
    traps = {_text("q1.promoters_only", ctx): 100 * pro / n,
             _text("q1.not_passives", ctx): 100 * (pro - det - pas) / n}
    if pro + det:
        traps[_text("q1.without_passives", ctx)] = 100 * (pro - det) / (pro + det)
    return NumberExercise(_text("name", ctx, n=1), _text("q1.question", ctx, promoters=pro, passives=pas,
                                                          detractors=det),
                          answer, abs_tol=0.15, rel_tol=0.0, traps=traps, hint=_text("q1.hint", ctx, n=n),
                          solution=_text("q1.solution", ctx, promoters=pro, detractors=det, n=n, answer=answer),
                          language=ctx.language)


def _csat_exercise(surveys: pd.DataFrame, ctx: Context) -> NumberExercise:
    csat = pd.to_numeric(surveys["csat"], errors="coerce").dropna().astype(int)
    answers = csat.iloc[:10].tolist()
    if len(answers) < 10:
        raise ValueError("surveys: at least 10 CSAT answers are needed for the exercise")
    k = sum(a >= 4 for a in answers)
    traps = {_text("q2.mean", ctx): float(np.mean(answers)) / 5, _text("q2.top_box", ctx): sum(a == 5 for a in answers) / 10}
    return NumberExercise(_text("name", ctx, n=2), _text("q2.question", ctx, answers=", ".join(map(str, answers))),
                          k / 10, rel_tol=0.0, abs_tol=1e-9, percent_ok=True, traps=traps,
                          hint=_text("q2.hint", ctx), solution=_text("q2.solution", ctx, k=k, answer=k / 10),
                          language=ctx.language)


def _target_exercise(by_region: pd.DataFrame, ctx: Context, target: float, confidence: float) -> Exercise:
    rows = by_region[(by_region["score"] == "csat")].copy()
    if rows.empty:
        raise ValueError("no CSAT by group for the target exercise")
    rows["status"] = [target_status(lo, hi, target) for lo, hi in rows[["low", "high"]].itertuples(index=False)]
    # the best exercise: a group whose point value is below the target but whose interval is not
    tricky = rows[(rows["value"] < target) & (rows["status"] == "cannot_tell")]
    who = (tricky if len(tricky) else rows).iloc[0]
    answer = who["status"]

    def judge(got: Any, want: Any) -> str | None:
        g = str(got).strip().lower().replace(" ", "_")
        if g == want:
            return None
        if g == "misses" and who["value"] < target:
            return _text("q3.point_only", ctx)
        if g not in ("misses", "meets", "cannot_tell"):
            return catalogue("crmbook").say("exercise.not_a_choice", ctx, escape=False, answer=repr(got),
                                             choices="misses, meets, cannot_tell")
        return catalogue("crmbook").say("exercise.wrong_choice", ctx, escape=False, answer=repr(got))

    return Exercise(_text("name", ctx, n=3), _text("q3.question", ctx, value=who["value"], low=who["low"],
                                                        high=who["high"], target=target, confidence=confidence),
                        answer, judge=judge, hint=_text("q3.hint", ctx),
                        solution=_text("q3.solution", ctx, low=who["low"], high=who["high"], target=target,
                                       answer=answer), language=ctx.language)


def _quadrant_exercise(drivers: pd.DataFrame, ctx: Context) -> ChoiceExercise:
    row = drivers.iloc[len(drivers) // 2]
    aliases = {code_label("quadrant", q, lang): q for q in QUADRANTS for lang in ("en", "zh")}
    return ChoiceExercise(_text("name", ctx, n=4), _text("q4.question", ctx,
                                                          attribute=code_label("attribute", row["attribute"], ctx)),
                          row["quadrant"], choices=QUADRANTS, aliases=aliases, hint=_text("q4.hint", ctx),
                          solution=_text("q4.solution", ctx, importance=row["importance"],
                                         i_split=drivers.attrs["importance_split"], performance=row["performance"],
                                         p_split=drivers.attrs["performance_split"], answer=row["quadrant"]),
                          language=ctx.language)


def exercises(surveys: pd.DataFrame, by_region: pd.DataFrame, drivers: pd.DataFrame | None, ctx: Context, *,
              target_csat: float = TARGETS["csat"], confidence: float = CONFIDENCE) -> ExerciseSet:
    """``q1`` NPS from counts, ``q2`` CSAT from ten answers, ``q3`` a target verdict from an interval, and
    ``q4`` (when there are drivers) the quadrant of one attribute."""
    found = {"q1": _nps_exercise(surveys, ctx), "q2": _csat_exercise(surveys, ctx),
             "q3": _target_exercise(by_region, ctx, target_csat, confidence)}
    if drivers is not None and len(drivers):
        found["q4"] = _quadrant_exercise(drivers, ctx)
    return ExerciseSet(**found)


