"""The exercises of notebook ``01_segmentation``, built from the data (answers computed, never typed in).

Questions, hints and solutions come from the package's catalogue in ``ctx``'s language; the feedback from
the shared one (:mod:`crmbook.exercises`). The target-matrix exercise accepts the quadrants' names in
every language (``重点选择`` for ``focus``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import LANGUAGES, Context
from crmbook.exercises import ChoiceExercise, ExerciseSet, NumberExercise, SetExercise
from crmbook.language import catalogue

from .abc import ABC_GROWTH, ABC_TOP_SHARE, abc_exercise_table, top_share_revenue
from .narrative import PACKAGE
from .target import TARGET_PLAYBOOK, TARGET_SPLIT

__all__ = ["exercises"]


def _text(key: str, ctx: Context, **values: Any) -> str:
    # exercise text is escaped where it is shown (Feedback), not here
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def _rfm_exercise(scored: pd.DataFrame, ctx: Context) -> NumberExercise:
    buyers = scored[scored["frequency"] > 0].sort_values("customer_id")
    if buyers.empty:
        raise ValueError("scored: no customer with orders; the exercises need at least one")
    # a customer whose three scores differ makes the best exercise; else the first buyer
    varied = buyers[(buyers["r_score"] != buyers["f_score"]) & (buyers["f_score"] != buyers["m_score"])]
    pool = varied if len(varied) else buyers
    who = pool.iloc[len(pool) // 2]
    n = len(buyers)
    worse = {"r": int((buyers["recency_days"] > who["recency_days"]).sum()),
             "f": int((buyers["frequency"] < who["frequency"]).sum()),
             "m": int((buyers["monetary"] < who["monetary"]).sum())}
    bins = int(max(buyers["r_score"].max(), buyers["f_score"].max(), buyers["m_score"].max()))
    return NumberExercise(
        _text("name", ctx, n=1),
        _text("q1.question", ctx, customer=who["customer_id"], days=who["recency_days"],
              orders=int(who["frequency"]), spent=who["monetary"], n=n, worse_r=worse["r"], worse_f=worse["f"],
              worse_m=worse["m"], bins=bins),
        int(who["rfm_code"]), abs_tol=0.0, rel_tol=0.0,
        hint=_text("q1.hint", ctx, bins=bins),
        solution=_text("q1.solution", ctx, bins=bins, n=n, rank_r=worse["r"] + 1, rank_f=worse["f"] + 1,
                       rank_m=worse["m"] + 1, r=who["r_score"], f=who["f_score"], m=who["m_score"],
                       code=who["rfm_code"]),
        language=ctx.language,
    )


def exercises(scored: pd.DataFrame, abc: pd.DataFrame, target: pd.DataFrame | None, ctx: Context, *,
              top_share: float = ABC_TOP_SHARE, growth: float = ABC_GROWTH) -> ExerciseSet:
    """The exercises of notebook ``01_segmentation``.

    - ``q1`` (number): the RFM code of one customer, scored by hand from the quantile rule;
    - ``q2`` (set): which customers of :func:`crmbook.segmentation.abc_exercise_table` are class B;
    - ``q3`` (number): the share of annual revenue brought by the top ``top_share`` of customers;
    - ``q4`` (choice, when ``target`` is given): the target-matrix quadrant of one customer; the
      quadrants' names in every report language are accepted.

    Parameters
    ----------
    scored : DataFrame
        :func:`crmbook.segmentation.rfm_segmentation` (or ``rfm_scores``) output.
    abc : DataFrame
        :func:`crmbook.segmentation.abc_classes` output.
    target : DataFrame or None
        :func:`crmbook.segmentation.target_matrix` output.
    ctx : Context
        The report language of questions, hints and feedback.
    """
    items: dict[str, Any] = {"q1": _rfm_exercise(scored, ctx)}
    table = abc_exercise_table(abc)
    answer = table.attrs["answer"]
    b_ids = [c for c, k in answer.items() if k == "B"]
    items["q2"] = SetExercise(
        _text("name", ctx, n=2),
        _text("q2.question", ctx, cutoff=table.attrs["a_cutoff"], growth=growth),
        b_ids, hint=_text("q2.hint", ctx),
        solution=_text("q2.solution", ctx, b=", ".join(b_ids),
                       a=", ".join(c for c, k in answer.items() if k == "A")),
        language=ctx.language,
    )
    share = top_share_revenue(abc.set_index("customer_id")["revenue_y0"], top_share)
    items["q3"] = NumberExercise(
        _text("name", ctx, n=3), _text("q3.question", ctx, top_share=top_share),
        share, rel_tol=0.01, percent_ok=True, hint=_text("q3.hint", ctx),
        solution=_text("q3.solution", ctx, top_share=top_share, share=share), language=ctx.language,
    )
    if target is not None and len(target):
        t = target.sort_values("customer_id")
        pick = t.iloc[len(t) // 3]
        aliases = {TARGET_PLAYBOOK.label(q, lang): q for q in TARGET_PLAYBOOK.order for lang in LANGUAGES}
        items["q4"] = ChoiceExercise(
            _text("name", ctx, n=4),
            _text("q4.question", ctx, customer=pick["customer_id"], value=pick["value"],
                  attractiveness=pick["attractiveness"]),
            pick["quadrant"], choices=list(TARGET_PLAYBOOK.order), aliases=aliases,
            hint=_text("q4.hint", ctx, split=TARGET_SPLIT),
            solution=_text("q4.solution", ctx, quadrant=pick["quadrant"],
                           label=TARGET_PLAYBOOK.label(pick["quadrant"], ctx)),
            language=ctx.language,
        )
    return ExerciseSet(**items)
