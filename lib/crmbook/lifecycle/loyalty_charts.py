"""Charts of the loyalty programme and the customer journey: each ``plot_*`` takes the table its analysis
returned and the context, draws into ``ax`` (a new figure's when None) and returns it. Labels and titles
come from the catalogue in the report language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import catalogue
from crmbook.plots import finish, get_ax, number_formatter, percent_formatter

from .loyalty import PACKAGE

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_tier_movement", "plot_tier_retention", "plot_referral_comparison", "plot_points",
           "plot_journey", "plot_pain_points"]


def _t(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(key, ctx, escape=False, **values)


def _group(code: str, ctx: Context) -> str:
    return _t(f"loyalty.group.{code}", ctx) if code in ("new", "none") else str(code)


def plot_tier_movement(movement: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Heatmap of :func:`~crmbook.lifecycle.loyalty.tier_movement`: customers per (tier then, tier now),
    each cell labelled with its count and its share of the row."""
    import seaborn as sns

    counts = movement.set_index("from_tier").drop(columns="customers")
    shares = counts.div(movement.set_index("from_tier")["customers"].replace(0, np.nan), axis=0)
    labels = np.array([[f"{int(n):,}\n{s:.0%}" if n else "" for n, s in zip(row_n, row_s, strict=True)]
                       for row_n, row_s in zip(counts.to_numpy(), shares.fillna(0).to_numpy(), strict=True)])
    ax = get_ax(ax, figsize=(7.5, 4.5))
    sns.heatmap(shares.fillna(0), annot=labels, fmt="", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax,
                linewidths=0.5, linecolor="white")
    ax.set_yticklabels([_group(c, ctx) for c in counts.index], rotation=0)
    ax.set_xticklabels([_group(c, ctx) for c in counts.columns], rotation=0)
    start = f"{movement.attrs.get('start'):%Y-%m-%d}" if movement.attrs.get("start") is not None else ""
    end = f"{ctx.as_of:%Y-%m-%d}"
    return finish(ax, _t("loyalty.chart.movement_title", ctx, start=start, end=end),
                  _t("loyalty.chart.movement_x", ctx, end=end), _t("loyalty.chart.movement_y", ctx, start=start))


def _rate_bars(ax: Axes, names: list[str], rate: np.ndarray, low: np.ndarray, high: np.ndarray,
               n: np.ndarray, colors: Any = None) -> None:
    x = np.arange(len(names))
    ax.bar(x, rate, color=colors, alpha=0.85)
    ax.errorbar(x, rate, yerr=[rate - low, high - rate], fmt="none", ecolor="#333333", capsize=4, lw=1)
    for i, (r, h, k) in enumerate(zip(rate, high, n, strict=True)):
        ax.annotate(f"{r:.0%}\nn = {int(k):,}", (i, h), xytext=(0, 4), textcoords="offset points", ha="center",
                    va="bottom", fontsize=8)
    ax.set_xticks(x, names)
    ax.set_ylim(0, min(1.0, float(np.nanmax(high)) + 0.15) if len(high) else 1.0)
    ax.yaxis.set_major_formatter(percent_formatter())


