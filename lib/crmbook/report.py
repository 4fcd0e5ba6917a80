"""Running topic notebooks into reports.

Notebooks record their headline figures with :func:`crmbook.kpis.record_kpi`; the runner collects them.

The runner (``crmbook run``, :func:`run_reports`) executes the chosen topic notebooks with Papermill's
Python API and turns each into a self-contained HTML page with nbconvert's Python API, all in one
process, up to ``jobs`` kernels at once. One run writes ``reports/<run-id>/``::

    <topic>.ipynb   the executed notebook (kept, partly executed, when it failed)
    <topic>.html    the report: code hidden, images embedded, a table of contents, no network needed
    kpis.json       every figure every notebook recorded, with the run's metadata
    index.html      links to the reports and the KPIs, with the change since the previous good run
    run.json        status of the run ("ok" / "failed") and of each notebook

``reports/latest`` (a symlink, and ``reports/latest.txt`` holding the run id) moves to a run only when
every notebook of it succeeded, atomically and under a file lock, so a failed run never replaces the
last good report and two runs into the same folder never corrupt each other.

Secrets: a password in a database URL goes to the kernels through the environment, never into a
parameter, and is scrubbed from everything a run writes (:mod:`crmbook.redact`).
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import datetime as _dt
import functools
import html
import json
import math
import os
import re
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from crmbook.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from crmbook.kpis import KPI_MIME, collect_kpis, format_value
from crmbook.redact import (
    Redactor,
    lenient_redactor,
    password_in_env,
    redact_notebook,
    run_secrets,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "NotebookFailure",
    "Parameter",
    "RunResult",
    "Topic",
    "UsageError",
    "check_parameters",
    "default_notebooks_dir",
    "default_reports_dir",
    "describe_topics",
    "find_topics",
    "finalize_run",
    "load_config",
    "notebook_to_html",
    "parse_parameters",
    "run_command",
    "run_reports",
    "select_topics",
]

#: Cell tags whose whole cell is left out of reports (plumbing, exercises, Papermill's injected cell).
REMOVE_CELL_TAGS = frozenset({"remove-cell", "exercise", "injected-parameters"})
#: Cell tags whose input is hidden even with ``show_code``.
REMOVE_INPUT_TAGS = frozenset({"remove-input", "parameters"})
#: Cell tags whose output is left out of reports.
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})

_TEMPLATE_DIR = Path(__file__).parent / "templates"
_TEMPLATE_NAME = "crmbook"
_TOPIC_FILE = re.compile(r"^(?P<number>\d{2})_(?P<name>[a-z0-9_]+)\.ipynb$")
_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


# --------------------------------------------------------------------------------------------------
# Topics and parameters
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One line of a notebook's ``parameters`` cell: ``name: type = default  # help``."""

    name: str
    type: str
    default: Any
    help: str = ""
    default_text: str = ""  # the default as written in the notebook


@dataclass(frozen=True)
class Topic:
    """A topic notebook ``NN_name.ipynb``."""

    number: str
    name: str
    path: Path
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """``"01_segmentation"``."""
        return f"{self.number}_{self.name}"


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the project, found from the package location (not the working directory).

    ``lib/crmbook/`` -> the project folder two levels up: right for the editable install
    (``pip install -e .`` from a clone). After a non-editable install that folder does not exist and
    :func:`find_topics` says so (pass the folder explicitly there).
    """
    return Path(__file__).resolve().parents[2] / "notebooks"


def default_reports_dir() -> Path:
    """``reports/`` of the project, found from the package location."""
    return Path(__file__).resolve().parents[2] / "reports"


def _parameters_cell(nb: Any) -> str | None:
    """Source of the notebook's cell tagged ``parameters`` (None when there is none)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell.source
    return None


def parse_parameters(source: str) -> dict[str, Parameter]:
    """The parameters declared in a ``parameters`` cell, one per line: ``name: type = default  # help``.

    Read with :mod:`ast` and :mod:`tokenize` (Papermill's own reader gives up on a line whose comment
    holds a quote). A line without annotation (``name = default``) takes the type of its default.

    Raises
    ------
    UsageError
        The cell is not valid Python.
    """
    import io
    import tokenize

    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise UsageError(f"the parameters cell is not valid Python: {exc}") from exc
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, IndentationError):
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    params: dict[str, Parameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value_node = node.target.id, node.value
            type_name = ast.unparse(node.annotation)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, value_node, type_name = node.targets[0].id, node.value, ""
        else:
            continue
        text = ast.get_source_segment(source, value_node) or ast.unparse(value_node)
        try:
            default = ast.literal_eval(value_node)
        except ValueError:
            default = text
        if not type_name:
            type_name = type(default).__name__ if default is not None else "None"
        params[name] = Parameter(name=name, type=type_name, default=default,
                                 help=comments.get(node.end_lineno or node.lineno, ""), default_text=text)
    return params


def _read_parameters(path: Path) -> dict[str, Parameter]:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # a broken notebook file
        raise UsageError(f"cannot read notebook {path.name}: {exc}") from exc
    source = _parameters_cell(nb)
    if source is None:
        return {}
    try:
        return parse_parameters(source)
    except UsageError as exc:
        raise UsageError(f"{path.name}: {exc}") from exc


def find_topics(notebooks_dir: str | os.PathLike[str] | None = None) -> list[Topic]:
    """The topic notebooks ``NN_name.ipynb`` of a folder, in their numbered order, with their parameters.

    Parameters
    ----------
    notebooks_dir : path, optional
        Folder of the notebooks; default :func:`default_notebooks_dir`.

    Returns
    -------
    list of Topic
        Sorted by number; each with the parameters read from its ``parameters`` cell.

    Raises
    ------
    UsageError
        The folder does not exist (for the default folder: how to install so that it does).
    """
    if notebooks_dir is None and not default_notebooks_dir().is_dir():
        raise UsageError(f"the project's notebooks folder {default_notebooks_dir()} does not exist: crmbook is "
                         "installed without its project folder (a non-editable install). Install it with "
                         "`pip install -e .` from a clone of the repository, or pass --notebooks DIR")
    folder = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    if not folder.is_dir():
        raise UsageError(f"notebooks folder not found: {folder}")
    topics = []
    for path in sorted(folder.glob("*.ipynb")):
        match = _TOPIC_FILE.match(path.name)
        if match:
            topics.append(Topic(match["number"], match["name"], path, _read_parameters(path)))
    return topics


def select_topics(wanted: Sequence[str], topics: Sequence[Topic]) -> list[Topic]:
    """The topics named by the user, as ``"segmentation"``, ``"01"`` or ``"01_segmentation"``.

    An empty ``wanted`` selects all topics. The result keeps the numbered order and no duplicates.

    Raises
    ------
    UsageError
        A name matches no topic (the message lists the topics there are).
    """
    if not topics:
        raise UsageError("no topic notebooks found (expected files named NN_topic.ipynb)")
    if not wanted:
        return list(topics)
    chosen: set[str] = set()
    for name in wanted:
        key = name.strip().removesuffix(".ipynb")
        hits = [t for t in topics if key in (t.name, t.number, t.stem) or (key.isdigit() and int(key) == int(t.number))]
        if not hits:
            known = ", ".join(t.stem for t in topics)
            raise UsageError(f"unknown topic {name!r}; the topics are: {known}")
        chosen.update(t.stem for t in hits)
    return [t for t in topics if t.stem in chosen]


def _convert(value: Any, param: Parameter) -> Any:
    """``value`` as the declared type of ``param`` (strings from the command line are parsed)."""
    kind = param.type
    if kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, _dt.date):  # YAML reads 2025-12-31 as a date
            return value.isoformat()
        raise TypeError
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "on"}:
            return True
        if isinstance(value, str) and value.strip().lower() in {"false", "no", "0", "off"}:
            return False
        raise TypeError
    if kind == "int":
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise TypeError
    if kind == "float":
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise TypeError from None
            if math.isfinite(number):
                return number
        raise TypeError
    if isinstance(value, str):  # another declared type (list, dict ...): a Python literal
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def check_parameters(values: Mapping[str, Any], topics: Sequence[Topic],
                     all_topics: Sequence[Topic] | None = None) -> dict[str, dict[str, Any]]:
    """Check parameter names and types against the topics' ``parameters`` cells, before any kernel starts.

    Each value is converted to the type declared in the notebooks (``-p`` values arrive as strings)
    and handed to every chosen topic that declares the parameter.

    Parameters
    ----------
    values : mapping
        Parameter name -> value (strings from the command line, typed values from a config file).
    topics : sequence of Topic
        The chosen topics.
    all_topics : sequence of Topic, optional
        Every topic there is, to name the ones that would accept a parameter no chosen topic declares.

    Returns
    -------
    dict
        Topic stem -> the parameters to pass to that notebook.

    Raises
    ------
    UsageError
        A name no chosen topic declares, or a value that is not of the declared type; the message names
        the parameter and the topics that accept it.
    """
    errors = []
    per_topic: dict[str, dict[str, Any]] = {t.stem: {} for t in topics}
    for name, value in values.items():
        takers = [t for t in topics if name in t.parameters]
        if not takers:
            others = [t.stem for t in all_topics or () if name in t.parameters]
            hint = (f"; it is a parameter of {', '.join(others)}, which this run does not include" if others
                    else _similar(name, topics))
            errors.append(f"unknown parameter {name!r}: none of the chosen topics "
                          f"({', '.join(t.stem for t in topics)}) declares it" + hint)
            continue
        for topic in takers:
            param = topic.parameters[name]
            try:
                per_topic[topic.stem][name] = _convert(value, param)
            except (TypeError, ValueError):
                accepting = ", ".join(t.stem for t in takers)
                errors.append(f"parameter {name!r} expects {param.type} (declared in {accepting}), "
                              f"got {value!r}")
                break
    as_of = values.get("as_of")
    if isinstance(as_of, (str, _dt.date)):
        try:
            _dt.date.fromisoformat(str(as_of)[:10] if isinstance(as_of, _dt.date) else as_of)
        except ValueError:
            errors.append(f"parameter 'as_of' expects a date YYYY-MM-DD, got {as_of!r}")
    if errors:
        raise UsageError("\n".join(errors))
    return per_topic


