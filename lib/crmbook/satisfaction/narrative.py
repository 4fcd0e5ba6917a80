"""The satisfaction topic's words: facts (numbers and names, tested without text) turned into sentences
of the package's catalogue (``text/en.yaml``, ``text/zh.yaml``) in the report language."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, join_names

from .repair import STEPS

__all__ = ["PACKAGE", "code_label", "complaint_interpretation", "data_note", "drivers_interpretation",
           "fmt_score", "groups_interpretation", "loyalty_facts", "loyalty_interpretation", "note",
           "repair_interpretation", "say", "scores_interpretation", "summary_points", "trend_interpretation",
           "feedback_interpretation", "response_note"]

#: The package whose catalogue, columns and playbook this topic uses.
PACKAGE = "crmbook.satisfaction"


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative`."""
    return Narrative([say(key, ctx, **values)], language=ctx.language)


def code_label(kind: str, code: Any, ctx: Context | str) -> str:
    """The reader's name of a code (``kind`` ``score``, ``status``, ``quadrant``, ``class``, ``nps_group``,
    ``reason``, ``step``, ``owner``, ``measure``, ``occasion``, ``attribute``, ``dimension``); the code
    itself when the catalogue has no name for it (a data value such as a region)."""
    key = f"code.{kind}.{code}"
    texts = catalogue(PACKAGE).texts["en"]
    return say(key, ctx) if key in texts else str(code)


