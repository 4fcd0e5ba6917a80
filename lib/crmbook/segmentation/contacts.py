"""Who to contact first (行动名单), and the segment lists for a call centre or a campaign tool.

:func:`contact_list` picks the most valuable customers of the segments that need action now, most urgent
first; the reason and the action in the report language are added at display time
(:func:`crmbook.segmentation.narrative.contact_table`). :func:`export_segments` writes one CSV per segment,
customer ids only unless personal data may be shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from crmbook.data.schemas import PERSONAL_COLUMNS
from crmbook.outputs import claim_export, record_export
from crmbook.tables import require_columns, without_formulas

__all__ = ["CONTACT_SEGMENTS", "contact_list", "export_segments"]

#: Segments whose customers head the contact list, in order of urgency: the valuable customers slipping
#: away first, then the best customers to keep close, then those to convert or wake up.
CONTACT_SEGMENTS: tuple[str, ...] = ("cant_lose", "at_risk", "champions", "need_attention", "new")


def _slug(text: Any) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", str(text)).strip("_").lower()
    return s or "segment"


def contact_list(assignments: pd.DataFrame, *, segments: Sequence[str] = CONTACT_SEGMENTS,
                 n_per_segment: int = 10, segment_col: str = "segment") -> pd.DataFrame:
    """Which customers to contact first: the ``n_per_segment`` most valuable customers (by ``monetary``)
    of each of ``segments``, in that order.

    Parameters
    ----------
    assignments : DataFrame
        :func:`crmbook.segmentation.rfm_segmentation` output (``recency_days, frequency, monetary`` and
        ``segment_col``).
    segments : sequence of str
        Segments to draw from, most urgent first (default :data:`CONTACT_SEGMENTS`).

    Returns
    -------
    DataFrame
        ``priority, customer_id, segment, monetary, frequency, recency_days`` (the facts behind each
        contact's reason).
    """
    require_columns(assignments, "assignments", ["customer_id", segment_col, "recency_days", "frequency",
                                                 "monetary"])
    parts = []
    # one (stable) sort of everyone: each segment's rows then come out in the order of sorting that segment
    ranked = assignments.sort_values(["monetary", "customer_id"], ascending=[False, True])
    for rank, name in enumerate(segments, start=1):
        part = ranked[ranked[segment_col] == name].head(int(n_per_segment))
        parts.append(part.assign(priority=rank))
    cols = ["priority", "customer_id", segment_col, "monetary", "frequency", "recency_days"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def export_segments(assignments: pd.DataFrame, out_dir: str | Path, *, mask_personal: bool = True,
                    segment_col: str = "segment", customers: pd.DataFrame | None = None,
                    personal_columns: Sequence[str] = PERSONAL_COLUMNS,
                    prefix: str | None = None) -> list[Path]:
    """Write one CSV per segment with the customers to contact.

    With ``mask_personal=True`` (the default) each file holds **only the customer ids**. With masking
    turned off, the ``personal_columns`` (name, phone, e-mail) found in ``customers`` (or in
    ``assignments``) are added, so the list can go straight to a call centre. Files are named
    ``<prefix>_<segment>.csv`` (UTF-8 with BOM so Excel opens them), ``prefix`` defaulting to
    ``segment_col``; the folder is created if needed. The export rules of :mod:`crmbook.outputs` hold:
    no system folder, and no file overwritten that crmbook did not write (ValueError, FileExistsError).

    Returns
    -------
    list of Path
        The files written, in segment order.
    """
    customer_col = "customer_id"
    require_columns(assignments, "assignments", [customer_col, segment_col])
    a = assignments[[customer_col, segment_col]].copy()
    a[customer_col] = a[customer_col].astype(str)
    if not mask_personal:
        source = customers if customers is not None else assignments
        cols = [c for c in personal_columns if c in source.columns]
        if cols:
            extra = source[[customer_col, *cols]].copy()
            extra[customer_col] = extra[customer_col].astype(str)
            a = a.merge(extra.drop_duplicates(customer_col), on=customer_col, how="left")
    prefix = _slug(prefix or segment_col)
    groups = list(a.groupby(segment_col, sort=True))
    out_dir = claim_export(out_dir, [f"{prefix}_{_slug(seg)}.csv" for seg, _ in groups])
    paths = []
    for seg, part in groups:
        path = out_dir / f"{prefix}_{_slug(seg)}.csv"
        keep = [customer_col] if mask_personal else [c for c in part.columns if c != segment_col]
        without_formulas(part[keep].sort_values(customer_col)).to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    record_export(out_dir, paths)
    return paths
