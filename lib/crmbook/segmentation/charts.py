"""Charts of the segmentation: each ``plot_*`` draws one analysis table into ``ax`` (a new figure when
``None``) and returns it. Titles, axis labels, legends and group names come from the package's catalogue
and playbooks in ``ctx``'s language; matplotlib is imported inside the functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import catalogue

from .abc import ABC_TOP_SHARE
from .clusters import CLUSTER_SEED
from .narrative import PACKAGE, cluster_label, dimension_label, group_label, orientation_label
from .penetration import ALL_REGIONS
from .psychographic import NO_PREFERENCE
from .target import TARGET_DORMANT, TARGET_PLAYBOOK, TARGET_QUADRANTS, TARGET_SPLIT

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_pareto",
    "plot_segments",
    "plot_silhouette",
    "plot_cluster_profile",
    "plot_target_matrix",
    "plot_orientations",
    "plot_penetration",
    "plot_demographic",
    "plot_demographics",
]


def _text(key: str, ctx: Context, **values: Any) -> str:
    # chart text is not Markdown: values are shown as they are
    return catalogue(PACKAGE).say(key, ctx, escape=False, **values)


def _money_label(key: str, ctx: Context) -> str:
    return ctx.unit(_text(key, ctx))


def plot_pareto(curve: pd.DataFrame, ctx: Context, *, top_share: float = ABC_TOP_SHARE,
                ax: Axes | None = None) -> Axes:
    """Pareto chart: cumulative share of revenue against share of customers (largest first), with the
    diagonal of perfect equality and the top-``top_share`` point marked."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax)
    x = np.r_[0.0, curve["customer_share"].to_numpy(dtype=float)]
    y = np.r_[0.0, curve["revenue_share"].to_numpy(dtype=float)]
    ax.plot(x, y, lw=2, label=_text("chart.pareto.curve", ctx))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label=_text("chart.pareto.equal", ctx))
    if len(curve):
        k = math.ceil(top_share * len(curve) - 1e-9)
        px, py = float(x[k]), float(y[k])
        ax.plot([px, px, 0], [0, py, py], ls=":", color="C3", lw=1)
        ax.scatter([px], [py], color="C3", zorder=3)
        ax.annotate(_text("chart.pareto.note", ctx, top_share=top_share, share=py), (px, py),
                    xytext=(12, -30), textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="lower right")
    return finish(ax, _text("chart.pareto.title", ctx), _text("chart.pareto.x", ctx), _text("chart.pareto.y", ctx))


def plot_segments(summary: pd.DataFrame, ctx: Context, *, title: str | None = None,
                  ax: Axes | None = None) -> Axes:
    """Horizontal bars of each segment's share of customers and share of revenue (a
    :func:`crmbook.segmentation.segment_summary`); ``title`` defaults to the RFM title."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax, figsize=(8.0, 0.45 * len(summary) + 1.5))
    y = np.arange(len(summary))
    h = 0.4
    ax.barh(y - h / 2, summary["customer_share"], height=h, label=_text("chart.segments.customers", ctx))
    ax.barh(y + h / 2, summary["revenue_share"].fillna(0), height=h, label=_text("chart.segments.revenue", ctx))
    ax.set_yticks(y, [group_label(s, ctx) for s in summary["segment"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="lower right")
    return finish(ax, title or _text("chart.segments.title", ctx), _text("chart.share", ctx), None)


def plot_silhouette(silhouette: pd.DataFrame, ctx: Context, *, chosen: int | None = None,
                    ax: Axes | None = None) -> Axes:
    """Mean silhouette per number of clusters (``BehaviourClusters.silhouette_``), the chosen k marked."""
    from crmbook.plots import finish, get_ax

    ax = get_ax(ax, figsize=(6.0, 3.5))
    ax.plot(silhouette["k"], silhouette["silhouette"], marker="o")
    if chosen is not None:
        s = float(silhouette.set_index("k").loc[chosen, "silhouette"])
        ax.scatter([chosen], [s], s=120, facecolors="none", edgecolors="C3", lw=2, zorder=3,
                   label=_text("chart.silhouette.chosen", ctx, k=chosen))
        ax.legend()
    ax.set_xticks(silhouette["k"])
    return finish(ax, _text("chart.silhouette.title", ctx), _text("chart.silhouette.x", ctx),
                  _text("chart.silhouette.y", ctx))


def plot_cluster_profile(profile: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Heatmap of the clusters' standardized profiles (colour: mean z of the log feature; text: the
    plain mean in its unit)."""
    import seaborn as sns

    from crmbook.plots import finish, get_ax

    zcols = [c for c in profile.columns if c.startswith("z_")]
    feats = [c[2:] for c in zcols]
    ax = get_ax(ax, figsize=(8.0, 0.6 * len(profile) + 1.8))
    z = profile[zcols].astype(float)
    days = _text("chart.profile.days_unit", ctx)
    units = {"recency_days": "{:,.0f} " + days, "frequency": "{:,.1f}",
             "monetary": "{:,.0f}" + (f" {ctx.currency}" if ctx.currency else ""), "tenure_days": "{:,.0f} " + days}
    annot = np.array([[units.get(f, "{:,.1f}").format(profile.loc[i, f"mean_{f}"]) for f in feats]
                      for i in profile.index])
    names = profile["name"] if "name" in profile.columns else pd.Series("", index=profile.index)
    labels = [f"{i} {cluster_label(name, ctx)} ({int(n)})" if name else f"{i} ({int(n)})"
              for i, name, n in zip(profile.index, names, profile["customers"], strict=True)]
    sns.heatmap(z.to_numpy(), annot=annot, fmt="", cmap="RdBu_r", center=0, vmin=-2, vmax=2, ax=ax,
                xticklabels=[_text(f"chart.profile.feature.{f}", ctx) if f in units else f for f in feats],
                yticklabels=labels, cbar_kws={"label": _text("chart.profile.colour", ctx)})
    ax.tick_params(axis="y", rotation=0)
    return finish(ax, _text("chart.profile.title", ctx), None, _text("chart.profile.y", ctx))