def fmt_score(score: str, value: float, ctx: Context | None = None) -> str:
    """A score as a reader reads it: NPS ``+12.3`` / ``-8.1`` (points), CSAT ``52.1%``, CES ``3.52``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if score == "nps":
        return f"{value:+.1f}"
    if score == "csat":
        return f"{value:.1%}"
    return f"{value:.2f}"


def _lead(ctx: Context, key: str = "interpretation") -> str:
    return catalogue("crmbook").label(f"lead.{key}", ctx)


def data_note(ctx: Context, *, surveys: pd.DataFrame | None, contacts: pd.DataFrame | None,
              customers: int) -> Narrative:
    """What the data hold for this topic: answers, customers and period of the surveys; the contacts."""
    out = []
    if surveys is None:
        out.append(say("data.no_surveys", ctx))
    else:
        d = pd.to_datetime(surveys["response_date"])
        out.append(say("data.surveys", ctx, answers=len(surveys), customers=int(surveys["customer_id"].nunique()),
                       all_customers=customers, first=f"{d.min():%Y-%m-%d}", last=f"{d.max():%Y-%m-%d}"))
    if contacts is None:
        out.append(say("data.no_contacts", ctx))
    else:
        n = int((contacts["type"].astype(str).str.lower() == "complaint").sum()) if "type" in contacts.columns else 0
        out.append(say("data.contacts", ctx, contacts=len(contacts), complaints=n))
    return Narrative(out, language=ctx.language)


def _interval(score: str, low: float, high: float, ctx: Context) -> str:
    return say("words.interval", ctx, low=fmt_score(score, low), high=fmt_score(score, high))


def scores_interpretation(gaps: pd.DataFrame, ctx: Context, *, confidence: float) -> Narrative:
    """One sentence per score: its value, interval, n and where it stands against its target."""
    out = []
    for r in gaps.to_dict("records"):
        out.append(say(f"scores.{r['status']}", ctx, score=code_label("score", r["score"], ctx),
                       value=fmt_score(r["score"], r["value"]), interval=_interval(r["score"], r["low"], r["high"], ctx),
                       confidence=confidence, n=int(r["n"]), target=fmt_score(r["score"], r["target"])))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def response_note(rates: pd.DataFrame, ctx: Context) -> Narrative:
    """The response rates and the non-response caveat."""
    parts = [say(f"response.{r['occasion']}", ctx, rate=float(r["rate"]), answers=int(r["answers"]),
                 occasions=int(r["occasions"])) for r in rates.to_dict("records") if pd.notna(r["rate"])]
    if not parts:
        return Narrative([say("response.unknown", ctx)], language=ctx.language)
    return Narrative([*parts, say("response.caveat", ctx)], language=ctx.language)


def groups_interpretation(by: pd.DataFrame, ctx: Context, *, score: str = "nps") -> Narrative:
    """The best and worst judged groups of one score, whether their intervals overlap, and the groups too
    small to judge."""
    dim = code_label("dimension", by.attrs.get("by", ""), ctx)
    rows = by[by["score"] == score]
    judged = rows[rows["judged"]].sort_values("rank", kind="stable")
    small = rows.loc[~rows["judged"], "group"].tolist()
    out = []
    if len(judged) >= 2:
        best, worst = judged.iloc[0], judged.iloc[-1]
        apart = (best["low"] > worst["high"]) if score != "ces" else (best["high"] < worst["low"])
        out.append(say("groups.apart" if apart else "groups.overlap", ctx, dimension=dim,
                       score=code_label("score", score, ctx), best=str(best["group"]),
                       best_value=fmt_score(score, best["value"]), worst=str(worst["group"]),
                       worst_value=fmt_score(score, worst["value"])))
    elif len(judged) == 1:
        out.append(say("groups.one", ctx, dimension=dim, group=str(judged.iloc[0]["group"])))
    if small:
        out.append(say("groups.small", ctx, count=len(small), groups=join_names(small, ctx),
                       min_n=int(by.attrs.get("min_n", 0))))
    return Narrative(out, language=ctx.language)


def trend_interpretation(monthly: pd.DataFrame, ctx: Context, *, score: str = "nps") -> Narrative:
    """The latest month against the months before, in words."""
    m = monthly[monthly["judged"]]
    if len(m) < 2:
        return Narrative([say("trend.short", ctx)], language=ctx.language)
    last, first = m.iloc[-1], m.iloc[0]
    overlap = not (last["low"] > first["high"] or last["high"] < first["low"])
    return Narrative([say("trend.overlap" if overlap else "trend.apart", ctx, score=code_label("score", score, ctx),
                          month=f"{last['month']:%Y-%m}", value=fmt_score(score, last["value"]),
                          interval=_interval(score, last["low"], last["high"], ctx), n=int(last["n"]),
                          first_month=f"{first['month']:%Y-%m}", first_value=fmt_score(score, first["value"]))],
                     language=ctx.language)


def drivers_interpretation(drivers: pd.DataFrame, ctx: Context) -> Narrative:
    """Which attribute matters most, how much the ratings explain, and where to concentrate."""
    top = drivers.iloc[0]
    out = [say("drivers.top", ctx, attribute=code_label("attribute", top["attribute"], ctx),
               share=float(top["importance_share"]), r2=float(drivers.attrs["r2"]), n=int(drivers.attrs["n"]),
               order=join_names([code_label("attribute", a, ctx) for a in drivers["attribute"]], ctx))]
    focus = [code_label("attribute", a, ctx) for a in drivers.loc[drivers["quadrant"] == "concentrate", "attribute"]]
    over = [code_label("attribute", a, ctx) for a in drivers.loc[drivers["quadrant"] == "overkill", "attribute"]]
    out.append(say("drivers.concentrate", ctx, attributes=join_names(focus, ctx)) if focus
               else say("drivers.no_concentrate", ctx))
    if over:
        out.append(say("drivers.overkill", ctx, attributes=join_names(over, ctx)))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def loyalty_facts(by_group: pd.DataFrame, effects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Promoters' and detractors' repurchase and churn rates, and the verdict on the chain: ``supports``
    when every adjusted effect supports it, ``contradicts`` when one contradicts it, ``partly`` when some
    support and none contradicts, else ``not_shown``."""
    g = by_group.set_index("group")
    verdicts = [e["verdict"] for e in effects.values()]
    if "contradicts" in verdicts:
        verdict = "contradicts"
    elif verdicts and all(v == "supports" for v in verdicts):
        verdict = "supports"
    elif "supports" in verdicts:
        verdict = "partly"
    else:
        verdict = "not_shown"
    rep = [c for c in by_group.columns if c.startswith("repurchase_") and not c.endswith(("_low", "_high"))]
    window = rep[-1] if rep else None
    get = lambda grp, col: float(g.loc[grp, col]) if grp in g.index and col in g.columns else np.nan  # noqa: E731
    return {"verdict": verdict, "window": int(window.split("_")[1]) if window else None,
            "promoter_repurchase": get("promoter", window), "detractor_repurchase": get("detractor", window),
            "promoter_churn": get("promoter", "churned"), "detractor_churn": get("detractor", "churned"),
            "promoters": int(g.loc["promoter", "n"]) if "promoter" in g.index else 0,
            "detractors": int(g.loc["detractor", "n"]) if "detractor" in g.index else 0}


