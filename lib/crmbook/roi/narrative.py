"""The ROI topic's sentences: ``*_facts`` functions (numbers and names, tested without text) and the
narratives that turn them into the report language's words (``text/en.yaml``, ``text/zh.yaml``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, join_names, money

__all__ = ["PACKAGE", "say", "note", "money", "clv_comparison_facts", "clv_interpretation", "campaign_lines",
           "campaign_interpretation", "channel_facts", "channel_interpretation", "loyalty_interpretation",
           "customer_roi_facts", "customer_roi_interpretation", "ltv_cac_interpretation",
           "validation_interpretation", "summary_points"]

#: The package whose catalogue and columns this topic uses.
PACKAGE = "crmbook.roi"


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative`."""
    return Narrative([say(key, ctx, **values)], language=ctx.language)


def _lead(ctx: Context, key: str = "interpretation") -> str:
    return catalogue("crmbook").label(f"lead.{key}", ctx)


# -- CLV three ways -----------------------------------------------------------------------------------------

def clv_comparison_facts(clv: pd.DataFrame, methods: list[str], *, one_time: pd.Series | None = None) -> dict[str, Any]:
    """Mean CLV per method, the ratio of the highest to the lowest, the top 1 % of customers' share of each
    method's total and, when ``one_time`` (bool per row) is given, the one-time buyers' mean per method."""
    means = {m: float(clv[m].mean()) for m in methods}
    top = {}
    for m in methods:
        v = clv[m].sort_values(ascending=False)
        k = max(1, int(np.ceil(0.01 * len(v))))
        total = float(v.sum())
        top[m] = float(v.iloc[:k].sum()) / total if total > 0 else float("nan")
    hi, lo = max(means, key=means.get), min(means, key=means.get)
    out = {"customers": len(clv), "means": means, "highest": hi, "lowest": lo,
           "ratio": means[hi] / means[lo] if means[lo] > 0 else float("nan"), "top1_share": top}
    if one_time is not None and one_time.any():
        out["one_time"] = int(one_time.sum())
        out["one_time_means"] = {m: float(clv.loc[one_time.to_numpy(), m].mean()) for m in methods}
    return out


def clv_interpretation(clv: pd.DataFrame, methods: list[str], ctx: Context, *,
                       one_time: pd.Series | None = None) -> Narrative:
    """What the CLVs say side by side and when each misleads."""
    f = clv_comparison_facts(clv, methods, one_time=one_time)
    names = {m: say(f"method.{m}", ctx) for m in methods}
    lines = [say("clv.compare", ctx, customers=f["customers"],
                 means=join_names([f"{names[m]} {money(f['means'][m], ctx)}" for m in methods], ctx)),
             say("clv.spread", ctx, highest=names[f["highest"]], lowest=names[f["lowest"]], ratio=f["ratio"])]
    if "clv_course" in methods:
        lines.append(say("clv.course_misleads", ctx))
    if "one_time" in f and "clv_probabilistic" in methods:
        prob, ret = f["one_time_means"]["clv_probabilistic"], f["one_time_means"].get("clv_retention", float("nan"))
        key = "clv.one_time_lower" if prob < ret else "clv.one_time_higher"
        lines.append(say(key, ctx, n=f["one_time"], prob=money(prob, ctx), retention=money(ret, ctx)))
    m = methods[-1]
    lines.append(say("clv.top1", ctx, method=names[m], share=f["top1_share"][m]))
    return Narrative(lines, lead=_lead(ctx), language=ctx.language)


# -- campaigns ----------------------------------------------------------------------------------------------

def campaign_lines(results: pd.DataFrame, ctx: Context) -> list[str]:
    """One sentence per campaign: its status, uplift with interval and what may be claimed."""
    conf = results.attrs.get("confidence", 0.95)
    lines = []
    for r in results.to_dict("records"):
        cid = r["campaign_id"]
        if r["status"] == "no_control":
            lines.append(say("campaign.no_control", ctx, campaign=cid))
            continue
        if r["status"] == "small_control":
            lines.append(say("campaign.small_control", ctx, campaign=cid, n=r["control"],
                             min=results.attrs.get("min_control", 0)))
            continue
        base = dict(campaign=cid, uplift=r["response_uplift"], low=r["response_low"], high=r["response_high"],
                    rev=money(r["revenue_uplift"], ctx), rev_low=money(r["revenue_low"], ctx),
                    rev_high=money(r["revenue_high"], ctx), conf=conf)
        lines.append(say(f"campaign.{r['verdict']}", ctx, **base))
        if np.isfinite(r.get("roi", np.nan)):
            key = ("campaign.roi_positive" if r["roi_low"] > 0 else
                   "campaign.roi_negative" if r["roi_high"] < 0 else "campaign.roi_unsure")
            lines.append(say(key, ctx, campaign=cid, roi=r["roi"], low=r["roi_low"], high=r["roi_high"]))
    return lines


