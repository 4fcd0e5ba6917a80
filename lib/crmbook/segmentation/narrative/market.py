"""Sentences of the target-customer matrix and of penetration and market share (part of :mod:`crmbook.segmentation.narrative`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, join_names
from crmbook.tables import require_columns

from ..penetration import ALL_REGIONS, penetration_total
from ..target import TARGET_DORMANT, TARGET_PLAYBOOK, TARGET_SPLIT
from .common import _labels, _lead, group_label, say

__all__ = ["target_facts", "target_interpretation", "penetration_facts", "penetration_interpretation"]


def target_facts(summary: pd.DataFrame) -> dict[str, Any]:
    """Each group's customers and shares (of buying customers), the split and the evidence of
    attractiveness (from ``summary.attrs``), the *focus* customers' shares and the group without revenue
    in the last 12 months, from :func:`crmbook.segmentation.target_summary`."""
    require_columns(summary, "summary", ["segment", "customers", "customer_share", "revenue_share"])
    groups = [{"quadrant": r["segment"], "customers": int(r["customers"]),
               "customer_share": float(r["customer_share"]), "revenue_share": float(r["revenue_share"])}
              for r in summary.to_dict("records")]
    by = {g["quadrant"]: g for g in groups}
    none = {"customers": 0, "customer_share": 0.0, "revenue_share": 0.0}
    return {"quadrants": [g for g in groups if g["quadrant"] != TARGET_DORMANT],
            "dormant": by.get(TARGET_DORMANT, none), "focus": by.get("focus", none),
            "active": int(summary.loc[summary["segment"] != TARGET_DORMANT, "customers"].sum()),
            "split": float(summary.attrs.get("split", TARGET_SPLIT)),
            "evidence": tuple(summary.attrs.get("evidence", ()))}


def target_interpretation(summary: pd.DataFrame, ctx: Context) -> Narrative:
    """What the target matrix says: how the axes are read, one sentence per quadrant, the group without
    revenue in the last 12 months, what *focus* selects, and the judgement calls."""
    f = target_facts(summary)
    names = _labels(ctx, *TARGET_PLAYBOOK.order)
    evidence = join_names([say(f"target.evidence.{e}", ctx) for e in f["evidence"]], ctx)
    out = [say("target.rule", ctx, active=f["active"], evidence=evidence, top=1 - f["split"])]
    out += [say("target.quadrant", ctx, q["customers"], quadrant=group_label(q["quadrant"], ctx),
                customer_share=q["customer_share"], revenue_share=q["revenue_share"]) for q in f["quadrants"]]
    if f["dormant"]["customers"]:
        out.append(say("target.dormant", ctx, f["dormant"]["customers"], share=f["dormant"]["customer_share"],
                       **names))
    out.append(say("target.focus", ctx, share=f["focus"]["customer_share"],
                   revenue_share=f["focus"]["revenue_share"], **names))
    out.append(say("target.judgement", ctx, **names))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def penetration_facts(penetration: pd.DataFrame) -> dict[str, Any]:
    """Penetration, active penetration and market share of all regions (``market_share`` ``None`` when
    unknown); the regions with the highest and lowest penetration, the one with the most headroom
    (potential customers not won) and, when the market revenue is known, the one whose customers spend
    least relative to the market (``None`` without any region)."""
    total = penetration_total(penetration)
    regions = penetration[penetration["region"] != ALL_REGIONS].dropna(subset=["penetration"])
    out: dict[str, Any] = {"penetration": float(total["penetration"]),
                           "active_penetration": float(total["active_penetration"]),
                           "market_share": float(total["market_share"]) if pd.notna(total["market_share"]) else None,
                           "highest": None, "lowest": None, "roomiest": None, "weakest_spend": None}
    if len(regions):
        hi, lo = regions.loc[regions["penetration"].idxmax()], regions.loc[regions["penetration"].idxmin()]
        room = regions.loc[regions["headroom"].idxmax()]
        out.update(highest=hi["region"], highest_penetration=float(hi["penetration"]),
                   lowest=lo["region"], lowest_penetration=float(lo["penetration"]),
                   lowest_headroom=float(lo["headroom"]),
                   roomiest=room["region"], roomiest_headroom=float(room["headroom"]),
                   roomiest_penetration=float(room["penetration"]))
        spend = regions.dropna(subset=["relative_spend"])
        if len(spend):
            w = spend.loc[spend["relative_spend"].idxmin()]
            out.update(weakest_spend=w["region"], weakest_relative_spend=float(w["relative_spend"]),
                       weakest_penetration=float(w["penetration"]), weakest_share=float(w["market_share"]))
    return out


def penetration_interpretation(penetration: pd.DataFrame, ctx: Context) -> Narrative:
    """What penetration says: the overall figures; where penetration is highest and lowest beside where
    the most potential customers are left (headroom); and, with market revenue, the region whose share
    trails its penetration because its customers spend less than the market's (share = penetration x
    relative spend)."""
    f = penetration_facts(penetration)
    values = dict(penetration=f["penetration"], active=f["active_penetration"])
    if f["market_share"] is None:
        out = [say("pen.overall", ctx, **values)]
    else:
        out = [say("pen.overall_share", ctx, market_share=f["market_share"], **values)]
    if f["highest"] is not None:
        out.append(say("pen.regions", ctx, high=str(f["highest"]), high_share=f["highest_penetration"],
                       low=str(f["lowest"]), low_share=f["lowest_penetration"]))
        if f["roomiest"] == f["lowest"]:
            out.append(say("pen.headroom_same", ctx, region=str(f["roomiest"]), headroom=f["roomiest_headroom"]))
        else:
            out.append(say("pen.headroom", ctx, region=str(f["roomiest"]), headroom=f["roomiest_headroom"],
                           penetration=f["roomiest_penetration"], low=str(f["lowest"]),
                           low_headroom=f["lowest_headroom"]))
    if f["weakest_spend"] is not None:
        key = "pen.spend_low" if f["weakest_relative_spend"] < 1 else "pen.spend_high"
        out.append(say(key, ctx, region=str(f["weakest_spend"]), penetration=f["weakest_penetration"],
                       relative=f["weakest_relative_spend"], share=f["weakest_share"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)
