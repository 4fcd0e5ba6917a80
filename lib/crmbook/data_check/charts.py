"""Charts of the data check: rows used and set aside, monthly activity, order values.

Each ``plot_*`` function takes the table to draw, the report context ``ctx`` (titles and axis labels
come from the package catalogue in ``ctx``'s language, money axes carry its currency) and ``ax=None``;
it draws only into that axes and returns it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from crmbook.context import Context
from crmbook.language import catalogue

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_monthly_activity", "plot_order_values", "plot_reconciliation"]


def _label(key: str, ctx: Context, **values) -> str:
    return catalogue("crmbook.data_check").say(f"chart.{key}", ctx, escape=False, **values)


def _drop_hidden_minor_ticks(axis) -> None:
    """Remove the minor ticks of a log or symlog ``axis`` when none of them would show.

    Log scales place up to eight minor ticks per decade, and matplotlib builds and lays out a tick
    (mark, grid line, label) for each at every draw even when all of it is hidden: the crmbook theme
    draws no tick marks (``xtick.bottom`` off) and no minor grid, and minor labels are blank unless the
    axis spans about a decade or less. On the order-value chart that was a quarter of its drawing
    time. Minor ticks that show anything are kept. Call this after the last artist is added: whether
    minor labels show depends on the axis limits.
    """
    from matplotlib.ticker import NullLocator

    locs = axis.get_minorticklocs()
    if not len(locs):
        return
    tick = axis.get_minor_ticks(1)[0]
    if tick.tick1line.get_visible() or tick.tick2line.get_visible() or tick.gridline.get_visible():
        return
    if (tick.label1.get_visible() or tick.label2.get_visible()) and any(
            axis.get_minor_formatter().format_ticks(locs)):
        return
    axis.set_minor_locator(NullLocator())


def plot_monthly_activity(activity: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Bars of monthly revenue with the number of active customers as a line on a second axis.

    ``activity`` is the table of :func:`~crmbook.data_check.activity.monthly_activity`.
    """
    from crmbook.plots import finish, get_ax, money_formatter

    ax = get_ax(ax, figsize=(9, 4))
    labels = activity["month"].astype(str).tolist()
    # bars at positions 0..n-1 with the months as tick labels: what a categorical axis of month
    # names draws, without matplotlib's per-label category bookkeeping
    positions = range(len(labels))
    ax.bar(positions, activity["revenue"], color="#4c72b0", label=_label("activity.revenue_legend", ctx))
    ax.yaxis.set_major_formatter(money_formatter(ctx.currency))
    step = max(1, len(labels) // 12)
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    twin = ax.twinx()
    twin.plot(positions, activity["customers"], color="#dd8452", marker=".",
              label=_label("activity.customers_legend", ctx))
    twin.set_ylabel(_label("activity.customers_axis", ctx))
    twin.grid(False)
    ax.figure.legend(loc="upper left", bbox_to_anchor=(0.1, 0.9))
    return finish(ax, _label("activity.title", ctx), _label("activity.x", ctx),
                  ctx.unit(_label("activity.revenue_axis", ctx)))


def plot_order_values(orders: pd.DataFrame, ctx: Context, *, revenue_col: str = "revenue",
                      ax: Axes | None = None) -> Axes:
    """Histogram of order values on a log scale (order values are skewed: a few orders are very large)."""
    import numpy as np

    from crmbook.plots import finish, get_ax, number_formatter

    ax = get_ax(ax, figsize=(8, 3.5))
    values = orders[revenue_col].astype(float)
    positive = values[values > 0]
    if positive.empty:
        ax.text(0.5, 0.5, _label("order_values.none", ctx), ha="center", transform=ax.transAxes)
    else:
        # widen the edges a little so the smallest and largest orders fall inside the outer bins
        bins = np.logspace(np.log10(positive.min() * 0.999), np.log10(positive.max() * 1.001), 40)
        ax.hist(positive, bins=bins, color="#4c72b0")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(number_formatter())
        median = positive.median()
        ax.axvline(median, color="#c44e52", linestyle="--",
                   label=_label("order_values.median", ctx, median=f"{median:,.0f}"))
        ax.legend()
        _drop_hidden_minor_ticks(ax.xaxis)
    unit = _label("order_values.unit_money" if ctx.currency else "order_values.unit", ctx,
                  currency=ctx.currency)
    return finish(ax, _label("order_values.title", ctx), _label("order_values.x", ctx) + unit,
                  _label("order_values.y", ctx))


def plot_reconciliation(overview: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Stacked bars of rows used and rows rejected per present table; the tables with rows set aside say
    how many beside their bar (a few rows of thousands do not show on the log scale).

    ``overview`` is the table of :func:`~crmbook.data_check.overview.tables_overview`.
    """
    from crmbook.plots import finish, get_ax, number_formatter

    ax = get_ax(ax, figsize=(8, 3.5))
    shown = overview[overview["present"]]
    # bars at positions 0..n-1 labelled with the table names: what a categorical axis draws
    positions = range(len(shown))
    ax.barh(positions, shown["rows_used"], color="#55a868", label=_label("reconciliation.used", ctx))
    ax.barh(positions, shown["rows_rejected"], left=shown["rows_used"], color="#c44e52",
            label=_label("reconciliation.rejected", ctx))
    ax.set_xscale("symlog")
    ax.xaxis.set_major_formatter(number_formatter())  # 10, 100, 1k rather than 10^1, 10^2, 10^3
    ax.set_yticks(positions, shown["table"].tolist())  # after set_xscale: it fixes the margins
    # a few rows set aside of thousands read are too thin a bar on a log scale: say how many beside it
    for pos, (used, rejected) in enumerate(zip(shown["rows_used"], shown["rows_rejected"], strict=True)):
        if rejected:
            ax.annotate(_label("reconciliation.note", ctx, rows=f"{int(rejected):,}"), (used + rejected, pos),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=8, color="#c44e52")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    _drop_hidden_minor_ticks(ax.xaxis)
    return finish(ax, _label("reconciliation.title", ctx), _label("reconciliation.x", ctx), None)