def campaign_interpretation(results: pd.DataFrame, ctx: Context) -> Narrative:
    """The campaigns judged against their control groups (nothing claimed without one)."""
    return Narrative(campaign_lines(results, ctx), lead=_lead(ctx), language=ctx.language, bullets=True)


# -- channels -----------------------------------------------------------------------------------------------

def channel_facts(table: pd.DataFrame) -> dict[str, Any]:
    """The costliest channel per contact, the channel with the best incremental revenue per unit of cost
    among those whose campaigns showed an uplift (interval above 0), the tested channels that did not
    (``unproven``) and how many channels have no control group."""
    priced = table.dropna(subset=["cost_per_contact"])
    tested = table[table["has_control"]].dropna(subset=["incremental_revenue_per_cost"])
    ctrl = tested[tested["per_cost_low"] > 0]
    return {"costliest": priced.sort_values("cost_per_contact").iloc[-1]["channel"] if len(priced) else None,
            "costliest_cost": float(priced["cost_per_contact"].max()) if len(priced) else float("nan"),
            "best": ctrl.sort_values("incremental_revenue_per_cost").iloc[-1]["channel"] if len(ctrl) else None,
            "best_ratio": float(ctrl["incremental_revenue_per_cost"].max()) if len(ctrl) else float("nan"),
            "unproven": sorted(tested.loc[~(tested["per_cost_low"] > 0), "channel"].astype(str)),
            "without_control": int((~table["has_control"]).sum())}


def channel_interpretation(table: pd.DataFrame, ctx: Context) -> Narrative:
    """Which channel costs most per contact, which earns most per unit of cost where it can be measured."""
    f = channel_facts(table)
    lines = []
    if f["costliest"] is not None:
        lines.append(say("channel.costliest", ctx, channel=f["costliest"], cost=money(f["costliest_cost"], ctx)))
    if f["best"] is not None:
        lines.append(say("channel.best", ctx, channel=f["best"], ratio=f["best_ratio"]))
    if f["unproven"]:
        lines.append(say("channel.unproven", ctx, channels=join_names(f["unproven"], ctx)))
    if f["without_control"]:
        lines.append(say("channel.no_control", ctx, n=f["without_control"],
                         days=table.attrs.get("response_days", 30)))
    return Narrative(lines, lead=_lead(ctx), language=ctx.language)


# -- loyalty ------------------------------------------------------------------------------------------------

def loyalty_interpretation(table: pd.DataFrame, ctx: Context) -> Narrative:
    """The members' difference, naive and matched, and the selection-bias caveat."""
    rev = table.set_index("measure").loc["revenue"]
    mar = table.set_index("measure").loc["margin"]
    a = table.attrs
    lines = [say("loyalty.result", ctx, members=int(rev["members"]), non_members=int(rev["non_members"]),
                 naive=money(rev["naive_difference"], ctx), matched=money(rev["matched_difference"], ctx),
                 margin=money(mar["matched_difference"], ctx), base=str(a["base_tier"]))]
    if a.get("unmatched_members"):
        lines.append(say("loyalty.unmatched", ctx, n=a["unmatched_members"]))
    if np.isfinite(a.get("roi", np.nan)):
        lines.append(say("loyalty.roi", ctx, cost=money(a["cost_per_member"], ctx), roi=a["roi"]))
    else:
        lines.append(say("loyalty.no_cost", ctx))
    lines.append(say("loyalty.caveat", ctx))
    return Narrative(lines, lead=_lead(ctx), language=ctx.language)


# -- customer ROI -------------------------------------------------------------------------------------------

def customer_roi_facts(roi: pd.DataFrame) -> dict[str, Any]:
    """The base's ROI (ratio of sums), the share of customers with a negative ROI and the basis."""
    cost = float(roi["customer_cost"].sum(min_count=1)) if roi["customer_cost"].notna().any() else float("nan")
    margin = float(roi["gross_margin"].sum())
    return {"basis": roi.attrs.get("basis"), "customers": len(roi), "margin": margin, "cost": cost,
            "roi": (margin - cost) / cost if cost and np.isfinite(cost) and cost > 0 else float("nan"),
            "negative_share": float((roi["roi"] < 0).mean()), "no_cost": int(roi.attrs.get("no_cost", 0))}


