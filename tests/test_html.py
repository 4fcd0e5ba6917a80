"""Tests of crmbook.report.html: notebooks as self-contained, offline HTML reports."""

from __future__ import annotations

import html.parser

import nbformat
import pytest

from crmbook import report
from crmbook.report import find_topics, notebook_to_html, sanitize
from crmbook.report import html as report_html
from crmbook.report.html import reader_order


def test_notebook_to_html_sanitizes_outputs() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# T\n\n## Part $a^2$\n\nInline $\\alpha$ and <script>bad()</script>"),
        nbformat.v4.new_code_cell("secret_code()"),
    ])
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(2)", "text/plain": "js"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg}),
        nbformat.v4.new_output("display_data", data={"text/html": '<a href="javascript:alert(3)">x</a>'
                                                     '<img src="http://tracker/x.png">'
                                                     '<style>@import url(http://x/a.css);</style>'
                                                     '<div style="background:url(http://evil/x.png);color:red">c'
                                                     '</div>'}),
    ]
    page = report.notebook_to_html(nb, subtitle="<i>sub</i>")
    assert "<script" not in page.lower() and "javascript:" not in page
    assert "secret_code" not in page and "http://tracker" not in page and "@import" not in page
    assert "evil" not in page and 'style="color:red;"' in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "&lt;i&gt;sub&lt;/i&gt;" in page
    assert "<math" in page and "<mi>α</mi>" in page
    assert "<title>T</title>" in page
    shown = report.notebook_to_html(nb, show_code=True)
    assert "secret_code" in shown


class _Tags(html.parser.HTMLParser):
    """The attributes of every <img> and of every <div> of a page, as a browser's tokenizer reads them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.divs: list[dict[str, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("img", "div"):
            (self.images if tag == "img" else self.divs).append(dict(attrs))


def test_images_have_alt_text_and_cells_are_focusable_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    import nbconvert.exporters.html

    def second_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was parsed again with BeautifulSoup")

    monkeypatch.setattr(nbconvert.exporters.html, "BeautifulSoup", second_parse)
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f'# Pictures\n\n<img src="data:image/png;base64,{png}">\n\n'
                                      f"![a chart](data:image/png;base64,{png})"),
        nbformat.v4.new_code_cell("draw()"),
    ])
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"text/html": f'<img src="data:image/png;base64,{png}">'
                                                     '<b title="<img src=x>">t</b>'
                                                     f'<img src="data:image/png;base64,{png}" alt="kept">'}),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
    ]
    for show_code in (False, True):
        tags = _Tags(report.notebook_to_html(nb, show_code=show_code))
        assert len(tags.images) == 5
        assert all(img.get("alt") for img in tags.images)
        assert [img["alt"] for img in tags.images if img["alt"] != sanitize._NO_ALT] == ["a chart", "kept"]
        wrappers = [d for d in tags.divs if {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
                    & set((d.get("class") or "").split())]
        assert len(wrappers) == (5 if show_code else 4)  # markdown, (code input), 3 outputs
        assert all(d.get("tabindex") == "0" for d in wrappers)
    # an "<img" inside an attribute value is text, not an image: left as it is
    assert sanitize.sanitize_html('<b title="<img src=x>">t</b>') == '<b title="&lt;img src=x&gt;">t</b>'


def test_mermaid_output_is_shown_as_text() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("diagram")])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={
        "text/vnd.mermaid": "graph TD</pre><img src=x onerror=alert(1)><script>alert(2)</script>",
        "text/plain": "diagram"})]
    page = report.notebook_to_html(nb)
    assert "<script" not in page.lower() and "<img" not in page
    assert "graph TD&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_printed_text_and_formulas_keep_markup_escaped() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(name)")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="<b>'Zoë' & \"Co\"</b>\n")]
    page = report.notebook_to_html(nb)
    assert "&lt;b&gt;'Zoë' &amp; \"Co\"&lt;/b&gt;" in page
    mathml = report_html._latex_to_mathml(r"\alpha < \beta \& x > 0", False)
    assert "<mi>α</mi>" in mathml and "<mi>β</mi>" in mathml
    assert "&#x0003C;" in mathml and "&#x0003E;" in mathml and "&#x00026;" in mathml  # markup stays escaped


def test_report_language_sets_the_lang_attribute_and_the_contents_title() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题\n\n## 第一节")])
    page = report_html.notebook_to_html(nb, language="zh")
    assert '<html lang="zh">' in page and ">目录<" in page
    english = report_html.notebook_to_html(nb)
    assert '<html lang="en">' in english and ">Contents<" in english


@pytest.mark.parametrize("topic", find_topics(), ids=lambda t: t.stem)
def test_report_of_a_stored_notebook_leaves_out_test_and_analyst_cells(topic) -> None:
    """The stored (executed) notebook converted: no test-only or analyst cell, the summary first."""
    nb = nbformat.read(topic.path, as_version=4)
    page = notebook_to_html(nb, title="T")
    hidden = [c for c in nb.cells if {"test-only", "analyst-note"} & set(c.metadata.get("tags", []))]
    assert hidden
    for cell in hidden:
        assert f'id="cell-id={cell.id}"' not in page, f"{topic.stem}: cell {cell.id} is in the report"
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")).strip()
            if text:  # a printout (e.g. "top 20% revenue share: 0.8374") is not repeated in the report
                assert text.splitlines()[0] not in page, f"{topic.stem}: printout of {cell.id} in the report"
    assert "NBVAL_CHECK_OUTPUT" not in page
    body = page[page.index("<body"):]
    summary = body.index('<section class="crmbook-summary"')
    assert summary < body.index('class="crmbook-toc"') < body.index("<details class=\"crmbook-lesson\">")
    assert "<details class=\"crmbook-lesson\" open>" in notebook_to_html(nb, show_lesson=True)


def test_reader_order_moves_the_summary_up_and_splits_lesson_headings() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nAfter this you can ...", metadata={"tags": ["lesson"]}),
                nbformat.v4.new_markdown_cell("## 1. Concept\n\nA formula $$x$$", metadata={"tags": ["lesson"]}),
                nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)", metadata={"tags": ["test-only"]}),
                nbformat.v4.new_markdown_cell("## Summary", metadata={"tags": ["summary"]})]
    ordered, title = reader_order(nb)
    assert title == "Title"
    assert [c.source for c in ordered.cells] == ["## Summary", "After this you can ...", "## 1. Concept",
                                                 "A formula $$x$$"]
    assert [sorted(c.metadata.get("tags", [])) for c in ordered.cells] == [["summary"], ["lesson"], [], ["lesson"]]
    assert ordered.cells[0].metadata["crmbook"] == {"summary_start": True, "summary_end": True}
    assert ordered.cells[1].metadata["crmbook"] == {"toc_before": True}
    assert len(nb.cells) == 4  # the notebook itself is not changed


def test_headings_are_shown_in_the_report_language() -> None:
    from crmbook.language import headings

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title\n\n## 2 · The data\n\ntext"),
                                         nbformat.v4.new_markdown_cell("### Problems found")])
    zh = headings("crmbook.data_check", "zh")
    assert zh["2 · The data"] == "2 · 数据" and headings("crmbook.data_check", "en") == {}
    page = report_html.notebook_to_html(nb, language="zh", headings=zh)
    assert "2 · 数据" in page and "发现的问题" in page and "The data" not in page
    assert "2 · The data" in report_html.notebook_to_html(nb)  # English: as written
    assert nb.cells[0].source.startswith("# Title\n\n## 2 · The data")  # the notebook itself is unchanged
