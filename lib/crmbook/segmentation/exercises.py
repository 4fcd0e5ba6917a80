"""The exercises of notebook ``01_segmentation``, built from the data (answers computed, never typed in).

Questions, hints and solutions come from the package's catalogue in ``ctx``'s language; the feedback from
the shared one (:mod:`crmbook.exercises`). The target-matrix exercise accepts the quadrants' names in
every language (``重点选择`` for ``focus``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from crmbook.context import LANGUAGES, Context
from crmbook.exercises import ChoiceExercise, Exercise, ExerciseSet, NumberExercise, SetExercise
from crmbook.language import catalogue

from .abc import ABC_TOP_SHARE, abc_exercise_table, top_share_revenue
from .narrative import PACKAGE
from .target import TARGET_DORMANT, TARGET_PLAYBOOK, TARGET_SPLIT

__all__ = ["exercises"]


def _text(key: str, ctx: Context, **values: Any) -> str:
    # exercise text is escaped where it is shown (Feedback), not here
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def _rfm_judge(ctx: Context, bins: int):
    """Judge an RFM code digit by digit: which of R, F and M is wrong (and whether it is too high)."""
    def judge(answer: Any, expected: Any) -> str | None:
        got = str(answer).strip()
        want = str(int(expected))
        if not got.isdigit() or len(got) != len(want):
            return _text("q1.shape", ctx, answer=got, bins=bins)
        if got == want:
            return None
        wrong = [_text("q1.digit", ctx, letter=letter, got=g, want_dir=_text(
                     "q1.lower" if int(g) > int(w) else "q1.higher", ctx))
                 for letter, g, w in zip("RFM", got, want, strict=True) if g != w]
        return _text("q1.wrong", ctx, digits=_text("q1.sep", ctx).join(wrong))
    return judge



def _rfm_exercise(scored: pd.DataFrame, ctx: Context) -> Exercise:
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
    return Exercise(
        _text("name", ctx, n=1),
        _text("q1.question", ctx, customer=who["customer_id"], days=who["recency_days"],
              orders=int(who["frequency"]), spent=who["monetary"], n=n, worse_r=worse["r"], worse_f=worse["f"],
              worse_m=worse["m"], bins=bins),
        int(who["rfm_code"]), judge=_rfm_judge(ctx, bins),
        hint=_text("q1.hint", ctx, bins=bins),
        solution=_text("q1.solution", ctx, bins=bins, n=n, rank_r=worse["r"] + 1, rank_f=worse["f"] + 1,
                       rank_m=worse["m"] + 1, r=who["r_score"], f=who["f_score"], m=who["m_score"],
                       code=who["rfm_code"]),
        language=ctx.language,
    )




def _all_customers_share(revenue: pd.Series, top_share: float) -> float:
    """The Pareto share with the top share taken of *all* customers (zeros included): a common mistake."""
    r = pd.to_numeric(revenue, errors="coerce").fillna(0.0).sort_values(ascending=False, kind="stable")
    k = math.ceil(float(top_share) * len(r) - 1e-9)
    total = float(r[r > 0].sum())
    return float(r.iloc[:k].sum() / total) if total else float("nan")


def exercises(scored: pd.DataFrame, abc: pd.DataFrame, target: pd.DataFrame | None, ctx: Context) -> ExerciseSet:
    """The exercises of notebook ``01_segmentation``.

    Parameters are read from the analyses' ``attrs`` (``top_share``, ``growth`` and ``max_gap_days`` of
    ``abc``, ``split`` of ``target``), so the questions and hints state the values actually used.

    - ``q1`` (number): the RFM code of one customer, scored by hand from the quantile rule; a wrong code
      is answered with the digit (R, F or M) that is wrong and in which direction;
    - ``q2`` (set): which customers of :func:`crmbook.segmentation.abc_exercise_table` are class B; the
      answer of the growth half alone is named as such;
    - ``q3`` (number): the share of annual revenue brought by the top ``top_share`` of *buying* customers;
      the share taken of all customers (non-buyers included) is named as such;
    - ``q4`` (choice, when ``target`` is given): the target-matrix quadrant of one customer on the
      matrix; the quadrants' names in every report language are accepted.

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
    top_share = float(abc.attrs.get("top_share", ABC_TOP_SHARE))
    growth = float(abc.attrs.get("growth", 0.10))
    gap = abc.attrs.get("max_gap_days")
    table = abc_exercise_table(abc)
    answer = table.attrs["answer"]
    b_ids = [c for c, k in answer.items() if k == "B"]
    growth_only = {c for c, why in table.attrs["reasons"].items() if why in ("growth", "growth_not_loyal")}
    q2 = SetExercise(
        _text("name", ctx, n=2),
        _text("q2.question" if gap is not None else "q2.question_growth", ctx, cutoff=table.attrs["a_cutoff"],
              growth=growth, days=gap or 0),
        b_ids, hint=_text("q2.hint" if gap is not None else "q2.hint_growth", ctx, days=gap or 0),
        traps={_text("q2.growth_only", ctx): growth_only},
        solution=_text("q2.solution", ctx, b=", ".join(b_ids),
                       a=", ".join(c for c, k in answer.items() if k == "A")),
        language=ctx.language,
    )
    items["q2"] = q2
    annual = abc.set_index("customer_id")["revenue_y0"]
    share = top_share_revenue(annual, top_share)
    q3 = NumberExercise(
        _text("name", ctx, n=3), _text("q3.question", ctx, top_share=top_share),
        share, rel_tol=0.01, percent_ok=True, hint=_text("q3.hint", ctx),
        traps={_text("q3.all_customers", ctx): _all_customers_share(annual, top_share)},
        solution=_text("q3.solution", ctx, top_share=top_share, share=share), language=ctx.language,
    )
    items["q3"] = q3
    on = target[target["quadrant"] != TARGET_DORMANT] if target is not None else None
    if on is not None and len(on):
        t = on.sort_values("customer_id")
        pick = t.iloc[len(t) // 3]
        aliases = {TARGET_PLAYBOOK.label(q, lang): q for q in TARGET_PLAYBOOK.order for lang in LANGUAGES}
        items["q4"] = ChoiceExercise(
            _text("name", ctx, n=4),
            _text("q4.question", ctx, customer=pick["customer_id"], value=pick["value"],
                  attractiveness=pick["attractiveness"]),
            pick["quadrant"], choices=list(TARGET_PLAYBOOK.order), aliases=aliases,
            hint=_text("q4.hint", ctx, split=float(target.attrs.get("split", TARGET_SPLIT))),
            solution=_text("q4.solution", ctx, quadrant=pick["quadrant"],
                           label=TARGET_PLAYBOOK.label(pick["quadrant"], ctx)),
            language=ctx.language,
        )
    return ExerciseSet(**items)