def plot_target_matrix(matrix: pd.DataFrame, ctx: Context, *, max_points: int = 3000, seed: int = CLUSTER_SEED,
                       ax: Axes | None = None) -> Axes:
    """Scatter of the target matrix: value percentile (x) against attractiveness (y), one colour per
    quadrant, shaded quadrants with their name, size and share of buying customers, the split of
    ``matrix.attrs["split"]``, and a note on the customers without revenue in the last 12 months (not on
    the matrix). Above ``max_points`` customers a seeded sample is drawn (the counts stay those of all), so
    the chart reads the same at 4,000 and at 100,000 customers."""
    from crmbook.plots import finish, get_ax

    split = float(matrix.attrs.get("split", TARGET_SPLIT))
    ax = get_ax(ax, figsize=(7.5, 6.5))
    on = matrix[matrix["quadrant"] != TARGET_DORMANT]
    m = on if len(on) <= max_points else on.sample(max_points, random_state=seed)
    size = 10 if len(m) < 1500 else 5
    colours = {"focus": "C2", "opportunistic": "C0", "passive": "C1", "abandon": "C7"}
    for (hv, ha), name in TARGET_QUADRANTS.items():
        x0, x1 = (split, 1) if hv else (0, split)
        y0, y1 = (split, 1) if ha else (0, split)
        ax.axhspan(y0, y1, xmin=x0, xmax=x1, color=colours[name], alpha=0.08, lw=0)
        part = m[m["quadrant"] == name]
        ax.scatter(part["value"], part["attractiveness"], s=size, alpha=0.45, color=colours[name], lw=0)
        n = int((matrix["quadrant"] == name).sum())
        ax.text(0.99 if hv else 0.01, 0.99 if ha else 0.01,
                _text("chart.target.corner", ctx, quadrant=TARGET_PLAYBOOK.label(name, ctx), n=n,
                      share=n / len(matrix) if len(matrix) else 0.0),
                transform=ax.transAxes, ha="right" if hv else "left", va="top" if ha else "bottom",
                fontweight="bold", color="black",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": colours[name], "boxstyle": "round"})
    ax.axvline(split, color="black", lw=1)
    ax.axhline(split, color="black", lw=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    dormant = int((matrix["quadrant"] == TARGET_DORMANT).sum())
    if dormant:
        ax.annotate(_text("chart.target.dormant", ctx, n=dormant, share=dormant / len(matrix)),
                    xy=(0.5, -0.16), xycoords="axes fraction", ha="center", va="top", fontsize=9)
    return finish(ax, _text("chart.target.title", ctx), _text("chart.target.x", ctx), _text("chart.target.y", ctx))


def plot_orientations(by_segment: pd.DataFrame, ctx: Context, *, segment_col: str = "segment",
                      ax: Axes | None = None) -> Axes:
    """100 % bars of the value orientations per behavioural segment (a
    :func:`crmbook.segmentation.orientation_by_segment`; the row ``"all"`` drawn last, apart), each bar
    labelled with its surveyed customers; *no clear preference* in grey."""
    from crmbook.plots import finish, get_ax, percent_formatter

    require = [segment_col, "customers"]
    missing = [c for c in require if c not in by_segment.columns]
    if missing:
        raise ValueError(f"by_segment: column(s) {missing} missing (expected orientation_by_segment's table)")
    ax = get_ax(ax, figsize=(8.5, 0.42 * len(by_segment) + 2.0))
    kinds = [c for c in by_segment.columns if c not in require]
    y = np.arange(len(by_segment))
    left = np.zeros(len(by_segment))
    for i, kind in enumerate(kinds):
        width = by_segment[kind].to_numpy(dtype=float)
        colour = "#c8c8c8" if kind == NO_PREFERENCE else f"C{i}"
        ax.barh(y, width, left=left, color=colour, label=orientation_label(kind, ctx), height=0.7)
        left += width
    names = [_text("chart.psycho.all", ctx) if s == "all" else group_label(s, ctx) for s in by_segment[segment_col]]
    ax.set_yticks(y, [f"{n} ({int(c):,})" for n, c in zip(names, by_segment["customers"], strict=True)])
    if len(by_segment) > 1 and by_segment[segment_col].iloc[-1] == "all":
        ax.axhline(len(by_segment) - 1.5, color="black", lw=1)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(kinds), 5), frameon=False)
    ax.grid(False, axis="y")
    return finish(ax, _text("chart.psycho.title", ctx), _text("chart.psycho.x", ctx), None)


