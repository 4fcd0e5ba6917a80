"""Charts of the lifecycle: each ``plot_*`` draws one analysis table into ``ax`` (a new figure when ``None``)
and returns it. Titles, axis labels, legends and stage names come from the package's catalogue and playbooks
in ``ctx``'s language; matplotlib is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import catalogue

from .narrative import PACKAGE, stage_label
from .stages import PHASES, STAGE_PHASE, STAGES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PHASE_COLOURS", "plot_stages", "plot_flow", "plot_cohort_heatmap", "plot_retention_curves",
           "plot_survival", "plot_p_alive"]

#: One colour per lifecycle phase (introduction, growth, maturity, decline).
PHASE_COLOURS: dict[str, str] = {"introduction": "#8da0cb", "growth": "#66c2a5", "maturity": "#1b7837",
                                 "decline": "#d95f02"}
_STAGE_COLOURS = {"prospect": "#b3c1e0", "new": "#8da0cb", "repeat": "#66c2a5", "won_back": "#a6d854",
                  "loyal": "#1b7837", "at_risk": "#fc8d62", "lapsed": "#b2182b"}


def _text(key: str, ctx: Context, **values: Any) -> str:
    return catalogue(PACKAGE).say(key, ctx, escape=False, **values)


def plot_stages(summary: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Customers per stage as horizontal bars in flow order, coloured by the four phases, with counts."""
    from matplotlib.patches import Patch

    from crmbook.plots import finish, get_ax, number_formatter

    ax = get_ax(ax, figsize=(8.0, 3.8))
    s = summary.set_index("stage").reindex(list(STAGES)).fillna({"customers": 0})
    y = np.arange(len(s))[::-1]
    colours = [PHASE_COLOURS[STAGE_PHASE[st]] for st in s.index]
    ax.barh(y, s["customers"].to_numpy(dtype=float), color=colours)
    ax.set_yticks(y, [stage_label(st, ctx) for st in s.index])
    top = float(s["customers"].max()) or 1.0
    for yi, n in zip(y, s["customers"].to_numpy(dtype=float), strict=True):
        ax.text(n + top * 0.01, yi, f"{n:,.0f}", va="center", fontsize=9)
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_formatter(number_formatter())
    ax.legend(handles=[Patch(color=PHASE_COLOURS[p], label=_text(f"phase.{p}", ctx)) for p in PHASES],
              loc="upper right", fontsize=8, frameon=False)
    ax.grid(axis="y", visible=False)
    return finish(ax, _text("chart.stages.title", ctx), _text("chart.stages.x", ctx))


