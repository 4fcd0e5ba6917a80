"""Sentences of the customer plan: each ``*_facts`` function returns numbers and names (tested without
text), each sentence function turns them into the report language through the catalogue ``text/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, join_names, money
from crmbook.tables import map_distinct

from .actions import ACTION_PLAYBOOK

__all__ = ["PACKAGE", "say", "note", "money", "action_label", "group_name", "describe_data", "view_facts",
           "view_sentences", "candidate_facts", "candidate_sentences", "plan_facts", "plan_sentences",
           "margin_facts", "margin_sentences", "pva_sentences", "scorecard_facts", "scorecard_sentences",
           "readable", "summary_points"]

#: The package whose catalogue and columns this topic uses.
PACKAGE = "crmbook.plan"


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative` (empty when ``key`` is None)."""
    return Narrative([say(key, ctx, **values)] if key else [], language=ctx.language)


def action_label(action: Any, ctx: Context) -> str:
    """The action's name in the report language."""
    return ACTION_PLAYBOOK.label(action, ctx)


def group_name(group: Any, ctx: Context) -> str:
    """A plan-vs-actual group (``contacted`` ...) in words."""
    key = f"pva.group.{group}"
    return say(key, ctx) if key in catalogue(PACKAGE).keys("pva.group") else str(group)


def readable(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """A copy with codes in words: ``action`` (playbook label), ``group``, ``rate_source``, ``figure``,
    ``area``, ``status``; segment, class, quadrant and stage through their topics' labels."""
    from crmbook.lifecycle.narrative import stage_label
    from crmbook.segmentation.narrative import group_label

    out = df.copy()
    if "action" in out.columns:
        out["action"] = map_distinct(out["action"], lambda v: action_label(v, ctx) if pd.notna(v) else v)
    if "group" in out.columns:
        out["group"] = map_distinct(out["group"], lambda v: group_name(v, ctx))
    for col, prefix in (("rate_source", "rate_source"), ("figure", "score.figure"), ("area", "score.area"),
                        ("status", "score.status")):
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v, p=prefix: say(f"{p}.{v}", ctx))
    for col in ("segment", "abc_class", "quadrant"):
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v: group_label(v, ctx) if pd.notna(v) else v)
    if "unit" in out.columns:
        from crmbook.kpis import unit_label

        out["unit"] = map_distinct(out["unit"], lambda v: unit_label(str(v), ctx.language))
    if "stage" in out.columns:
        out["stage"] = map_distinct(out["stage"], lambda v: stage_label(v, ctx) if pd.notna(v) else v)
    return out


def describe_data(facts: Any, present: Sequence[str], absent: Sequence[str], ctx: Context) -> Narrative:
    """The analysis date, counts, and which optional tables the plan has."""
    out = [say("data.as_of", ctx, as_of=f"{facts.as_of:%Y-%m-%d}", customers=len(facts.customers),
               orders=len(facts.orders))]
    if present:
        out.append(say("data.tables", ctx, present=join_names(present, ctx)))
    if absent:
        out.append(say("data.absent", ctx, absent=join_names(absent, ctx)))
    return Narrative(out, language=ctx.language)


def view_facts(view: pd.DataFrame) -> dict[str, Any]:
    """Customers, buyers, the CLV method and the columns without data (with the table they need)."""
    empty = [c for c in view.columns if view[c].isna().all()]
    return {"customers": int(len(view)), "buyers": int((view["frequency"] > 0).sum()),
            "unique": bool(view["customer_id"].is_unique), "method": view.attrs.get("clv_method"),
            "empty": empty, "missing": dict(view.attrs.get("missing", {}))}


def view_sentences(view: pd.DataFrame, ctx: Context, *, exported: bool = False) -> Narrative:
    f = view_facts(view)
    out = [say("view.rows", ctx, customers=f["customers"], buyers=f["buyers"]),
           say("view.clv", ctx, method=say(f"method.{f['method']}", ctx))]
    names = [f"{c} ({f['missing'][c]})" if c in f["missing"] else c for c in f["empty"]]
    out.append(say("view.missing", ctx, columns=join_names(names, ctx)) if names else say("view.none_missing", ctx))
    partial = [f"{c} ({why})" for c, why in f["missing"].items() if c not in f["empty"]]
    if partial:
        out.append(say("view.partial", ctx, columns=join_names(partial, ctx)))
    out.append(say("view.export" if exported else "view.export_none", ctx))
    return Narrative(out, language=ctx.language)