def plot_tier_retention(retention: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Bars of :func:`~crmbook.lifecycle.loyalty.tier_retention` with their 95 % intervals and n."""
    ax = get_ax(ax, figsize=(7.0, 4.0))
    r = retention
    _rate_bars(ax, [str(t) for t in r["tier"]], r["retention"].to_numpy(float), r["retention_low"].to_numpy(float),
               r["retention_high"].to_numpy(float), r["active_customers"].to_numpy(), "#4c72b0")
    start = f"{r.attrs.get('start'):%Y-%m-%d}" if r.attrs.get("start") is not None else ""
    return finish(ax, _t("loyalty.chart.retention_title", ctx, start=start), None,
                  _t("loyalty.chart.retention_y", ctx))


def plot_referral_comparison(comparison: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Bars of the first-year repeat rate of referred and other customers
    (:func:`~crmbook.lifecycle.loyalty.referral_comparison`) with their 95 % intervals and n."""
    ax = get_ax(ax, figsize=(6.0, 4.0))
    r = comparison[comparison["referral_group"].isin(["referred", "others"])]
    _rate_bars(ax, [_t(f"loyalty.group.{g}", ctx) for g in r["referral_group"]], r["repeat_rate"].to_numpy(float),
               r["repeat_low"].to_numpy(float), r["repeat_high"].to_numpy(float), r["customers"].to_numpy(),
               ["#55a868", "#8c8c8c"][: len(r)])
    return finish(ax, _t("loyalty.chart.referral_title", ctx), None, _t("loyalty.chart.referral_y", ctx))


def plot_points(monthly: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Points earned (up), redeemed and expired (down) per month of
    :func:`~crmbook.lifecycle.loyalty.points_by_month`, with the outstanding balance as a line."""
    ax = get_ax(ax, figsize=(9.0, 4.5))
    x = np.arange(len(monthly))
    ax.bar(x, monthly["earned"], color="#55a868", label=_t("loyalty.chart.earned", ctx))
    ax.bar(x, -monthly["redeemed"], color="#4c72b0", label=_t("loyalty.chart.redeemed", ctx))
    ax.bar(x, -monthly["expired"], bottom=-monthly["redeemed"], color="#c44e52", label=_t("loyalty.chart.expired", ctx))
    ax.axhline(0, color="#333333", lw=0.8)
    ax.yaxis.set_major_formatter(number_formatter())
    step = max(1, len(x) // 8)
    ax.set_xticks(x[::step], monthly["month"].iloc[::step], rotation=0)
    twin = ax.twinx()
    twin.plot(x, monthly["balance"], color="#333333", lw=1.8, label=_t("loyalty.chart.points_balance", ctx))
    twin.set_ylim(0, max(1.0, float(monthly["balance"].max()) * 1.15))
    twin.yaxis.set_major_formatter(number_formatter())
    twin.set_ylabel(_t("loyalty.chart.points_balance", ctx))
    twin.grid(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4,
              fontsize=8, frameon=False)
    return finish(ax, _t("loyalty.chart.points_title", ctx), None, _t("loyalty.chart.points_y", ctx))


_STAGE_COLORS = ("#8172b3", "#dd8452", "#55a868", "#4c72b0", "#c44e52")


def _label(kind: str, code: Any, ctx: Context) -> str:
    key = f"journey.{kind}.{code}"
    return _t(key, ctx) if key in catalogue(PACKAGE).texts["en"] else str(code)


def plot_journey(summary: pd.DataFrame, ctx: Context, *, stages: tuple[str, ...] | None = None,
                 ax: Axes | None = None) -> Axes:
    """Horizontal bars of the touches per touchpoint (:func:`~crmbook.lifecycle.journey.touchpoint_summary`),
    grouped and coloured by journey stage in journey order, each bar labelled with its touches and, where
    known, its resolved share or response rate."""
    from crmbook.lifecycle.journey import JOURNEY_STAGES

    stages = tuple(stages or JOURNEY_STAGES)
    color = {s: _STAGE_COLORS[i % len(_STAGE_COLORS)] for i, s in enumerate(stages)}
    rows = summary.iloc[::-1]
    ax = get_ax(ax, figsize=(8.0, 0.45 * max(4, len(rows)) + 1.0))
    y = np.arange(len(rows))
    ax.barh(y, rows["touches"], color=[color.get(s, "#999999") for s in rows["journey_stage"]])
    names = [f"{_label('stage', s, ctx)} · {_label('touchpoint', t, ctx)}" for s, t in zip(rows["journey_stage"],
                                                                                           rows["touchpoint"], strict=True)]
    ax.set_yticks(y, names)
    for i, row in enumerate(rows.itertuples(index=False)):
        extra = ""
        if pd.notna(row.resolved_share):
            extra = " · " + _t("journey.chart.resolved", ctx, share=row.resolved_share)
        elif pd.notna(row.response_rate):
            extra = " · " + _t("journey.chart.responded", ctx, share=row.response_rate)
        ax.annotate(f"{int(row.touches):,}{extra}", (row.touches, i), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_xlim(0, float(rows["touches"].max()) * 1.25 if len(rows) else 1)
    ax.xaxis.set_major_formatter(number_formatter())
    return finish(ax, _t("journey.chart.journey_title", ctx), _t("journey.chart.journey_x", ctx), None)


def plot_pain_points(pain: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Dot plot of :func:`~crmbook.lifecycle.journey.pain_points`: per touchpoint and problem, the share of
    customers with no order afterwards after a bad contact and after a good one, with 95 % intervals (the
    comparisons with too few customers are left out)."""
    from crmbook.intervals import wilson_interval

    rows = pain[pain["verdict"] != "too_few"].iloc[::-1]
    ax = get_ax(ax, figsize=(8.0, 0.55 * max(3, len(rows)) + 1.2))
    y = np.arange(len(rows))
    for offset, prefix, color, key in ((0.12, "bad", "#c44e52", "journey.chart.bad"),
                                       (-0.12, "good", "#4c72b0", "journey.chart.good")):
        rate = rows[f"{prefix}_rate"].to_numpy(float)
        ci = np.array([wilson_interval(k, n) for k, n in zip(rows[f"{prefix}_inactive"], rows[f"{prefix}_customers"],
                                                               strict=True)]).reshape(-1, 2)
        ax.errorbar(rate, y + offset, xerr=[rate - ci[:, 0], ci[:, 1] - rate] if len(rows) else None, fmt="o",
                    color=color, capsize=3, label=_t(key, ctx))
    names = [f"{_label('touchpoint', t, ctx)} · {_label('problem', p, ctx)}"
             + (" ★" if v == "pain_point" else "") for t, p, v in zip(rows["touchpoint"], rows["problem"],
                                                                     rows["verdict"], strict=True)]
    ax.set_yticks(y, names)
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
    days = pain.attrs.get("window_days", "")
    return finish(ax, _t("journey.chart.pain_title", ctx, days=days), _t("journey.chart.pain_x", ctx), None)