def plot_flow(matrix: pd.DataFrame, ctx: Context, *, ax: Axes | None = None, min_share: float = 0.004) -> Axes:
    """The customer flow as an alluvial (Sankey-like) chart: stages at the start on the left, at the end on the
    right, each band as wide as the customers moving between them; new sign-ups enter from the left below.

    Bands under ``min_share`` of all customers are not drawn (their stages' bars still count them).
    """
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    from crmbook.plots import get_ax

    ax = get_ax(ax, figsize=(10.0, 7.0))
    joined = matrix.attrs.get("joined", pd.Series(0, index=matrix.columns)).reindex(matrix.columns, fill_value=0)
    order = list(STAGES)
    left = matrix.sum(axis=1).reindex(order, fill_value=0).astype(float)
    left_all = pd.concat([left, pd.Series({"_joined": float(joined.sum())})])
    right = (matrix.sum(axis=0).reindex(order, fill_value=0) + joined).astype(float)
    total = float(left_all.sum()) or 1.0
    gap = total * 0.015

    def stack(sizes: pd.Series) -> dict[str, float]:
        pos, y = {}, total + gap * len(sizes)
        for k, v in sizes.items():
            y -= v
            pos[k] = y
            y -= gap
        return pos

    lpos, rpos = stack(left_all), stack(right)
    x0, x1, w = 0.0, 1.0, 0.06
    lcur = dict(lpos)
    rcur = {k: v + right[k] for k, v in rpos.items()}
    flows = [(a, b, float(matrix.loc[a, b])) for a in order for b in order]
    flows += [("_joined", b, float(joined[b])) for b in order]
    for a in list(order) + ["_joined"]:
        lcur[a] = lpos[a] + left_all[a]
    for a, b, n in flows:
        if n <= 0:
            continue
        ytop_l = lcur[a]
        lcur[a] -= n
        ytop_r = rcur[b]
        rcur[b] -= n
        if n < min_share * total:
            continue
        xm = (x0 + w + x1) / 2
        verts = [(x0 + w, ytop_l), (xm, ytop_l), (xm, ytop_r), (x1, ytop_r), (x1, ytop_r - n),
                 (xm, ytop_r - n), (xm, ytop_l - n), (x0 + w, ytop_l - n), (x0 + w, ytop_l)]
        codes = [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4, Path.LINETO, Path.CURVE4, Path.CURVE4,
                 Path.CURVE4, Path.CLOSEPOLY]
        colour = "#bbbbbb" if a == "_joined" else _STAGE_COLOURS[b]
        ax.add_patch(PathPatch(Path(verts, codes), facecolor=colour, edgecolor="none", alpha=0.45))
    names = {s: stage_label(s, ctx) for s in order} | {"_joined": _text("chart.flow.joined", ctx)}
    for k, v in left_all.items():
        if v <= 0:
            continue
        ax.add_patch(_rect(x0, lpos[k], w, v, "#888888" if k == "_joined" else _STAGE_COLOURS[k]))
        ax.text(x0 - 0.01, lpos[k] + v / 2, f"{names[k]}  {v:,.0f}", ha="right", va="center", fontsize=9)
    for k, v in right.items():
        if v <= 0:
            continue
        ax.add_patch(_rect(x1, rpos[k], w, v, _STAGE_COLOURS[k]))
        ax.text(x1 + w + 0.01, rpos[k] + v / 2, f"{names[k]}  {v:,.0f}", ha="left", va="center", fontsize=9)
    a = matrix.attrs
    ax.text(x0 + w / 2, total + gap * (len(left_all) + 1), f"{pd.Timestamp(a['start']):%Y-%m-%d}", ha="center",
            fontweight="bold")
    ax.text(x1 + w / 2, total + gap * (len(left_all) + 1), f"{pd.Timestamp(a['end']):%Y-%m-%d}", ha="center",
            fontweight="bold")
    ax.set_xlim(-0.45, 1.5)
    ax.set_ylim(0, total + gap * (len(left_all) + 3))
    ax.axis("off")
    ax.set_title(_text("chart.flow.title", ctx, start=f"{pd.Timestamp(a['start']):%Y-%m-%d}",
                       end=f"{pd.Timestamp(a['end']):%Y-%m-%d}"), pad=14)
    return ax


def _rect(x: float, y: float, w: float, h: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="white", lw=0.5)


def plot_cohort_heatmap(table: pd.DataFrame, ctx: Context, *, kind: str = "customers", max_months: int = 24,
                        ax: Axes | None = None) -> Axes:
    """A cohort table (cohorts × months since first purchase) as a heatmap; month 0 (100% by definition) is
    left out so the colour scale shows the months that differ; unobserved cells are blank."""
    from crmbook.plots import get_ax, percent_formatter

    if kind not in ("customers", "revenue"):
        raise ValueError(f"kind must be 'customers' or 'revenue', got {kind!r}")
    ax = get_ax(ax, figsize=(9.0, 6.5))
    cols = [c for c in table.columns if 1 <= int(c) <= max_months]
    data = table[cols].to_numpy(dtype=float)
    finite = data[np.isfinite(data)]
    vmax = float(np.quantile(finite, 0.98)) if finite.size else 1.0
    im = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap="YlGnBu", vmin=0, vmax=vmax or 1.0,
                   interpolation="nearest")
    step = max(1, len(table) // 16)
    ax.set_yticks(range(0, len(table), step), list(table.index[::step]), fontsize=8)
    ax.set_xticks(range(0, len(cols), 3), [str(c) for c in cols[::3]])
    ax.grid(False)
    bar = ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02, format=percent_formatter())
    bar.set_label(_text(f"chart.cohort.scale_{kind}", ctx))
    ax.set_title(_text(f"chart.cohort.{kind}", ctx))
    ax.set_xlabel(_text("chart.cohort.x", ctx))
    ax.set_ylabel(_text("chart.cohort.y", ctx))
    return ax