def candidate_facts(candidates: pd.DataFrame, uplifts: pd.DataFrame) -> dict[str, Any]:
    return {"candidates": int(len(candidates)), "customers": int(candidates["customer_id"].nunique()),
            "worth": int((candidates["expected_value"] > candidates["cost"]).sum()),
            "measured": [(str(r.channel), float(r.uplift), str(r.campaign_id)) for r in
                         uplifts.drop_duplicates("channel").itertuples()] if len(uplifts) else []}


def candidate_sentences(candidates: pd.DataFrame, uplifts: pd.DataFrame, ctx: Context) -> Narrative:
    f = candidate_facts(candidates, uplifts)
    out = [say("candidates.count", ctx, candidates=f["candidates"], customers=f["customers"], worth=f["worth"])]
    if f["measured"]:
        items = [catalogue(PACKAGE).say("candidates.measured_item", ctx, escape=False, channel=c, uplift=u, campaign=k)
                 for c, u, k in f["measured"]]
        out.append(say("candidates.measured", ctx, channels=join_names(items, ctx)))
    else:
        out.append(say("candidates.no_measured", ctx))
    return Narrative(out, language=ctx.language)


def plan_facts(plan: pd.DataFrame) -> dict[str, Any]:
    """Budget, cost, use of the budget and of each capacity, the action bringing most, the holdout."""
    a = plan.attrs
    budget = float(a.get("budget", np.nan))
    used = {ch: int((plan["channel"] == ch).sum()) for ch in a.get("capacity", {})}
    by_action = plan.groupby("action")["net_value"].sum().sort_values(ascending=False)
    net = float(a.get("net_value", 0.0))
    hold = a.get("holdout") or {}
    return {"budget": budget, "cost": float(a.get("cost", 0.0)), "net": net, "customers": int(len(plan)),
            "budget_used": float(a.get("cost", 0.0)) / budget if budget > 0 else np.nan,
            "capacity": dict(a.get("capacity", {})), "capacity_used": used,
            "top_action": by_action.index[0] if len(by_action) else None,
            "top_share": float(by_action.iloc[0] / net) if len(by_action) and net > 0 else np.nan,
            "gap": float(a.get("optimality_gap", 0.0)), "held": int(hold.get("held_out", 0)),
            "held_share": float(hold.get("share", 0.0)), "seed": hold.get("seed"),
            "default_share": _default_share(plan, net)}


def _default_share(plan: pd.DataFrame, net: float) -> float:
    """Share of the plan's net value that rests on documented default uplift rates (not measured, not given)."""
    if "rate_source" not in plan.columns or not len(plan) or net <= 0:
        return float("nan")
    return float(plan.loc[plan["rate_source"] == "default", "net_value"].sum() / net)


def plan_sentences(plan: pd.DataFrame, ctx: Context, *, saved: bool = False,
                   min_step: float | None = None) -> Narrative:
    f = plan_facts(plan)
    if not f["customers"]:
        return Narrative([say("plan.empty", ctx)], language=ctx.language)
    caps = [say("plan.capacity_item", ctx, channel=ch, cap=int(c)) for ch, c in f["capacity"].items()]
    out = [say("plan.chosen", ctx, budget=money(f["budget"], ctx),
               capacities=join_names(caps, ctx) if caps else say("plan.no_capacity", ctx),
               customers=f["customers"], cost=money(f["cost"], ctx), net=money(f["net"], ctx))]
    if np.isfinite(f["default_share"]) and f["default_share"] > 0:
        out.append(say("plan.default_rates", ctx, share=f["default_share"]))
    step = min_step if min_step is not None else float(plan["cost"].min()) if len(plan) else 0.0
    if f["budget"] - f["cost"] < max(step, 0.01 * f["budget"]):
        out.append(say("plan.binding_budget", ctx, used=f["budget_used"]))
    else:
        out.append(say("plan.slack_budget", ctx, used=f["budget_used"]))
    for ch, cap in f["capacity"].items():
        if f["capacity_used"][ch] >= int(cap):
            out.append(say("plan.binding_capacity", ctx, channel=ch, used=f["capacity_used"][ch], cap=int(cap)))
    if f["top_action"] is not None:
        out.append(say("plan.top_action", ctx, action=action_label(f["top_action"], ctx), share=f["top_share"]))
    if f["gap"] > 0.005 * max(f["net"], 1.0):
        out.append(say("plan.gap", ctx, gap=money(f["gap"], ctx)))
    out.append(say("plan.holdout", ctx, held=f["held"], share=f["held_share"], seed=f["seed"]) if f["held"]
               else say("plan.no_holdout", ctx))
    out.append(say("plan.saved" if saved else "plan.not_saved", ctx))
    return Narrative(out, language=ctx.language)


