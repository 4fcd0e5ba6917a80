"""Headline figures of the satisfaction topic as KPI records (for ``record_kpi(**kpi)``): names and values
stable whatever the language, labels in the report language."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context

from .narrative import say

__all__ = ["kpi", "score_kpis", "complaint_kpis", "repair_kpis"]


def kpi(name: str, value: Any, unit: str, ctx: Context, **values: Any) -> dict[str, Any]:
    """One KPI record labelled ``kpi.<name>`` of the catalogue."""
    return {"name": name, "value": value, "unit": unit, "label": say(f"kpi.{name}", ctx, **values),
            "language": ctx.language}


def score_kpis(scores: pd.DataFrame, ctx: Context, *, part: str = "all") -> list[dict[str, Any]]:
    """``nps``, ``csat``, ``ces`` with ``_low`` / ``_high`` bounds and ``survey_answers``: NPS in points,
    CSAT in % (0-100), CES on its 1-7 scale, rounded to two decimals. ``part``: ``"all"``, ``"headline"``
    (the three scores, shown as cards) or ``"bounds"`` (the bounds and the answers, recorded only)."""
    if part not in ("all", "headline", "bounds"):
        raise ValueError(f"score_kpis: part must be 'all', 'headline' or 'bounds', got {part!r}")
    out = []
    for r in scores.to_dict("records"):
        scale, unit = (100.0, "%") if r["score"] == "csat" else (1.0, "points" if r["score"] == "nps" else "")
        for suffix, key in (("", "value"), ("_low", "low"), ("_high", "high")):
            v = r[key]
            if (part == "headline" and suffix) or (part == "bounds" and not suffix):
                continue
            out.append(kpi(f"{r['score']}{suffix}", None if pd.isna(v) else round(float(v) * scale, 2), unit, ctx))
    if len(scores) and part != "headline":
        out.append(kpi("survey_answers", int(scores["n"].max()), "answers", ctx))
    return out


def complaint_kpis(handling: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``complaints`` (count), ``complaint_within_target`` and ``complaint_resolved`` (%, 0-100)."""
    h = handling.set_index("measure")["value"]
    out = [kpi("complaints", int(h.get("complaints", 0)), "complaints", ctx)]
    for m, name in (("within_target", "complaint_within_target"), ("resolved", "complaint_resolved")):
        if m in h.index and pd.notna(h[m]):
            out.append(kpi(name, round(100 * float(h[m]), 1), "%", ctx))
    return out


def repair_kpis(repair: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """``repair_list``: the number of customers on the relationship repair list."""
    return [kpi("repair_list", len(repair), "customers", ctx)]
