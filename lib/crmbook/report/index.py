"""The index pages of a reports folder: one per run, and one listing every run.

A run's ``index.html`` links to its reports and lists the figures every notebook recorded, with their
change since the previous successful run; the folder's ``index.html`` lists the runs, newest first, and
marks ``latest``. Both are plain HTML with their own small stylesheet: they load nothing.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from typing import Any

from crmbook.kpis import format_value
from crmbook.language import catalogue

__all__ = ["reports_index_html", "run_index_html"]


_PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:60em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.up,.down{font-weight:600}
.failed{color:#b42318;font-weight:600}.muted{color:#666;font-size:.9em}
"""


def _t(key: str, language: str, **values: Any) -> str:
    """A text of the index pages in ``language`` (values are escaped by the caller: HTML is built here)."""
    return catalogue("crmbook").say(f"index.{key}", language, escape=False, **values)


def _language(meta: Mapping[str, Any]) -> str:
    language = (meta.get("parameters") or {}).get("language") or "en"
    return language if language in ("en", "zh") else "en"


def _change(value: Any, old: Any, language: str = "en") -> str:
    """The change of a KPI since the previous run, as HTML (``+12 (+3.4%)``, ``unchanged``)."""
    if not isinstance(value, (int, float)) or not isinstance(old, (int, float)) or isinstance(value, bool):
        return ""
    delta = value - old
    if abs(delta) < 1e-12:
        return f'<span class="muted">{_t("unchanged", language)}</span>'
    sign = "+" if delta > 0 else ""
    rel = f" ({sign}{delta / abs(old) * 100:.1f}%)" if old else ""
    css = "up" if delta > 0 else "down" if delta < 0 else ""
    arrow = "\u25b2 " if delta > 0 else "\u25bc "  # up / down; whether that is good depends on the KPI
    return f'<span class="{css}">{arrow}{html.escape(sign + format_value(delta) + rel)}</span>'


def _when(stamp: str) -> str:
    """An ISO time stamp as ``2025-12-31 02:00:05 UTC``."""
    try:
        return f"{_dt.datetime.fromisoformat(stamp).astimezone(_dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    except (TypeError, ValueError):
        return str(stamp)


def run_index_html(meta: Mapping[str, Any], kpis: Sequence[Mapping[str, Any]],
                   previous_kpis: Sequence[Mapping[str, Any]]) -> str:
    """The index page of one run: its reports, its KPIs and their change since the previous good run.

    Parameters
    ----------
    meta : mapping
        The run's ``run.json`` (``run_id``, ``status``, ``notebooks``, ``previous_run`` ...).
    kpis : sequence of mapping
        The run's figures, as :func:`crmbook.kpis.collect_kpis` returns them.
    previous_kpis : sequence of mapping
        The figures of the previous successful run (empty when there is none).
    """
    esc = html.escape
    lang = _language(meta)
    old = {(k.get("topic"), k.get("name")): k.get("value") for k in previous_kpis}
    rows = []
    for nb in meta["notebooks"]:
        status = nb["status"]
        link = (f'<a href="{esc(nb["html"])}">{esc(nb["topic"])}</a>' if nb.get("html")
                else esc(nb["topic"]))
        extra = (f' <span class="failed">{_t("failed", lang)}</span> - <a href="{esc(nb["ipynb"])}">'
                 f'{_t("partly_executed", lang)}</a>' if status != "ok" else "")
        rows.append(f"<li>{link}{extra}</li>")
    kpi_rows = []
    for k in kpis:
        key = (k["topic"], k["name"])
        change = _change(k["value"], old[key], lang) if key in old else (
            f'<span class="muted">{_t("new", lang)}</span>' if meta.get("previous_run") else "")
        kpi_rows.append(f'<tr><td>{esc(str(k["topic"]))}</td><td>{esc(str(k["label"]))}</td>'
                        f'<td class="num">{esc(format_value(k["value"]))}</td><td>{esc(str(k["unit"]))}</td>'
                        f'<td class="num">{change}</td></tr>')
    previous = meta.get("previous_run")
    prev_note = _t("change_since", lang, run=esc(previous)) if previous else _t("no_previous", lang)
    status = _t("complete", lang) if meta["status"] == "ok" else f'<span class="failed">{_t("FAILED", lang)}</span>'
    params = ", ".join(f"{esc(k)}={esc(str(v))}" for k, v in sorted(meta.get("parameters", {}).items()))
    unmasked = (f'<p class="failed">{_t("unmasked", lang)}</p>'
                if meta.get("parameters", {}).get("mask_personal") is False else "")
    heads = "".join(f"<th>{_t('head.' + h, lang)}</th>" for h in ("topic", "figure", "value", "unit"))
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_t("run_title", lang, run=esc(meta["run_id"]))}</title><style>{_PAGE_CSS}</style></head>
<body><h1>{_t("title", lang)}</h1>
<p>{_t("run_line", lang, run=esc(meta["run_id"]), status=status, data=esc(str(meta["data"])),
       as_of=esc(str(meta.get("as_of") or _t("default_as_of", lang))))}<br>
<span class="muted">{_t("times", lang, started=esc(_when(meta["started"])), finished=esc(_when(meta.get("finished", ""))),
                        version=esc(meta["crmbook_version"]), parameters=params or _t("defaults", lang))}</span></p>
{unmasked}<h2>{_t("reports", lang)}</h2><ul>{"".join(rows)}</ul>
<h2>{_t("key_figures", lang)}</h2>
<table><thead><tr>{heads}<th>{prev_note}</th></tr></thead>
<tbody>{"".join(kpi_rows) or f'<tr><td colspan="5">{_t("no_figures", lang)}</td></tr>'}</tbody></table>
<p class="muted"><a href="kpis.json">kpis.json</a> - <a href="../index.html">{_t("all_runs", lang)}</a></p>
</body></html>
"""


def reports_index_html(runs: Sequence[Mapping[str, Any]], latest: str | None) -> str:
    """The index of a reports folder: every run, newest first, and which one is ``latest``.

    Parameters
    ----------
    runs : sequence of mapping
        The ``run.json`` of each run, in any order.
    latest : str or None
        Run id ``latest`` points at (None: no successful run yet).
    """
    esc = html.escape
    rows = []
    for r in sorted(runs, key=lambda r: r.get("started", ""), reverse=True):
        mark = " <b>latest</b>" if r.get("run_id") == latest else ""
        status = "ok" if r.get("status") == "ok" else '<span class="failed">failed</span>'
        topics = ", ".join(esc(n["topic"]) for n in r.get("notebooks", []))
        rows.append(f'<tr><td><a href="{esc(r["run_id"])}/index.html">{esc(r["run_id"])}</a>{mark}</td>'
                    f'<td>{status}</td><td>{esc(str(r.get("as_of") or ""))}</td><td>{topics}</td></tr>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>crmbook reports</title><style>{_PAGE_CSS}</style></head>
<body><h1>crmbook reports</h1>
<p>{'<a href="latest/index.html">Latest successful run</a>' if latest else "No successful run yet."}</p>
<table><thead><tr><th>run</th><th>status</th><th>as of</th><th>topics</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></body></html>
"""
