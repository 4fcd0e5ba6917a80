"""Charts of the cost accounting. Each takes ``ax=None``, draws only into it and returns it; titles and
labels come from the catalogue in ``ctx``'s language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crmbook.context import Context

from .narrative import kind_label, say

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_cost_classes", "plot_whale", "plot_profit_distribution", "plot_cac"]


def plot_cost_classes(classes: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Horizontal bars: each cost class's share of the total cost (:func:`crmbook.costing.cost_classes`)."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax, figsize=(8, 3.2))
    labels = [kind_label(k, ctx) for k in classes["kind"]]
    y = np.arange(len(classes))
    ax.barh(y, classes["share"].fillna(0.0), color=[f"C{i}" for i in range(len(classes))])
    for yi, s in zip(y, classes["share"].fillna(0.0), strict=True):
        ax.annotate(f"{s:.1%}", (s, yi), xytext=(4, 0), textcoords="offset points", va="center")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1e-9, float(classes["share"].max())) * 1.2)
    ax.xaxis.set_major_formatter(percent_formatter())
    return finish(ax, say("chart.classes.title", ctx), say("chart.classes.x", ctx), None)


def plot_whale(curve: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """The whale curve: cumulative profit (% of total) against customers ranked by profit, with the peak
    and the 100 % line marked (:func:`crmbook.costing.whale_curve`)."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax)
    x = np.r_[0.0, curve["customer_share"].to_numpy(dtype=float)]
    y = np.r_[0.0, curve["cumulative_share"].to_numpy(dtype=float)]
    ax.plot(x, y, lw=2, color="C0", label=say("chart.whale.curve", ctx))
    ax.axhline(1.0, ls="--", color="grey", lw=1, label=say("chart.whale.total", ctx))
    if len(curve) and np.isfinite(y).any():
        k = int(np.nanargmax(y))
        ax.scatter([x[k]], [y[k]], color="C3", zorder=3)
        ax.annotate(say("chart.whale.peak", ctx, peak=y[k], at=x[k]), (x[k], y[k]), xytext=(10, 8),
                    textcoords="offset points")
        ax.set_ylim(min(0.0, float(np.nanmin(y))) - 0.05, float(np.nanmax(y)) * 1.15)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="lower right")
    return finish(ax, say("chart.whale.title", ctx), say("chart.whale.x", ctx), say("chart.whale.y", ctx))


def plot_profit_distribution(dist: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Bars: customers per profit band, losses in red (:func:`crmbook.costing.profit_distribution`)."""
    from crmbook.plots import finish, get_ax

    ax = get_ax(ax)
    colours = ["C3" if u <= 0 else "C2" for u in dist["upper"]]
    ax.bar(np.arange(len(dist)), dist["customers"], color=colours)
    ax.set_xticks(np.arange(len(dist)), dist["band"], rotation=30, ha="right")
    return finish(ax, say("chart.distribution.title", ctx), ctx.unit(say("chart.distribution.x", ctx)),
                  say("chart.distribution.y", ctx))


def plot_cac(cac_total: pd.DataFrame, retention: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Grouped bars per period: CAC (acquisition spend per new customer) beside the retention cost per
    active customer."""
    from crmbook.plots import finish, get_ax, money_formatter

    ax = get_ax(ax)
    periods = sorted(set(cac_total["period"]) | set(retention["period"]))
    x = np.arange(len(periods))
    c = cac_total.set_index("period")["cac"].reindex(periods)
    r = retention.set_index("period")["retention_cost"].reindex(periods)
    ax.bar(x - 0.2, c.fillna(0.0), width=0.4, label=say("chart.cac.cac", ctx), color="C0")
    ax.bar(x + 0.2, r.fillna(0.0), width=0.4, label=say("chart.cac.retention", ctx), color="C1")
    ax.set_xticks(x, periods)
    ax.yaxis.set_major_formatter(money_formatter(ctx.currency))
    ax.legend()
    return finish(ax, say("chart.cac.title", ctx), say("chart.cac.x", ctx), ctx.unit(say("chart.cac.y", ctx)))
