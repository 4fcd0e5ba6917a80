"""Charts of the ROI topic: each ``plot_*`` takes a computed table and ``ax=None``, draws into it and
returns it (statistics never import matplotlib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.plots import finish, get_ax, money_formatter

from .narrative import say

__all__ = ["plot_clv_methods", "plot_campaign_uplift", "plot_tracking", "plot_ltv_cac"]


def plot_clv_methods(summary: pd.DataFrame, ctx: Context, *, ax=None):
    """Bars: mean CLV per method (:func:`crmbook.roi.clv_summary`)."""
    ax = get_ax(ax)
    labels = [say(f"method.{m}", ctx) for m in summary["method"]]
    ax.bar(labels, summary["mean_clv"], color="#4c72b0")
    ax.yaxis.set_major_formatter(money_formatter(ctx.currency))
    return finish(ax, say("chart.clv_title", ctx), None, ctx.unit(say("chart.clv_y", ctx)))


def plot_campaign_uplift(results: pd.DataFrame, ctx: Context, *, ax=None):
    """Revenue uplift per member with its interval, one point per campaign judged against a control."""
    ax = get_ax(ax)
    ok = results[results["status"] == "ok"]
    y = np.arange(len(ok))
    ax.errorbar(ok["revenue_uplift"], y, xerr=[ok["revenue_uplift"] - ok["revenue_low"],
                                              ok["revenue_high"] - ok["revenue_uplift"]],
                fmt="o", capsize=4, color="#4c72b0")
    ax.axvline(0, color="#888", lw=1)
    ax.set_yticks(y, ok["campaign_id"])
    return finish(ax, say("chart.uplift_title", ctx, conf=results.attrs.get("confidence", 0.95)),
                  ctx.unit(say("chart.uplift_y", ctx)), None)


def plot_tracking(tracking: pd.DataFrame, ctx: Context, *, ax=None):
    """Predicted vs actual holdout purchases per calibration frequency group (:func:`holdout_by_frequency`)."""
    ax = get_ax(ax)
    x = np.arange(len(tracking))
    ax.plot(x, tracking["actual"], "o-", label=say("chart.actual", ctx), color="#4c72b0")
    ax.plot(x, tracking["predicted"], "s--", label=say("chart.predicted", ctx), color="#dd8452")
    ax.set_xticks(x, tracking["frequency_group"])
    ax.legend()
    return finish(ax, say("chart.tracking_title", ctx), say("chart.tracking_x", ctx), say("chart.tracking_y", ctx))


def plot_ltv_cac(table: pd.DataFrame, ctx: Context, *, ax=None):
    """Bars: LTV:CAC per acquisition channel, with the 3:1 line."""
    ax = get_ax(ax)
    t = table.dropna(subset=["ltv_cac"])
    ax.barh(t["acquisition_channel"].astype(str), t["ltv_cac"], color="#55a868")
    ax.axvline(3, color="#c44e52", lw=1, ls="--", label=say("chart.threshold", ctx))
    ax.invert_yaxis()
    if len(t) and t["ltv_cac"].min() > 0 and t["ltv_cac"].max() / t["ltv_cac"].min() > 20:
        ax.set_xscale("log")  # one channel far ahead would flatten the others to nothing
    ax.legend()
    return finish(ax, say("chart.ltv_title", ctx), say("chart.ltv_y", ctx), None)
