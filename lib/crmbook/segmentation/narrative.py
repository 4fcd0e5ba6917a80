"""Reading the segmentation: facts (numbers and names) and the sentences made from them.

Each ``*_facts()`` function returns a small dict of numbers and codes computed from the analysis tables
(tested without text); the function beside it picks the templates of the package's catalogue
(``text/<language>.yaml``) and returns a :class:`crmbook.language.Narrative`, which a notebook shows as
Markdown by being a cell's value. Group names (segments, classes, quadrants) are the playbooks' labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.language import Narrative, catalogue, join_names
from crmbook.tables import column, require_columns

from .abc import ABC_GROWTH, ABC_PLAYBOOK, ABC_TOP_SHARE, abc_windows, top_share_revenue
from .clusters import BehaviourClusters
from .penetration import ALL_REGIONS, penetration_total
from .portrait import DEMOGRAPHIC_COLUMNS
from .psychographic import NO_PREFERENCE, PSYCHO_MIN_GAP
from .rfm import NO_PURCHASE, RFM_PLAYBOOK
from .target import TARGET_DORMANT, TARGET_PLAYBOOK, TARGET_SPLIT

__all__ = [
    "PACKAGE",
    "OPTIONAL_CUSTOMER_COLUMNS",
    "say",
    "note",
    "group_label",
    "dimension_label",
    "money",
    "describe_data_facts",
    "describe_data",
    "describe_windows",
    "windows_note",
    "rfm_facts",
    "rfm_interpretation",
    "abc_facts",
    "abc_interpretation",
    "abc_reason_text",
    "cluster_description",
    "cluster_label",
    "cluster_facts",
    "cluster_interpretation",
    "PSYCHO_MIN_SEGMENT",
    "PSYCHO_MIN_LIFT",
    "PSYCHO_SEGMENTS",
    "orientation_label",
    "psychographic_facts",
    "psychographic_interpretation",
    "demographic_facts",
    "demographic_notes",
    "demographic_interpretation",
    "portrait_sentence",
    "target_facts",
    "target_interpretation",
    "penetration_facts",
    "penetration_interpretation",
    "contact_facts",
    "contact_interpretation",
    "contact_reason",
    "export_note",
    "summary_facts",
    "summary_points",
]

#: The package whose catalogue, columns and playbooks this topic uses.
PACKAGE = "crmbook.segmentation"

#: Optional columns of ``customers`` that the segmentation uses (reported by :func:`describe_data`).
OPTIONAL_CUSTOMER_COLUMNS: tuple[str, ...] = ("account_type", "birth_date", "gender", "region",
                                              "acquisition_channel")

#: Psychographics: the behavioural segments whose orientations the interpretation names.
PSYCHO_SEGMENTS: tuple[str, ...] = ("champions", "at_risk")
#: Psychographics: a segment's orientations are put into words only with at least this many surveyed
#: customers (fewer make a share of one orientation too noisy to read).
PSYCHO_MIN_SEGMENT = 30
#: Psychographics: an orientation *stands out* in a segment when its share there is at least this much
#: (0.05 = 5 percentage points) above its share among all surveyed customers; smaller differences are noise
#: at a few hundred surveyed customers per segment.
PSYCHO_MIN_LIFT = 0.05

_PLAYBOOKS = (RFM_PLAYBOOK, ABC_PLAYBOOK, TARGET_PLAYBOOK)


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language (see
    :meth:`crmbook.language.Catalogue.say`)."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative` (a note a notebook shows by itself)."""
    return Narrative([say(key, ctx, **values)], language=ctx.language)


def _lead(ctx: Context, key: str = "interpretation") -> str:
    return catalogue("crmbook").label(f"lead.{key}", ctx)


def group_label(code: Any, ctx: Context | str) -> str:
    """The human name of a segment, ABC class or quadrant code (its playbook label; the code itself when
    no playbook names it)."""
    for playbook in _PLAYBOOKS:
        if str(code) in playbook.groups:
            return playbook.label(code, ctx)
    return str(code)


