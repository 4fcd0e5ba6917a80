"""An executed notebook as a self-contained HTML report (nbconvert's Python API).

Code is hidden unless asked for, tagged cells are left out, images are embedded, formulas become MathML
(no MathJax from a CDN: the page opens offline), a table of contents opens the page, and every output
from the data goes through the sanitizer (:mod:`crmbook.report.sanitize`).
"""

from __future__ import annotations

import base64
import html
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from crmbook.kpis import KPI_MIME
from crmbook.language import catalogue
from crmbook.report.sanitize import sanitize_html, with_alt_text

__all__ = ["LESSON_TAG", "REMOVE_CELL_TAGS", "REMOVE_INPUT_TAGS", "REMOVE_OUTPUT_TAGS", "SUMMARY_TAG",
           "notebook_to_html", "reader_order"]


#: Cell tags whose whole cell is left out of reports: plumbing, exercises, Papermill's injected cell,
#: printouts that exist only for the notebook output tests (``test-only``: every cell whose first line is
#: ``# NBVAL_CHECK_OUTPUT``) and notes meant for the analyst, not the reader (``analyst-note``).
REMOVE_CELL_TAGS = frozenset({"remove-cell", "exercise", "injected-parameters", "test-only", "analyst-note"})

#: Cells of the summary and actions: moved to the top of the report (the notebook keeps its order).
SUMMARY_TAG = "summary"

#: Teaching cells (learning objectives, concept, formula): folded in a closed ``<details>`` in reports.
LESSON_TAG = "lesson"

#: Cell tags whose input is hidden even with ``show_code``.
REMOVE_INPUT_TAGS = frozenset({"remove-input", "parameters"})

#: Cell tags whose output is left out of reports.
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})


_TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"  # lib/crmbook/templates

_TEMPLATE_NAME = "crmbook"

_HEADING = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)

#: The report's own cell and output wrappers, made focusable for keyboard users.
_FOCUS_DIV = re.compile(r'<div class="([^"]*?(?<![\w-])(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?![\w-])[^"]*)"')


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
            return with_alt_text(MarkdownWithMath(renderer=renderer).render(source))

        def default_filters(self) -> Iterator[tuple[str, Any]]:
            yield from super().default_filters()
            yield ("ansi2html", _ansi_to_html)
            yield ("crmbook_alt_text", with_alt_text)
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
                data["text/html"] = sanitize_html(markup if isinstance(markup, str) else "".join(markup))
            elif "text/markdown" in data:
                markup = data.pop("text/markdown")
                data["text/html"] = sanitize_html(_markdown_to_html(markup if isinstance(markup, str) else "".join(markup)))
            elif "text/latex" in data and not any(m.startswith("image/") for m in data):
                latex = data.pop("text/latex")
                latex = (latex if isinstance(latex, str) else "".join(latex)).strip().strip("$")
                data["text/html"] = _latex_to_mathml(latex, True)
            data.pop("text/markdown", None)
            data.pop("text/latex", None)
    return nb


def _table_of_contents(body: str, language: str = "en") -> str:
    """A ``<nav>`` listing the h1-h3 headings of the report (ids made by nbconvert)."""
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        text = re.sub(r"<a class=\"anchor-link\".*?</a>", "", inner, flags=re.DOTALL)
        text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        if text:
            items.append(f'<li class="crmbook-toc-{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    if not items:
        return ""
    contents = html.escape(catalogue("crmbook").label("report.contents", language))
    return (f'<nav class="crmbook-toc" aria-label="{contents}"><div class="crmbook-toc-title">{contents}</div>'
            f'<ul>{"".join(items)}</ul></nav>')


_TITLE_LINE = re.compile(r"^#\s+(.+?)\s*$")

_HEADING_LINE = re.compile(r"^#{1,6}\s")


def _tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _split_heading(cell: Any) -> list[Any]:
    """A lesson cell opening with a heading as two cells: the heading (shown) and the lesson (folded)."""
    import copy

    lines = cell.source.splitlines()
    if not lines or not _HEADING_LINE.match(lines[0]) or not "\n".join(lines[1:]).strip():
        return [cell]
    head, rest = copy.deepcopy(cell), copy.deepcopy(cell)
    head.source = lines[0]
    head.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != LESSON_TAG]
    rest.source = "\n".join(lines[1:]).strip("\n")
    rest["id"] = f"{cell.get('id') or 'cell'}-lesson"[:64]
    return [head, rest]


