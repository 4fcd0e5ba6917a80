"""Tables of the segmentation as a reader sees them: codes in words, human headers, values by kind.

Analysis frames hold codes (segment ``cant_lose``, class ``A``, quadrant ``focus``, reason ``top_revenue``,
cluster traits ``high_monetary``); :func:`readable` turns them into the report language's words at display
time, and :func:`table` shows the result with the column kinds and labels of ``text/columns.yaml``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.tables import format_table, map_distinct

from .abc import ABC_GROWTH, ABC_TOP_SHARE
from .narrative import (
    PACKAGE,
    cluster_description,
    cluster_label,
    contact_reason,
    group_label,
    orientation_label,
    portrait_sentence,
    say,
)
from .penetration import ALL_REGIONS
from .rfm import NO_PURCHASE, RFM_PLAYBOOK

__all__ = ["readable", "table", "contact_table", "portrait_table", "crosstab_table", "mix_table", "orientation_table"]

_GROUP_COLUMNS = ("segment", "abc_class", "quadrant")


def readable(df: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """A copy of ``df`` with its code columns in words: ``segment``, ``abc_class`` and ``quadrant`` as the
    playbooks' labels, ``abc_reason`` and ``traits`` / ``cluster_traits`` as sentences, ``cluster_name`` and
    ``orientation`` as their names, the total row of
    ``region`` and ``cluster`` ``no_purchase`` in the report language. Other columns are left as they are."""
    out = df.copy()
    for col in _GROUP_COLUMNS:
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v: group_label(v, ctx))
    if "abc_reason" in out.columns:
        top_share, growth = df.attrs.get("top_share", ABC_TOP_SHARE), df.attrs.get("growth", ABC_GROWTH)
        out["abc_reason"] = out["abc_reason"].map(
            lambda v: say(f"abc.reason.{v}", ctx, top_share=top_share, growth=growth))
    for col in ("traits", "cluster_traits"):
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v: cluster_description(v, ctx))
    if "cluster_name" in out.columns:
        out["cluster_name"] = map_distinct(out["cluster_name"], lambda v: cluster_label(v, ctx))
    if "orientation" in out.columns:
        out["orientation"] = map_distinct(out["orientation"], lambda v: orientation_label(v, ctx))
    if "region" in out.columns:
        out["region"] = out["region"].replace({ALL_REGIONS: say("pen.all_regions", ctx)})
    if "cluster" in out.columns:
        out["cluster"] = out["cluster"].replace({NO_PURCHASE: group_label(NO_PURCHASE, ctx)})
    return out


def table(df: pd.DataFrame, ctx: Context, **options: Any):
    """``df`` shown to a reader: :func:`readable`, then :func:`crmbook.tables.format_table` with this
    topic's column kinds and labels (``options`` go to it: ``index``, ``max_rows``, ``kinds``)."""
    return format_table(readable(df, ctx), ctx, package=PACKAGE, **options)


def contact_table(contacts: pd.DataFrame, ctx: Context, *, playbook=RFM_PLAYBOOK) -> pd.DataFrame:
    """The contact list with the reason (``why``) and the playbook's ``action`` in the report language."""
    out = contacts.copy()
    out["why"] = [contact_reason(s, m, f, r, ctx) for s, m, f, r in
                  contacts[["segment", "monetary", "frequency", "recency_days"]].itertuples(index=False)]
    out["action"] = [playbook.action(s, ctx) for s in contacts["segment"]]
    return out


def portrait_table(portrait: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """``segment, customers, portrait``: each segment of :func:`crmbook.segmentation.customer_portrait`
    with its portrait in words."""
    out = portrait[["segment", "customers"]].copy()
    out["portrait"] = [portrait_sentence(r, ctx) for r in portrait.to_dict("records")]
    return out


def crosstab_table(crosstab: pd.DataFrame, ctx: Context):
    """:func:`crmbook.segmentation.segment_cluster_crosstab` shown with segment names and cluster headers."""
    out = crosstab.rename(columns={NO_PURCHASE: group_label(NO_PURCHASE, ctx)})
    out.columns = [str(c) for c in out.columns]
    out = out.rename_axis(None, axis=1).reset_index().rename(columns={out.index.name or "index": "segment"})
    return table(out, ctx, kinds={c: "count" for c in out.columns if c != "segment"})


def mix_table(mix: pd.DataFrame, ctx: Context):
    """:func:`crmbook.segmentation.purchase_mix` shown with segment names and the shares in %."""
    out = mix.rename_axis(None, axis=1).reset_index()
    return table(out, ctx, kinds={str(c): "share" for c in out.columns if c != "segment"})


def orientation_table(by_segment: pd.DataFrame, ctx: Context, *, segment_col: str = "segment"):
    """:func:`crmbook.segmentation.orientation_by_segment` shown with segment names, orientation names as
    headers and the shares in %; the row ``"all"`` reads "All surveyed"."""
    out = by_segment.copy()
    out[segment_col] = [say("chart.psycho.all", ctx) if s == "all" else s for s in out[segment_col]]
    shares = [c for c in out.columns if c not in (segment_col, "customers")]
    out = out.rename(columns={c: orientation_label(c, ctx) for c in shares})
    return table(out, ctx, kinds={orientation_label(c, ctx): "share" for c in shares})
