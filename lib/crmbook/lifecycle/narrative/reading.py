"""Interpretations of the lifecycle analyses and the summary (part of :mod:`crmbook.lifecycle.narrative`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, join_names
from crmbook.tables import require_columns

from ..flow import ACTIVE_STAGES
from .common import _date, action_label, money, say

__all__ = ["thresholds_note", "stages_interpretation", "flow_interpretation", "rates_interpretation",
           "cohort_interpretation", "survival_interpretation", "p_alive_interpretation", "plan_interpretation",
           "summary_points", "stage_facts", "cohort_facts", "survival_facts"]


def _lead(ctx: Context, key: str = "interpretation") -> str:
    return catalogue("crmbook").label(f"lead.{key}", ctx)


def _days(value: float) -> str:
    return "-" if value is None or not math.isfinite(float(value)) else f"{float(value):,.0f}"


def thresholds_note(stages: pd.DataFrame, ctx: Context) -> Narrative:
    """The inactivity thresholds used, and where they come from (the data's quantiles or the parameters)."""
    a = stages.attrs
    if a.get("derived"):
        text = say("stages.thresholds_derived", ctx, at_risk=a["at_risk_days"], inactive=a["inactive_days"],
                   q_risk=a.get("at_risk_quantile", 0.75), q_inactive=a.get("inactive_quantile", 0.9),
                   customers=a.get("repeat_customers") or 0, loyal=a["loyal_orders"])
    else:
        text = say("stages.thresholds_given", ctx, at_risk=a["at_risk_days"], inactive=a["inactive_days"],
                   loyal=a["loyal_orders"])
    return Narrative([text], language=ctx.language)


def stage_facts(summary: pd.DataFrame) -> dict[str, Any]:
    """Counts and shares of the stage summary: ``customers``, ``active`` (new, repeat, loyal, won back),
    ``at_risk``, ``lapsed``, ``prospects``, their shares, and the largest phase."""
    require_columns(summary, "summary", ["stage", "phase", "customers"])
    n = summary.set_index("stage")["customers"]
    total = int(n.sum())
    active = int(n.reindex(list(ACTIVE_STAGES), fill_value=0).sum())
    phases = summary.groupby("phase")["customers"].sum()

    def share(k: int) -> float:
        return k / total if total else float("nan")

    return {"customers": total, "active": active, "active_share": share(active),
            "at_risk": int(n.get("at_risk", 0)), "at_risk_share": share(int(n.get("at_risk", 0))),
            "lapsed": int(n.get("lapsed", 0)), "lapsed_share": share(int(n.get("lapsed", 0))),
            "prospects": int(n.get("prospect", 0)), "won_back": int(n.get("won_back", 0)),
            "loyal": int(n.get("loyal", 0)), "top_phase": str(phases.idxmax()) if total else "",
            "top_phase_share": share(int(phases.max())) if total else float("nan")}


def stages_interpretation(summary: pd.DataFrame, ctx: Context) -> Narrative:
    """What the stages say: how many are active, at risk and lapsed, and the phase most customers are in."""
    f = stage_facts(summary)
    out = [say("stages.active", ctx, active=f["active"], share=f["active_share"], customers=f["customers"]),
           say("stages.risk", ctx, at_risk=f["at_risk"], at_risk_share=f["at_risk_share"], lapsed=f["lapsed"],
               lapsed_share=f["lapsed_share"]),
           say("stages.phase", ctx, phase=say(f"phase.{f['top_phase']}", ctx), share=f["top_phase_share"])]
    if f["lapsed_share"] >= 0.3:
        out.append(say("stages.decline_heavy", ctx))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def flow_interpretation(facts: Mapping[str, Any], ctx: Context) -> Narrative:
    """The customer flow in words: who stayed active, who lapsed, who was won back, where new ones came in."""
    f = facts
    period = dict(start=_date(f["start"]), end=_date(f["end"]))
    if not f["customers_start"]:
        return Narrative([say("skip.flow", ctx, start=period["start"])], language=ctx.language)
    out = [say("flow.stayed", ctx, stayed=f["stayed_active"], active=f["active_start"],
               share=f["stayed_active"] / f["active_start"] if f["active_start"] else 0.0, **period),
           say("flow.lapsed", ctx, lapsed=f["lapsed_from_active"]),
           say("flow.won_back", ctx, won_back=f["won_back"], pool=f["at_risk_start"] + f["lapsed_start"]),
           say("flow.joined", ctx, joined=f["joined"], joined_active=f["joined_active"])]
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def rates_interpretation(rates: Mapping[str, Any], ctx: Context) -> Narrative:
    """The four rates of the period with their counts."""
    r = rates
    if not r["last_year_buyers"]:
        return Narrative([say("rates.no_history", ctx, start=_date(r["previous_start"]), end=_date(r["start"]))],
                         lead=_lead(ctx), language=ctx.language)
    out = [say("rates.retention", ctx, retention=r["retention"], retained=r["retained"], base=r["last_year_buyers"],
               churn=r["churn"], start=_date(r["start"]), end=_date(r["end"])),
           say("rates.repeat", ctx, rate=r["repeat_rate"], buyers=r["this_year_buyers"]),
           say("rates.reactivation", ctx, rate=r["reactivation"], lapsed=r["lapsed_at_start"],
               reactivated=r["reactivated"], days=r["inactive_days"]),
           say("rates.new", ctx, new=r["new_this_year"])]
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def cohort_facts(cohorts: Mapping[str, pd.DataFrame], curves: pd.DataFrame | None = None, *,
                 month: int = 12) -> dict[str, Any]:
    """Pooled customer retention at months 1 and ``month`` over all cohorts observed there, and the groups of
    ``curves`` (channels) with the highest and lowest retention at ``month`` (or the last month they reach)."""
    active, size = cohorts["active"], cohorts["size"]
    observed = cohorts["customers"].notna()

    def pooled(k: int) -> float:
        if k not in active.columns:
            return float("nan")
        seen = observed[k]
        return float(active.loc[seen, k].sum() / size[seen].sum()) if size[seen].sum() else float("nan")

    out: dict[str, Any] = {"month": month, "m1": pooled(1), "mk": pooled(month), "cohorts": int((size > 0).sum())}
    if curves is not None and len(curves):
        at = curves[curves["month"] == min(month, int(curves.groupby("group")["month"].max().min()))]
        if len(at):
            best, worst = at.loc[at["retention"].idxmax()], at.loc[at["retention"].idxmin()]
            out.update(curve_month=int(at["month"].iloc[0]), best=str(best["group"]), best_rate=float(best["retention"]),
                       best_n=int(best["customers"]), worst=str(worst["group"]), worst_rate=float(worst["retention"]),
                       worst_n=int(worst["customers"]))
    return out


def cohort_interpretation(cohorts: Mapping[str, pd.DataFrame], curves: pd.DataFrame | None, ctx: Context, *,
                          month: int = 12) -> Narrative:
    """Retention after one month and after ``month`` months, and the best and worst channel."""
    f = cohort_facts(cohorts, curves, month=month)
    out = [say("cohort.m1", ctx, m1=f["m1"], cohorts=f["cohorts"])]
    if math.isfinite(f["mk"]):
        out.append(say("cohort.mk", ctx, month=month, mk=f["mk"]))
    if "best" in f and f["best"] != f["worst"]:
        out.append(say("cohort.channels", ctx, month=f["curve_month"], best=f["best"], best_rate=f["best_rate"],
                       best_n=f["best_n"], worst=f["worst"], worst_rate=f["worst_rate"], worst_n=f["worst_n"]))
    if cohorts["customers"].attrs.get("partial_last_month"):
        out.append(say("cohort.partial", ctx))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def survival_facts(curve: pd.DataFrame, groups: Mapping[str, pd.DataFrame], logrank: Mapping[str, Any]) -> dict[str, Any]:
    """Median lifetime with its interval, survival at one and two years, the groups with the longest and
    shortest median (medians not reached count as longest), and the log-rank result."""
    from ..survival import survival_at

    a = curve.attrs
    medians = {g: c.attrs["median"] for g, c in groups.items()}
    ranked = sorted(medians, key=lambda g: (-np.inf if not math.isfinite(medians[g]) else medians[g]))
    s1, s2 = survival_at(curve, [365, 730])
    return {"n": a["n"], "events": a["total_events"], "median": a["median"], "lower": a["median_lower"],
            "upper": a["median_upper"], "s1": float(s1), "s2": float(s2),
            "longest": ranked[-1] if ranked else None, "shortest": ranked[0] if ranked else None,
            "medians": medians, "chi2": logrank.get("chi2"), "p_value": logrank.get("p_value"),
            "df": logrank.get("df"), "groups": logrank.get("groups", 0)}


def _median_text(value: float, ctx: Context) -> str:
    return say("survival.not_reached", ctx) if not math.isfinite(value) else say("survival.days", ctx, days=value)


def survival_interpretation(curve: pd.DataFrame, groups: Mapping[str, pd.DataFrame], logrank: Mapping[str, Any],
                            ctx: Context) -> Narrative:
    """Median lifetime with its confidence interval, survival at one and two years, channels compared."""
    f = survival_facts(curve, groups, logrank)
    out = [say("survival.counts", ctx, n=f["n"], events=f["events"], censored=f["n"] - f["events"])]
    if math.isfinite(f["median"]):
        out.append(say("survival.median", ctx, median=f["median"], lower=_median_text(f["lower"], ctx),
                       upper=_median_text(f["upper"], ctx)))
    else:
        out.append(say("survival.median_not_reached", ctx))
    out.append(say("survival.at_years", ctx, s1=f["s1"], s2=f["s2"]))
    if f["groups"] >= 2 and f["p_value"] is not None and math.isfinite(f["p_value"]):
        key = "survival.logrank_differ" if f["p_value"] < 0.05 else "survival.logrank_same"
        out.append(say(key, ctx, chi2=f["chi2"], df=f["df"], p=f["p_value"]))
        if f["p_value"] < 0.05 and f["longest"] != f["shortest"]:
            out.append(say("survival.longest", ctx, longest=f["longest"], shortest=f["shortest"],
                           longest_median=_median_text(f["medians"][f["longest"]], ctx),
                           shortest_median=_median_text(f["medians"][f["shortest"]], ctx)))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def p_alive_interpretation(agreement: Mapping[str, Any], palive: pd.DataFrame, ctx: Context) -> Narrative:
    """How P(alive) and the rule-based stages agree, and what the model says about one-time buyers."""
    f = agreement
    horizon = palive.attrs.get("horizon_days", 90)
    out = [say("palive.fit", ctx, n=palive.attrs.get("n", len(palive)), **{k: float(v) for k, v in
                                                                          palive.attrs.get("params", {}).items()}),
           say("palive.agree", ctx, share=f["agree_share"]),
           say("palive.lapsed_high", ctx, lapsed=f["lapsed"], high=f["lapsed_high"], one_time=f["lapsed_one_time"]),
           say("palive.active_low", ctx, active=f["active"], low=f["active_low"]),
           say("palive.expected", ctx, days=horizon, total=float(palive["expected_purchases"].sum()))]
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def plan_interpretation(summary: pd.DataFrame, plan: pd.DataFrame, ctx: Context) -> Narrative:
    """The contact plan in words: how many contacts per action, the most urgent first, and what is skipped."""
    require_columns(summary, "summary", ["action", "customers"])
    parts = [say("plan.part", ctx, n=int(n), action=action_label(a, ctx))
             for a, n in summary[["action", "customers"]].itertuples(index=False) if n]
    out = [say("plan.total", ctx, rows=len(plan), customers=plan["customer_id"].nunique() if len(plan) else 0,
               parts=join_names(parts, ctx) if parts else catalogue("crmbook").label("words.none", ctx))]
    rules = plan.attrs.get("rules", {})
    if rules:
        out.append(say("plan.rules", ctx, lost=rules["lost_after_days"], birthday=rules["birthday_days"],
                       revisit=rules["revisit_days"], top=rules["top_value_share"]))
    for what, needs in plan.attrs.get("skipped", {}).items():
        out.append(say(f"plan.skipped.{what}", ctx, needs=needs))
    return Narrative(out, lead=_lead(ctx, "what_to_do"), language=ctx.language)


def summary_points(summary: pd.DataFrame, rates: Mapping[str, Any], curve: pd.DataFrame | None,
                   plan_summary: pd.DataFrame | None, ctx: Context, *, at_risk_revenue: float | None = None,
                   flow: Mapping[str, Any] | None = None, extra: Sequence[str] = ()) -> Narrative:
    """The findings first: active customers, retention and churn, median lifetime, revenue at risk, won back,
    the sentences of ``extra`` (the loyalty and journey findings: :func:`crmbook.lifecycle.loyalty_summary`,
    :func:`crmbook.lifecycle.journey_summary`) and the contact plan's size."""
    f = stage_facts(summary)
    out = [say("summary.active", ctx, active=f["active"], share=f["active_share"], customers=f["customers"],
               at_risk=f["at_risk"], lapsed=f["lapsed"]),
           say("summary.retention", ctx, retention=rates["retention"], churn=rates["churn"],
               base=rates["last_year_buyers"]) if rates["last_year_buyers"] else
           say("rates.no_history", ctx, start=_date(rates["previous_start"]), end=_date(rates["start"]))]
    if curve is not None:
        med = curve.attrs.get("median", float("nan"))
        out.append(say("summary.lifetime", ctx, median=_median_text(med, ctx),
                       lower=_median_text(curve.attrs.get("median_lower", float("nan")), ctx),
                       upper=_median_text(curve.attrs.get("median_upper", float("nan")), ctx)))
    if at_risk_revenue is not None:
        out.append(say("summary.at_risk_revenue", ctx, revenue=money(at_risk_revenue, ctx), at_risk=f["at_risk"]))
    if flow is not None:
        out.append(say("summary.won_back", ctx, won_back=flow["won_back"], start=_date(flow["start"])))
    out.extend(extra)
    if plan_summary is not None and int(plan_summary["customers"].sum()):
        first = plan_summary[plan_summary["customers"] > 0].iloc[0]
        out.append(say("summary.plan", ctx, rows=int(plan_summary["customers"].sum()),
                       first=action_label(first["action"], ctx), n=int(first["customers"])))
    return Narrative(out, language=ctx.language, bullets=True)