def money(value: float, ctx: Context) -> str:
    """A money figure as a sentence shows it: ``"2,500 CNY"`` (no currency: ``"2,500"``)."""
    return f"{float(value):,.0f}" + (f" {ctx.currency}" if ctx.currency else "")


def _names(names: Sequence[str], ctx: Context) -> str:
    return join_names(names, ctx) if names else catalogue("crmbook").label("words.none", ctx)


def _labels(ctx: Context, *codes: str) -> dict[str, str]:
    return {code: group_label(code, ctx) for code in codes}


def _rows(summary: pd.DataFrame, segments: Sequence[str]) -> pd.DataFrame:
    return summary[summary["segment"].isin(list(segments))]


# -- the data -----------------------------------------------------------------------------------------

def describe_data_facts(facts: CustomerFacts, *, has_market: bool = False,
                        optional_columns: Sequence[str] = OPTIONAL_CUSTOMER_COLUMNS,
                        order_columns: Sequence[str] = ("channel", "category")) -> dict[str, Any]:
    """What the data holds: counts, order period, revenue, optional columns present and absent."""
    c, o = facts.customers, facts.orders
    dates = o["order_date"]
    return {
        "as_of": facts.as_of, "customers": len(c), "orders": len(o), "revenue": float(o["revenue"].sum()),
        "first": dates.min() if len(o) else None, "last": dates.max() if len(o) else None,
        "present": [col for col in optional_columns if col in c.columns],
        "absent": [col for col in optional_columns if col not in c.columns],
        "details": [col for col in order_columns if col in o.columns], "has_market": bool(has_market),
    }


def describe_data(facts: CustomerFacts, ctx: Context | None = None, *, has_market: bool = False) -> Narrative:
    """One paragraph on the data: the analysis date, counts, order period and total revenue, the optional
    columns of ``customers`` and ``orders`` present, and whether there is a market table."""
    ctx = ctx or facts.context
    f = describe_data_facts(facts, has_market=has_market)
    cat = catalogue(PACKAGE)
    size = dict(customers=f["customers"], orders=f["orders"], revenue=money(f["revenue"], ctx))
    out = [say("data.as_of", ctx, as_of=f"{f['as_of']:%Y-%m-%d}")]
    if f["first"] is not None:
        out.append(say("data.size_period", ctx, first=f"{f['first']:%Y-%m-%d}", last=f"{f['last']:%Y-%m-%d}",
                       **size))
    else:
        out.append(say("data.size", ctx, **size))
    # column names are crmbook's own identifiers, shown as they are
    present, absent = _names(f["present"], ctx), join_names(f["absent"], ctx)
    out.append(cat.say("data.columns_absent" if absent else "data.columns", ctx, escape=False, present=present,
                       absent=absent))
    out.append(cat.say("data.details", ctx, escape=False, details=_names(f["details"], ctx)))
    out.append(say("data.market" if f["has_market"] else "data.no_market", ctx))
    return Narrative(out, language=ctx.language)


def describe_windows(windows: pd.DataFrame, ctx: Context) -> str:
    """The windows of :func:`crmbook.segmentation.abc_windows` in words:
    ``"year 0 = 2025-01-01 to 2025-12-31; year 1 = ..."``."""
    require_columns(windows, "windows", ["year", "start", "end"])
    sep = "；" if ctx.language == "zh" else "; "
    return sep.join(say("abc.window", ctx, year=int(y), start=f"{a:%Y-%m-%d}", end=f"{b:%Y-%m-%d}")
                    for y, a, b in windows[["year", "start", "end"]].itertuples(index=False))


def windows_note(windows: pd.DataFrame, ctx: Context) -> Narrative:
    """"Here: year 0 = ... ." as a note."""
    return note("abc.windows_here", ctx, windows=describe_windows(windows, ctx))


# -- RFM ----------------------------------------------------------------------------------------------

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


# -- ABC ----------------------------------------------------------------------------------------------

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


