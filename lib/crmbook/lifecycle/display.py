"""Tables of the lifecycle as a reader sees them: codes in words, human headers, values by kind.

Analysis frames hold codes (stage ``at_risk``, phase ``decline``, action ``win_back``, channel ``sms``, rate
``retention``); :func:`readable` turns them into the report language's words at display time and
:func:`table` shows the result with the column kinds and labels of ``text/columns.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context, language_of
from crmbook.language import catalogue, escape_text, placeholders
from crmbook.tables import format_table, map_distinct, require_columns

from .actions import STAGE_PLAYBOOK
from .narrative import PACKAGE, action_label, channel_label, money, phase_label, say, stage_label
from .stages import STAGE_PHASE, STAGES
from .survival import survival_at

__all__ = ["readable", "table", "rates_display", "transition_display", "plan_display", "strategy_table",
           "survival_table", "phase_display", "plan_summary_display",
           "plan_preview"]


def readable(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """A copy of ``df`` with its code columns in words: ``stage``/``from``, ``phase``, ``action``, ``channel``
    and ``rate`` (with its definition beside it when ``definition`` is missing)."""
    out = df.copy()
    for col in ("stage", "from"):
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v: stage_label(v, ctx))
    if "phase" in out.columns:
        out["phase"] = map_distinct(out["phase"], lambda v: phase_label(v, ctx))
    if "action" in out.columns:
        out["action"] = map_distinct(out["action"], lambda v: action_label(v, ctx))
    if "channel" in out.columns:
        out["channel"] = map_distinct(out["channel"], lambda v: channel_label(v, ctx))
    if "rate" in out.columns:
        out.insert(out.columns.get_loc("rate") + 1, "definition", df["rate"].map(
            lambda v: say(f"rate_definition.{v}", ctx)))
        out["rate"] = map_distinct(df["rate"], lambda v: say(f"rate.{v}", ctx))
    return out


def table(df: pd.DataFrame, ctx: Context, **options: Any):
    """``df`` shown to a reader: :func:`readable`, then :func:`crmbook.tables.format_table` with this topic's
    column kinds and labels (``options`` go to it)."""
    return format_table(readable(df, ctx), ctx, package=PACKAGE, **options)


def rates_display(rates_table: pd.DataFrame, ctx: Context):
    """:func:`crmbook.lifecycle.rates_table` with each rate's name and exact definition."""
    return table(rates_table, ctx)


def transition_display(matrix: pd.DataFrame, ctx: Context, *, rates: bool = False):
    """A transition matrix (or its rates) with stage names as row and column headers and the row total."""
    out = matrix.copy()
    if not rates:
        out["customers"] = matrix.sum(axis=1)
    out = out.rename(columns={s: stage_label(s, ctx) for s in STAGES})
    out = out.rename_axis(None, axis=1).reset_index().rename(columns={"index": "from"})
    kinds = {stage_label(s, ctx): ("share" if rates else "count") for s in STAGES}
    return table(out, ctx, kinds=kinds)


def phase_display(matrix: pd.DataFrame, ctx: Context):
    """:func:`crmbook.lifecycle.phase_matrix` of a transition matrix with the phases' names as row and column
    headers."""
    from .flow import phase_matrix

    out = phase_matrix(matrix)
    names = {p: phase_label(p, ctx) for p in out.columns}
    out = out.rename(columns=names).rename_axis(None, axis=1)
    out.insert(0, "phase", [phase_label(p, ctx) for p in out.index])
    return format_table(out.reset_index(drop=True), ctx, package=PACKAGE, kinds={n: "count" for n in names.values()})


def plan_summary_display(summary: pd.DataFrame, ctx: Context):
    """:func:`crmbook.lifecycle.plan_summary` with each action's name, channel and what to do
    (:data:`crmbook.lifecycle.ACTION_PLAYBOOK`)."""
    from .actions import ACTION_PLAYBOOK

    out = summary.copy()
    out["what_to_do"] = [ACTION_PLAYBOOK.action(a, ctx) for a in summary["action"]]
    return table(out, ctx)