def customer_roi_interpretation(roi: pd.DataFrame, ctx: Context) -> Narrative:
    """What the customer ROI says, and on what basis it was computed."""
    f = customer_roi_facts(roi)
    lines = [say(f"roi.basis.{f['basis']}", ctx)]
    if roi.attrs.get("margin_basis") == "revenue":
        lines.append(say("inputs.margin_revenue", ctx))
    if np.isfinite(f["roi"]):
        lines.append(say("roi.result", ctx, roi=f["roi"], margin=money(f["margin"], ctx),
                         cost=money(f["cost"], ctx), negative=f["negative_share"]))
    else:
        lines.append(say("roi.margin_only", ctx, margin=money(f["margin"], ctx), customers=f["customers"]))
    if roi.attrs.get("non_buyers"):
        lines.append(say("roi.non_buyers", ctx, count=roi.attrs["non_buyers"],
                         cost=money(roi.attrs.get("non_buyer_cost", 0.0), ctx)))
    return Narrative(lines, lead=_lead(ctx), language=ctx.language)


# -- LTV:CAC ------------------------------------------------------------------------------------------------

def ltv_cac_interpretation(table: pd.DataFrame, ctx: Context) -> Narrative:
    """Best and worst channel by LTV:CAC, the slowest payback, and whether CAC differs by channel at all."""
    t = table.dropna(subset=["ltv_cac"])
    if t.empty:
        return note("ltv.none", ctx)
    best, worst = t.iloc[0], t.iloc[-1]
    slow = t.sort_values("payback_months", na_position="first").iloc[-1]
    lines = [say("ltv.best_worst", ctx, best=best["acquisition_channel"], best_ratio=best["ltv_cac"],
                 worst=worst["acquisition_channel"], worst_ratio=worst["ltv_cac"]),
             say("ltv.payback", ctx, channel=slow["acquisition_channel"], months=slow["payback_months"])]
    below = t[t["ltv_cac"] < 3]
    lines.append(say("ltv.below3", ctx, channels=join_names(below["acquisition_channel"], ctx))
                 if len(below) else say("ltv.all_above3", ctx))
    if not table.attrs.get("by_channel", True):
        lines.append(say("ltv.pro_rata", ctx))
    return Narrative(lines, lead=_lead(ctx), language=ctx.language)


# -- validation ---------------------------------------------------------------------------------------------

def validation_interpretation(tracking: pd.DataFrame, ctx: Context, *, excluded: int, nonpositive: int) -> Narrative:
    """How well the model tracked the holdout, and what the spend model left out (said, not dropped)."""
    worst = tracking.loc[tracking["error"].abs().idxmax()]
    pt, at = tracking.attrs["predicted_total"], tracking.attrs["actual_total"]
    lines = [say("validation.total", ctx, predicted=pt, actual=at, error=(pt - at) / at if at else float("nan")),
             say("validation.worst", ctx, group=worst["frequency_group"], predicted=worst["predicted"],
                 actual=worst["actual"]),
             say("validation.gg", ctx, excluded=excluded, nonpositive=nonpositive)]
    return Narrative(lines, lead=_lead(ctx), language=ctx.language)


# -- summary ------------------------------------------------------------------------------------------------

def summary_points(ctx: Context, *, clv: pd.DataFrame | None = None, methods: list[str] | None = None,
                   campaigns: pd.DataFrame | None = None, ltv: pd.DataFrame | None = None,
                   roi: pd.DataFrame | None = None) -> Narrative:
    """The findings first: one point per analysis that ran."""
    lines = []
    if roi is not None:
        f = customer_roi_facts(roi)
        if np.isfinite(f["roi"]):
            lines.append(say("summary.roi", ctx, roi=f["roi"], negative=f["negative_share"]))
    if clv is not None and methods:
        f = clv_comparison_facts(clv, methods)
        lines.append(say("summary.clv", ctx, highest=say(f"method.{f['highest']}", ctx),
                         lowest=say(f"method.{f['lowest']}", ctx), ratio=f["ratio"]))
    if ltv is not None and ltv["ltv_cac"].notna().any():
        t = ltv.dropna(subset=["ltv_cac"])
        lines.append(say("summary.ltv", ctx, best=t.iloc[0]["acquisition_channel"], best_ratio=t.iloc[0]["ltv_cac"],
                         worst=t.iloc[-1]["acquisition_channel"], worst_ratio=t.iloc[-1]["ltv_cac"]))
    if campaigns is not None and len(campaigns):
        ok = campaigns[campaigns["status"] == "ok"]
        proven = ok[ok["roi_low"] > 0]["campaign_id"].tolist()
        lines.append(say("summary.campaigns", ctx, n=len(campaigns), judged=len(ok),
                         positive=join_names(ok[ok["verdict"] == "positive"]["campaign_id"], ctx) or say("words.none", ctx),
                         proven=join_names(proven, ctx) or say("words.none", ctx)))
    lines.append(say("summary.next", ctx))
    return Narrative(lines, language=ctx.language, bullets=True)
