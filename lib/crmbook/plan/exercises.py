"""The exercises of notebook ``06_customer_plan``: answers computed (by the optimiser, from the data), never
typed in; each names one plausible wrong answer.

1. choose under a budget and a call limit (rejects the sort by net value and the sort by value per cost);
2. the net expected value of one action (rejects forgetting the cost, and forgetting the uplift rate);
3. which comparison measures the contact's effect (rejects contacted vs not contacted: selection);
4. the marginal value of budget (rejects the average value per unit of budget).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.exercises import ChoiceExercise, Exercise, ExerciseSet, NumberExercise, SetExercise
from crmbook.language import catalogue

from .narrative import PACKAGE, action_label, money
from .optimise import optimise_plan

__all__ = ["CHOICE_CASE", "greedy_choice", "exercises"]

#: A small week: (customer, action, channel, cost, expected value); budget 12, one phone call.
CHOICE_CASE: tuple[tuple[str, str, str, float, float], ...] = (
    ("A", "win_back_call", "phone", 6, 16), ("B", "win_back_call", "phone", 4, 11),
    ("C", "retention_offer", "sms", 5, 11), ("D", "retention_offer", "sms", 4, 8),
    ("E", "retention_offer", "sms", 2, 5), ("A", "retention_offer", "sms", 3, 6.5))
_BUDGET, _PHONE = 12.0, 1


def _text(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def greedy_choice(candidates: pd.DataFrame, *, budget: float, capacity: dict[str, int], key: str) -> list[str]:
    """The customers a sort gives (``key``: ``net`` or ``ratio`` = net per cost): take each candidate in that
    order while budget, capacity and one action per customer allow - the plausible wrong method."""
    c = candidates.assign(net=candidates["expected_value"] - candidates["cost"])
    c = c.assign(ratio=c["net"] / c["cost"]).sort_values(key, ascending=False, kind="stable")
    spent, used, chosen = 0.0, dict.fromkeys(capacity, 0), []
    for r in c.itertuples():
        if r.net <= 0 or r.customer_id in chosen or spent + r.cost > budget + 1e-9:
            continue
        if r.channel in capacity and used[r.channel] >= capacity[r.channel]:
            continue
        chosen.append(r.customer_id)
        spent += r.cost
        used[r.channel] = used.get(r.channel, 0) + 1
    return sorted(chosen)


def _q1(ctx: Context) -> Exercise:
    c = pd.DataFrame(CHOICE_CASE, columns=["customer_id", "action", "channel", "cost", "expected_value"])
    cap = {"phone": _PHONE}
    best = optimise_plan(c, budget=_BUDGET, capacity=cap)
    answer = sorted(best["customer_id"])
    by_net = greedy_choice(c, budget=_BUDGET, capacity=cap, key="net")
    by_ratio = greedy_choice(c, budget=_BUDGET, capacity=cap, key="ratio")
    rows = "; ".join(_text("q1.row", ctx, customer=r.customer_id, action=action_label(r.action, ctx),
                           channel=r.channel, cost=f"{r.cost:g}", value=f"{r.expected_value:g}")
                     for r in c.itertuples())
    traps = {_text("q1.sorted", ctx): by_net, _text("q1.ratio", ctx): by_ratio}
    return SetExercise(_text("name", ctx, n=1),
                       _text("q1.question", ctx, budget=f"{_BUDGET:g}", phone=_PHONE, rows=rows), answer,
                       traps=traps, hint=_text("q1.hint", ctx),
                       solution=_text("q1.solution", ctx, answer=", ".join(answer),
                                      net=f"{best.attrs['net_value']:g}", greedy=", ".join(by_net),
                                      ratio=", ".join(by_ratio)),
                       language=ctx.language)


def _q2(plan: pd.DataFrame, ctx: Context) -> Exercise:
    if plan is None or not len(plan):
        return Exercise(_text("name", ctx, n=2), _text("unavailable", ctx), None, language=ctx.language)
    r = plan.sort_values("customer_id").iloc[len(plan) // 2]
    value, rate, cost = round(float(r["value_at_risk"]), 2), float(r["rate"]), round(float(r["cost"]), 2)
    answer = value * rate - cost
    traps = {_text("q2.no_rate", ctx): value * rate, _text("q2.no_uplift", ctx): value - cost}
    return NumberExercise(_text("name", ctx, n=2),
                          _text("q2.question", ctx, customer=r["customer_id"], value=f"{value:,.2f}",
                                action=action_label(r["action"], ctx), channel=r["channel"], rate=rate,
                                cost=f"{cost:,.2f}"),
                          answer, rel_tol=0.01, abs_tol=0.01, traps=traps, hint=_text("q2.hint", ctx),
                          solution=_text("q2.solution", ctx, value=f"{value:,.2f}", rate=rate, cost=f"{cost:,.2f}",
                                         answer=answer),
                          language=ctx.language)


def _q3(ctx: Context, rates: tuple[float, float, float] | None) -> Exercise:
    ra, rb, rc = rates if rates is not None else (0.42, 0.25, 0.36)
    choices = ("contacted_vs_not_contacted", "contacted_vs_control", "contacted_rate")
    wrong = {"contacted_vs_not_contacted": _text("q3.not_contacted", ctx), "contacted_rate": _text("q3.rate", ctx)}

    class _Choice(ChoiceExercise):
        def judge(self, answer: Any, expected: Any) -> str | None:
            verdict = super().judge(answer, expected)
            return wrong.get(self._norm(answer), verdict) if verdict else None

    return _Choice(_text("name", ctx, n=3), _text("q3.question", ctx, ra=ra, rb=rb, rc=rc), "contacted_vs_control",
                   choices=choices, hint=_text("q3.hint", ctx),
                   solution=_text("q3.solution", ctx, ra=ra, rc=rc, u=ra - rc), language=ctx.language)


def _q4(curve: pd.DataFrame | None, ctx: Context) -> Exercise:
    if curve is None or len(curve) < 2:
        return Exercise(_text("name", ctx, n=4), _text("unavailable", ctx), None, language=ctx.language)
    steps = curve.dropna(subset=["marginal_value"])
    r = steps.iloc[0]
    prev = curve.loc[curve["budget"] < r["budget"]].iloc[-1]
    b0, b1 = float(prev["budget"]), float(r["budget"])
    v0, v1 = round(float(prev["net_value"]), 0), round(float(r["net_value"]), 0)
    answer = (v1 - v0) / (b1 - b0)
    return NumberExercise(_text("name", ctx, n=4),
                          _text("q4.question", ctx, b0=money(b0, ctx), b1=money(b1, ctx), v0=money(v0, ctx),
                                v1=money(v1, ctx)),
                          answer, rel_tol=0.01, traps={_text("q4.average", ctx): v1 / b1},
                          hint=_text("q4.hint", ctx, b0=f"{b0:,.0f}", b1=f"{b1:,.0f}"),
                          solution=_text("q4.solution", ctx, v1=f"{v1:,.0f}", v0=f"{v0:,.0f}", b1=f"{b1:,.0f}",
                                         b0=f"{b0:,.0f}", answer=answer),
                          language=ctx.language)


def exercises(plan: pd.DataFrame | None, ctx: Context, *, curve: pd.DataFrame | None = None,
              rates: tuple[float, float, float] | None = None) -> ExerciseSet:
    """The notebook's exercises ``q1`` ... ``q4``.

    Parameters
    ----------
    plan : DataFrame
        The chosen plan (:func:`crmbook.plan.optimise_plan` on :func:`crmbook.plan.candidate_actions`).
    curve : DataFrame, optional
        :func:`crmbook.plan.budget_curve`.
    rates : (contacted, not contacted, control), optional
        Repurchase rates of the last plan when a random control exists; else an illustrative set.
    """
    return ExerciseSet(q1=_q1(ctx), q2=_q2(plan, ctx), q3=_q3(ctx, rates), q4=_q4(curve, ctx))


