"""The exercises of notebook ``02_lifecycle``, built from the data (answers computed, never typed in).

Each rejects a specific plausible wrong answer by name:

- ``q1`` (number): the retention rate; counting this year's *new* customers as retained (all this year's
  buyers over last year's) and giving the churn rate are named;
- ``q2`` (number): the Kaplan–Meier median lifetime; the median of the churned customers' lifetimes only
  (censoring ignored) and the median of all durations taken as churn are named;
- ``q3`` (date): the greeting date of a 29 February birthday; 1 March and the next 29 February are named;
- ``q4`` (number): a row share of the transition matrix; dividing by the column total or by all customers
  is named;
- ``q5`` (number): the 12-month retention of one member tier, the tier held at the start; grouping by the
  tier held *today* (circular: buying this year is what promoted a customer) and dividing by every customer
  of the tier (not only last year's buyers) are named.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.exercises import Exercise, ExerciseSet, NumberExercise
from crmbook.facts import CustomerFacts
from crmbook.language import catalogue

from .actions import _is_leap, next_birthdays
from .loyalty import TIER_RULE, TierRule, _basis_values, _bought, _start, _tier_codes
from .narrative import PACKAGE, stage_label
from .survival import kaplan_meier

__all__ = ["exercises", "leap_day_customer", "tier_retention_exercise"]


def _text(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def _d(x: Any) -> str:
    return f"{pd.Timestamp(x):%Y-%m-%d}"


def leap_day_customer(customers: pd.DataFrame) -> tuple[str, pd.Timestamp] | None:
    """The first customer (by id) born on 29 February, with the birth date; ``None`` when there is none."""
    if "birth_date" not in customers.columns:
        return None
    b = pd.to_datetime(customers["birth_date"], errors="coerce")
    leap = customers.loc[((b.dt.month == 2) & (b.dt.day == 29)).to_numpy(), "customer_id"]
    if leap.empty:
        return None
    who = sorted(leap.astype(str))[0]
    return who, pd.Timestamp(b[customers["customer_id"].astype(str) == who].iloc[0])


def _date_judge(ctx: Context, traps: dict[str, str]):
    def judge(answer: Any, expected: Any) -> str | None:
        try:
            got = pd.Timestamp(str(answer).strip())
        except (TypeError, ValueError):
            return _text("q3.not_a_date", ctx, answer=repr(answer))
        if pd.isna(got):
            return _text("q3.not_a_date", ctx, answer=repr(answer))
        if got.normalize() == pd.Timestamp(expected).normalize():
            return None
        for message, value in traps.items():
            if got.normalize() == pd.Timestamp(value).normalize():
                return message
        return _text("q3.wrong_date", ctx, answer=_d(got))
    return judge


def _birthday_exercise(customers: pd.DataFrame, as_of: pd.Timestamp, ctx: Context) -> Exercise:
    found = leap_day_customer(customers)
    who, birth = found if found is not None else ("-", pd.Timestamp("1992-02-29"))
    due = pd.Timestamp(next_birthdays(pd.Series([birth]), as_of)["next_birthday"].iloc[0])
    traps: dict[str, str] = {}
    if due.month == 2 and due.day == 28:
        traps[_text("q3.march", ctx)] = _d(pd.Timestamp(year=due.year, month=3, day=1))
        year = due.year + 1
        while not _is_leap(np.array([year]))[0]:
            year += 1
        traps[_text("q3.leap_year", ctx)] = _d(pd.Timestamp(year=year, month=2, day=29))
    return Exercise(_text("name", ctx, n=3),
                    _text("q3.question", ctx, customer=who, birth=_d(birth), as_of=_d(as_of)),
                    _d(due), judge=_date_judge(ctx, traps), hint=_text("q3.hint", ctx),
                    solution=_text("q3.solution", ctx, as_of=_d(as_of), due=_d(due)), language=ctx.language)


def tier_retention_exercise(facts: CustomerFacts, ctx: Context, rule: TierRule = TIER_RULE, *,
                            tier: str | None = None, n: int = 5) -> NumberExercise | None:
    """The 12-month retention of ``tier`` by the tier each customer held at the start (a year before
    ``as_of``, tiers derived from ``rule``), as in :func:`crmbook.lifecycle.tier_retention`.

    ``tier`` defaults to the tier above the lowest with the most of last year's buyers (ties: the higher
    tier); ``None`` is returned when no tier above the lowest has one. Named wrong answers: the same share
    grouped by the tier held at ``as_of`` (circular), and retained / all customers of the tier at the start.
    """
    start = _start(facts, None)
    end = min(start + pd.DateOffset(years=1), facts.as_of)
    x_now, existed_now = _basis_values(facts, facts.as_of, rule)
    code_now = np.where(existed_now, _tier_codes(x_now, rule), -1)
    x_then, existed_then = _basis_values(facts, start, rule)
    code_then = np.where(existed_then, _tier_codes(x_then, rule), -1)
    active = _bought(facts, start - pd.DateOffset(years=1), start)
    kept = _bought(facts, start, end)
    tiers = list(rule.tiers)
    if tier is None:
        counts = [int((active & (code_then == i)).sum()) for i in range(len(tiers))]
        best = max(range(1, len(tiers)), key=lambda i: (counts[i], i), default=None)
        if best is None or counts[best] == 0:
            return None
        tier = tiers[best]
    if tier not in tiers:
        raise ValueError(f"tier {tier!r} is not one of the rule's tiers {tiers}")
    i = tiers.index(tier)
    base = active & (code_then == i)
    if not base.any():
        return None
    retained, buyers = int((base & kept).sum()), int(base.sum())
    now = active & (code_now == i)
    everyone = int((code_then == i).sum())
    traps = {_text("q5.current_tier", ctx, tier=tier): (int((now & kept).sum()) / int(now.sum())
                                                        if now.any() else math.nan),
             _text("q5.all_in_tier", ctx, tier=tier, start=_d(start)): retained / everyone if everyone else math.nan}
    period = dict(prev_start=_d(start - pd.DateOffset(years=1)), start=_d(start), end=_d(end), tier=tier)
    return NumberExercise(
        _text("name", ctx, n=n), _text("q5.question", ctx, **period), retained / buyers, rel_tol=0.005,
        percent_ok=True, hint=_text("q5.hint", ctx, **period), traps=traps,
        solution=_text("q5.solution", ctx, retained=retained, buyers=buyers, rate=retained / buyers, tier=tier),
        language=ctx.language)


def exercises(rates: dict[str, Any], lifetimes: pd.DataFrame, matrix: pd.DataFrame | None,
              customers: pd.DataFrame, ctx: Context, *, facts: CustomerFacts | None = None,
              tier_rule: TierRule = TIER_RULE) -> ExerciseSet:
    """The exercises of notebook ``02_lifecycle`` (see the module docstring).

    Parameters
    ----------
    rates : dict
        :func:`crmbook.lifecycle.lifecycle_rates`.
    lifetimes : DataFrame
        :func:`crmbook.lifecycle.customer_lifetimes`.
    matrix : DataFrame or None
        :func:`crmbook.lifecycle.transition_matrix` (``q4`` is left out without one).
    customers : DataFrame
        The customers (``birth_date`` when known: a real 29 February customer is asked about; otherwise a
        made-up one born 1992-02-29).
    ctx : Context
        The report language and ``as_of``.
    facts, tier_rule : CustomerFacts and TierRule, optional
        With ``facts``, ``q5`` asks for a tier's retention under ``tier_rule`` (left out when no tier above
        the lowest had buyers in the year before the start).
    """
    r = rates
    period = dict(prev_start=_d(r["previous_start"]), start=_d(r["start"]), end=_d(r["end"]))
    base = r["last_year_buyers"]

    def retention() -> float:
        if not base:
            raise ValueError("no customer bought in the year before the last one")
        return r["retention"]

    q1 = NumberExercise(
        _text("name", ctx, n=1),
        _text("q1.question", ctx, base=base, retained=r["retained"], buyers=r["this_year_buyers"], **period),
        retention, rel_tol=0.005, percent_ok=True, hint=_text("q1.hint", ctx),
        traps={_text("q1.new_included", ctx): r["this_year_buyers"] / base if base else math.nan,
               _text("q1.churn", ctx): r["churn"]},
        solution=_text("q1.solution", ctx, retained=r["retained"], base=base, rate=r["retention"]),
        language=ctx.language)

    def km_median() -> float:
        m = kaplan_meier(lifetimes["duration_days"], lifetimes["churned"]).attrs["median"]
        if not math.isfinite(m):
            raise ValueError("the median lifetime is not reached on this data")
        return m

    churned = lifetimes.loc[lifetimes["churned"], "duration_days"]
    try:
        median_text = km_median()
    except ValueError:
        median_text = float("nan")
    q2 = NumberExercise(
        _text("name", ctx, n=2), _text("q2.question", ctx), km_median, rel_tol=0.01, hint=_text("q2.hint", ctx),
        traps={_text("q2.churned_only", ctx): float(churned.median()) if len(churned) else math.nan,
               _text("q2.all_events", ctx): float(lifetimes["duration_days"].median())},
        solution=_text("q2.solution", ctx, median=median_text), language=ctx.language)
    items: dict[str, Exercise] = {"q1": q1, "q2": q2, "q3": _birthday_exercise(customers, ctx.as_of, ctx)}
    if matrix is not None:
        active_rows = matrix.loc[["new", "repeat", "loyal"]].sum(axis=1)
        stage = str(active_rows.idxmax())
        row, cell = int(matrix.loc[stage].sum()), int(matrix.loc[stage, "lapsed"])
        col, everyone = int(matrix["lapsed"].sum()), int(matrix.to_numpy().sum())
        if row:
            label = stage_label(stage, ctx)
            items["q4"] = NumberExercise(
                _text("name", ctx, n=4),
                _text("q4.question", ctx, start=_d(matrix.attrs["start"]), end=_d(matrix.attrs["end"]), stage=label),
                cell / row, rel_tol=0.005, percent_ok=True, hint=_text("q4.hint", ctx, stage=label),
                traps={_text("q4.column_share", ctx, stage=label): cell / col if col else math.nan,
                       _text("q4.all_customers", ctx, stage=label): cell / everyone if everyone else math.nan},
                solution=_text("q4.solution", ctx, cell=cell, row=row, share=cell / row), language=ctx.language)
    if facts is not None:
        q5 = tier_retention_exercise(facts, ctx, tier_rule)
        if q5 is not None:
            items["q5"] = q5
    return ExerciseSet(**items)