def loyalty_interpretation(by_group: pd.DataFrame, effects: dict[str, dict[str, Any]], ctx: Context, *,
                           confidence: float, churn_days: int) -> Narrative:
    """The rates of promoters and detractors, each adjusted effect with its interval, and the verdict."""
    f = loyalty_facts(by_group, effects)
    out = []
    if f["window"] is not None and f["promoters"] and f["detractors"]:
        out.append(say("loyalty.rates", ctx, window=f["window"], promoter=f["promoter_repurchase"],
                       detractor=f["detractor_repurchase"], promoter_churn=f["promoter_churn"],
                       detractor_churn=f["detractor_churn"], days=churn_days))
    for e in effects.values():
        out.append(say(f"loyalty.effect.{e['outcome'].split('_')[0]}", ctx, odds=e["odds_ratio"], low=e["or_low"],
                       high=e["or_high"], confidence=confidence, n=e["n"],
                       window=e["outcome"].split("_")[1] if "_" in e["outcome"] else "", days=churn_days))
    out.append(say(f"loyalty.verdict.{f['verdict']}", ctx))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def feedback_interpretation(volume: pd.DataFrame, ctx: Context) -> Narrative:
    """The largest feedback class and how many comments had no class."""
    total = int(volume["comments"].sum())
    if not total:
        return Narrative([say("feedback.none", ctx)], language=ctx.language)
    named = volume[volume["feedback_class"] != "other"].sort_values("comments", ascending=False, kind="stable")
    top = named.iloc[0]
    other = volume.set_index("feedback_class")["comments"].get("other", 0)
    return Narrative([say("feedback.top", ctx, total=total, cls=code_label("class", top["feedback_class"], ctx),
                          share=float(top["share"]), other=int(other), other_share=other / total)],
                     lead=_lead(ctx), language=ctx.language)


def complaint_interpretation(handling: pd.DataFrame, ctx: Context, *, target_hours: float) -> Narrative:
    """Complaints answered within the target, resolved, and repeated."""
    h = handling.set_index("measure")
    if h.loc["complaints", "n"] == 0:
        return Narrative([say("complaints.none", ctx)], language=ctx.language)
    out = [say("complaints.count", ctx, count=int(h.loc["complaints", "n"]))]
    for m in ("within_target", "resolved", "repeat"):
        if m in h.index and pd.notna(h.loc[m, "value"]):
            out.append(say(f"complaints.{m}", ctx, value=float(h.loc[m, "value"]), low=float(h.loc[m, "low"]),
                           high=float(h.loc[m, "high"]), hours=target_hours, n=int(h.loc[m, "n"]),
                           unknown=int(h.loc[m, "unknown"]),
                           customers=int(h.loc["repeat_customers", "value"]) if "repeat_customers" in h.index else 0))
        if m in h.index and int(h.loc[m, "unknown"]):
            out.append(say("complaints.unknown", ctx, count=int(h.loc[m, "unknown"]),
                           measure=code_label("measure", m, ctx)))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def repair_interpretation(repair: pd.DataFrame, ctx: Context) -> Narrative:
    """How many customers to repair the relationship with, by step."""
    if not len(repair):
        return Narrative([say("repair.empty", ctx, days=int(repair.attrs.get("lookback_days", 0)))],
                         language=ctx.language)
    counts = repair["step"].value_counts()
    steps = join_names([say("repair.step_count", ctx, count=int(counts.get(s, 0)), step=code_label("step", s, ctx))
                        for s in STEPS if counts.get(s, 0)], ctx)
    return Narrative([say("repair.size", ctx, count=len(repair), days=int(repair.attrs.get("lookback_days", 0)),
                          steps=steps)], lead=_lead(ctx, "what_to_do"), language=ctx.language)


def summary_points(ctx: Context, *, gaps: pd.DataFrame | None, drivers: pd.DataFrame | None,
                   loyalty: dict[str, Any] | None, handling: pd.DataFrame | None, repair: pd.DataFrame | None,
                   target_hours: float) -> Narrative:
    """The findings first: scores against targets, the main driver, the chain, complaints, the repair list."""
    out = []
    if gaps is None or not len(gaps):
        out.append(say("summary.no_surveys", ctx))
    else:
        for r in gaps.to_dict("records"):
            out.append(say(f"summary.score.{r['status']}", ctx, score=code_label("score", r["score"], ctx),
                           value=fmt_score(r["score"], r["value"]), target=fmt_score(r["score"], r["target"]),
                           interval=_interval(r["score"], r["low"], r["high"], ctx)))
    if drivers is not None and len(drivers):
        focus = drivers[drivers["quadrant"] == "concentrate"]
        out.append(say("summary.driver", ctx, attribute=code_label("attribute", drivers.iloc[0]["attribute"], ctx),
                       focus=join_names([code_label("attribute", a, ctx) for a in focus["attribute"]], ctx)
                       if len(focus) else say("words.none", ctx)))
    if loyalty is not None:
        out.append(say(f"summary.chain.{loyalty['verdict']}", ctx))
    if handling is not None and len(handling):
        h = handling.set_index("measure")
        if "within_target" in h.index and pd.notna(h.loc["within_target", "value"]):
            out.append(say("summary.complaints", ctx, value=float(h.loc["within_target", "value"]), hours=target_hours,
                           resolved=float(h.loc["resolved", "value"]) if "resolved" in h.index else float("nan")))
    if repair is not None:
        out.append(say("summary.repair", ctx, count=len(repair)))
    return Narrative(out, language=ctx.language, bullets=True)
