"""Headline figures (KPIs) that a notebook records and the report runner collects.

A notebook records a figure with one call, :func:`record_kpi` (or a list of them with :func:`record_kpis`).
The figure is shown in the notebook as a small card and carried, machine-readable, in the cell output
under the MIME type :data:`KPI_MIME`; the runner (:mod:`crmbook.report`) collects those outputs from each
executed notebook with :func:`collect_kpis` into ``kpis.json``.

A shared module: notebooks call it inside the kernel, so it imports nothing of the runner (only IPython,
when a figure is recorded).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["KPI_MIME", "collect_kpis", "format_value", "record_kpi", "record_kpis", "unit_label"]

#: MIME type of the KPI records a notebook emits and the runner collects.
KPI_MIME = "application/vnd.crmbook.kpi+json"


def _jsonable(value: Any) -> Any:
    """Turn numpy/pandas scalars into plain Python numbers (NaN -> None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def format_value(value: Any, unit: str = "") -> str:
    """A KPI value as shown to a reader: thousands separators; decimals only where they carry information.

    A percentage (unit ``%``) has one decimal; other numbers two decimals below 1,000 and none from 1,000 on
    (a reader compares 529,557 with 531,020, not the cents).
    ``1234.5`` -> ``"1,234"`` (half to even), ``185.04`` -> ``"185.04"``, ``(55.0, "%")`` -> ``"55.0"``,
    ``1200`` -> ``"1,200"``, ``None`` -> ``"n/a"``; booleans and text as they are.
    """
    if isinstance(value, bool) or value is None:
        return "n/a" if value is None else str(value)
    if isinstance(value, float):
        if str(unit).strip() == "%":
            return f"{value:,.1f}"
        return f"{value:,.2f}" if abs(value) < 1e3 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def unit_label(unit: str, language: str = "en") -> str:
    """A KPI's unit as a reader sees it in ``language``: ``"customers"`` -> ``"位客户"`` in Chinese.

    Units are recorded in English (machine-readable, the same in every run); the shared catalogue's
    ``unit.<unit>`` texts translate them for display. A unit without a text (``%``, ``CNY``) is shown as is.
    """
    from crmbook.language import catalogue

    texts = catalogue("crmbook").texts.get(language, {})
    return str(texts.get(f"unit.{unit}", unit))


def _prepare(name: str, value: Any, unit: str = "", *, label: str | None = None, topic: str | None = None,
             display: bool = True, language: str = "en") -> tuple[dict[str, Any], dict[str, Any]]:
    """The record of one KPI (checked) and the display bundle that carries it (``record_kpi``'s arguments)."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"record_kpi: name must be a snake_case identifier, got {name!r}")
    record = {"name": name, "value": _jsonable(value), "unit": unit, "label": label or name, "topic": topic}
    # Without display, only the machine-readable record is emitted: nothing shows in the notebook or report.
    bundle: dict[str, Any] = {KPI_MIME: record}
    if display:
        shown = format_value(record["value"], unit)
        bundle["text/plain"] = f"KPI {name} = {shown} {unit}".rstrip()
        bundle["text/html"] = (
            '<div class="crmbook-kpi" style="display:inline-block;border:1px solid #ccd;border-radius:6px;'
            'padding:6px 12px;margin:4px">'
            f'<div style="font-size:0.85em;color:#555">{html.escape(record["label"])}</div>'
            f'<div style="font-size:1.4em;font-weight:600">{html.escape(shown)} '
            f'<span style="font-size:0.7em;color:#555">{html.escape(unit_label(unit, language))}</span></div></div>'
        )
    return record, bundle


def _emit(bundles: Iterable[dict[str, Any]]) -> None:
    from IPython.display import display as ipy_display  # only in a kernel, not at import time

    for bundle in bundles:
        ipy_display(bundle, raw=True)


def record_kpi(name: str, value: Any, unit: str = "", *, label: str | None = None,
               topic: str | None = None, display: bool = True, language: str = "en") -> dict[str, Any]:
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
    language : str
        Language of the card (the unit is shown translated, :func:`unit_label`; the record keeps the
        machine unit). ``label`` is given in that language by the caller.

    Returns
    -------
    dict
        The record: ``{"name", "value", "unit", "label", "topic"}``.
    """
    record, bundle = _prepare(name, value, unit, label=label, topic=topic, display=display, language=language)
    _emit([bundle])
    return record


def record_kpis(records: Iterable[Mapping[str, Any]], *, display: bool = False) -> list[dict[str, Any]]:
    """Record several headline figures in one call: ``record_kpi(**kpi)`` for each of ``records``.

    Every record is checked before any is emitted, so a bad one records nothing.

    Parameters
    ----------
    records : iterable of mapping
        Keyword arguments of :func:`record_kpi` each (``name``, ``value``, and optionally ``unit``,
        ``label``, ``topic``, ``display``), e.g. what :func:`crmbook.segmentation.segment_kpis` returns.
    display : bool
        Show each figure as a card (default: only emit the records, nothing shows in the report); a
        record's own ``display`` key wins.

    Returns
    -------
    list of dict
        The records, as :func:`record_kpi` returns them, in the order given.

    Raises
    ------
    TypeError
        A record is not a mapping of :func:`record_kpi`'s arguments (the message names its position).
    ValueError
        A record's name is not a ``snake_case`` identifier.

    Examples
    --------
    >>> record_kpis([{"name": "customers", "value": 1200, "unit": "customers"},
    ...              {"name": "top20_share", "value": 61.5, "unit": "%"}])  # doctest: +SKIP
    """
    prepared = []
    for position, kpi in enumerate(records, start=1):
        if not isinstance(kpi, Mapping):
            raise TypeError(f"record_kpis: record {position} must be a mapping of record_kpi's arguments, "
                            f"got {type(kpi).__name__}")
        try:
            prepared.append(_prepare(**{"display": display, **kpi}))
        except TypeError as exc:
            raise TypeError(f"record_kpis: record {position} ({dict(kpi)!r}) does not fit record_kpi: "
                            f"{exc}") from None
    _emit(bundle for _, bundle in prepared)
    return [record for record, _ in prepared]


def collect_kpis(nb: Any, topic: str, notebook: str | None = None) -> list[dict[str, Any]]:
    """The KPI records an executed notebook emitted, in cell order.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    topic : str
        Topic name filled into records that name none (``"segmentation"``).
    notebook : str, optional
        Notebook stem recorded with each KPI (``"01_segmentation"``).

    Returns
    -------
    list of dict
        ``{"topic", "name", "value", "unit", "label", "notebook"}`` per recorded figure; a figure
        recorded twice under the same name keeps the last value.
    """
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(KPI_MIME)
            if not isinstance(record, Mapping) or "name" not in record:
                continue
            kpi = {
                "topic": record.get("topic") or topic,
                "name": str(record["name"]),
                "value": record.get("value"),
                "unit": record.get("unit", ""),
                "label": record.get("label") or record["name"],
                "notebook": notebook or topic,
            }
            found.pop((kpi["topic"], kpi["name"]), None)
            found[(kpi["topic"], kpi["name"])] = kpi
    return list(found.values())