def plan_display(plan: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """The contact plan with the reason (``why``) and what to do in the report language: ``customer_id, action,
    channel, stage, why, revenue, due_date`` (P(alive) when known)."""
    require_columns(plan, "plan", ["customer_id", "action", "channel", "stage", "days_since", "revenue", "detail"])
    # each reason's template is looked up once and each of its values is computed column-wise for the rows
    # that use it (a plan of a million customers has hundreds of thousands of rows); the sentence is the
    # catalogue's say() exactly
    cat, lang = catalogue(PACKAGE), language_of(ctx)
    known = {"revenue", "days", "detail", "orders", "revenue_12m"}
    extra = {"reason.retain_valuable_p": {"p"}, "reason.birthday": {"date"}}
    cols = {name: list(plan[name]) if name in plan.columns else None
            for name in ("action", "p_alive", "detail", "days_since", "revenue", "revenue_12m", "orders",
                         "due_date")}
    keys = [f"reason.{a}_p" if a == "retain_valuable" and p == p else
            "reason.revisit_never" if a == "revisit" and not (d == d) else f"reason.{a}"
            for a, p, d in zip(cols["action"], cols["p_alive"], cols["detail"], strict=True)]
    rows_of: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        rows_of.setdefault(key, []).append(i)
    # a formatted number has no character that escape_text changes, so escaping a money figure is escaping
    # its currency suffix
    suffix = escape_text(money(0.0, ctx))[len(f"{0.0:,.0f}"):]

    def values(name: str, rows: list[int]) -> list[Any]:
        if name in ("revenue", "revenue_12m"):
            return [f"{float(v):,.0f}{suffix}" for v in (cols[name][i] for i in rows)]
        if name in ("days", "detail"):
            return [v if v == v else 0 for v in (cols["days_since" if name == "days" else name][i] for i in rows)]
        if name == "p":
            return [cols["p_alive"][i] for i in rows]
        if name == "date":
            return [escape_text(f"{pd.Timestamp(cols['due_date'][i]):%Y-%m-%d}") for i in rows]
        return [cols[name][i] for i in rows]

    why: list[str] = [""] * len(plan)
    for key, rows in rows_of.items():
        template = cat.template(key, lang)
        if isinstance(template, Mapping):
            template = template["other"]
        text, names = str(template), placeholders(str(template))
        if not names <= known | extra.get(key, set()):  # a template with other placeholders: say() names what is missing
            r = next(plan.iloc[rows[:1]].itertuples(index=False))
            given = dict(revenue=money(r.revenue, ctx), days=r.days_since if r.days_since == r.days_since else 0,
                         detail=r.detail if r.detail == r.detail else 0, orders=r.orders,
                         revenue_12m=money(r.revenue_12m, ctx))
            if key == "reason.retain_valuable_p":
                given["p"] = r.p_alive
            elif key == "reason.birthday":
                given["date"] = f"{pd.Timestamp(r.due_date):%Y-%m-%d}"
            say(key, ctx, **given)
        filled = {name: values(name, rows) for name in names}
        for n, i in enumerate(rows):
            why[i] = text.format(**{name: v[n] for name, v in filled.items()})
    out = plan[["customer_id", "action", "channel", "stage"]].copy()
    out["why"] = why
    out["revenue"] = plan["revenue"].to_numpy()
    if plan["p_alive"].notna().any():
        out["p_alive"] = plan["p_alive"].to_numpy()
    out["due_date"] = plan["due_date"].to_numpy()
    return out


def plan_preview(plan_table: pd.DataFrame, rows: int) -> pd.DataFrame:
    """The contact plan reordered so that its first ``rows`` rows show every action: the first
    ``rows // actions`` contacts of each action (in the plan's order), then the rest. Only for the report's
    preview; the exported list keeps the plan's order."""
    require_columns(plan_table, "plan", ["action"])
    actions = max(1, plan_table["action"].nunique())
    rank = plan_table.groupby("action", sort=False).cumcount().to_numpy()
    first = rank < max(1, int(rows) // actions)
    order = np.lexsort((np.arange(len(plan_table)), ~first))
    return plan_table.iloc[order].reset_index(drop=True)


def strategy_table(summary: pd.DataFrame, ctx: Context):
    """The per-stage strategy playbook beside the stage sizes: ``stage, phase, customers, strategy``."""
    require_columns(summary, "summary", ["stage", "customers"])
    out = summary[["stage"]].copy()
    out["phase"] = out["stage"].map(STAGE_PHASE)
    out["customers"] = summary["customers"].to_numpy()
    out["strategy"] = [STAGE_PLAYBOOK.action(s, ctx) for s in summary["stage"]]
    return table(out, ctx)


def survival_table(curve: pd.DataFrame, groups: Mapping[str, pd.DataFrame], ctx: Context):
    """Median lifetime with its interval and survival at one and two years, for all customers and per group."""
    rows = []
    for name, c in [(say("chart.survival.everyone", ctx), curve), *groups.items()]:
        s1, s2 = survival_at(c, [365, 730])
        rows.append({"group": name, "customers": c.attrs["n"], "churned": c.attrs["total_events"],
                     "median_days": c.attrs["median"], "median_lower": c.attrs["median_lower"],
                     "median_upper": c.attrs["median_upper"], "survival_1y": float(s1), "survival_2y": float(s2)})
    out = pd.DataFrame(rows)
    not_reached = say("survival.not_reached", ctx)
    for col in ("median_days", "median_lower", "median_upper"):
        out[col] = [f"{v:,.0f}" if isinstance(v, float) and math.isfinite(v) else not_reached for v in out[col]]
    return table(out, ctx, kinds={"median_days": "text", "median_lower": "text", "median_upper": "text"})


