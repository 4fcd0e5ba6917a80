"""The index pages of a reports folder: one per run, and one listing every run.

A run's ``index.html`` is a dashboard: the headline figures of each topic (declared in
:mod:`crmbook.topics`) as cards with their trend over the previous comparable runs, the reports by
title, and every figure grouped by topic with its change since the previous successful run, shown only
when the two runs are comparable for that figure; the folder's ``index.html`` lists the runs, newest first, and
marks ``latest``. Both are plain HTML with their own small stylesheet: they load nothing.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from typing import Any

from crmbook import topics as registry
from crmbook.context import LANGUAGES
from crmbook.kpis import format_value, unit_label
from crmbook.language import catalogue

__all__ = ["comparable", "reports_index_html", "run_index_html", "sparkline"]


_PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:1.5em auto;max-width:1500px;padding:0 2em;color:#222;box-sizing:border-box}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
th{white-space:normal}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody th.group{background:#f6f8fa;font-size:1.05em;padding-top:.6em}
.good{color:#1a7f37;font-weight:600}.bad{color:#b42318;font-weight:600}.neutral{color:#57606a}
.failed{color:#b42318;font-weight:600}.muted{color:#666;font-size:.9em}.nc{color:#8a6100;font-size:.9em}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:.5em 0 1.2em}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:210px;max-width:320px;flex:1 1 210px;background:#fff}
.card .label{font-size:.85em;color:#57606a;min-height:2.4em}.card .value{font-size:1.6em;font-weight:600;margin:.1em 0}
.card .unit{font-size:.6em;color:#57606a;font-weight:400}.card svg{display:block;margin-top:4px}
.topic h3{margin:.8em 0 .2em}ul.reports{list-style:none;padding:0}ul.reports li{margin:.4em 0}
ul.reports a{font-weight:600}
"""


def _t(key: str, language: str, **values: Any) -> str:
    """A text of the index pages in ``language`` (values are escaped by the caller: HTML is built here)."""
    return catalogue("crmbook").say(f"index.{key}", language, escape=False, **values)


def _language(meta: Mapping[str, Any]) -> str:
    language = (meta.get("parameters") or {}).get("language") or "en"
    return language if language in LANGUAGES else "en"


def _spec(kpi: Mapping[str, Any]) -> registry.KpiSpec | None:
    return registry.kpi_spec(str(kpi.get("topic")), str(kpi.get("name")))


def _is_percent(kpi: Mapping[str, Any], spec: registry.KpiSpec | None) -> bool:
    """Whether the figure is a share given in percent (0-100, unit ``%``) rather than a fraction (0-1)."""
    return str(kpi.get("unit", "")).strip() == "%" or (spec is None and str(kpi.get("unit")) == "pp")


def _shown(kpi: Mapping[str, Any], spec: registry.KpiSpec | None) -> tuple[str, str]:
    """The value and unit as a reader sees them: shares as ``11.6`` ``%`` whichever way they were recorded."""
    value, unit = kpi.get("value"), str(kpi.get("unit", ""))
    if spec is not None and spec.kind == "share" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value if _is_percent(kpi, spec) else value * 100:.1f}", "%"
    return format_value(value, unit), unit


def _params(run: Mapping[str, Any], notebook: str | None) -> dict[str, Any]:
    """The parameters a notebook ran with (every one, defaults included), plus ``data`` and ``as_of``."""
    values = dict(run.get("parameters") or {})
    for nb in run.get("notebooks", []):
        if nb.get("topic") == notebook and isinstance(nb.get("parameters"), Mapping):
            values = dict(nb["parameters"])
    values["data"] = run.get("data")
    values.setdefault("as_of", run.get("as_of"))
    values.setdefault("mapping", "")
    return values


