"""Charts of the customer plan (compute and draw apart: these take computed tables)."""

from __future__ import annotations

import pandas as pd

from crmbook.context import Context

from .narrative import say

__all__ = ["plot_budget_curve"]


def plot_budget_curve(curve: pd.DataFrame, budget: float, ctx: Context, *, ax=None):
    """Expected net value of the best plan at each budget (:func:`crmbook.plan.budget_curve`), the chosen
    budget marked. Returns the axes."""
    from crmbook.plots import get_ax

    ax = get_ax(ax, figsize=(7, 3.6))
    ax.plot(curve["budget"], curve["net_value"], marker="o", color="#2b6cb0")
    ax.axvline(float(budget), color="#c05621", linestyle="--", linewidth=1, label=say("chart.curve_chosen", ctx))
    ax.set_title(say("chart.curve_title", ctx))
    ax.set_xlabel(ctx.unit(say("chart.curve_x", ctx)))
    ax.set_ylabel(ctx.unit(say("chart.curve_y", ctx)))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="lower right")
    return ax