def _similar(name: str, topics: Sequence[Topic]) -> str:
    import difflib

    known = sorted({p for t in topics for p in t.parameters})
    close = difflib.get_close_matches(name, known, n=3)
    return f"; did you mean {', '.join(close)}?" if close else f"; known parameters: {', '.join(known)}"


def describe_topics(notebooks_dir: str | os.PathLike[str] | None = None) -> str:
    """The text of ``crmbook topics``: each topic with its parameters, types, defaults and comments."""
    topics = find_topics(notebooks_dir)
    if not topics:
        return "no topic notebooks found"
    lines = []
    for topic in topics:
        lines.append(f"{topic.stem}  (run with: crmbook run {topic.name})")
        if not topic.parameters:
            lines.append("    (no parameters cell)")
        width = max((len(f"{p.name}: {p.type} = {p.default_text}") for p in topic.parameters.values()), default=0)
        for p in topic.parameters.values():
            decl = f"{p.name}: {p.type} = {p.default_text}"
            lines.append(f"    {decl:<{width}}  # {p.help}".rstrip(" #") if p.help else f"    {decl}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parameters from a YAML (``.yml``/``.yaml``) or TOML (``.toml``) file: a flat mapping name -> value.

    A TOML file may also put them under a ``[parameters]`` table, a YAML file under ``parameters:``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            content = tomllib.loads(text)
        elif path.suffix.lower() in {".yml", ".yaml"}:
            import yaml

            content = yaml.safe_load(text) or {}
        else:
            raise UsageError(f"config file {path}: use a .yaml, .yml or .toml file")
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"config file {path} is not valid: {exc}") from exc
    if isinstance(content, Mapping) and isinstance(content.get("parameters"), Mapping):
        content = content["parameters"]
    if not isinstance(content, Mapping):
        raise UsageError(f"config file {path}: expected a mapping of parameter names to values")
    for name, value in content.items():
        if isinstance(value, (Mapping, list)):
            raise UsageError(f"config file {path}: parameter {name!r} must be a single value, got {value!r}")
    return {str(k).replace("-", "_"): v for k, v in content.items()}


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})


def _img_attribute(tag: str, name: str, value: str) -> bool:
    """``<img>`` keeps only embedded pictures (``data:image/...``): a report loads nothing."""
    if name == "src":
        return value.startswith("data:image/")
    return name in {"alt", "width", "height", "class", "title", "style"}


def _link_attribute(tag: str, name: str, value: str) -> bool:
    """``<a>`` keeps ``href`` only for ``http:``, ``https:``, ``mailto:`` or a link inside the page."""
    if name != "href":
        return name in _COMMON_ATTRS or name == "name"
    compact = re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", value).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", compact)
    return scheme.group(1) in {"http", "https", "mailto"} if scheme else not compact.startswith("//")


_COMMON_ATTRS = ("class", "id", "style", "title", "align", "valign")
#: Attributes kept per tag (``"*"``: on every tag); ``<a>`` and ``<img>`` are further checked by
#: :func:`_link_attribute` and :func:`_img_attribute`, ``style`` by :func:`_sanitize_css`.
_ALLOWED_ATTRS = {"*": set(_COMMON_ATTRS), "a": {"href", "name"}, "img": {"src", "alt", "width", "height"},
                  "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}, "table": {"border"},
                  "ol": {"start"}}