# -- clusters -----------------------------------------------------------------------------------------

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


# -- psychographics -----------------------------------------------------------------------------------

def orientation_label(code: str, ctx: Context | str) -> str:
    """The name of a value orientation (``"quality"`` -> ``"quality-minded"``, 重质量型;
    :data:`crmbook.segmentation.NO_PREFERENCE` -> ``"no clear preference"``); an attribute without its own
    name reads ``"<attribute>-minded"``."""
    if f"psycho.orientation.{code}" in catalogue(PACKAGE).keys("psycho.orientation"):
        return say(f"psycho.orientation.{code}", ctx)
    return say("psycho.other", ctx, attribute=str(code).replace("_", " "))


def psychographic_facts(summary: pd.DataFrame, by_segment: pd.DataFrame, *, customers: int,
                        segments: Sequence[str] = PSYCHO_SEGMENTS, min_segment: int = PSYCHO_MIN_SEGMENT,
                        min_lift: float = PSYCHO_MIN_LIFT, segment_col: str = "segment") -> dict[str, Any]:
    """The figures of the psychographic interpretation, from
    :func:`crmbook.segmentation.orientation_summary` and :func:`crmbook.segmentation.orientation_by_segment`
    (``customers``: the size of the whole base): how many customers are classified, the largest clear
    orientation, the share without clear preference, the clear orientations rating lowest and highest
    overall (``own_mean``); for each of ``segments`` with at least ``min_segment`` surveyed customers the
    orientation most over-represented against all surveyed customers (``None`` unless it is ``min_lift``
    above), and ``standout``: the segment (any, same minimum size) with the largest such lift when it is not
    one of ``segments`` and reaches ``min_lift`` (else ``None``)."""
    require_columns(summary, "summary", ["orientation", "customers", "customer_share", "own_mean"])
    require_columns(by_segment, "by_segment", [segment_col, "customers"])
    surveyed = int(summary["customers"].sum())
    clear = summary[summary["orientation"] != NO_PREFERENCE]
    none = summary.loc[summary["orientation"] == NO_PREFERENCE, "customer_share"]
    out: dict[str, Any] = {
        "surveyed": surveyed, "coverage": surveyed / customers if customers else 0.0,
        "none_share": float(none.sum()), "clear_share": float(clear["customer_share"].sum()),
        "top": None, "top_share": 0.0, "low": None, "high": None, "segments": [], "standout": None,
        "min_lift": float(min_lift),
    }
    if len(clear):
        top = clear.iloc[0]
        out.update(top=top["orientation"], top_share=float(top["customer_share"]))
    if len(clear) >= 2:
        lo, hi = clear.loc[clear["own_mean"].idxmin()], clear.loc[clear["own_mean"].idxmax()]
        out.update(low=lo["orientation"], low_mean=float(lo["own_mean"]), high=hi["orientation"],
                   high_mean=float(hi["own_mean"]))
    orientations = [c for c in by_segment.columns if c not in (segment_col, "customers") and c != NO_PREFERENCE]
    rows = by_segment.set_index(segment_col)
    if "all" in rows.index and orientations:
        base = rows.loc["all", orientations].astype(float)
        found = []
        for s in rows.index:
            if s == "all" or int(rows.loc[s, "customers"]) < min_segment:
                continue
            lift = rows.loc[s, orientations].astype(float) - base
            best = lift.idxmax()
            found.append({"segment": s, "customers": int(rows.loc[s, "customers"]),
                          "orientation": best if lift[best] >= min_lift - 1e-9 else None, "lift": float(lift[best]),
                          "share": float(rows.loc[s, best]), "base": float(base[best])})
        out["segments"] = [f for s in segments for f in found if f["segment"] == s]
        others = [f for f in found if f["segment"] not in set(segments) and f["orientation"] is not None]
        if others:
            out["standout"] = max(others, key=lambda f: f["lift"])
    return out


