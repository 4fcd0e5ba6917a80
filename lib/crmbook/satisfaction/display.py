"""Tables of the satisfaction topic as a reader sees them: codes in words, scores in their own units,
intervals as text, human headers (``text/columns.yaml``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.tables import format_table, map_distinct

from .narrative import PACKAGE, code_label, fmt_score, say

__all__ = ["table", "score_display", "groups_display", "gaps_display", "drivers_display", "loyalty_display",
           "handling_display", "repair_display", "readable"]

_CODES = {"score": "score", "status": "status", "quadrant": "quadrant", "feedback_class": "class",
          "step": "step", "owner_channel": "owner", "measure": "measure", "occasion": "occasion",
          "attribute": "attribute"}


def readable(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """A copy of ``df`` with its code columns in the report language (``reasons`` joined)."""
    out = df.copy()
    for col, kind in _CODES.items():
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v, k=kind: code_label(k, v, ctx) if pd.notna(v) else v)
    if "reasons" in out.columns:
        sep = "；" if ctx.language == "zh" else "; "
        out["reasons"] = map_distinct(out["reasons"], lambda v: sep.join(code_label("reason", r, ctx) for r in str(v).split("; ")))
    return out


def table(df: pd.DataFrame, ctx: Context, **options: Any):
    """``df`` shown to a reader: :func:`readable`, then :func:`crmbook.tables.format_table` with this
    topic's column kinds and labels."""
    return format_table(readable(df, ctx), ctx, package=PACKAGE, **options)


def _interval(score: str, low: float, high: float, ctx: Context) -> str:
    if pd.isna(low) or pd.isna(high):
        return "-"
    return say("words.interval", ctx, low=fmt_score(score, low), high=fmt_score(score, high))


def score_display(scores: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """``score, n, value_text, interval``: each score in its unit (NPS points, CSAT %, CES mean)."""
    return pd.DataFrame({"score": scores["score"], "n": scores["n"],
                         "value_text": [fmt_score(s, v) for s, v in scores[["score", "value"]].itertuples(index=False)],
                         "interval": [_interval(s, lo, hi, ctx) for s, lo, hi in
                                      scores[["score", "low", "high"]].itertuples(index=False)]})


def gaps_display(gaps: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """``score, value_text, interval, target_text, gap_text, status``."""
    out = score_display(gaps, ctx).drop(columns="n")
    out["target_text"] = [fmt_score(s, t) for s, t in gaps[["score", "target"]].itertuples(index=False)]
    gap = lambda s, v: f"{v:+.1%}" if s == "csat" else (f"{v:+.1f}" if s == "nps" else f"{v:+.2f}")  # noqa: E731
    out["gap_text"] = [f"{gap(s, g)} ({gap(s, lo)} .. {gap(s, hi)})" for s, g, lo, hi in
                       gaps[["score", "gap", "gap_low", "gap_high"]].itertuples(index=False)]
    out["status"] = gaps["status"].to_numpy()
    return out


def groups_display(by: pd.DataFrame, ctx: Context, *, score: str = "nps") -> pd.DataFrame:
    """One score by group: ``group, n, value_text, interval, rank`` with "too small to judge" in the rank's
    place for small groups; judged groups by rank, then the small ones."""
    rows = by[by["score"] == score].sort_values(["judged", "rank", "group"], ascending=[False, True, True],
                                                 kind="stable")
    out = score_display(rows.rename(columns={}), ctx)
    out.insert(0, "group", rows["group"].to_numpy())
    out["rank"] = [str(int(r)) if j else say("chart.small", ctx) for r, j in rows[["rank", "judged"]].itertuples(index=False)]
    return out.drop(columns="score").reset_index(drop=True)


def drivers_display(drivers: pd.DataFrame) -> pd.DataFrame:
    """``attribute, importance, importance_share, beta, performance, quadrant``."""
    return drivers[["attribute", "importance", "importance_share", "beta", "performance", "quadrant"]].copy()


def loyalty_display(by_group: pd.DataFrame, ctx: Context, *, kind: str = "nps_group") -> pd.DataFrame:
    """Later behaviour by group: each rate with its interval as text."""
    out = pd.DataFrame({"group": [code_label("satisfied" if kind == "satisfied" else "nps_group", g, ctx)
                                  for g in by_group["group"]], "n": by_group["n"]})
    for col in [c for c in by_group.columns if c.startswith(("repurchase_", "churned", "spend_"))
                and not c.endswith(("_low", "_high"))]:
        if col.startswith("spend_"):
            fmt = lambda v: f"{v:,.0f}"  # noqa: E731
        else:
            fmt = lambda v: f"{v:.1%}"  # noqa: E731
        out[f"{col}_ci"] = [f"{fmt(v)} ({fmt(lo)} - {fmt(hi)})" for v, lo, hi in
                            by_group[[col, f"{col}_low", f"{col}_high"]].itertuples(index=False)]
    return out


def handling_display(handling: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """``measure, known, value_text, interval, unknown``: shares in %, counts and hours as numbers; ``known``
    the complaints (for ``repeat_customers``: the complaining customers) the measure is computed on."""
    def value(m: str, v: float) -> str:
        if pd.isna(v):
            return "-"
        return f"{v:,.0f}" if m in ("complaints", "repeat_customers") else (f"{v:.1f}" if m == "median_hours"
                                                                            else f"{v:.1%}")
    return pd.DataFrame({"measure": handling["measure"], "known": handling["n"],
                         "value_text": [value(m, v) for m, v in handling[["measure", "value"]].itertuples(index=False)],
                         "interval": ["-" if pd.isna(lo) else f"{lo:.1%} - {hi:.1%}" for lo, hi in
                                      handling[["low", "high"]].itertuples(index=False)],
                         "unknown": handling["unknown"]})


def repair_display(repair: pd.DataFrame) -> pd.DataFrame:
    """The repair list without personal columns: ``customer_id, reasons, step, owner_channel, last_nps,
    previous_nps, last_complaint, monetary``."""
    cols = ["customer_id", "reasons", "step", "owner_channel", "last_nps", "previous_nps", "last_complaint", "monetary"]
    return repair[cols].copy()