_ATTRIBUTE_CHECKS = {"a": _link_attribute, "img": _img_attribute}
#: Inline CSS properties kept in outputs (none of them can load anything: no ``background``, only its colour).
_ALLOWED_CSS = frozenset({
    "color", "background-color", "border", "border-top", "border-bottom", "border-left", "border-right",
    "border-color", "border-style", "border-width", "border-radius", "border-collapse", "border-spacing",
    "padding", "padding-top", "padding-bottom", "padding-left", "padding-right", "margin", "margin-top",
    "margin-bottom", "margin-left", "margin-right", "display", "width", "min-width", "max-width", "height",
    "font-size", "font-weight", "font-style", "font-family", "font-variant-numeric", "line-height",
    "text-align", "vertical-align", "white-space", "text-decoration", "opacity",
})
#: SVG paint properties, kept too (bleach's CSS sanitizer, used before, allowed them by default).
_ALLOWED_SVG_CSS = frozenset({
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-opacity",
})
_UNSAFE_CSS = re.compile(r"@import|url\s*\(|expression\s*\(|javascript:|\\|<", re.IGNORECASE)
_HEADING = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
#: A tag as the HTML tokenizer starts it (``<`` or ``</`` and a letter, the name up to a space, ``/`` or
#: ``>``), and the rest of it up to the next ``>``.
_TAG = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)[^>]*")
#: One attribute of a tag: its name and, if any, its value (quoted values read whole: they may hold ``<``, ``>``).
_ATTRIBUTE = r"""[\s/]+([^\s=/>"'<]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
#: Any start or end tag, read attribute by attribute: a scan with it never starts inside an attribute value.
_ANY_TAG = re.compile(rf"<(?P<closing>/?)(?P<name>[A-Za-z][^\s/>]*)(?P<attributes>(?:{_ATTRIBUTE})*)(?P<end>\s*/?)>")
_ATTRIBUTE_NAME = re.compile(_ATTRIBUTE)
#: Alternative text of an image that has none (nbconvert's wording).
_NO_ALT = "No description has been provided for this image"
#: The report's own cell and output wrappers, made focusable for keyboard users.
_FOCUS_DIV = re.compile(r'<div class="([^"]*?(?<![\w-])(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?![\w-])[^"]*)"')


#: One selector of a pandas ``Styler`` ``<style>`` block: it starts at the table's own ``#T_<uuid>`` id and
#: only goes down from there (no ``~``/``+`` to siblings, no at-rules, no braces).
_SCOPED_SELECTOR = re.compile(r"#T_[A-Za-z0-9_\-]+(?![A-Za-z0-9_\-])[^~+{}@<\\,]*")
_CSS_RULE = re.compile(r"\s*([^{}]+)\{([^{}]*)\}\s*")


def _sanitize_css(declarations: str) -> str:
    """CSS declarations (``color: red; position: fixed``) with only the allowed properties kept.

    Parsed with tinycss2; at-rules and declarations it cannot read are dropped, the kept ones written back
    as ``name:value;`` (the value as written).
    """
    import tinycss2

    kept: list[Any] = []
    for token in tinycss2.parse_declaration_list(declarations):
        if token.type == "declaration":
            if token.lower_name in _ALLOWED_CSS or token.lower_name in _ALLOWED_SVG_CSS:
                kept.append(token)
        elif token.type in ("comment", "whitespace") and kept and kept[-1].type != token.type:
            kept.append(token)
    return tinycss2.serialize(kept).strip() if kept else ""


def _scoped_style(css: str) -> str | None:
    """A ``<style>`` body kept only if every selector is scoped to a ``#T_...`` table (pandas ``Styler``).

    Each rule's declarations go through the same property allow-list as inline styles. ``None`` (drop
    the element) for anything else: ``body{display:none}``, at-rules, ``url()``, a selector not scoped.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    if _UNSAFE_CSS.search(css) or re.search(r"[\"']", css):  # no strings: a "}" in one would fool the parse
        return None
    rules, pos = [], 0
    while pos < len(css):
        match = _CSS_RULE.match(css, pos)
        if match is None:
            return "" if not css[pos:].strip() else None
        selectors = [sel.strip() for sel in match.group(1).split(",")]
        if not all(_SCOPED_SELECTOR.fullmatch(sel) for sel in selectors):
            return None
        body = _sanitize_css(match.group(2))
        if body.strip():
            rules.append(f"{', '.join(selectors)} {{{body}}}")
        pos = match.end()
    return "\n".join(rules)


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """nh3's hook for an attribute that passed the allow-list: the ``<a>``/``<img>`` rules, ``style`` cleaned."""
    check = _ATTRIBUTE_CHECKS.get(tag)
    if check is not None and not check(tag, name, value):
        return None
    return _sanitize_css(value) if name == "style" else value


@functools.cache
def _cleaner() -> Any:
    """The nh3 (ammonia) sanitizer with the report's allow-lists (built once: nh3 cleaners are reusable)."""
    import nh3

    # data: stays among the schemes for <img src> (checked by _img_attribute); <a href> by _link_attribute
    return nh3.Cleaner(tags=set(_ALLOWED_TAGS), attributes=_ALLOWED_ATTRS, attribute_filter=_attribute_filter,
                       url_schemes={"http", "https", "mailto", "data"}, link_rel=None, strip_comments=True)


def _show_disallowed_tag(match: re.Match[str]) -> str:
    """A tag that is not allowed, with its ``<`` escaped (and any ``<`` in it): the parser reads it as text."""
    return match.group(0) if match.group(2).lower() in _ALLOWED_TAGS else match.group(0).replace("<", "&lt;")


def _alt_added(match: re.Match[str]) -> str:
    closing, name, attributes, end = match.group("closing", "name", "attributes", "end")
    if closing or name.lower() != "img" or any(a.lower() == "alt" for a in _ATTRIBUTE_NAME.findall(attributes)):
        return match.group(0)
    return f'<{name}{attributes} alt="{_NO_ALT}"{end}>'


def _with_alt_text(markup: str) -> str:
    """Every ``<img>`` without an ``alt`` attribute gets one (screen readers announce something).

    The markup is read tag by tag from the start, so an ``<img`` inside an attribute value or in escaped
    text is left alone.
    """
    return _ANY_TAG.sub(_alt_added, markup) if "<img" in markup.lower() else markup


def _ansi_to_html(text: str) -> str:
    """Printed text (stdout, stderr, tracebacks, ``text/plain``) as HTML, quotes left as they are.

    nbconvert's ``ansi2html`` escapes ``'`` and ``"`` too (``&#39;``, ``&#34;``); in text they need no
    escaping (``<``, ``>`` and ``&`` stay escaped, the only attributes it writes are colour classes and
    styles), so the page shows and contains ``alert('x')`` as printed.
    """
    from nbconvert.filters.ansi import ansi2html

    return str(ansi2html(text)).replace("&#39;", "'").replace("&#34;", '"')


def _focusable(markup: str) -> str:
    """The first cell-input or output wrapper ``<div>`` of a rendered block gets ``tabindex="0"``."""
    return _FOCUS_DIV.sub(r'<div class="\1" tabindex="0"', markup, count=1)