def comparable(kpi: Mapping[str, Any], run: Mapping[str, Any], old_run: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """What makes a figure of ``run`` not comparable with the same figure of ``old_run``: the parameters
    it depends on (:attr:`crmbook.topics.KpiSpec.compared_on`; for an undeclared figure, every parameter)
    whose values differ, as ``(name, old, new)``; empty when the two can be compared."""
    spec = _spec(kpi)
    new, old = _params(run, kpi.get("notebook")), _params(old_run, kpi.get("notebook"))
    names = spec.compared_on if spec is not None else sorted(set(new) | set(old) - {"language"})
    return [(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]


def _change(kpi: Mapping[str, Any], old: Any, language: str = "en") -> str:
    """The change since the previous run as HTML: ``▲ +2.1 pp · better``, ``unchanged``.

    Shares change in percentage points; the colour (good / bad / neutral, from the figure's declaration)
    always comes with a word, so colour is not the only cue.
    """
    value = kpi.get("value")
    if not isinstance(value, (int, float)) or not isinstance(old, (int, float)) or isinstance(value, bool):
        return ""
    spec = _spec(kpi)
    delta = value - old
    if abs(delta) < 1e-12:
        return f'<span class="neutral">{_t("unchanged", language)}</span>'
    sign = "+" if delta > 0 else "-"
    if spec is not None and spec.kind == "share":
        points = delta if _is_percent(kpi, spec) else delta * 100
        amount = f"{sign}{abs(points):.1f} pp"
    else:
        rel = f" ({sign}{abs(delta) / abs(old) * 100:.1f}%)" if old else ""
        amount = f"{sign}{format_value(abs(delta))}{rel}"
    better = spec.better if spec is not None else "neutral"
    verdict = "neutral" if better == "neutral" else ("better" if (delta > 0) == (better == "up") else "worse")
    css = {"better": "good", "worse": "bad", "neutral": "neutral"}[verdict]
    arrow = "\u25b2" if delta > 0 else "\u25bc"
    return f'<span class="{css}">{arrow} {html.escape(amount)} \u00b7 {_t("verdict." + verdict, language)}</span>'


def _not_comparable(changes: Sequence[tuple[str, Any, Any]], language: str) -> str:
    """``not comparable: parameters changed (abc_growth 0.1 → 0.2)`` as HTML."""
    shown = ", ".join(f"{n} {'' if o is None else o} \u2192 {'' if v is None else v}".replace("  ", " ")
                      for n, o, v in changes)
    key = "data_changed" if [n for n, _, _ in changes] == ["data"] else "params_changed"
    return f'<span class="nc">{_t("not_comparable", language, reason=_t(key, language, changes=html.escape(shown)))}</span>'


def sparkline(values: Sequence[float], *, width: int = 180, height: int = 34, label: str = "") -> str:
    """A small inline SVG line of ``values`` (oldest first), the last point marked; no script, no network."""
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    span = (hi - lo) or 1.0
    pad = 3
    step = (width - 2 * pad) / max(len(nums) - 1, 1)
    points = [(pad + i * step, height - pad - (v - lo) / span * (height - 2 * pad) if hi > lo else height / 2)
              for i, v in enumerate(nums)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    x, y = points[-1]
    line = (f'<polyline fill="none" stroke="#0969da" stroke-width="1.6" points="{path}"/>' if len(nums) > 1 else "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{html.escape(label)}"><title>{html.escape(label)}</title>{line}'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="#0969da"/></svg>')


def _when(stamp: str) -> str:
    """An ISO time stamp as ``2025-12-31 02:00:05 UTC``."""
    try:
        return f"{_dt.datetime.fromisoformat(stamp).astimezone(_dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    except (TypeError, ValueError):
        return str(stamp)


def _topic_title(topic: str, language: str, notebook: str | None = None) -> str:
    try:
        return registry.get(topic).title[language]
    except LookupError:
        return notebook or topic


def _history_entry(entry: Any) -> tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]:
    """``{"run": meta, "kpis": [...]}`` (a ``kpis.json``) as ``(meta, kpis)``."""
    return entry.get("run") or {}, entry.get("kpis") or []


def run_index_html(meta: Mapping[str, Any], kpis: Sequence[Mapping[str, Any]],
                   history: Sequence[Mapping[str, Any]] = ()) -> str:
    """The index page of one run, a dashboard: headline cards with trends, the reports, every figure.

    A change since the previous good run is shown only when that run used the same data source and the
    same values of the parameters the figure depends on (:func:`comparable`); otherwise the page says
    which changed ("not comparable: parameters changed (abc_growth 0.1 → 0.2)"). A card's trend line
    holds the comparable runs only.

    Parameters
    ----------
    meta : mapping
        The run's ``run.json`` (``run_id``, ``status``, ``notebooks``, ``previous_run`` ...).
    kpis : sequence of mapping
        The run's figures, as :func:`crmbook.kpis.collect_kpis` returns them.
    history : sequence of mapping
        The ``kpis.json`` of the previous successful runs (``{"run": ..., "kpis": [...]}``), oldest first;
        the last one is the previous run.
    """
    esc = html.escape
    lang = _language(meta)
    runs = [_history_entry(h) for h in history]
    previous = runs[-1] if runs else None
    seen: set[tuple[Any, Any]] = set()
    unique = []
    for k in kpis:  # one row per figure, whatever a notebook recorded twice
        if (k.get("topic"), k.get("name")) not in seen:
            seen.add((k.get("topic"), k.get("name")))
            unique.append(k)

    def old_value(k: Mapping[str, Any], run_kpis: Sequence[Mapping[str, Any]]) -> Any:
        return next((o.get("value") for o in run_kpis if (o.get("topic"), o.get("name")) == (k["topic"], k["name"])),
                    None)

    def change(k: Mapping[str, Any]) -> str:
        if previous is None:
            return ""
        old_meta, old_kpis = previous
        if not any((o.get("topic"), o.get("name")) == (k["topic"], k["name"]) for o in old_kpis):
            return f'<span class="muted">{_t("new", lang)}</span>'
        differ = comparable(k, meta, old_meta)
        return _not_comparable(differ, lang) if differ else _change(k, old_value(k, old_kpis), lang)

    def trend(k: Mapping[str, Any]) -> list[Any]:
        values = [old_value(k, ks) for m, ks in runs[-11:] if not comparable(k, meta, m)]
        return [v for v in values if v is not None] + [k.get("value")]

    topics_order = list(dict.fromkeys(k["topic"] for k in unique))

    def leads(topic: str) -> bool:
        try:
            return bool(registry.get(topic).leads)
        except LookupError:
            return False

    cards = []
    for topic in sorted(topics_order, key=lambda t: not leads(t)):  # a leading topic's cards first (stable)
        try:
            headline = registry.get(topic).headline
        except LookupError:
            headline = ()
        shown = [k for name in headline for k in unique if k["topic"] == topic and k["name"] == name]
        if not shown:
            continue
        items = []
        for k in shown:
            value, unit = _shown(k, _spec(k))
            points = trend(k)
            line = sparkline(points, label=_t("trend", lang, n=len(points)))
            items.append(f'<div class="card"><div class="label">{esc(str(k["label"]))}</div>'
                         f'<div class="value">{esc(value)} <span class="unit">{esc(unit_label(unit, lang))}</span></div>'
                         f'<div class="change">{change(k) or "&nbsp;"}</div>{line}'
                         f'<div class="muted">{_t("trend", lang, n=len(points))}</div></div>')
        cards.append(f'<div class="topic"><h3>{esc(_topic_title(topic, lang, shown[0].get("notebook")))}</h3>'
                     f'<div class="cards">{"".join(items)}</div></div>')

    rows = []
    for nb in meta["notebooks"]:
        stem = str(nb["topic"])
        name = stem.split("_", 1)[1] if "_" in stem and stem[:2].isdigit() else stem
        title = _topic_title(name, lang, stem)
        try:
            about = registry.get(name).about.get(lang, "")
        except LookupError:
            about = ""
        link = f'<a href="{esc(nb["html"])}">{esc(title)}</a>' if nb.get("html") else esc(title)
        extra = (f' <span class="failed">{_t("failed", lang)}</span> - <a href="{esc(nb["ipynb"])}">'
                 f'{_t("partly_executed", lang)}</a>' if nb["status"] != "ok" else "")
        rows.append(f'<li>{link}{extra}<br><span class="muted">{esc(about)}</span></li>' if about
                    else f"<li>{link}{extra}</li>")

    groups = []
    for topic in topics_order:
        members = [k for k in unique if k["topic"] == topic]
        body = []
        for k in members:
            value, unit = _shown(k, _spec(k))
            body.append(f'<tr><td>{esc(str(k["label"]))}</td><td class="num">{esc(value)}</td>'
                        f'<td>{esc(unit_label(unit, lang))}</td><td class="num">{change(k)}</td></tr>')
        title = esc(_topic_title(topic, lang, members[0].get("notebook")))
        groups.append(f'<tbody><tr><th class="group" colspan="4" scope="rowgroup">{title}</th></tr>{"".join(body)}</tbody>')
    previous_id = meta.get("previous_run")
    previous_as_of = (previous[0].get("as_of") if previous else None) or meta.get("as_of") or ""
    prev_note = (_t("change_since", lang, run=esc(previous_id), as_of=esc(str(previous_as_of))) if previous_id
                 else _t("no_previous", lang))
    status = _t("complete", lang) if meta["status"] == "ok" else f'<span class="failed">{_t("FAILED", lang)}</span>'
    params = ", ".join(f"{esc(k)}={esc(str(v))}" for k, v in sorted(meta.get("parameters", {}).items()))
    unmasked = (f'<p class="failed">{_t("unmasked", lang)}</p>'
                if meta.get("parameters", {}).get("mask_personal") is False else "")
    heads = "".join(f"<th>{_t('head.' + h, lang)}</th>" for h in ("figure", "value", "unit"))
    headline_block = (f'<h2>{_t("headline", lang)}</h2>{"".join(cards)}' if cards else "")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_t("run_title", lang, run=esc(meta["run_id"]))}</title><style>{_PAGE_CSS}</style></head>
<body><h1>{_t("title", lang)}</h1>
<p>{_t("run_line", lang, run=esc(meta["run_id"]), status=status, data=esc(str(meta["data"])),
       as_of=esc(str(meta.get("as_of") or _t("default_as_of", lang))))}<br>
<span class="muted">{_t("times", lang, started=esc(_when(meta["started"])), finished=esc(_when(meta.get("finished", ""))),
                        version=esc(meta["crmbook_version"]), parameters=params or _t("defaults", lang))}</span></p>
{unmasked}<section class="crmbook-summary">{headline_block}
<h2>{_t("reports", lang)}</h2><ul class="reports">{"".join(rows)}</ul></section>
<h2>{_t("key_figures", lang)}</h2>
<table><thead><tr>{heads}<th>{prev_note}</th></tr></thead>
{"".join(groups) or f'<tbody><tr><td colspan="4">{_t("no_figures", lang)}</td></tr></tbody>'}</table>
<p class="muted"><a href="kpis.json">kpis.json</a> - <a href="../index.html">{_t("all_runs", lang)}</a></p>
</body></html>
"""


def reports_index_html(runs: Sequence[Mapping[str, Any]], latest: str | None) -> str:
    """The index of a reports folder: every run, newest first, and which one is ``latest``.

    The page speaks the language of the newest run (its ``language`` parameter); each run's topics are
    named by their titles.

    Parameters
    ----------
    runs : sequence of mapping
        The ``run.json`` of each run, in any order.
    latest : str or None
        Run id ``latest`` points at (None: no successful run yet).
    """
    esc = html.escape
    newest = sorted(runs, key=lambda r: r.get("started", ""), reverse=True)
    lang = _language(newest[0]) if newest else "en"
    rows = []
    for r in newest:
        mark = f" <b>{_t('latest', lang)}</b>" if r.get("run_id") == latest else ""
        status = _t("ok", lang) if r.get("status") == "ok" else f'<span class="failed">{_t("failed", lang)}</span>'
        topics = _t("list_sep", lang).join(
            esc(_topic_title(str(n["topic"]).split("_", 1)[-1], lang, n["topic"])) for n in r.get("notebooks", []))
        rows.append(f'<tr><td><a href="{esc(r["run_id"])}/index.html">{esc(r["run_id"])}</a>{mark}</td>'
                    f'<td>{status}</td><td>{esc(str(r.get("as_of") or ""))}</td><td>{topics}</td></tr>')
    heads = "".join(f"<th>{_t('runs_head.' + h, lang)}</th>" for h in ("run", "status", "as_of", "topics"))
    link = f'<a href="latest/index.html">{_t("latest_link", lang)}</a>' if latest else _t("no_success", lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{_t("title", lang)}</title><style>{_PAGE_CSS}</style></head>
<body><h1>{_t("title", lang)}</h1>
<p>{link}</p>
<table><thead><tr>{heads}</tr></thead>
<tbody>{"".join(rows)}</tbody></table></body></html>
"""
