"""Charts of the satisfaction topic: each ``plot_*`` draws one analysis table into ``ax`` (a new figure when
``None``) and returns it; texts from the package's catalogue in ``ctx``'s language. matplotlib is imported
inside the functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.plots import finish, get_ax, percent_formatter

from .narrative import code_label, fmt_score, say

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_scores_by", "plot_trend", "plot_ipa", "plot_loyalty", "plot_feedback_trend"]

_GOOD, _BAD, _GREY = "#2a6f97", "#c0392b", "#b0b0b0"


def _scale(score: str) -> float:
    return 100.0 if score == "csat" else 1.0


def plot_scores_by(by: pd.DataFrame, ctx: Context, *, score: str = "nps", target: float | None = None,
                   confidence: float = 0.95, ax: Axes | None = None) -> Axes:
    """One score per group as a dot with its interval; groups too small to judge in grey, labelled."""
    rows = by[by["score"] == score].sort_values(["judged", "value"], ascending=[True, True], kind="stable")
    ax = get_ax(ax, figsize=(8, 0.45 * max(len(rows), 3) + 1.2))
    k = _scale(score)
    y = np.arange(len(rows))
    for i, r in enumerate(rows.to_dict("records")):
        colour = _GOOD if r["judged"] else _GREY
        ax.errorbar(r["value"] * k, i, xerr=[[max(r["value"] - r["low"], 0) * k], [max(r["high"] - r["value"], 0) * k]],
                    fmt="o", color=colour, capsize=3)
        if not r["judged"]:
            ax.annotate(say("chart.small", ctx) + f" (n={r['n']})", (r["value"] * k, i), xytext=(6, 6),
                        textcoords="offset points", fontsize=8, color="#666")
    ax.set_yticks(y, [str(g) for g in rows["group"]])
    if target is not None:
        ax.axvline(target * k, color=_BAD, linestyle="--", linewidth=1)
        ax.annotate(say("chart.target", ctx, target=fmt_score(score, target)), (target * k, len(rows) - 0.6),
                    color=_BAD, fontsize=8, ha="left")
    if score == "csat":
        ax.xaxis.set_major_formatter(percent_formatter(share=False))
    return finish(ax, say("chart.by_title", ctx, score=code_label("score", score, ctx),
                          dimension=code_label("dimension", by.attrs.get("by", ""), ctx), confidence=confidence),
                  code_label("score", score, ctx), "")


def plot_trend(monthly: pd.DataFrame, ctx: Context, *, score: str = "nps", target: float | None = None,
               confidence: float = 0.95, ax: Axes | None = None) -> Axes:
    """The monthly score as a line with its interval as a band (months below the minimum n hollow)."""
    ax = get_ax(ax, figsize=(9, 3.8))
    k = _scale(score)
    m = monthly
    ax.fill_between(m["month"], m["low"] * k, m["high"] * k, color=_GOOD, alpha=0.18, linewidth=0)
    ax.plot(m["month"], m["value"] * k, color=_GOOD, marker="o", markersize=3)
    small = m[~m["judged"]]
    if len(small):
        ax.plot(small["month"], small["value"] * k, linestyle="none", marker="o", markerfacecolor="white",
                color=_GREY)
    if target is not None:
        ax.axhline(target * k, color=_BAD, linestyle="--", linewidth=1,
                   label=say("chart.target", ctx, target=fmt_score(score, target)))
        ax.legend(loc="lower left", frameon=False)
    if score == "csat":
        ax.yaxis.set_major_formatter(percent_formatter(share=False))
    return finish(ax, say("chart.trend_title", ctx, score=code_label("score", score, ctx), confidence=confidence),
                  say("chart.month", ctx), code_label("score", score, ctx))


def plot_ipa(drivers: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """The importance-performance matrix: attributes as points, the splits as lines, quadrants named."""
    ax = get_ax(ax, figsize=(7.5, 5.5))
    x, y = drivers["performance"].to_numpy(), drivers["importance_share"].to_numpy()
    px = drivers.attrs["performance_split"]
    py = drivers.attrs["importance_split"] / drivers.attrs["r2"]
    ax.scatter(x, y, s=80, color=_GOOD, zorder=3)
    for a, xi, yi in zip(drivers["attribute"], x, y, strict=True):
        ax.annotate(code_label("attribute", a, ctx), (xi, yi), xytext=(7, 4), textcoords="offset points")
    ax.axvline(px, color="#888", linewidth=1)
    ax.axhline(py, color="#888", linewidth=1)
    dx = max(x.max() - x.min(), 0.1) * 0.6
    dy = max(y.max() - y.min(), 0.05) * 0.6
    ax.set_xlim(min(x.min(), px) - dx, max(x.max(), px) + dx)
    ax.set_ylim(max(0, min(y.min(), py) - dy), max(y.max(), py) + dy)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for q, (qx, qy, ha) in {"concentrate": (x0, y1, "left"), "keep_up": (x1, y1, "right"),
                            "low_priority": (x0, y0, "left"), "overkill": (x1, y0, "right")}.items():
        ax.annotate(code_label("quadrant", q, ctx), (qx, qy), xytext=(6 if ha == "left" else -6, -14 if qy == y1 else 6),
                    textcoords="offset points", ha=ha, color="#555", fontsize=9, style="italic")
    ax.yaxis.set_major_formatter(percent_formatter(share=True))
    return finish(ax, say("chart.ipa_title", ctx), say("chart.performance", ctx), say("chart.importance", ctx))


def plot_loyalty(by_group: pd.DataFrame, ctx: Context, *, churn_days: int = 365, confidence: float = 0.95,
                 ax: Axes | None = None) -> Axes:
    """Repurchase (the longest window) and churn rate per NPS group, with Wilson intervals."""
    ax = get_ax(ax, figsize=(8, 4))
    rep = [c for c in by_group.columns if c.startswith("repurchase_") and not c.endswith(("_low", "_high"))][-1]
    measures = [(rep, say("chart.repurchase", ctx, window=rep.split("_")[1]), _GOOD),
                ("churned", say("chart.churned", ctx, days=churn_days), _BAD)]
    x = np.arange(len(by_group))
    width = 0.38
    for j, (col, label, colour) in enumerate(measures):
        v = by_group[col].to_numpy()
        err = [v - by_group[f"{col}_low"].to_numpy(), by_group[f"{col}_high"].to_numpy() - v]
        ax.bar(x + (j - 0.5) * width, v, width, yerr=err, capsize=3, color=colour, alpha=0.85, label=label)
    ax.set_xticks(x, [code_label("nps_group", g, ctx) + f"\n(n={n})" for g, n in by_group[["group", "n"]].itertuples(index=False)])
    ax.yaxis.set_major_formatter(percent_formatter(share=True))
    ax.legend(frameon=False, loc="upper center", ncols=2)
    ax.set_ylim(0, min(1.0, float(by_group[[f"{m[0]}_high" for m in measures]].max().max()) * 1.25))
    return finish(ax, say("chart.loyalty_title", ctx, confidence=confidence), "", say("chart.rate", ctx))


def plot_feedback_trend(trend: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Comments per subject and period as stacked bars."""
    ax = get_ax(ax, figsize=(9, 3.8))
    bottom = np.zeros(len(trend))
    labels = [f"{p:%Y}-Q{(p.month - 1) // 3 + 1}" for p in trend.index]
    for cls in trend.columns:
        v = trend[cls].to_numpy()
        ax.bar(labels, v, bottom=bottom, label=code_label("class", cls, ctx))
        bottom += v
    ax.legend(frameon=False, ncols=5, loc="upper left", fontsize=8)
    ax.set_ylim(0, bottom.max() * 1.2 if bottom.max() else 1)
    ax.tick_params(axis="x", labelrotation=45)
    return finish(ax, say("chart.feedback_title", ctx), say("chart.quarter", ctx), say("chart.comments", ctx))
