"""Sentences of each section of the cost accounting (part of :mod:`crmbook.costing.narrative`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue

from ..good_bad import GOOD_BAD_PLAYBOOK
from ..whale import COURSE_LOSS_OF_PEAK, PUBLISHED
from .common import kind_label, measure_label, money, say

__all__ = ["classes_interpretation", "reconciliation_facts", "reconciliation_interpretation",
           "cac_interpretation", "pnl_facts", "pnl_interpretation", "whale_interpretation",
           "good_bad_facts", "good_bad_interpretation", "summary_points", "data_note", "by_note", "groups_note",
           "mix_note"]


def _lead(ctx: Context, key: str = "interpretation") -> str:
    return catalogue("crmbook").label(f"lead.{key}", ctx)


def classes_interpretation(classes: pd.DataFrame, ctx: Context) -> Narrative:
    """The total cost, its largest class and the direct / acquisition splits."""
    total = float(classes.attrs.get("total", classes["amount"].sum()))
    s = dict(zip(classes["kind"], classes["share"], strict=True))
    top = classes.sort_values("amount", ascending=False).iloc[0]
    out = [say("classes.total", ctx, total=money(total, ctx), kind=kind_label(top["kind"], ctx), share=top["share"]),
           say("classes.split", ctx, direct=s.get("direct", 0.0), indirect=s.get("indirect", 0.0),
               acquisition=s.get("acquisition", 0.0), retention=s.get("retention", 0.0))]
    after = int(classes.attrs.get("after_as_of", 0))
    if after:
        out.append(say("classes.after_as_of", ctx, count=after,
                       amount=money(classes.attrs.get("after_as_of_amount", 0.0), ctx)))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def reconciliation_facts(recon: pd.DataFrame) -> dict[str, Any]:
    """Totals of the reconciliation: ``amount, allocated, unallocated`` (currency), ``lines``, the lines
    and amounts per status other than ``allocated``, and ``exact`` (allocated + unallocated equals the
    amount on every line, in cents)."""
    cents = lambda c: np.rint(recon[c].to_numpy(dtype=float) * 100).astype(np.int64)  # noqa: E731
    exact = bool((cents("allocated") + cents("unallocated") == cents("amount")).all())
    off = recon[recon["status"] != "allocated"]
    return {"amount": float(recon["amount"].sum()), "allocated": float(recon["allocated"].sum()),
            "unallocated": float(recon["unallocated"].sum()), "lines": len(recon), "exact": exact,
            "by_status": {k: (int(len(g)), float(g["unallocated"].sum())) for k, g in off.groupby("status")},
            "pools": sorted(off["pool"].unique().tolist())}


def reconciliation_interpretation(recon: pd.DataFrame, ctx: Context) -> Narrative:
    """Allocated against the books, and what was not allocated and why."""
    f = reconciliation_facts(recon)
    out = [say("recon.total" if f["exact"] else "recon.not_exact", ctx, lines=f["lines"],
               amount=money(f["amount"], ctx), allocated=money(f["allocated"], ctx))]
    if f["by_status"]:
        for status, (n, amount) in f["by_status"].items():
            out.append(say(f"recon.{status}", ctx, count=n, amount=money(amount, ctx)))
    else:
        out.append(say("recon.all_allocated", ctx))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def cac_interpretation(cac_total: pd.DataFrame, retention: pd.DataFrame, ctx: Context, *,
                       by_channel: bool) -> Narrative:
    """The latest period's CAC and retention cost, against the first period, and the attribution rule."""
    out = []
    t = cac_total[cac_total["cac"].notna()]
    if len(t):
        last, first = t.iloc[-1], t.iloc[0]
        out.append(say("cac.latest", ctx, period=last["period"], cac=money(last["cac"], ctx),
                       new=int(last["new_customers"]), spend=money(last["acquisition_spend"], ctx)))
        if len(t) > 1:
            out.append(say("cac.change", ctx, first=first["period"], first_cac=money(first["cac"], ctx),
                           change=float(last["cac"] / first["cac"] - 1) if first["cac"] else 0.0))
    out.append(say("cac.by_channel" if by_channel else "cac.pro_rata", ctx))
    r = retention[retention["retention_cost"].notna()]
    if len(r):
        last = r.iloc[-1]
        out.append(say("cac.retention", ctx, period=last["period"], cost=money(last["retention_cost"], ctx),
                       active=int(last["active_customers"])))
        if len(t):
            out.append(say("cac.compare", ctx, ratio=float(t.iloc[-1]["cac"] / last["retention_cost"])))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def pnl_facts(pnl: pd.DataFrame) -> dict[str, Any]:
    """The P&L's totals: ``basis, missing, customers, revenue, gross_margin, allocated, profit,
    unprofitable, unprofitable_share`` (among customers with a profit), ``known`` (customers with a profit),
    ``negative_contribution`` (customers whose margin does not even cover their direct and retention costs)."""
    known = pnl["profit"].notna()
    allocated = pnl[["direct_cost", "indirect_cost", "acquisition_cost", "retention_cost"]].sum().sum()
    return {"basis": pnl.attrs.get("basis"), "missing": list(pnl.attrs.get("missing", [])),
            "customers": len(pnl), "known": int(known.sum()), "revenue": float(pnl["revenue"].sum()),
            "gross_margin": float(pnl["gross_margin"].sum()), "allocated": float(allocated),
            "profit": float(pnl["profit"].sum()) if known.any() else np.nan,
            "unprofitable": int((pnl["profit"] < 0).sum()),
            "unprofitable_share": float((pnl.loc[known, "profit"] < 0).mean()) if known.any() else np.nan,
            "unknown_cogs": int(pnl.attrs.get("unknown_cogs_customers", 0)),
            "negative_contribution": (int(((pnl["contribution"] < 0) & (pnl["profit"] < 0)).sum())
                                      if "contribution" in pnl else 0)}