def margin_facts(curve: pd.DataFrame, budget: float) -> dict[str, Any]:
    """The step of the curve just above the chosen budget (or the last one), its marginal value, and the
    LP shadow price at the chosen budget."""
    c = curve.reset_index(drop=True)
    at = c.index[np.isclose(c["budget"], float(budget))]
    i = int(at[0]) if len(at) else int(np.searchsorted(c["budget"].to_numpy(), float(budget)))
    j = min(i + 1, len(c) - 1)
    if j == i and i > 0:
        i, j = i - 1, i
    dual = float(c.loc[at[0], "budget_dual"]) if len(at) else np.nan
    return {"b0": float(c.loc[i, "budget"]), "b1": float(c.loc[j, "budget"]),
            "v0": float(c.loc[i, "net_value"]), "v1": float(c.loc[j, "net_value"]),
            "per": float(c.loc[j, "marginal_value"]) if j > i else np.nan, "dual": dual}


def margin_sentences(curve: pd.DataFrame, budget: float, ctx: Context) -> Narrative:
    f = margin_facts(curve, budget)
    out = []
    if np.isfinite(f["per"]):
        if f["per"] < 0.05:
            out.append(say("margin.flat", ctx, b0=money(f["b0"], ctx), per=f["per"]))
        else:
            out.append(say("margin.step", ctx, b0=money(f["b0"], ctx), b1=money(f["b1"], ctx),
                           gain=money(f["v1"] - f["v0"], ctx), per=f["per"]))
    if np.isfinite(f["dual"]):
        out.append(say("margin.dual", ctx, dual=f["dual"]))
    return Narrative(out, language=ctx.language)


def pva_sentences(outcomes: pd.DataFrame | None, uplift: Mapping[str, Any] | None, info: Mapping[str, Any],
                  ctx: Context) -> Narrative:
    """Plan vs actual: the period, the comparison and its caveat."""
    if outcomes is None:
        return Narrative([say("pva.none", ctx)], language=ctx.language)
    a = outcomes.attrs
    out = [say("pva.period", ctx, plan_as_of=f"{a['plan_as_of']:%Y-%m-%d}", run=info.get("run_id", "-"),
               planned=len(outcomes), days=a["days"])]
    if a.get("unknown"):
        out.append(say("pva.unknown", ctx, n=a["unknown"]))
    if not a.get("contacts_recorded"):
        out.append(say("pva.no_contacts", ctx))
    elif a.get("holdout_ignored"):
        out.append(say("pva.holdout_ignored", ctx, held=a["held_out_contacted_share"], rest=a["contacted_share"]))
    u = uplift or {}
    if u.get("basis") is None:
        out.append(say("pva.no_comparison", ctx))
    else:
        out.append(say(f"pva.{u['basis']}", ctx, ra=u["repurchase_treated"], rb=u["repurchase_compared"],
                       u=u["repurchase_uplift"], low=u["low"], high=u["high"]))
        if u["randomised"]:
            out.append(say("pva.shows" if u["low"] > 0 or u["high"] < 0 else "pva.not_shown", ctx))
    return Narrative(out, language=ctx.language)


def scorecard_facts(card: pd.DataFrame) -> dict[str, Any]:
    have = card[card["status"] != "no_data"]
    return {"n": int(len(have)), "on": int((have["status"] == "on_target").sum()),
            "below": have.loc[have["status"] == "below_target", "figure"].tolist(),
            "no_data": card.loc[card["status"] == "no_data", "figure"].tolist()}


def scorecard_sentences(card: pd.DataFrame, ctx: Context) -> Narrative:
    f = scorecard_facts(card)
    names = lambda keys: join_names([say(f"score.figure.{k}", ctx) for k in keys], ctx)  # noqa: E731
    out = [say("score.summary", ctx, on=f["on"], n=f["n"], below=names(f["below"])) if f["below"]
           else say("score.all_on", ctx, n=f["n"])]
    if f["no_data"]:
        out.append(say("score.no_data", ctx, names=names(f["no_data"])))
    return Narrative(out, language=ctx.language)


def summary_points(plan: pd.DataFrame, card: pd.DataFrame, outcomes: pd.DataFrame | None,
                   uplift: Mapping[str, Any] | None, info: Mapping[str, Any], ctx: Context) -> Narrative:
    """The findings first: what the plan buys, whether the last plan worked, where the scorecard stands."""
    points = [plan_sentences(plan, ctx)[0]]
    share = plan_facts(plan)["default_share"] if len(plan) else float("nan")
    if np.isfinite(share) and share > 0:
        points.append(say("plan.default_rates", ctx, share=share))
    pva = pva_sentences(outcomes, uplift, info, ctx)
    points.append(pva[-2] if outcomes is not None and (uplift or {}).get("randomised") else pva[-1])
    points.append(scorecard_sentences(card, ctx)[0])
    return Narrative(points, language=ctx.language, bullets=True)
