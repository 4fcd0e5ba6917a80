"""Running notebooks into reports, recording KPIs.

A notebook records a headline figure with one call, :func:`record_kpi`. The figure is shown in the
notebook as a small card and carried, machine-readable, in the cell output under the MIME type
:data:`KPI_MIME`; the runner collects those outputs from each executed notebook into ``kpis.json``.
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = ["KPI_MIME", "record_kpi"]

#: MIME type of the KPI records a notebook emits and the runner collects.
KPI_MIME = "application/vnd.crmbook.kpi+json"


def _jsonable(value: Any) -> Any:
    """Turn numpy/pandas scalars into plain Python numbers (NaN -> None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def record_kpi(name: str, value: Any, unit: str = "", *, label: str | None = None,
               topic: str | None = None, display: bool = True) -> dict[str, Any]:
    """Record a headline figure of the notebook for the report runner.

    Parameters
    ----------
    name : str
        Stable machine name, ``snake_case`` (e.g. ``"top20_revenue_share"``); the key in ``kpis.json``.
    value : number or str
        The figure. Numpy/pandas scalars are converted; NaN becomes ``null``.
    unit : str
        Unit of ``value``: ``"%"`` for shares given as 0-100, ``"customers"``, ``"CNY"`` ...
    label : str, optional
        Human-readable label for the report (defaults to ``name``).
    topic : str, optional
        The topic; the runner fills it from the notebook's name when left out.
    display : bool
        Show the KPI as a card in the notebook (default) or only emit the record.

    Returns
    -------
    dict
        The record: ``{"name", "value", "unit", "label", "topic"}``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"record_kpi: name must be a snake_case identifier, got {name!r}")
    record = {"name": name, "value": _jsonable(value), "unit": unit, "label": label or name, "topic": topic}
    from IPython.display import display as ipy_display  # only in a kernel, not at import time

    shown = record["value"]
    if isinstance(shown, float):
        shown = f"{shown:,.2f}" if abs(shown) < 1e6 else f"{shown:,.0f}"
    card = (
        '<div class="crmbook-kpi" style="display:inline-block;border:1px solid #ccd;border-radius:6px;'
        'padding:6px 12px;margin:4px">'
        f'<div style="font-size:0.85em;color:#555">{html.escape(record["label"])}</div>'
        f'<div style="font-size:1.4em;font-weight:600">{html.escape(str(shown))} '
        f'<span style="font-size:0.7em;color:#555">{html.escape(unit)}</span></div></div>'
    )
    bundle = {KPI_MIME: record, "text/plain": f"KPI {name} = {shown} {unit}".rstrip()}
    if display:
        bundle["text/html"] = card
    ipy_display(bundle, raw=True)
    return record