def pnl_interpretation(pnl: pd.DataFrame, ctx: Context) -> Narrative:
    """From revenue to profit in one paragraph, saying the basis (costs or gross margin only)."""
    f = pnl_facts(pnl)
    out = []
    if "cost_of_goods" in f["missing"]:
        out.append(say("pnl.no_cogs", ctx, revenue=money(f["revenue"], ctx), allocated=money(f["allocated"], ctx)))
        return Narrative(out, lead=_lead(ctx), language=ctx.language)
    if f["basis"] == "gross_margin":
        out.append(say("pnl.fallback", ctx))
    out.append(say("pnl.totals", ctx, revenue=money(f["revenue"], ctx), margin=money(f["gross_margin"], ctx),
                   allocated=money(f["allocated"], ctx), profit=money(f["profit"], ctx)))
    out.append(say("pnl.unprofitable", ctx, count=f["unprofitable"], share=f["unprofitable_share"],
                   customers=f["known"]))
    if f["basis"] == "costs" and f["negative_contribution"]:
        out.append(say("pnl.contribution", ctx, count=f["negative_contribution"],
                       rest=f["unprofitable"] - f["negative_contribution"]))
    if f["unknown_cogs"]:
        out.append(say("pnl.unknown_cogs", ctx, count=f["unknown_cogs"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def whale_interpretation(w: dict[str, Any], ctx: Context) -> Narrative:
    """The whale curve's peak, top-20 % share and the profit eaten, against the course and Kaplan &
    Narayanan (2001)."""
    if not w["positive_total"]:
        return Narrative([say("whale.no_total", ctx, total=money(w["total_profit"], ctx))], lead=_lead(ctx),
                         language=ctx.language)
    lo, hi = PUBLISHED["top20_share"]
    out = [say("whale.peak", ctx, peak=w["peak_share"], at=w["peak_customer_share"]),
           say("whale.top20", ctx, share=w["top20_share"]),
           say("whale.loss", ctx, count=w["unprofitable_customers"], share=w["unprofitable_share"],
               loss=w["loss_share"], of_peak=w["loss_of_peak"])]
    course = "whale.course_close" if abs(w["loss_of_peak"] - COURSE_LOSS_OF_PEAK) <= 0.1 else (
        "whale.course_less" if w["loss_of_peak"] < COURSE_LOSS_OF_PEAK else "whale.course_more")
    out.append(say(course, ctx, of_peak=w["loss_of_peak"]))
    published = "whale.published_in" if lo <= w["top20_share"] <= hi else (
        "whale.published_below" if w["top20_share"] < lo else "whale.published_above")
    out.append(say(published, ctx, share=w["top20_share"], lo=lo, hi=hi, bottom=w["bottom10_loss"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def good_bad_facts(comparison: pd.DataFrame, actions: pd.Series) -> dict[str, Any]:
    """The measures where unprofitable customers differ most (ratio furthest from 1, at most three) and
    the customers per action group."""
    c = comparison[comparison["ratio"].notna() & (comparison["measure"] != "recent_signup")].copy()
    c["distance"] = np.abs(np.log(c["ratio"].clip(lower=1e-9)))
    top = c.sort_values("distance", ascending=False).head(3)
    counts = actions[actions != "profitable"].value_counts()
    return {"compared": bool(comparison.attrs.get("compared", False)), "groups": comparison.attrs.get("groups", {}),
            "min_group": comparison.attrs.get("min_group"),
            "differences": list(top[["measure", "ratio"]].itertuples(index=False, name=None)),
            "actions": {k: int(v) for k, v in counts.items()}}


def good_bad_interpretation(comparison: pd.DataFrame, actions: pd.Series, ctx: Context) -> Narrative:
    """What sets the unprofitable apart (the three largest differences) and how many get each action."""
    f = good_bad_facts(comparison, actions)
    if not f["compared"]:
        g = f["groups"]
        return Narrative([say("goodbad.too_small", ctx, good=g.get("profitable", 0), bad=g.get("unprofitable", 0),
                              min_group=f["min_group"])], lead=_lead(ctx), language=ctx.language)
    parts = [say("goodbad.more" if r >= 1 else "goodbad.less", ctx, measure=measure_label(m, ctx), ratio=r)
             for m, r in f["differences"]]
    sep = "；" if ctx.language == "zh" else "; "
    out = [say("goodbad.differ", ctx, list=sep.join(parts))]
    if f["actions"]:
        order = [k for k in GOOD_BAD_PLAYBOOK.order if k in f["actions"]]
        listed = sep.join(say("goodbad.action_count", ctx, group=GOOD_BAD_PLAYBOOK.label(k, ctx),
                              count=f["actions"][k]) for k in order)
        out.append(say("goodbad.actions", ctx, list=listed))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def summary_points(pnl: pd.DataFrame, whale: dict[str, Any] | None, cac_total: pd.DataFrame | None,
                   actions: pd.Series | None, ctx: Context) -> Narrative:
    """The findings first: the basis, the unprofitable share, the whale curve, CAC, the biggest action."""
    f = pnl_facts(pnl)
    out = []
    if "cost_of_goods" in f["missing"]:
        out.append(say("summary.no_cogs", ctx))
    else:
        if f["basis"] == "gross_margin":
            out.append(say("summary.fallback", ctx))
        out.append(say("summary.profit", ctx, profit=money(f["profit"], ctx), count=f["unprofitable"],
                       share=f["unprofitable_share"]))
    if whale is not None and whale["positive_total"]:
        out.append(say("summary.whale", ctx, peak=whale["peak_share"], top20=whale["top20_share"],
                       loss=whale["loss_share"]))
    if cac_total is not None:
        t = cac_total[cac_total["cac"].notna()]
        if len(t):
            out.append(say("summary.cac", ctx, period=t.iloc[-1]["period"], cac=money(t.iloc[-1]["cac"], ctx)))
    if actions is not None:
        counts = actions[actions != "profitable"].value_counts()
        if len(counts):
            k = counts.index[0]
            out.append(say("summary.action", ctx, group=GOOD_BAD_PLAYBOOK.label(k, ctx), count=int(counts.iloc[0]),
                           action=GOOD_BAD_PLAYBOOK.action(k, ctx)))
    return Narrative(out, language=ctx.language, bullets=True)


def data_note(facts, *, costs: pd.DataFrame | None, contacts: pd.DataFrame | None,
              campaigns: pd.DataFrame | None, ctx: Context, driver_map: Any = None) -> Narrative:
    """Which of the tables the costing uses are present, and the driver map in use."""
    from ..drivers import load_driver_map

    yes, no = say("data.present", ctx), say("data.absent", ctx)
    has_cogs = "cost_of_goods" in facts.orders.columns and facts.orders["cost_of_goods"].notna().any()
    out = [say("data.tables", ctx, costs=yes if costs is not None else no, contacts=yes if contacts is not None else no,
               campaigns=yes if campaigns is not None else no, cogs=say("data.has" if has_cogs else "data.lacks", ctx))]
    if costs is not None:
        out.append(say("data.driver_map", ctx, source=load_driver_map(driver_map).source))
    return Narrative(out, language=ctx.language)


def by_note(by: pd.DataFrame, dimension: str, ctx: Context) -> Narrative:
    """The heading of a P&L-by-group table and its best and worst group."""
    dim = say(f"pnl.dimension.{dimension}", ctx)
    out = [say("pnl.by", ctx, dimension=dim)]
    name = lambda v: say(f"words.{v}", ctx) if str(v) in ("unknown", "other") else str(v)  # noqa: E731
    if len(by) > 1:
        best, worst = by.iloc[0], by.iloc[-1]
        out.append(say("pnl.best_worst", ctx, best=name(best[dimension]),
                       best_profit=money(best["profit"], ctx), worst=name(worst[dimension]),
                       worst_profit=money(worst["profit"], ctx), worst_unprofitable=float(worst["unprofitable_share"])))
    return Narrative(out, language=ctx.language)


def groups_note(comparison: pd.DataFrame, ctx: Context) -> Narrative:
    """How many profitable and unprofitable buyers are compared."""
    g = comparison.attrs.get("groups", {})
    return Narrative([say("goodbad.groups", ctx, good=g.get("profitable", 0), bad=g.get("unprofitable", 0),
                          min_group=comparison.attrs.get("min_group", 0))], language=ctx.language)


def mix_note(mix: pd.DataFrame, column: str, ctx: Context) -> Narrative:
    """The heading of an unprofitable-share-by-group table, and the small groups pooled into "other"."""
    out = [say("goodbad.by", ctx, dimension=say(f"pnl.dimension.{column}", ctx))]
    pooled = mix.attrs.get("pooled") or []
    if pooled:
        out.append(say("goodbad.pooled", ctx, min_group=mix.attrs.get("min_group", 0), names=", ".join(pooled)))
    return Narrative(out, language=ctx.language)