def _sanitize_html(markup: str) -> str:
    """Output HTML made safe: allowed tags stay, anything else (``<script>``, handlers) is shown as text.

    Links keep only ``http:``, ``https:`` and ``mailto:`` targets (no ``data:`` or ``javascript:``);
    images only embedded ``data:image/...``, and get an ``alt`` text when they have none. A ``<style>``
    element survives only when it is a pandas ``Styler``'s, every selector scoped to its own ``#T_...``
    table (see :func:`_scoped_style`): an output cannot restyle the report. Inline ``style`` keeps only the
    allowed properties (:func:`_sanitize_css`); comments go.

    The sanitizer is nh3 (the Rust ``ammonia`` library, on the html5ever parser). It would drop a tag that
    is not allowed; to show it as text instead, its ``<`` is escaped first, wherever the HTML tokenizer
    would start a tag. That step only decides what is shown: whatever it misses, nh3 still removes.
    """
    styles: list[str] = []

    def set_style_aside(match: re.Match[str]) -> str:
        body = _scoped_style(match.group(1))
        if body:
            styles.append(f'<style type="text/css">\n{body}\n</style>')
        return ""

    markup = re.sub(r"<style\b[^>]*>(.*?)</style\s*>", set_style_aside, markup, flags=re.DOTALL | re.IGNORECASE)
    # any other <style> (unclosed, odd spelling) is not an allowed tag: shown as text like the others
    clean = _cleaner().clean(_TAG.sub(_show_disallowed_tag, markup))
    return "".join(styles) + _with_alt_text(clean)


def _markdown_to_html(source: str) -> str:
    """Markdown (with LaTeX) to HTML, formulas as MathML."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    return MarkdownWithMath(renderer=_MathMLRenderer(escape=False)).render(source)


def _latex_to_mathml(latex: str, display: bool) -> str:
    """LaTeX as MathML (rendered by browsers natively, no script); the source as code when it fails."""
    try:
        from latex2mathml.converter import convert

        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # a formula latex2mathml does not know: show the LaTeX itself
        tag = "pre" if display else "code"
        return f'<{tag} class="crmbook-latex">{html.escape(latex.strip())}</{tag}>'
    mathml = mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")
    return _NUMERIC_REF.sub(_character, mathml)  # <mi>α</mi>, not <mi>&#x003B1;</mi>


_NUMERIC_REF = re.compile(r"&#([xX][0-9A-Fa-f]{1,6}|[0-9]{1,7});")


def _character(match: re.Match[str]) -> str:
    """A numeric character reference as the character itself, unless it is markup (``<>&"'``) or invalid."""
    ref = match.group(1)
    code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code < 0x20 or 0x7F <= code < 0xA0 or chr(code) in "<>&\"'":
        return match.group(0)
    return chr(code)


def _mathml_renderer_class() -> type:
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's markdown renderer with formulas turned into MathML instead of MathJax input."""

        def block_math(self, body: str) -> str:
            return f'<span class="crmbook-math">{_latex_to_mathml(body, True)}</span>'

        def inline_math(self, body: str) -> str:
            return _latex_to_mathml(body, False)

        def multiline_math(self, text: str) -> str:
            body = re.sub(r"^\s*(\$\$|\\\[)|(\$\$|\\\])\s*$", "", text)
            return f'<span class="crmbook-math">{_latex_to_mathml(body, True)}</span>'

        def latex_environment(self, name: str, body: str) -> str:
            return f'<span class="crmbook-math">{_latex_to_mathml(body, True)}</span>'

    return MathMLRenderer


def _MathMLRenderer(**kwargs: Any) -> Any:  # noqa: N802 - a factory standing in for the class
    return _mathml_renderer_class()(**kwargs)


_EXPORTERS: dict[bool, Any] = {}
_EXPORTER_LOCK = threading.Lock()


def _exporter(show_code: bool) -> Any:
    """The HTML exporter (cached: compiling the templates takes ~0.4 s); use it under ``_EXPORTER_LOCK``."""
    if show_code not in _EXPORTERS:
        _EXPORTERS[show_code] = _new_exporter(show_code)
    return _EXPORTERS[show_code]


def _new_exporter(show_code: bool) -> Any:
    """The HTML exporter: template ``crmbook`` (lab, offline, with a table of contents).

    nbconvert's ``HTMLExporter.from_notebook_node`` re-reads the whole page with BeautifulSoup only to add
    ``alt`` to images and ``tabindex`` to cells (as long as the rest of the export); here the template
    writes both (filters ``crmbook_alt_text`` and ``crmbook_focusable``), and the notebook is validated
    once after the preprocessors instead of after each of them.
    """
    from jinja2 import pass_context
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.markdown_mistune import MarkdownWithMath
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ReportExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context: Any, source: str) -> str:
            cell = context.get("cell", {})
            path = context.get("resources", {}).get("metadata", {}).get("path", "")
            renderer = _MathMLRenderer(escape=False, attachments=cell.get("attachments", {}),
                                       embed_images=True, path=path, anchor_link_text="¶",
                                       exclude_anchor_links=False)
            return _with_alt_text(MarkdownWithMath(renderer=renderer).render(source))

        def default_filters(self) -> Iterator[tuple[str, Any]]:
            yield from super().default_filters()
            yield ("ansi2html", _ansi_to_html)
            yield ("crmbook_alt_text", _with_alt_text)
            yield ("crmbook_focusable", _focusable)

        def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                               **kw: Any) -> tuple[str, dict[str, Any]]:
            # HTMLExporter.from_notebook_node (nbconvert 7.16-7.17) without its BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = ReportExporter(template_name=_TEMPLATE_NAME, extra_template_basedirs=[str(_TEMPLATE_DIR)])
    exporter.embed_images = True
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = not show_code
    exporter.exclude_output_prompt = True
    exporter.optimistic_validation = True  # one nbformat validation after all preprocessors, not one each
    tag_remover = TagRemovePreprocessor(
        enabled=True,
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
    )
    exporter.register_preprocessor(tag_remover, enabled=True)
    return exporter


def _safe_outputs(nb: Any) -> Any:
    """A copy of the notebook whose outputs can be shown as HTML without running anything from the data.

    ``text/html`` is sanitized (scripts and event handlers shown as text, links only ``http``/``https``/
    ``mailto``, ``<style>`` only when scoped to a pandas ``Styler`` table), ``text/markdown`` rendered and
    sanitized, SVG turned into an ``<img>`` (scripts in it never run), JavaScript and widget outputs
    dropped, ``text/latex`` shown as MathML. Markdown cells are the notebook author's and stay as written.
    """
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # raw HTML in an authored cell may not run scripts either
            cell.source = re.sub(r"<\s*(script|iframe|object|embed)\b", r"&lt;\1", cell.source, flags=re.IGNORECASE)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            for mime in [m for m in data if "javascript" in m or "widget" in m or m == KPI_MIME]:
                del data[mime]
            if "image/svg+xml" in data:
                svg = data.pop("image/svg+xml")
                svg = svg if isinstance(svg, str) else "".join(svg)
                b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
                data["text/html"] = f'<img src="data:image/svg+xml;base64,{b64}" alt="chart">'
                continue
            if "text/html" in data:
                markup = data["text/html"]
                data["text/html"] = _sanitize_html(markup if isinstance(markup, str) else "".join(markup))
            elif "text/markdown" in data:
                markup = data.pop("text/markdown")
                data["text/html"] = _sanitize_html(_markdown_to_html(markup if isinstance(markup, str) else "".join(markup)))
            elif "text/latex" in data and not any(m.startswith("image/") for m in data):
                latex = data.pop("text/latex")
                latex = (latex if isinstance(latex, str) else "".join(latex)).strip().strip("$")
                data["text/html"] = _latex_to_mathml(latex, True)
            data.pop("text/markdown", None)
            data.pop("text/latex", None)
    return nb