def plot_penetration(penetration: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Bars of penetration and market share per region (a :func:`crmbook.segmentation.market_penetration`,
    total row left out)."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax)
    p = penetration[penetration["region"] != ALL_REGIONS]
    x = np.arange(len(p))
    w = 0.4
    ax.bar(x - w / 2, p["penetration"].fillna(0), width=w, label=_text("chart.penetration.penetration", ctx))
    ax.bar(x + w / 2, p["market_share"].fillna(0), width=w, label=_text("chart.penetration.market_share", ctx))
    ax.set_xticks(x, p["region"].astype(str))
    top = float(np.nanmax([p["penetration"].max(), p["market_share"].max(), 0.0]))
    if top > 0:
        ax.set_ylim(0, top * 1.3)  # room for the legend
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.legend()
    return finish(ax, _text("chart.penetration.title", ctx), _text("chart.penetration.x", ctx), _text("chart.share", ctx))


def plot_demographic(summary: pd.DataFrame, by: str, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Bars of revenue per customer per value of a demographic dimension (a
    :func:`crmbook.segmentation.demographic_summary`), labelled with the share of customers."""
    from crmbook.plots import finish, get_ax, money_formatter

    ax = get_ax(ax, figsize=(6.0, 3.5))
    x = np.arange(len(summary))
    bars = ax.bar(x, summary["revenue_per_customer"])
    ax.bar_label(bars, labels=[f"{s:.0%}" if s >= 0.01 else f"{s:.1%}" for s in summary["customer_share"]],
                 padding=2, fontsize=8)
    names = summary[by].astype(str)
    tilt = len(summary) > 5 or names.str.len().max() > 7
    ax.set_xticks(x, names, rotation=30 if tilt else 0, ha="right" if tilt else "center")
    ax.yaxis.set_major_formatter(money_formatter(ctx.currency))
    label = dimension_label(by, ctx)
    return finish(ax, _text("chart.demographic.title", ctx, dimension=label),
                  label[:1].upper() + label[1:], _money_label("chart.demographic.y", ctx))


def plot_demographics(tables: Mapping[str, pd.DataFrame], ctx: Context, *, ncols: int = 2,
                      axes: Sequence[Axes] | None = None) -> Figure:
    """A grid of :func:`plot_demographic` charts, one per dimension of ``tables`` (e.g.
    :func:`crmbook.segmentation.demographic_summaries`), under a common title.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Dimension -> its demographic summary; at least one.
    ncols : int
        Charts per row of a new figure.
    axes : sequence of Axes, optional
        Draw into these (at least one per dimension) instead of a new figure; the figure's layout is left
        alone and no common title is added.

    Returns
    -------
    Figure
        The figure holding the charts.
    """
    if not tables:
        raise ValueError("tables: no demographic summary to draw (no demographic column in customers?)")
    if axes is None:
        from crmbook.plots import new_figure

        nrows = math.ceil(len(tables) / int(ncols))
        fig, grid = new_figure(nrows, int(ncols), figsize=(4.75 * int(ncols), 3.6 * nrows), squeeze=False)
        targets = list(grid.flat)
        for ax in targets[len(tables):]:
            ax.set_visible(False)
    else:
        targets = list(axes)
        if len(targets) < len(tables):
            raise ValueError(f"axes: {len(tables)} charts need {len(tables)} axes, got {len(targets)}")
        fig = targets[0].figure
    for ax, (dim, table) in zip(targets, tables.items(), strict=False):
        plot_demographic(table, dim, ctx, ax=ax)
        label = dimension_label(dim, ctx)
        ax.set_title(_text("chart.demographic.panel", ctx, dimension=label[:1].upper() + label[1:]), fontsize=10)
    if axes is None:
        fig.suptitle(_text("chart.demographic.suptitle", ctx, unit=f" ({ctx.currency})" if ctx.currency else ""),
                     fontweight="bold")
        fig.tight_layout()  # adapts to the group names of any data (fixed spacing saved only ~0.1 s)
    return fig
