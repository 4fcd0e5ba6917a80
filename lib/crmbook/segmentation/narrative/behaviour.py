"""Sentences of the behavioural analyses: RFM, ABC, clusters, the contact list and the summary (part of :mod:`crmbook.segmentation.narrative`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, join_names
from crmbook.tables import require_columns

from ..abc import ABC_GROWTH, ABC_TOP_SHARE, abc_windows, top_share_revenue
from ..clusters import BehaviourClusters
from ..psychographic import NO_PREFERENCE
from ..rfm import NO_PURCHASE
from .common import PACKAGE, _labels, _lead, _rows, group_label, money, note, say
from .customers import orientation_label

__all__ = [
    "rfm_facts",
    "rfm_interpretation",
    "abc_facts",
    "abc_interpretation",
    "abc_reason_text",
    "cluster_description",
    "cluster_label",
    "cluster_facts",
    "cluster_interpretation",
    "contact_facts",
    "contact_interpretation",
    "contact_reason",
    "export_note",
    "summary_facts",
    "summary_points",
]


def rfm_facts(summary: pd.DataFrame) -> dict[str, Any]:
    """The figures of the RFM interpretation, from a :func:`crmbook.segmentation.segment_summary`: the
    largest segment, the one with the most revenue, the valuable customers slipping away (``cant_lose``,
    ``at_risk``) and the weight of ``lost`` and ``hibernating`` customers."""
    require_columns(summary, "summary", ["segment", "customers", "customer_share", "revenue_share"])
    if summary.empty:
        raise ValueError("summary: no segment to interpret (no customer)")
    top = summary.sort_values("revenue_share", ascending=False, kind="stable").iloc[0]
    big = summary.sort_values("customers", ascending=False, kind="stable").iloc[0]
    slipping = _rows(summary, ["cant_lose", "at_risk"])
    gone = _rows(summary, ["lost", "hibernating"])
    return {
        "largest": big["segment"], "largest_customers": int(big["customers"]),
        "largest_share": float(big["customer_share"]),
        "top": top["segment"], "top_customer_share": float(top["customer_share"]),
        "top_revenue_share": float(top["revenue_share"]),
        "slipping_customers": int(slipping["customers"].sum()),
        "slipping_revenue_share": float(slipping["revenue_share"].sum()),
        "gone_customer_share": float(gone["customer_share"].sum()),
        "gone_revenue_share": float(gone["revenue_share"].sum()),
    }


def rfm_interpretation(summary: pd.DataFrame, ctx: Context) -> Narrative:
    """What the RFM segments say (four sentences, from :func:`rfm_facts`)."""
    f = rfm_facts(summary)
    names = _labels(ctx, "cant_lose", "at_risk", "lost", "hibernating")
    return Narrative([
        say("rfm.largest", ctx, f["largest_customers"], segment=group_label(f["largest"], ctx),
            share=f["largest_share"]),
        say("rfm.top_revenue", ctx, segment=group_label(f["top"], ctx), customer_share=f["top_customer_share"],
            revenue_share=f["top_revenue_share"]),
        say("rfm.slipping", ctx, f["slipping_customers"], revenue_share=f["slipping_revenue_share"], **names),
        say("rfm.gone" if f["gone_revenue_share"] < f["gone_customer_share"] else "rfm.gone_weighty", ctx,
            customer_share=f["gone_customer_share"], revenue_share=f["gone_revenue_share"], **names),
    ], lead=_lead(ctx), language=ctx.language)


def _abc_top_share(abc: pd.DataFrame) -> float:
    return float(abc.attrs.get("top_share", ABC_TOP_SHARE))


def abc_facts(abc: pd.DataFrame, as_of: pd.Timestamp, *, first_order: Any = None) -> dict[str, Any]:
    """The figures of the ABC interpretation, from :func:`crmbook.segmentation.abc_classes` (its parameters
    read from ``abc.attrs``): the Pareto share, the class sizes, the key-account rule, the dormant key
    accounts in A, which halves of the B rule were applied, the customers who grew but failed the loyalty
    proxy, and whether class B can be complete (``first_order``, the date of the first order, after the
    first day of year 2 means it cannot)."""
    require_columns(abc, "abc", ["revenue_y0", "abc_class", "abc_reason", "key_account"])
    counts = abc["abc_class"].value_counts()
    start = abc_windows(as_of, years=3)["start"].iloc[-1]
    first = pd.Timestamp(first_order) if first_order is not None else None
    top_share = _abc_top_share(abc)
    reasons = abc["abc_reason"].value_counts()
    return {
        "top_share": top_share, "share": top_share_revenue(abc["revenue_y0"], top_share),
        "buyers": int((abc["revenue_y0"] > 0).sum()),
        "a": int(counts.get("A", 0)), "b": int(counts.get("B", 0)), "c": int(counts.get("C", 0)),
        "key_account_col": abc.attrs.get("key_account_col") or "account_type",
        "key_account_types": abc.attrs.get("key_account_types"),
        "key_accounts": int(abc["key_account"].sum()),
        "only_flag": int(reasons.get("key_account", 0) + reasons.get("key_account_dormant", 0)),
        "dormant": int(reasons.get("key_account_dormant", 0)),
        "growth": float(abc.attrs.get("growth", ABC_GROWTH)),
        "loyalty_evidence": tuple(abc.attrs.get("loyalty_evidence", ())),
        "max_gap_days": abc.attrs.get("max_gap_days"),
        "grew_not_loyal": int(reasons.get("growth_not_loyal", 0)),
        "first_order": first, "b_incomplete": first is not None and first > start,
    }


def abc_interpretation(abc: pd.DataFrame, ctx: Context, *, first_order: Any = None) -> Narrative:
    """What the ABC classes say (from :func:`abc_facts` at ``ctx.as_of``): the Pareto share, the classes,
    the key-account rule and its dormant accounts, the B rule applied, and whether B is complete."""
    f = abc_facts(abc, ctx.as_of, first_order=first_order)
    cat = catalogue(PACKAGE)
    out = [say("abc.pareto", ctx, top_share=f["top_share"], share=f["share"], buyers=f["buyers"]),
           say("abc.classes", ctx, a=f["a"], b=f["b"], c=f["c"])]
    if f["key_account_types"] is None:
        out.append(cat.say("abc.no_key_column", ctx, escape=False, column=f["key_account_col"]))
    else:
        types = list(f["key_account_types"])
        joined = cat.say("abc.types_or", ctx, escape=False, first=join_names(types[:-1], ctx), last=types[-1]) \
            if len(types) > 1 else join_names(types, ctx)
        out.append(cat.say("abc.key_rule", ctx, escape=False, column=f["key_account_col"], types=joined))
    if f["key_accounts"]:
        out.append(say("abc.key_accounts", ctx, f["key_accounts"], only_flag=f["only_flag"]))
    if f["dormant"]:
        out.append(say("abc.dormant", ctx, f["dormant"], a=f["a"]))
    evidence = [say(f"abc.evidence.{e}", ctx, days=f["max_gap_days"] or 0) for e in f["loyalty_evidence"]]
    if evidence:
        out.append(say("abc.b_rule", ctx, growth=f["growth"], evidence=join_names(evidence, ctx)))
        missing = [say(f"abc.evidence_missing.{e}", ctx) for e in ("satisfaction", "complaints")
                   if e not in f["loyalty_evidence"]]
        if missing:
            out.append(say("abc.b_missing", ctx, missing=join_names(missing, ctx)))
        if f["grew_not_loyal"]:
            out.append(say("abc.grew_not_loyal", ctx, f["grew_not_loyal"]))
    else:
        out.append(say("abc.b_growth_only", ctx, growth=f["growth"]))
    if f["b_incomplete"]:
        out.append(say("abc.b_incomplete", ctx, first_order=f"{f['first_order']:%Y-%m-%d}"))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def abc_reason_text(code: str, ctx: Context, *, top_share: float = ABC_TOP_SHARE, growth: float = ABC_GROWTH) -> str:
    """The words for an ``abc_reason`` code (``"top_revenue"`` -> ``"top 20% by annual revenue"``)."""
    return say(f"abc.reason.{code}", ctx, top_share=top_share, growth=growth)


def cluster_description(traits: str, ctx: Context, *, capital: bool = True) -> str:
    """The words for a cluster's trait codes (``"high_frequency,low_recency_days"`` ->
    ``"Frequent buyers, bought recently"``); ``""`` -> close to the average customer."""
    if traits == NO_PURCHASE:
        return say("cluster.no_purchase", ctx)
    codes = [t for t in str(traits).split(",") if t]
    if not codes:
        text = say("cluster.average", ctx)
    else:
        text = say("cluster.trait_sep", ctx).join(say(f"cluster.trait.{t}", ctx) for t in codes)
    if ctx.language != "en":
        return text
    return text[:1].upper() + text[1:] if capital else text[:1].lower() + text[1:]


def cluster_label(name: str, ctx: Context | str) -> str:
    """The words for a cluster name code (:func:`crmbook.segmentation.cluster_name`):
    ``"frequent_big_spenders"`` -> ``"frequent big spenders"`` (高频高消费客户); an unknown code as it is."""
    if f"cluster.name.{name}" in catalogue(PACKAGE).keys("cluster.name"):
        return say(f"cluster.name.{name}", ctx)
    return str(name)


def cluster_facts(clusters: BehaviourClusters) -> dict[str, Any]:
    """The figures of the cluster interpretation: the chosen k and the silhouettes, each cluster's shares
    and traits, and the most valuable cluster's mean revenue and orders."""
    if not hasattr(clusters, "profile_"):
        raise RuntimeError("BehaviourClusters: call fit() first")
    sil = clusters.silhouette_.set_index("k")["silhouette"]
    best = clusters.profile_.iloc[0]
    return {
        "k": clusters.k_, "silhouette": float(sil[clusters.k_]), "low": float(sil.min()), "high": float(sil.max()),
        "k_min": int(sil.index.min()), "k_max": int(sil.index.max()),
        "clusters": [{"cluster": c, "customer_share": float(r["customer_share"]),
                      "revenue_share": float(r["revenue_share"]), "traits": r["traits"],
                      "name": r.get("name", "average")}
                     for c, r in clusters.profile_.iterrows()],
        "best": clusters.profile_.index[0], "best_name": best.get("name", "average"), "best_monetary": float(best["mean_monetary"]),
        "best_frequency": float(best["mean_frequency"]),
    }