def _table_of_contents(body: str) -> str:
    """A ``<nav>`` listing the h1-h3 headings of the report (ids made by nbconvert)."""
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        text = re.sub(r"<a class=\"anchor-link\".*?</a>", "", inner, flags=re.DOTALL)
        text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        if text:
            items.append(f'<li class="crmbook-toc-{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    if not items:
        return ""
    return ('<nav class="crmbook-toc" aria-label="Contents"><div class="crmbook-toc-title">Contents</div>'
            f'<ul>{"".join(items)}</ul></nav>')


def notebook_to_html(nb: Any, *, show_code: bool = False, title: str | None = None,
                     subtitle: str = "") -> str:
    """An executed notebook as a self-contained HTML report.

    Code is hidden unless ``show_code``; cells tagged ``remove-cell``, ``exercise`` (and Papermill's
    injected parameters) are left out, ``remove-input`` hides a cell's code even with ``show_code``;
    images are embedded as data URIs; formulas become MathML; a table of contents opens the page; outputs
    from the data are sanitized (a ``<script>`` in a customer name is shown as text). The page loads
    nothing from the network.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    show_code : bool
        Show code cells (training handouts).
    title : str, optional
        Page title (default: the notebook's first heading).
    subtitle : str
        A line under the title (run id, data source, as-of date).

    Returns
    -------
    str
        The HTML page.
    """
    safe = _safe_outputs(nb)
    if title is None:
        title = next((re.sub(r"^#+\s*", "", line).strip() for c in safe.cells if c.cell_type == "markdown"
                      for line in c.source.splitlines() if line.startswith("#")), "crmbook report")
    safe.metadata["title"] = title
    with _EXPORTER_LOCK:
        body, _ = _exporter(show_code).from_notebook_node(safe, resources={"crmbook": {"subtitle": subtitle}})
    body = body.replace("<!--crmbook-toc-->", _table_of_contents(body), 1)
    return body


# --------------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------------


@dataclass
class NotebookFailure:
    """Where and why a notebook failed."""

    topic: str
    cell_index: int | None  # 1-based position in the topic notebook (Papermill's injected cell not counted)
    code_cell: int | None  # 1-based among the code cells, as the progress lines count
    cell_id: str | None
    execution_count: int | None
    source: str  # first lines of the failing cell
    error: str  # "ErrorName: message"
    notebook: Path | None  # the partly executed notebook kept for debugging

    def describe(self) -> str:
        """A message naming the notebook, the cell and the error."""
        where = "before any cell ran (kernel start)"
        if self.cell_index is not None:
            where = f"cell {self.cell_index}"
            detail = [f"code cell {self.code_cell}"] if self.code_cell is not None else []
            if self.execution_count is not None:
                detail.append(f"In [{self.execution_count}]")
            if self.cell_id:
                detail.append(f"id {self.cell_id}")
            where += f" ({', '.join(detail)})" if detail else ""
        lines = [f"FAILED {self.topic} at {where}"]
        if self.source:
            lines += ["    " + line for line in self.source.splitlines()]
        lines.append(self.error)
        if self.notebook is not None:
            lines.append(f"partly executed notebook kept: {self.notebook}")
        return "\n".join(lines)


@dataclass
class RunResult:
    """What a run produced."""

    run_id: str
    folder: Path
    ok: bool
    kpis: list[dict[str, Any]]
    failures: list[NotebookFailure]
    latest_switched: bool

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_OK` or :data:`EXIT_FAILED`."""
        return EXIT_OK if self.ok else EXIT_FAILED


class _Progress:
    """Progress lines on stderr: ``[1/3] 01_segmentation cell 12/40 (3.2 s)``.

    On a terminal the cell counter is one line updated in place. In a log file (cron, CI) each notebook's
    cell counter is written at most every :attr:`LOG_EVERY` seconds, so a nightly log stays readable;
    lines that are not transient (start, done, failure) are always written.
    """

    LOG_EVERY = 5.0

    def __init__(self, stream: IO[str] | None, redact: Redactor) -> None:
        self.stream = stream
        self.redact = redact
        self.lock = threading.Lock()
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.last_logged: dict[str, float] = {}  # per notebook: the "[1/3] 01_segmentation" prefix

    def line(self, text: str, *, transient: bool = False) -> None:
        if self.stream is None:
            return
        text = self.redact(text)
        with self.lock:
            if transient and not self.tty:
                key, now = text.split(" cell ")[0], time.monotonic()
                if now - self.last_logged.get(key, -self.LOG_EVERY) < self.LOG_EVERY:
                    return
                self.last_logged[key] = now
            if self.tty and transient:
                self.stream.write("\r\x1b[K" + text)
            else:
                self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")
            self.stream.flush()


def _new_run_id() -> str:
    now = _dt.datetime.now(_dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _kernel_manager_class(socket_dir: str | None) -> type | None:
    """A kernel manager talking to its kernel over Unix sockets in ``socket_dir`` (POSIX).

    No TCP ports means no "Address already in use" when several kernels start at once, and no warning
    about unencrypted TCP from each kernel. ``None`` (Papermill's default, TCP) where there are no Unix
    sockets.
    """
    if socket_dir is None or os.name != "posix":
        return None
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = os.path.join(socket_dir, f"k{secrets.token_hex(4)}")

    return IPCKernelManager


def _is_port_clash(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return "Address already in use" in text or "Kernel died before replying to kernel_info" in text


class _PapermillNoise:
    """Drops Papermill's warnings about the parameters cell: the runner reads and checks it itself."""

    NOISE = ("Unable to parse line", "Passed unknown parameter", "Input notebook does not contain a cell")

    def filter(self, record: Any) -> bool:
        return not str(record.msg).startswith(self.NOISE)


def _quiet_papermill() -> None:
    import logging

    for name in ("papermill", "papermill.translators"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _PapermillNoise) for f in logger.filters):
            logger.addFilter(_PapermillNoise())


_ENGINE = "crmbook"


def _register_engine() -> None:
    """Papermill's nbclient engine, noting the notebook being executed so a failure can keep it.

    Papermill writes the partly executed notebook itself only for a cell that raised; after a timeout or
    a dead kernel the runner writes the one noted here (saving after every cell instead would cost
    ~25 ms a save on a big notebook).
    """
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return

    class CrmbookEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            kwargs.pop("crmbook_state", {})["nb"] = nb_man.nb
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(_ENGINE, CrmbookEngine)


def _execute_topic(topic: Topic, params: dict[str, Any], out_ipynb: Path, *, position: str,
                   progress: _Progress, kernel_name: str | None, timeout: int | None,
                   redact: Redactor, socket_dir: str | None = None) -> tuple[Any | None, NotebookFailure | None]:
    """Run one notebook with Papermill; return the executed notebook or where it failed."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    _quiet_papermill()
    _register_engine()
    source_nb = nbformat.read(topic.path, as_version=4)
    n_code = sum(c.cell_type == "code" for c in source_nb.cells)
    started = time.monotonic()
    state = {"code_seen": 0, "cell_started": False}

    def on_cell_start(cell: Any, cell_index: int, **_: Any) -> None:
        state["cell_started"] = True
        state["cell"] = cell
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            return
        state["code_seen"] += 1
        progress.line(f"[{position}] {topic.stem} cell {state['code_seen']}/{n_code} "
                      f"({time.monotonic() - started:.1f} s)", transient=True)

    engine_kwargs: dict[str, Any] = {}
    km_class = _kernel_manager_class(socket_dir)
    if km_class is not None:
        engine_kwargs["kernel_manager_class"] = km_class
    attempts = 3
    for attempt in range(1, attempts + 1):
        state.update(code_seen=0, cell_started=False)
        try:
            nb = papermill.execute_notebook(
                str(topic.path), str(out_ipynb), parameters=params, kernel_name=kernel_name,
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                engine_name=_ENGINE, crmbook_state=state,
                execution_timeout=timeout, on_cell_start=on_cell_start,
                shutdown_kernel="immediate",  # every output is in by then; saves ~0.7 s per notebook
                # the kernel starts in the notebook's folder; papermill's own cwd= would chdir the whole
                # process, which threads running other notebooks would see
                resources={"metadata": {"path": str(topic.path.parent)}}, **engine_kwargs,
            )
            return nb, None
        except PapermillExecutionError as exc:
            return None, _failure_from_notebook(topic, out_ipynb, exc, redact)
        except Exception as exc:  # kernel could not start, timeout, ...
            if attempt < attempts and not state["cell_started"] and _is_port_clash(exc):
                progress.line(f"[{position}] {topic.stem}: kernel start clashed, retrying ({attempt})")
                time.sleep(0.5 * attempt)
                continue
            if state.get("nb") is not None and state["cell_started"]:
                nbformat.write(redact_notebook(state["nb"], redact), out_ipynb)
            kept = out_ipynb if out_ipynb.exists() else None
            cell = state.get("cell")
            where: tuple[Any, ...] = (None, None, None, None, "")
            if cell is not None:  # e.g. a cell timed out or the kernel died in it
                own = source_nb.cells
                index = next((i for i, c in enumerate(own, 1) if c.get("id") == cell.get("id")), None)
                code = sum(c.cell_type == "code" for c in own[:index]) if index else None
                where = (index, code, cell.get("id"), cell.get("execution_count"),
                         "\n".join(cell.source.splitlines()[:3]))
            return None, NotebookFailure(topic.stem, *where[:4], redact(where[4]),
                                         redact(f"{type(exc).__name__}: {exc}"), kept)
    raise AssertionError("unreachable")  # pragma: no cover


def _failure_from_notebook(topic: Topic, out_ipynb: Path, exc: Any, redact: Redactor) -> NotebookFailure:
    """Name the failing cell from Papermill's error and the partly executed notebook."""
    import nbformat

    cell_index = code_cell = cell_id = source = None
    if out_ipynb.exists():
        nb = nbformat.read(out_ipynb, as_version=4)
        own = [c for c in nb.cells if not {"injected-parameters", "papermill-error-cell-tag"}
               & set(c.metadata.get("tags", []))]
        n_code = 0
        for i, cell in enumerate(own, start=1):
            n_code += cell.cell_type == "code"
            if cell.get("metadata", {}).get("papermill", {}).get("exception") or any(
                    o.get("output_type") == "error" for o in cell.get("outputs", [])):
                cell_index, code_cell, cell_id = i, n_code, cell.get("id")
                source = "\n".join(cell.source.splitlines()[:3])
                break
        nb = redact_notebook(nb, redact)
        nbformat.write(nb, out_ipynb)
    error = f"{exc.ename}: {exc.evalue}"
    return NotebookFailure(topic.stem, cell_index, code_cell, cell_id, getattr(exc, "exec_count", None),
                           redact(source or ""), redact(error), out_ipynb if out_ipynb.exists() else None)


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return str(value)


def _write_json(path: Path, content: Any) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(json.dumps(content, indent=2, ensure_ascii=False, default=_json_default) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def _reports_lock(reports_dir: Path) -> Iterator[None]:
    """An exclusive lock on the reports folder (``fcntl.flock`` where there is one)."""
    lock_path = reports_dir / ".lock"
    with open(lock_path, "a+") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the atomic renames alone
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _successful_runs(reports_dir: Path) -> list[dict[str, Any]]:
    """``run.json`` of the successful runs in the folder, oldest first."""
    runs = []
    for meta in reports_dir.glob("*/run.json"):
        if meta.parent.name.startswith(".") or meta.parent.is_symlink():
            continue
        try:
            content = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if content.get("status") == "ok":
            runs.append(content)
    return sorted(runs, key=lambda r: (r.get("started", ""), r.get("run_id", "")))


def _current_latest(reports_dir: Path) -> str | None:
    link = reports_dir / "latest"
    if link.is_symlink():
        return os.readlink(link).rstrip("/\\")
    marker = reports_dir / "latest.txt"
    if marker.exists():
        return marker.read_text(encoding="utf-8").strip() or None
    return None


def _switch_latest(reports_dir: Path, run_id: str) -> None:
    """Point ``latest`` (symlink) and ``latest.txt`` at the run, each with one atomic rename."""
    marker_tmp = reports_dir / f".latest.txt.{secrets.token_hex(4)}"
    marker_tmp.write_text(run_id + "\n", encoding="utf-8")
    os.replace(marker_tmp, reports_dir / "latest.txt")
    link_tmp = reports_dir / f".latest.{secrets.token_hex(4)}"
    try:
        os.symlink(run_id, link_tmp, target_is_directory=True)
    except (OSError, NotImplementedError):  # no symlinks here: latest.txt tells
        return
    os.replace(link_tmp, reports_dir / "latest")


def finalize_run(reports_dir: Path, tmp_folder: Path, meta: dict[str, Any], kpis: list[dict[str, Any]]) -> bool:
    """Move a run's temporary folder into place and, if it succeeded, switch ``latest`` to it.

    Done under the reports folder's lock: the previous successful run is looked up (for the KPI changes
    in the run's ``index.html``), the index and ``kpis.json`` are written, the folder is renamed to its
    run id, ``latest`` moves (only for a successful run newer than the current latest), and the folder's
    own ``index.html`` listing every run is rewritten.

    Returns
    -------
    bool
        Whether ``latest`` now points at this run.
    """
    run_id = meta["run_id"]
    ok = meta["status"] == "ok"
    with _reports_lock(reports_dir):
        previous_runs = [r for r in _successful_runs(reports_dir) if r.get("started", "") < meta["started"]]
        previous = previous_runs[-1] if previous_runs else None
        previous_kpis: list[dict[str, Any]] = []
        if previous is not None:
            with contextlib.suppress(OSError, ValueError, KeyError):
                previous_kpis = json.loads((reports_dir / previous["run_id"] / "kpis.json")
                                           .read_text(encoding="utf-8"))["kpis"]
        meta = {**meta, "previous_run": previous["run_id"] if previous else None}
        _write_json(tmp_folder / "kpis.json", {"run": meta, "kpis": kpis})
        (tmp_folder / "index.html").write_text(_run_index_html(meta, kpis, previous_kpis), encoding="utf-8")
        _write_json(tmp_folder / "run.json", meta)
        os.replace(tmp_folder, reports_dir / run_id)
        switched = False
        if ok:
            current = _current_latest(reports_dir)
            current_started = ""
            if current:
                with contextlib.suppress(OSError, ValueError):
                    current_started = json.loads((reports_dir / current / "run.json").read_text())["started"]
            if not current or current_started <= meta["started"]:
                _switch_latest(reports_dir, run_id)
                switched = True
        _write_text_atomic(reports_dir / "index.html", _reports_index_html(reports_dir))
    return switched


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


_PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:60em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.up,.down{font-weight:600}
.failed{color:#b42318;font-weight:600}.muted{color:#666;font-size:.9em}
"""


def _change(value: Any, old: Any) -> str:
    """The change of a KPI since the previous run, as HTML (``+12 (+3.4%)``, ``unchanged``)."""
    if not isinstance(value, (int, float)) or not isinstance(old, (int, float)) or isinstance(value, bool):
        return ""
    delta = value - old
    if abs(delta) < 1e-12:
        return '<span class="muted">unchanged</span>'
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


def _run_index_html(meta: dict[str, Any], kpis: list[dict[str, Any]], previous_kpis: list[dict[str, Any]]) -> str:
    """The index page of one run: its reports, its KPIs and their change since the previous good run."""
    esc = html.escape
    old = {(k.get("topic"), k.get("name")): k.get("value") for k in previous_kpis}
    rows = []
    for nb in meta["notebooks"]:
        status = nb["status"]
        link = (f'<a href="{esc(nb["html"])}">{esc(nb["topic"])}</a>' if nb.get("html")
                else esc(nb["topic"]))
        extra = (f' <span class="failed">failed</span> - <a href="{esc(nb["ipynb"])}">partly executed notebook</a>'
                 if status != "ok" else "")
        rows.append(f"<li>{link}{extra}</li>")
    kpi_rows = []
    for k in kpis:
        key = (k["topic"], k["name"])
        change = _change(k["value"], old[key]) if key in old else (
            '<span class="muted">new</span>' if meta.get("previous_run") else "")
        kpi_rows.append(f'<tr><td>{esc(str(k["topic"]))}</td><td>{esc(str(k["label"]))}</td>'
                        f'<td class="num">{esc(format_value(k["value"]))}</td><td>{esc(str(k["unit"]))}</td>'
                        f'<td class="num">{change}</td></tr>')
    previous = meta.get("previous_run")
    prev_note = (f"change since run {esc(previous)}" if previous else "no previous successful run to compare with")
    status = ("complete" if meta["status"] == "ok" else '<span class="failed">FAILED</span>')
    params = ", ".join(f"{esc(k)}={esc(str(v))}" for k, v in sorted(meta.get("parameters", {}).items()))
    unmasked = ('<p class="failed">Personal data (names, phones, e-mails) is not masked in this run '
                "(mask_personal=false).</p>" if meta.get("parameters", {}).get("mask_personal") is False else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crmbook run {esc(meta["run_id"])}</title><style>{_PAGE_CSS}</style></head>
<body><h1>crmbook reports</h1>
<p>Run <b>{esc(meta["run_id"])}</b> ({status}) on <code>{esc(str(meta["data"]))}</code>, as of
<b>{esc(str(meta.get("as_of") or "the notebooks' default"))}</b>.<br>
<span class="muted">Started {esc(_when(meta["started"]))}, finished {esc(_when(meta.get("finished", "")))};
crmbook {esc(meta["crmbook_version"])}. Parameters: {params or "defaults"}.</span></p>
{unmasked}<h2>Reports</h2><ul>{"".join(rows)}</ul>
<h2>Key figures</h2>
<table><thead><tr><th>topic</th><th>figure</th><th>value</th><th>unit</th><th>{prev_note}</th></tr></thead>
<tbody>{"".join(kpi_rows) or '<tr><td colspan="5">no figures recorded</td></tr>'}</tbody></table>
<p class="muted"><a href="kpis.json">kpis.json</a> - <a href="../index.html">all runs</a></p>
</body></html>
"""


def _reports_index_html(reports_dir: Path) -> str:
    """The index of the reports folder: every run, newest first, and which one is ``latest``."""
    esc = html.escape
    latest = _current_latest(reports_dir)
    runs = []
    for meta_path in reports_dir.glob("*/run.json"):
        if meta_path.parent.is_symlink() or meta_path.parent.name.startswith("."):
            continue
        with contextlib.suppress(OSError, ValueError):
            runs.append(json.loads(meta_path.read_text(encoding="utf-8")))
    runs.sort(key=lambda r: r.get("started", ""), reverse=True)
    rows = []
    for r in runs:
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


#: Parameters that name local files: made absolute, since kernels start in the notebooks' folder.
PATH_PARAMETERS = ("data", "mapping")  # documentation of the rule in _absolute


def _absolute(value: str) -> str:
    """A relative path that exists from the working directory, made absolute; anything else unchanged."""
    if "://" in value or value == "sample" or not value:
        return value
    path = Path(value).expanduser()
    return str(path.resolve()) if not path.is_absolute() and path.exists() else value


def _previous_seconds(reports_dir: Path) -> dict[str, float]:
    """Seconds each notebook took in the latest successful run (empty when there is none)."""
    latest = _current_latest(reports_dir)
    if not latest:
        return {}
    try:
        meta = json.loads((reports_dir / latest / "run.json").read_text(encoding="utf-8"))
        return {nb["topic"]: float(nb.get("seconds") or 0) for nb in meta.get("notebooks", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _effective(topics: Sequence[Topic], per_topic: Mapping[str, Mapping[str, Any]], name: str) -> Any:
    """The value a parameter had in the run: given, or the notebooks' common default (None if they differ)."""
    seen = {repr(per_topic[t.stem].get(name, t.parameters[name].default)): per_topic[t.stem].get(
        name, t.parameters[name].default) for t in topics if name in t.parameters}
    return next(iter(seen.values())) if len(seen) == 1 else None


def run_reports(topics: Sequence[str] = (), *, data: str, as_of: str | None = None,
                params: Mapping[str, Any] | None = None, config: str | os.PathLike[str] | None = None,
                out: str | os.PathLike[str] | None = None, jobs: int = 1, show_code: bool = False,
                notebooks_dir: str | os.PathLike[str] | None = None, kernel_name: str | None = None,
                timeout: int | None = None, stream: IO[str] | None | str = "stderr") -> RunResult:
    """Run topic notebooks into ``<out>/<run-id>/`` (``crmbook run``).

    Parameters
    ----------
    topics : sequence of str
        Topics as ``"segmentation"``, ``"01"`` or ``"01_segmentation"``; empty = all, in numbered order.
    data : str
        Data folder, file, SQLAlchemy URL or ``"sample"``; the notebooks' ``data`` parameter. A password
        in a URL goes to the kernels through :data:`PASSWORD_ENV`, never into a parameter; it and the
        password already in :data:`PASSWORD_ENV` are scrubbed from every file and log line the run writes.
    as_of : str, optional
        Analysis date ``YYYY-MM-DD`` (parameter ``as_of``); default: the notebooks' own default.
    params : mapping, optional
        More parameters (``-p NAME VALUE``); they override the config file.
    config : path, optional
        YAML or TOML file of parameters.
    out : path, optional
        Reports folder; default :func:`default_reports_dir`.
    jobs : int
        Notebooks run at once (kernels).
    show_code : bool
        Show code in the HTML reports.
    notebooks_dir : path, optional
        Folder of the topic notebooks; default :func:`default_notebooks_dir`.
    kernel_name : str, optional
        Jupyter kernel; default the one named in each notebook.
    timeout : int, optional
        Seconds one cell may take.
    stream : file, optional
        Where progress and failures are written (default: the current ``sys.stderr``); ``None`` for silence.

    Returns
    -------
    RunResult

    Raises
    ------
    UsageError
        Unknown topic or parameter, wrong type, unreadable config, missing notebooks folder, a ``data``
        with ``://`` that is not a readable URL, a password shorter than :data:`MIN_SECRET_LENGTH`;
        raised before any kernel starts.
    """
    import crmbook

    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    every_topic = find_topics(notebooks_dir)
    chosen = select_topics(topics, every_topic)
    safe_data, password, redact = run_secrets(str(data))
    values: dict[str, Any] = dict(load_config(config)) if config else {}
    values.update(params or {})
    for reserved in ("data", "as_of"):
        if reserved in (params or {}):
            raise UsageError(f"give {reserved!r} with --{reserved.replace('_', '-')}, not -p")
    values["data"] = safe_data = _absolute(safe_data)  # --data wins over a config file's data
    if isinstance(values.get("mapping"), str) and values["mapping"]:
        values["mapping"] = _absolute(values["mapping"])
    if as_of is not None:
        values["as_of"] = as_of
    for name, value in list(values.items()):
        if isinstance(value, str) and redact:
            values[name] = redact(value)
    per_topic = check_parameters(values, chosen, every_topic)
    progress = _Progress(sys.stderr if stream == "stderr" else stream, redact)
    unmasked = [stem for stem, p in per_topic.items() if p.get("mask_personal") is False]
    if unmasked:
        progress.line(f"note: personal data (names, phones, e-mails) is NOT masked in {', '.join(unmasked)} "
                      "(mask_personal=false): do not share these reports outside the team")

    out_dir = Path(out) if out is not None else default_reports_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = _new_run_id()
    tmp_folder = Path(tempfile.mkdtemp(prefix=f".tmp-{run_id}-", dir=out_dir))
    umask = os.umask(0)
    os.umask(umask)
    tmp_folder.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report folder is as readable as any
    started = _dt.datetime.now(_dt.UTC)
    total = len(chosen)
    progress.line(f"crmbook run {run_id}: {total} notebook(s), {min(jobs, total)} at once, data {safe_data}")

    def job(index_topic: tuple[int, Topic]) -> dict[str, Any]:
        index, topic = index_topic
        position = f"{index}/{total}"
        out_ipynb = tmp_folder / f"{topic.stem}.ipynb"
        t0 = time.monotonic()
        progress.line(f"[{position}] {topic.stem} started")
        nb, failure = _execute_topic(topic, per_topic[topic.stem], out_ipynb, position=position,
                                     progress=progress, kernel_name=kernel_name, timeout=timeout,
                                     redact=redact, socket_dir=socket_dir)
        entry: dict[str, Any] = {"topic": topic.stem, "ipynb": out_ipynb.name, "html": None}
        if failure is not None:
            entry.update(status="failed", error=failure.error, cell=failure.cell_index,
                         seconds=round(time.monotonic() - t0, 2))
            progress.line(failure.describe().replace(str(tmp_folder), str(out_dir / run_id)))
            return {"entry": entry, "kpis": [], "failure": failure}
        import nbformat

        nb = redact_notebook(nb, redact)
        nbformat.write(nb, out_ipynb)
        as_of_used = per_topic[topic.stem].get("as_of", getattr(topic.parameters.get("as_of"), "default", None))
        subtitle = f"Run {run_id} - data {safe_data}" + (f" - as of {as_of_used}" if as_of_used else "")
        t_html = time.monotonic()
        page = redact(notebook_to_html(nb, show_code=show_code, subtitle=subtitle))
        (tmp_folder / f"{topic.stem}.html").write_text(page, encoding="utf-8")
        entry.update(status="ok", html=f"{topic.stem}.html", seconds=round(time.monotonic() - t0, 2),
                     execute_seconds=round(t_html - t0, 2), html_seconds=round(time.monotonic() - t_html, 2))
        progress.line(f"[{position}] {topic.stem} done ({entry['seconds']:.1f} s)")
        return {"entry": entry, "kpis": collect_kpis(nb, topic.name, topic.stem), "failure": None}

    with password_in_env(password), tempfile.TemporaryDirectory(prefix="crmbook-k") as socket_dir:
        if jobs == 1 or total == 1:
            results = [job(item) for item in enumerate(chosen, start=1)]
        else:
            # longest first (by the last good run's timings): the slowest notebook never starts last
            before = _previous_seconds(out_dir)
            items = sorted(enumerate(chosen, start=1), key=lambda it: -before.get(it[1].stem, 0))
            with ThreadPoolExecutor(max_workers=min(jobs, total)) as pool:
                futures = {item[0]: pool.submit(job, item) for item in items}
                results = [futures[i].result() for i in sorted(futures)]

    failures = [r["failure"] for r in results if r["failure"] is not None]
    kpis = [k for r in results for k in r["kpis"]]
    meta = {
        "run_id": run_id,
        "status": "failed" if failures else "ok",
        "data": safe_data,
        "as_of": _effective(chosen, per_topic, "as_of"),
        "parameters": {k: _effective(chosen, per_topic, k) for k in values if k != "data"},
        "topics": [t.stem for t in chosen],
        "notebooks": [r["entry"] for r in results],
        "show_code": show_code,
        "crmbook_version": crmbook.__version__,
        "started": started.isoformat(),
        "finished": _dt.datetime.now(_dt.UTC).isoformat(),
    }
    switched = finalize_run(out_dir, tmp_folder, meta, kpis)
    folder = out_dir / run_id
    if failures:
        progress.line(f"run {run_id} FAILED ({len(failures)} of {total} notebook(s)): {folder}; "
                      f"reports/latest left at {_current_latest(out_dir) or 'nothing'}")
    else:
        progress.line(f"run {run_id} ok: {folder}/index.html" + (" (now latest)" if switched else ""))
    for failure in failures:
        if failure.notebook is not None:
            failure.notebook = folder / failure.notebook.name
    return RunResult(run_id, folder, not failures, kpis, failures, switched)


def run_command(args: argparse.Namespace) -> int:
    """``crmbook run``: run the notebooks and return the exit code (0 ok, 1 failed, 2 usage)."""
    params = dict(args.param or [])
    try:
        result = run_reports(
            args.topics, data=args.data, as_of=args.as_of, params=params, config=args.config, out=args.out,
            jobs=args.jobs, show_code=args.show_code, notebooks_dir=getattr(args, "notebooks", None),
            timeout=getattr(args, "timeout", None),
        )
    except UsageError as exc:
        print("crmbook run: " + lenient_redactor(str(args.data))(str(exc)), file=sys.stderr)
        return EXIT_USAGE
    print(result.folder)
    return result.exit_code
