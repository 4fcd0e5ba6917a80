"""Sentences about who the customers are and what they value: demographics, portraits, psychographics (part of :mod:`crmbook.segmentation.narrative`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, join_names
from crmbook.tables import column, require_columns

from ..portrait import DEMOGRAPHIC_COLUMNS
from ..psychographic import NO_PREFERENCE, PSYCHO_MIN_GAP
from .common import PACKAGE, _lead, group_label, money, say

__all__ = [
    "dimension_label",
    "PSYCHO_MIN_SEGMENT",
    "PSYCHO_MIN_LIFT",
    "PSYCHO_SEGMENTS",
    "orientation_label",
    "psychographic_facts",
    "psychographic_interpretation",
    "demographic_facts",
    "demographic_notes",
    "demographic_interpretation",
    "portrait_sentence",
]


#: Psychographics: the behavioural segments whose orientations the interpretation names.
PSYCHO_SEGMENTS: tuple[str, ...] = ("champions", "at_risk")


#: Psychographics: a segment's orientations are put into words only with at least this many surveyed
#: customers (fewer make a share of one orientation too noisy to read).
PSYCHO_MIN_SEGMENT = 30


#: Psychographics: an orientation *stands out* in a segment when its share there is at least this much
#: (0.05 = 5 percentage points) above its share among all surveyed customers; smaller differences are noise
#: at a few hundred surveyed customers per segment.
PSYCHO_MIN_LIFT = 0.05


def orientation_label(code: str, ctx: Context | str) -> str:
    """The name of a value orientation (``"quality"`` -> ``"quality-minded"``, 重质量型;
    :data:`crmbook.segmentation.NO_PREFERENCE` -> ``"no clear preference"``); an attribute without its own
    name reads ``"<attribute>-minded"``."""
    if f"psycho.orientation.{code}" in catalogue(PACKAGE).keys("psycho.orientation"):
        return say(f"psycho.orientation.{code}", ctx)
    return say("psycho.other", ctx, attribute=str(code).replace("_", " "))


def psychographic_facts(summary: pd.DataFrame, by_segment: pd.DataFrame, *, customers: int,
                        segments: Sequence[str] = PSYCHO_SEGMENTS, min_segment: int = PSYCHO_MIN_SEGMENT,
                        min_lift: float = PSYCHO_MIN_LIFT, segment_col: str = "segment") -> dict[str, Any]:
    """The figures of the psychographic interpretation, from
    :func:`crmbook.segmentation.orientation_summary` and :func:`crmbook.segmentation.orientation_by_segment`
    (``customers``: the size of the whole base): how many customers are classified, the largest clear
    orientation, the share without clear preference, the clear orientations rating lowest and highest
    overall (``own_mean``); for each of ``segments`` with at least ``min_segment`` surveyed customers the
    orientation most over-represented against all surveyed customers (``None`` unless it is ``min_lift``
    above), and ``standout``: the segment (any, same minimum size) with the largest such lift when it is not
    one of ``segments`` and reaches ``min_lift`` (else ``None``)."""
    require_columns(summary, "summary", ["orientation", "customers", "customer_share", "own_mean"])
    require_columns(by_segment, "by_segment", [segment_col, "customers"])
    surveyed = int(summary["customers"].sum())
    clear = summary[summary["orientation"] != NO_PREFERENCE]
    none = summary.loc[summary["orientation"] == NO_PREFERENCE, "customer_share"]
    out: dict[str, Any] = {
        "surveyed": surveyed, "coverage": surveyed / customers if customers else 0.0,
        "none_share": float(none.sum()), "clear_share": float(clear["customer_share"].sum()),
        "top": None, "top_share": 0.0, "low": None, "high": None, "segments": [], "standout": None,
        "min_lift": float(min_lift),
    }
    if len(clear):
        top = clear.iloc[0]
        out.update(top=top["orientation"], top_share=float(top["customer_share"]))
    if len(clear) >= 2:
        lo, hi = clear.loc[clear["own_mean"].idxmin()], clear.loc[clear["own_mean"].idxmax()]
        out.update(low=lo["orientation"], low_mean=float(lo["own_mean"]), high=hi["orientation"],
                   high_mean=float(hi["own_mean"]))
    orientations = [c for c in by_segment.columns if c not in (segment_col, "customers") and c != NO_PREFERENCE]
    rows = by_segment.set_index(segment_col)
    if "all" in rows.index and orientations:
        base = rows.loc["all", orientations].astype(float)
        found = []
        for s in rows.index:
            if s == "all" or int(rows.loc[s, "customers"]) < min_segment:
                continue
            lift = rows.loc[s, orientations].astype(float) - base
            best = lift.idxmax()
            found.append({"segment": s, "customers": int(rows.loc[s, "customers"]),
                          "orientation": best if lift[best] >= min_lift - 1e-9 else None, "lift": float(lift[best]),
                          "share": float(rows.loc[s, best]), "base": float(base[best])})
        out["segments"] = [f for s in segments for f in found if f["segment"] == s]
        others = [f for f in found if f["segment"] not in set(segments) and f["orientation"] is not None]
        if others:
            out["standout"] = max(others, key=lambda f: f["lift"])
    return out


def psychographic_interpretation(summary: pd.DataFrame, by_segment: pd.DataFrame, ctx: Context, *,
                                 customers: int, min_gap: float = PSYCHO_MIN_GAP,
                                 segments: Sequence[str] = PSYCHO_SEGMENTS) -> Narrative:
    """What the value orientations say (from :func:`psychographic_facts`): who is covered, the rule and the
    customers without clear preference, the largest orientation, what the named segments value more than
    the surveyed base, and which orientation rates lowest overall (a rating is performance, not
    importance). ``min_gap``: the gap the orientations were computed with, for the rule sentence."""
    f = psychographic_facts(summary, by_segment, customers=customers, segments=segments)
    out = [say("psycho.coverage", ctx, surveyed=f["surveyed"], share=f["coverage"]),
           say("psycho.rule", ctx, gap=float(min_gap), none_share=f["none_share"],
               none=orientation_label(NO_PREFERENCE, ctx))]
    if f["top"] is not None:
        out.append(say("psycho.largest", ctx, orientation=orientation_label(f["top"], ctx), share=f["top_share"]))
    for s in f["segments"]:
        if s["orientation"] is None:
            out.append(say("psycho.segment_none", ctx, s["customers"], segment=group_label(s["segment"], ctx),
                           points=100 * f["min_lift"]))
        else:
            out.append(say("psycho.segment", ctx, s["customers"], segment=group_label(s["segment"], ctx),
                           orientation=orientation_label(s["orientation"], ctx), share=s["share"], base=s["base"]))
    if f["standout"] is not None:
        s = f["standout"]
        out.append(say("psycho.standout", ctx, s["customers"], segment=group_label(s["segment"], ctx),
                       orientation=orientation_label(s["orientation"], ctx), share=s["share"], base=s["base"]))
    if f["low"] is not None and f["high_mean"] - f["low_mean"] >= min_gap:
        out.append(say("psycho.level", ctx, low=orientation_label(f["low"], ctx), low_mean=f["low_mean"],
                       high=orientation_label(f["high"], ctx), high_mean=f["high_mean"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def demographic_facts(attributes: pd.DataFrame, *,
                      dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS) -> dict[str, Any]:
    """Which demographic dimensions the data lacks (``missing``) and whether none is present."""
    missing = [d for d in dimensions if d not in attributes.columns]
    return {"missing": missing, "none_present": len(missing) == len(dimensions)}


def demographic_notes(attributes: pd.DataFrame, ctx: Context, *,
                      dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS) -> Narrative:
    """What the demographic breakdown cannot show (empty when every dimension is present)."""
    f = demographic_facts(attributes, dimensions=dimensions)
    out = []
    if f["missing"]:
        out.append(catalogue(PACKAGE).say("demo.missing", ctx, escape=False, missing=join_names(f["missing"], ctx)))
    if f["none_present"]:
        out.append(say("demo.none", ctx))
    return Narrative(out, language=ctx.language, bullets=True)


def dimension_label(name: str, ctx: Context) -> str:
    """A demographic dimension as a sentence names it (``"age_band"`` -> ``"age band"``, 年龄段)."""
    label = column(name, ctx, package=PACKAGE).labels[ctx.language]
    return label.lower() if ctx.language == "en" else label


def demographic_interpretation(highlights: pd.DataFrame, ctx: Context, *, consumers: int) -> Narrative:
    """What the demographic breakdown says, from :func:`crmbook.segmentation.demographic_highlights`
    (``consumers``: how many customers the breakdown covers)."""
    require_columns(highlights, "highlights", ["dimension", "group", "customer_share", "revenue_share",
                                               "revenue_per_customer"])
    if highlights.empty:
        return Narrative([say("demo.no_groups", ctx, consumers=int(consumers))], lead=_lead(ctx),
                         language=ctx.language)
    groups = say("demo.group_sep", ctx).join(
        say("demo.group", ctx, dimension=dimension_label(r["dimension"], ctx), group=str(r["group"]),
            customer_share=r["customer_share"], revenue_share=r["revenue_share"],
            money=money(r["revenue_per_customer"], ctx))
        for r in highlights.to_dict("records"))
    return Narrative([catalogue(PACKAGE).say("demo.highlights", ctx, escape=False, consumers=int(consumers),
                                             groups=groups),
                      say("demo.advice", ctx)], lead=_lead(ctx), language=ctx.language)


def portrait_sentence(row: Any, ctx: Context) -> str:
    """The portrait of one segment in words, from a row of :func:`crmbook.segmentation.customer_portrait`:
    what is over-represented in it (with its share and index), how it buys, what it is worth."""
    r = dict(row)
    cat = catalogue(PACKAGE)

    def part(key: str, col: str) -> str:
        return cat.say(key, ctx, escape=False, value=r[col], share=r[col + "_share"])

    who = [cat.say(f"portrait.who.{col}", ctx, escape=False, value=r[f"over_{col}"], share=r[f"over_{col}_share"],
                   index=r[f"over_{col}_index"])
           for col in ("business", "age_band", "gender", "region", "acquisition_channel")
           if f"over_{col}" in r and pd.notna(r[f"over_{col}"])]
    how = say("portrait.orders", ctx, orders=r["orders_per_customer"])
    if pd.notna(r["avg_order_value"]):
        how += say("portrait.aov", ctx, money=money(r["avg_order_value"], ctx))
    for col in ("channel", "category"):
        if f"top_{col}" in r and pd.notna(r[f"top_{col}"]):
            how += part(f"portrait.main_{col}", f"top_{col}")
    worth = say("portrait.worth", ctx, money=money(r["revenue_per_customer"], ctx))
    if pd.notna(r["revenue_share"]):
        worth += say("portrait.worth_share", ctx, share=r["revenue_share"])
    head = (cat.say("portrait.head", ctx, escape=False, who=say("portrait.sep", ctx).join(who)) if who
            else say("portrait.like_base", ctx))
    return head + cat.say("portrait.body", ctx, escape=False, how=how, worth=worth)