def cluster_interpretation(clusters: BehaviourClusters, ctx: Context) -> Narrative:
    """What the fitted clusters say: the chosen k, one sentence per cluster, the most valuable cluster."""
    f = cluster_facts(clusters)
    out = [say("cluster.k", ctx, k=f["k"], silhouette=f["silhouette"], low=f["low"], high=f["high"],
               k_min=f["k_min"], k_max=f["k_max"])]
    out += [say("cluster.one", ctx, cluster=c["cluster"], name=cluster_label(c["name"], ctx),
                customer_share=c["customer_share"], revenue_share=c["revenue_share"],
                description=cluster_description(c["traits"], ctx, capital=False))
            for c in f["clusters"]]
    out.append(say("cluster.best", ctx, cluster=f["best"], name=cluster_label(f["best_name"], ctx),
                   money=money(f["best_monetary"], ctx),
                   orders=f["best_frequency"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def contact_facts(assignments: pd.DataFrame, *, segments: Sequence[str] = ("cant_lose", "at_risk"),
                  segment_col: str = "segment") -> dict[str, Any]:
    """How many customers are in ``segments`` (the valuable customers slipping away) and what they spent."""
    require_columns(assignments, "assignments", [segment_col, "monetary"])
    at_stake = assignments[assignments[segment_col].isin(list(segments))]
    return {"customers": len(at_stake), "monetary": float(at_stake["monetary"].sum())}


def contact_interpretation(assignments: pd.DataFrame, ctx: Context, *, segment_col: str = "segment") -> Narrative:
    """What to do first: the customers at stake and what they spent, then the first steps."""
    f = contact_facts(assignments, segment_col=segment_col)
    names = _labels(ctx, "cant_lose", "at_risk", "champions")
    return Narrative([say("contact.at_stake", ctx, f["customers"], money=money(f["monetary"], ctx), **names),
                      say("contact.first_steps", ctx, **names)], lead=_lead(ctx, "what_to_do"),
                     language=ctx.language)


def contact_reason(segment: Any, monetary: float, frequency: int, recency_days: float, ctx: Context) -> str:
    """Why a customer is on the contact list: ``"Can't lose: 2,000 CNY over 5 orders, last order 700 days
    ago"``."""
    cat = catalogue(PACKAGE)
    orders = cat.say("contact.orders", ctx, int(frequency))
    days = cat.say("contact.days", ctx, float(recency_days))
    return cat.say("contact.why", ctx, escape=False, segment=group_label(segment, ctx),
                   money=money(monetary, ctx), orders=orders, days=days)


def export_note(paths: Sequence[Any], folder: Any, ctx: Context, *, masked: bool = True) -> Narrative:
    """Which segment lists :func:`crmbook.segmentation.export_segments` wrote, and whether they hold ids only."""
    files = join_names([getattr(p, "name", str(p)) for p in paths], ctx)
    return note("contact.exported_masked" if masked else "contact.exported", ctx, n=len(paths), folder=str(folder),
                files=files)


def summary_facts(rfm_summary: pd.DataFrame, abc: pd.DataFrame, clusters: BehaviourClusters,
                  quadrants: pd.DataFrame, orientations: pd.DataFrame | None = None) -> dict[str, Any]:
    """The figures of the summary: champions' shares, customers slipping away, the Pareto share (at the
    ``top_share`` of ``abc.attrs``) and the class sizes with the dormant key accounts in A, the clusters,
    the share of *focus* customers and, given an :func:`crmbook.segmentation.orientation_summary`, the
    surveyed customers, the share with a clear orientation and the largest one (``surveyed`` 0 without)."""
    r = rfm_summary.set_index("segment")
    t = quadrants.set_index("segment")
    counts = abc["abc_class"].value_counts()
    return {
        "champion_share": float(r.loc["champions", "customer_share"]) if "champions" in r.index else 0.0,
        "champion_revenue": float(r.loc["champions", "revenue_share"]) if "champions" in r.index else 0.0,
        "slipping": int(_rows(rfm_summary, ["cant_lose", "at_risk"])["customers"].sum()),
        "top_share": _abc_top_share(abc), "share": top_share_revenue(abc["revenue_y0"], _abc_top_share(abc)),
        "a": int(counts.get("A", 0)), "b": int(counts.get("B", 0)), "c": int(counts.get("C", 0)),
        "dormant": int((abc["abc_reason"] == "key_account_dormant").sum()),
        "k": clusters.k_, "best_traits": clusters.profile_.iloc[0]["traits"],
        "best_name": clusters.profile_.iloc[0].get("name", "average"),
        "focus_share": float(t.loc["focus", "customer_share"]) if "focus" in t.index else 0.0,
        **_summary_orientations(orientations),
    }


def _summary_orientations(summary: pd.DataFrame | None) -> dict[str, Any]:
    if summary is None or summary.empty:
        return {"surveyed": 0}
    clear = summary[summary["orientation"] != NO_PREFERENCE]
    top = clear.iloc[0] if len(clear) else None
    return {"surveyed": int(summary["customers"].sum()), "clear_share": float(clear["customer_share"].sum()),
            "top_orientation": None if top is None else top["orientation"],
            "top_orientation_share": 0.0 if top is None else float(top["customer_share"])}


def summary_points(rfm_summary: pd.DataFrame, abc: pd.DataFrame, clusters: BehaviourClusters,
                   quadrants: pd.DataFrame, ctx: Context, *, orientations: pd.DataFrame | None = None) -> Narrative:
    """The notebook's summary, one point per method (RFM, ABC, clusters, target matrix; the value
    orientations when ``orientations`` is given and has a clear one) and the next step."""
    f = summary_facts(rfm_summary, abc, clusters, quadrants, orientations)
    names = _labels(ctx, "champions", "cant_lose", "at_risk", "focus")
    psycho = ([say("summary.psycho", ctx, surveyed=f["surveyed"], clear_share=f["clear_share"],
                   top=orientation_label(f["top_orientation"], ctx), top_share=f["top_orientation_share"])]
              if f["surveyed"] and f["top_orientation"] is not None else [])
    return Narrative([
        say("summary.rfm", ctx, share=f["champion_share"], revenue_share=f["champion_revenue"],
            slipping=f["slipping"], **names),
        say("summary.abc", ctx, top_share=f["top_share"], share=f["share"], a=f["a"], b=f["b"], c=f["c"],
            dormant=f["dormant"]),
        say("summary.clusters", ctx, k=f["k"], name=cluster_label(f["best_name"], ctx),
            description=cluster_description(f["best_traits"], ctx, capital=False)),
        say("summary.target", ctx, share=f["focus_share"], **names),
        *psycho,
        say("summary.next", ctx, **names),
    ], language=ctx.language, bullets=True)