def psychographic_interpretation(summary: pd.DataFrame, by_segment: pd.DataFrame, ctx: Context, *,
                                 customers: int, min_gap: float = PSYCHO_MIN_GAP,
                                 segments: Sequence[str] = PSYCHO_SEGMENTS) -> Narrative:
    """What the value orientations say (from :func:`psychographic_facts`): who is covered, the rule and the
    customers without clear preference, the largest orientation, what the named segments value more than
    the surveyed base, and which orientation rates lowest overall (a rating is performance, not
    importance). ``min_gap``: the gap the orientations were computed with, for the rule sentence."""
    f = psychographic_facts(summary, by_segment, customers=customers, segments=segments)
    out = [say("psycho.coverage", ctx, surveyed=f["surveyed"], share=f["coverage"]),
           say("psycho.rule", ctx, gap=float(min_gap), none_share=f["none_share"],
               none=orientation_label(NO_PREFERENCE, ctx))]
    if f["top"] is not None:
        out.append(say("psycho.largest", ctx, orientation=orientation_label(f["top"], ctx), share=f["top_share"]))
    for s in f["segments"]:
        if s["orientation"] is None:
            out.append(say("psycho.segment_none", ctx, s["customers"], segment=group_label(s["segment"], ctx),
                           points=100 * f["min_lift"]))
        else:
            out.append(say("psycho.segment", ctx, s["customers"], segment=group_label(s["segment"], ctx),
                           orientation=orientation_label(s["orientation"], ctx), share=s["share"], base=s["base"]))
    if f["standout"] is not None:
        s = f["standout"]
        out.append(say("psycho.standout", ctx, s["customers"], segment=group_label(s["segment"], ctx),
                       orientation=orientation_label(s["orientation"], ctx), share=s["share"], base=s["base"]))
    if f["low"] is not None and f["high_mean"] - f["low_mean"] >= min_gap:
        out.append(say("psycho.level", ctx, low=orientation_label(f["low"], ctx), low_mean=f["low_mean"],
                       high=orientation_label(f["high"], ctx), high_mean=f["high_mean"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


# -- demographics and portraits -----------------------------------------------------------------------

def demographic_facts(attributes: pd.DataFrame, *,
                      dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS) -> dict[str, Any]:
    """Which demographic dimensions the data lacks (``missing``) and whether none is present."""
    missing = [d for d in dimensions if d not in attributes.columns]
    return {"missing": missing, "none_present": len(missing) == len(dimensions)}


def demographic_notes(attributes: pd.DataFrame, ctx: Context, *,
                      dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS) -> Narrative:
    """What the demographic breakdown cannot show (empty when every dimension is present)."""
    f = demographic_facts(attributes, dimensions=dimensions)
    out = []
    if f["missing"]:
        out.append(catalogue(PACKAGE).say("demo.missing", ctx, escape=False, missing=join_names(f["missing"], ctx)))
    if f["none_present"]:
        out.append(say("demo.none", ctx))
    return Narrative(out, language=ctx.language, bullets=True)


def dimension_label(name: str, ctx: Context) -> str:
    """A demographic dimension as a sentence names it (``"age_band"`` -> ``"age band"``, 年龄段)."""
    label = column(name, ctx, package=PACKAGE).labels[ctx.language]
    return label.lower() if ctx.language == "en" else label


def demographic_interpretation(highlights: pd.DataFrame, ctx: Context, *, consumers: int) -> Narrative:
    """What the demographic breakdown says, from :func:`crmbook.segmentation.demographic_highlights`
    (``consumers``: how many customers the breakdown covers)."""
    require_columns(highlights, "highlights", ["dimension", "group", "customer_share", "revenue_share",
                                               "revenue_per_customer"])
    if highlights.empty:
        return Narrative([say("demo.no_groups", ctx, consumers=int(consumers))], lead=_lead(ctx),
                         language=ctx.language)
    groups = say("demo.group_sep", ctx).join(
        say("demo.group", ctx, dimension=dimension_label(r["dimension"], ctx), group=str(r["group"]),
            customer_share=r["customer_share"], revenue_share=r["revenue_share"],
            money=money(r["revenue_per_customer"], ctx))
        for r in highlights.to_dict("records"))
    return Narrative([catalogue(PACKAGE).say("demo.highlights", ctx, escape=False, consumers=int(consumers),
                                             groups=groups),
                      say("demo.advice", ctx)], lead=_lead(ctx), language=ctx.language)


def portrait_sentence(row: Any, ctx: Context) -> str:
    """The portrait of one segment in words, from a row of :func:`crmbook.segmentation.customer_portrait`:
    what is over-represented in it (with its share and index), how it buys, what it is worth."""
    r = dict(row)
    cat = catalogue(PACKAGE)

    def part(key: str, col: str) -> str:
        return cat.say(key, ctx, escape=False, value=r[col], share=r[col + "_share"])

    who = [cat.say(f"portrait.who.{col}", ctx, escape=False, value=r[f"over_{col}"], share=r[f"over_{col}_share"],
                   index=r[f"over_{col}_index"])
           for col in ("business", "age_band", "gender", "region", "acquisition_channel")
           if f"over_{col}" in r and pd.notna(r[f"over_{col}"])]
    how = say("portrait.orders", ctx, orders=r["orders_per_customer"])
    if pd.notna(r["avg_order_value"]):
        how += say("portrait.aov", ctx, money=money(r["avg_order_value"], ctx))
    for col in ("channel", "category"):
        if f"top_{col}" in r and pd.notna(r[f"top_{col}"]):
            how += part(f"portrait.main_{col}", f"top_{col}")
    worth = say("portrait.worth", ctx, money=money(r["revenue_per_customer"], ctx))
    if pd.notna(r["revenue_share"]):
        worth += say("portrait.worth_share", ctx, share=r["revenue_share"])
    head = (cat.say("portrait.head", ctx, escape=False, who=say("portrait.sep", ctx).join(who)) if who
            else say("portrait.like_base", ctx))
    return head + cat.say("portrait.body", ctx, escape=False, how=how, worth=worth)


# -- target matrix, penetration -----------------------------------------------------------------------

def target_facts(summary: pd.DataFrame) -> dict[str, Any]:
    """Each group's customers and shares (of buying customers), the split and the evidence of
    attractiveness (from ``summary.attrs``), the *focus* customers' shares and the group without revenue
    in the last 12 months, from :func:`crmbook.segmentation.target_summary`."""
    require_columns(summary, "summary", ["segment", "customers", "customer_share", "revenue_share"])
    groups = [{"quadrant": r["segment"], "customers": int(r["customers"]),
               "customer_share": float(r["customer_share"]), "revenue_share": float(r["revenue_share"])}
              for r in summary.to_dict("records")]
    by = {g["quadrant"]: g for g in groups}
    none = {"customers": 0, "customer_share": 0.0, "revenue_share": 0.0}
    return {"quadrants": [g for g in groups if g["quadrant"] != TARGET_DORMANT],
            "dormant": by.get(TARGET_DORMANT, none), "focus": by.get("focus", none),
            "active": int(summary.loc[summary["segment"] != TARGET_DORMANT, "customers"].sum()),
            "split": float(summary.attrs.get("split", TARGET_SPLIT)),
            "evidence": tuple(summary.attrs.get("evidence", ()))}


def target_interpretation(summary: pd.DataFrame, ctx: Context) -> Narrative:
    """What the target matrix says: how the axes are read, one sentence per quadrant, the group without
    revenue in the last 12 months, what *focus* selects, and the judgement calls."""
    f = target_facts(summary)
    names = _labels(ctx, *TARGET_PLAYBOOK.order)
    evidence = join_names([say(f"target.evidence.{e}", ctx) for e in f["evidence"]], ctx)
    out = [say("target.rule", ctx, active=f["active"], evidence=evidence, top=1 - f["split"])]
    out += [say("target.quadrant", ctx, q["customers"], quadrant=group_label(q["quadrant"], ctx),
                customer_share=q["customer_share"], revenue_share=q["revenue_share"]) for q in f["quadrants"]]
    if f["dormant"]["customers"]:
        out.append(say("target.dormant", ctx, f["dormant"]["customers"], share=f["dormant"]["customer_share"],
                       **names))
    out.append(say("target.focus", ctx, share=f["focus"]["customer_share"],
                   revenue_share=f["focus"]["revenue_share"], **names))
    out.append(say("target.judgement", ctx, **names))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


def penetration_facts(penetration: pd.DataFrame) -> dict[str, Any]:
    """Penetration, active penetration and market share of all regions (``market_share`` ``None`` when
    unknown); the regions with the highest and lowest penetration, the one with the most headroom
    (potential customers not won) and, when the market revenue is known, the one whose customers spend
    least relative to the market (``None`` without any region)."""
    total = penetration_total(penetration)
    regions = penetration[penetration["region"] != ALL_REGIONS].dropna(subset=["penetration"])
    out: dict[str, Any] = {"penetration": float(total["penetration"]),
                           "active_penetration": float(total["active_penetration"]),
                           "market_share": float(total["market_share"]) if pd.notna(total["market_share"]) else None,
                           "highest": None, "lowest": None, "roomiest": None, "weakest_spend": None}
    if len(regions):
        hi, lo = regions.loc[regions["penetration"].idxmax()], regions.loc[regions["penetration"].idxmin()]
        room = regions.loc[regions["headroom"].idxmax()]
        out.update(highest=hi["region"], highest_penetration=float(hi["penetration"]),
                   lowest=lo["region"], lowest_penetration=float(lo["penetration"]),
                   lowest_headroom=float(lo["headroom"]),
                   roomiest=room["region"], roomiest_headroom=float(room["headroom"]),
                   roomiest_penetration=float(room["penetration"]))
        spend = regions.dropna(subset=["relative_spend"])
        if len(spend):
            w = spend.loc[spend["relative_spend"].idxmin()]
            out.update(weakest_spend=w["region"], weakest_relative_spend=float(w["relative_spend"]),
                       weakest_penetration=float(w["penetration"]), weakest_share=float(w["market_share"]))
    return out


def penetration_interpretation(penetration: pd.DataFrame, ctx: Context) -> Narrative:
    """What penetration says: the overall figures; where penetration is highest and lowest beside where
    the most potential customers are left (headroom); and, with market revenue, the region whose share
    trails its penetration because its customers spend less than the market's (share = penetration x
    relative spend)."""
    f = penetration_facts(penetration)
    values = dict(penetration=f["penetration"], active=f["active_penetration"])
    if f["market_share"] is None:
        out = [say("pen.overall", ctx, **values)]
    else:
        out = [say("pen.overall_share", ctx, market_share=f["market_share"], **values)]
    if f["highest"] is not None:
        out.append(say("pen.regions", ctx, high=str(f["highest"]), high_share=f["highest_penetration"],
                       low=str(f["lowest"]), low_share=f["lowest_penetration"]))
        if f["roomiest"] == f["lowest"]:
            out.append(say("pen.headroom_same", ctx, region=str(f["roomiest"]), headroom=f["roomiest_headroom"]))
        else:
            out.append(say("pen.headroom", ctx, region=str(f["roomiest"]), headroom=f["roomiest_headroom"],
                           penetration=f["roomiest_penetration"], low=str(f["lowest"]),
                           low_headroom=f["lowest_headroom"]))
    if f["weakest_spend"] is not None:
        key = "pen.spend_low" if f["weakest_relative_spend"] < 1 else "pen.spend_high"
        out.append(say(key, ctx, region=str(f["weakest_spend"]), penetration=f["weakest_penetration"],
                       relative=f["weakest_relative_spend"], share=f["weakest_share"]))
    return Narrative(out, lead=_lead(ctx), language=ctx.language)


# -- contacts and summary -----------------------------------------------------------------------------

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