def plot_retention_curves(curves: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Average customer retention by month since first purchase, one line per group, its n in the legend."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax)
    after = curves[curves["month"] >= 1]
    for g, part in after.groupby("group", sort=True):
        ax.plot(part["month"], part["retention"], marker="o", ms=3, lw=1.6,
                label=_text("chart.curves.legend", ctx, group=g, n=int(part["customers"].iloc[0])))
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_ylim(0, None)
    ax.legend(fontsize=8, frameon=False, ncols=2)
    return finish(ax, _text("chart.curves.title", ctx), _text("chart.cohort.x", ctx), _text("chart.curves.y", ctx))


def plot_survival(curve: pd.DataFrame, groups: Mapping[str, pd.DataFrame], ctx: Context, *,
                  ax: Axes | None = None) -> Axes:
    """Kaplan–Meier curves: all customers (black, with its 95% band) and each group with its band, the 0.5
    line and the overall median marked."""
    from crmbook.plots import finish, get_ax, percent_formatter

    ax = get_ax(ax, figsize=(9.0, 5.0))

    def draw(c: pd.DataFrame, label: str, colour: Any = None, lw: float = 1.4) -> None:
        t = np.r_[0.0, c["time"].to_numpy(dtype=float)]
        s = np.r_[1.0, c["survival"].to_numpy(dtype=float)]
        lo = np.r_[1.0, c["lower"].to_numpy(dtype=float)]
        hi = np.r_[1.0, c["upper"].to_numpy(dtype=float)]
        (line,) = ax.step(t, s, where="post", lw=lw, color=colour, label=label)
        ax.fill_between(t, lo, hi, step="post", alpha=0.12, color=line.get_color(), lw=0)

    for g, c in groups.items():
        draw(c, _text("chart.survival.legend", ctx, group=g, n=c.attrs["n"]))
    draw(curve, _text("chart.survival.all", ctx, n=curve.attrs["n"]), colour="black", lw=2.2)
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    med = curve.attrs.get("median", float("nan"))
    if np.isfinite(med):
        ax.axvline(med, color="black", lw=0.8, ls=":")
        ax.text(med, 0.52, f" {_text('chart.survival.median', ctx)} {med:,.0f}", fontsize=8, va="bottom")
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, None)
    ax.legend(fontsize=8, frameon=False, ncols=2, loc="lower left")
    return finish(ax, _text("chart.survival.title", ctx), _text("chart.survival.x", ctx), _text("chart.survival.y", ctx))


def plot_p_alive(agreement: pd.DataFrame, ctx: Context, *, ax: Axes | None = None) -> Axes:
    """Buying customers per rule-based stage, split by P(alive) band (stacked bars)."""
    from crmbook.plots import finish, get_ax, number_formatter

    ax = get_ax(ax, figsize=(8.0, 3.8))
    a = agreement.set_index("stage")
    y = np.arange(len(a))[::-1]
    left = np.zeros(len(a))
    for band, colour in (("low", "#b2182b"), ("middle", "#fdb863"), ("high", "#1b7837")):
        v = a[band].to_numpy(dtype=float)
        ax.barh(y, v, left=left, color=colour, label=_text(f"band.{band}", ctx))
        left += v
    ax.set_yticks(y, [stage_label(s, ctx) for s in a.index])
    ax.xaxis.set_major_formatter(number_formatter())
    ax.set_xlim(0, float(left.max() or 1) * 1.05)
    ax.legend(fontsize=8, frameon=False, loc="upper right")
    ax.grid(axis="y", visible=False)
    return finish(ax, _text("chart.palive.title", ctx), _text("chart.palive.x", ctx))
