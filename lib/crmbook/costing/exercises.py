"""The exercises of notebook ``04_cost_accounting``, built from the data (answers computed, never typed in).

- ``q1`` (number): the service cost allocated to one customer in one month by the contact driver; the
  answer allocated by revenue instead is named as such;
- ``q2`` (number): the latest period's CAC; dividing by all customers (or by the active ones) is named;
- ``q3`` (number): the share of total profit made by the most profitable 20 % of customers; ranking by
  revenue instead of profit is named.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.exercises import ExerciseSet, NumberExercise
from crmbook.facts import CustomerFacts
from crmbook.language import catalogue

from .allocation import CostAllocation
from .drivers import _activity, _month_numbers
from .narrative import PACKAGE

__all__ = ["exercises"]


def _text(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"exercise.{key}", ctx, escape=False, **values)


def _q1(facts: CustomerFacts, allocation: CostAllocation, contacts: pd.DataFrame | None, ctx: Context):
    """A pool-month allocated by a contact driver (``contacts`` first, latest month first) and, among its
    customers with revenue that month, the one whose share of the driver most exceeds their share of
    revenue, so that sharing by revenue gives a different, named answer."""
    recon = allocation.reconciliation
    dmap = allocation.driver_map
    cands = recon[(recon["status"] == "allocated") & recon["driver"].isin(list(dmap.contact_drivers))]
    if cands.empty or contacts is None:
        return None
    cands = cands.assign(_pref=(cands["driver"] != "contacts").astype(int))
    o = facts.orders
    months = _month_numbers(o["order_date"])[0]
    acts: dict[str, Any] = {}  # each driver's activity, measured once
    shared: dict[str, Any] = {}
    for _, line in cands.sort_values(["_pref", "period", "pool"], ascending=[True, False, True]).iterrows():
        if line["driver"] not in acts:
            acts[line["driver"]] = _activity(line["driver"], facts, dmap, contacts=contacts, cache=shared)
        act = acts[line["driver"]]
        at = np.flatnonzero(act.names == line["period"])
        in_month = act.month == at[0] if len(at) else np.zeros(len(act.month), dtype=bool)
        weights, customers = act.weight[in_month], act.customer[in_month]
        sold = months == np.datetime64(line["period"], "M").astype(np.int64)
        by_rev = o["revenue"][sold].groupby(o["customer_id"][sold]).sum()
        ids = facts.customers["customer_id"].to_numpy()[customers]
        rev = by_rev.reindex(ids).fillna(0.0).to_numpy()
        w_share = weights / weights.sum()
        r_share = rev / by_rev.sum() if by_rev.sum() > 0 else np.zeros(len(rev))
        ok = (rev > 0) & (np.abs(w_share - r_share) > 0.2 * w_share)
        if len(weights) >= 2 and ok.any():
            break
    else:
        return None
    # the customer whose share of contacts most exceeds their share of revenue: the lesson of the driver
    pick = int(np.flatnonzero(ok)[np.argmax((w_share - r_share)[ok])])
    cid = str(ids[pick])
    scale = 100 if dmap.contact_drivers[line["driver"]]["weight"] == "cost" else 1
    weight, total = float(weights[pick]) / scale, float(weights.sum()) / scale
    amount = float(line["amount"])
    expected = amount * weight / total
    traps = {_text("q1.by_revenue", ctx): amount * float(r_share[pick]),
             _text("q1.equal", ctx): amount / len(weights)}
    return NumberExercise(
        _text("name", ctx, n=1),
        _text("q1.question", ctx, pool=line["pool"], driver=line["driver"], period=line["period"], amount=amount,
              customer=cid, weight=weight, total=total, customers=len(weights), revenue=float(rev[pick]),
              month_revenue=float(by_rev.sum())),
        expected, rel_tol=0.005, abs_tol=0.011, traps=traps, hint=_text("q1.hint", ctx),
        solution=_text("q1.solution", ctx, amount=amount, weight=weight, total=total, answer=expected),
        language=ctx.language)


def _q2(facts: CustomerFacts, cac_total: pd.DataFrame, retention: pd.DataFrame, ctx: Context):
    t = cac_total[cac_total["cac"].notna()]
    if t.empty:
        return None
    last = t.iloc[-1]
    c = facts.customers
    signed = int((c["signup_date"].dt.strftime("%Y-%m").str[: len(str(last["period"]))] <= str(last["period"])).sum())
    active = retention.set_index("period")["active_customers"].get(last["period"], 0)
    traps = {_text("q2.all_customers", ctx): float(last["acquisition_spend"]) / max(signed, 1)}
    if active:
        traps[_text("q2.active", ctx)] = float(last["acquisition_spend"]) / float(active)
    return NumberExercise(
        _text("name", ctx, n=2),
        _text("q2.question", ctx, period=last["period"], spend=float(last["acquisition_spend"]),
              new=int(last["new_customers"]), signed=signed, active=int(active)),
        float(last["cac"]), rel_tol=0.005, traps=traps, hint=_text("q2.hint", ctx),
        solution=_text("q2.solution", ctx, spend=float(last["acquisition_spend"]), new=int(last["new_customers"]),
                       answer=float(last["cac"])), language=ctx.language)


def _top_share(values: pd.Series, profit: pd.Series, share: float = 0.2) -> float:
    order = values.sort_values(ascending=False, kind="stable").index
    k = math.ceil(share * len(order) - 1e-9)
    return float(profit.reindex(order[:k]).sum() / profit.sum())


def _q3(pnl: pd.DataFrame, ctx: Context):
    p = pnl["profit"].dropna()
    if p.empty or p.sum() <= 0:
        return None
    right = _top_share(p, p)
    traps = {_text("q3.by_revenue", ctx): _top_share(pnl.loc[p.index, "revenue"], p),
             _text("q3.revenue_share", ctx): _top_share(pnl.loc[p.index, "revenue"], pnl.loc[p.index, "revenue"])}
    return NumberExercise(
        _text("name", ctx, n=3), _text("q3.question", ctx, customers=len(p)), right, rel_tol=0.01,
        percent_ok=True, traps=traps, hint=_text("q3.hint", ctx),
        solution=_text("q3.solution", ctx, k=math.ceil(0.2 * len(p) - 1e-9), answer=right), language=ctx.language)


def exercises(facts: CustomerFacts, pnl: pd.DataFrame, ctx: Context, *, allocation: CostAllocation | None = None,
              contacts: pd.DataFrame | None = None, cac_total: pd.DataFrame | None = None,
              retention: pd.DataFrame | None = None) -> ExerciseSet:
    """The exercises of notebook ``04_cost_accounting`` (those the data allows: q1 needs an allocation by
    a contact driver, q2 the CAC, q3 a positive total profit)."""
    items = {}
    if allocation is not None:
        q1 = _q1(facts, allocation, contacts, ctx)
        if q1 is not None:
            items["q1"] = q1
    if cac_total is not None and retention is not None:
        q2 = _q2(facts, cac_total, retention, ctx)
        if q2 is not None:
            items["q2"] = q2
    q3 = _q3(pnl, ctx)
    if q3 is not None:
        items["q3"] = q3
    return ExerciseSet(**items)