def reader_order(nb: Any) -> tuple[Any, str | None]:
    """A copy of the notebook in the order a report reader needs, and the notebook's title.

    The title line (``# ...`` opening the first Markdown cell) is taken out (the page header shows it);
    cells the report leaves out (:data:`REMOVE_CELL_TAGS`) are dropped; cells tagged ``summary`` move to
    the top, in their order; a ``lesson`` cell opening with a heading is split so the heading stays
    visible and only the lesson is folded. The cells get ``metadata.crmbook`` marks the template reads:
    ``summary_start`` / ``summary_end`` around the summary, ``toc_before`` on the first cell after it
    (where the table of contents goes).
    """
    import copy

    nb = copy.deepcopy(nb)
    title = None
    cells = [c for c in nb.cells if not _tags(c) & REMOVE_CELL_TAGS]
    first_md = next((c for c in cells if c.cell_type == "markdown"), None)
    if first_md is not None:
        lines = first_md.source.splitlines()
        match = _TITLE_LINE.match(lines[0]) if lines else None
        if match:
            title = match.group(1)
            first_md.source = "\n".join(lines[1:]).strip("\n")
            if not first_md.source.strip():
                cells.remove(first_md)
    split = [part for c in cells for part in (_split_heading(c) if LESSON_TAG in _tags(c)
                                               and c.cell_type == "markdown" else [c])]
    summary = [c for c in split if SUMMARY_TAG in _tags(c)]
    rest = [c for c in split if SUMMARY_TAG not in _tags(c)]
    for cell in split:
        cell.metadata.pop("crmbook", None)
    if summary:
        summary[0].metadata.setdefault("crmbook", {})["summary_start"] = True
        summary[-1].metadata.setdefault("crmbook", {})["summary_end"] = True
    if rest:
        rest[0].metadata.setdefault("crmbook", {})["toc_before"] = True
    nb.cells = summary + rest
    return nb, title


_ANY_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")


def _translate_headings(nb: Any, headings: Mapping[str, str]) -> None:
    """Replace every Markdown heading line found in ``headings`` (English -> translation), in place."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            match = _ANY_HEADING.match(line)
            if match and match.group(2) in headings:
                lines[i] = f"{match.group(1)} {headings[match.group(2)]}"
        cell.source = "\n".join(lines)


def notebook_to_html(nb: Any, *, show_code: bool = False, title: str | None = None,
                     subtitle: str = "", language: str = "en", show_lesson: bool = False,
                     headings: Mapping[str, str] | None = None) -> str:
    """An executed notebook as a self-contained HTML report, in the order a reader needs.

    The page opens with the title, the run line and the cells tagged ``summary`` (what this means, what
    to do), then a table of contents and the sections in the notebook's order. Cells tagged ``lesson``
    (objectives, concept, formula) are folded in a closed ``<details>`` unless ``show_lesson``. Code is
    hidden unless ``show_code``; cells tagged ``remove-cell``, ``exercise``, ``test-only``,
    ``analyst-note`` (and Papermill's injected parameters) are left out, ``remove-input`` hides a cell's
    code even with ``show_code``; images are embedded as data URIs; formulas become MathML; outputs from
    the data are sanitized (a ``<script>`` in a customer name is shown as text). The page loads nothing
    from the network.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    show_code : bool
        Show code cells (training handouts).
    title : str, optional
        Page title and heading (default: the notebook's title line, ``# ...``).
    subtitle : str
        A line under the title (run id, data source, as-of date).
    language : str
        The report language (``"en"``, ``"zh"``): the page's ``lang`` attribute, the table of contents,
        the lesson folds.
    show_lesson : bool
        Open the lesson folds (training handouts).
    headings : mapping, optional
        The notebook's Markdown headings in the report language (English -> translation,
        :func:`crmbook.language.headings`); the table of contents follows them.

    Returns
    -------
    str
        The HTML page.
    """
    safe = _safe_outputs(nb)
    if headings:
        _translate_headings(safe, headings)
    safe, own_title = reader_order(safe)
    title = title or own_title or "crmbook report"
    safe.metadata["title"] = title
    texts = catalogue("crmbook")
    extra = {"subtitle": subtitle, "title": title, "show_lesson": show_lesson,
             "lesson_label": texts.label("report.lesson", language),
             "summary_label": texts.label("report.summary", language)}
    with _EXPORTER_LOCK:
        exporter = _exporter(show_code)
        exporter.language_code = language  # the page's lang attribute (one exporter, used under the lock)
        body, _ = exporter.from_notebook_node(safe, resources={"crmbook": extra})
    body = body.replace("<!--crmbook-toc-->", _table_of_contents(body, language), 1)
    return body
