"""Tests of crmbook.report.sanitize: outputs from the data shown safely (tags, links, images, CSS)."""

from __future__ import annotations

import re

import nbformat

from crmbook import report
from crmbook.report import sanitize


def test_links_keep_only_http_https_mailto() -> None:
    clean = sanitize.sanitize_html(
        '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">d</a>'
        '<a href=" DATA:text/html;base64,PHNjcmlwdD4=" class="c">e</a>'
        '<a href="javascript:alert(1)">j</a><a href="//evil.example/x">p</a>'
        '<a href="https://example.com/x" title="t">s</a><a href="http://example.com/">h</a>'
        '<a href="mailto:crm@example.com">m</a><a href="#part">i</a>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="chart">')
    assert "data:text" not in clean.lower() and "javascript" not in clean and "evil" not in clean
    assert '<a>d</a>' in clean and '<a class="c">e</a>' in clean and "<a>j</a>" in clean and "<a>p</a>" in clean
    assert '<a href="https://example.com/x" title="t">s</a>' in clean and 'href="http://example.com/"' in clean
    assert 'href="mailto:crm@example.com"' in clean and 'href="#part"' in clean
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="chart">' in clean  # embedded images stay


def test_style_from_outputs_dropped_unless_scoped_to_a_styler_table() -> None:
    import pandas as pd

    for css in ("body{display:none}", "#T_x, body{display:none}", "#T_x ~ div{display:none}",
                "@media screen{#T_x{color:red}}", "#T_x td{background:url(http://e.example/x.png)}",
                '#T_x{font-family:"a}body{display:none}"}', ".jp-Cell{display:none}"):
        clean = sanitize.sanitize_html(f"<style>{css}</style><b>kept</b>")
        assert clean == "<b>kept</b>", css
    unclosed = sanitize.sanitize_html('<style type="text/css">\n#T_x{} body{display:none}')
    assert "<style" not in unclosed and "&lt;style" in unclosed  # shown as text, never applied
    assert sanitize.sanitize_html("<style>#T_x{color:red;position:fixed}</style>") == (
        '<style type="text/css">\n#T_x {color:red;}\n</style>')  # only the inline-style properties

    frame = pd.DataFrame({"segment": ["A", "B"], "share": [0.25, 0.75]})
    styled = frame.style.set_uuid("seg").background_gradient(subset=["share"], cmap="Blues").format(
        {"share": "{:.0%}"}).set_table_styles([{"selector": "th", "props": "color: #333;"}]).to_html()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("styled")])
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/html": styled,
                                                                          "text/plain": "styled"},
                                                  execution_count=1)]
    page = report.notebook_to_html(nb)
    css = re.search(r'<style type="text/css">\n(#T_seg.*?)\n</style>', page, re.S).group(1)
    assert "#T_seg th {color: #333;}" in css
    assert re.search(r"#T_seg_row0_col1 \{background-color: #[0-9a-f]{6};\s*color: #[0-9a-f]{6};\}", css)
    assert '<table id="T_seg">' in page and 'id="T_seg_row1_col1"' in page and ">75%</td>" in page
    # a plain DataFrame's "<style scoped>" (.dataframe ...) goes: the page's own table CSS styles it alike
    plain = sanitize.sanitize_html(frame._repr_html_())
    assert "<style" not in plain and '<table border="1" class="dataframe">' in plain and "<td>0.75</td>" in plain


def test_tags_not_allowed_are_shown_as_text_even_when_malformed() -> None:
    # nh3 alone would drop them; their "<" is escaped first, as the HTML tokenizer would read the tag
    shown = {
        '<iframe src="http://x"></iframe>': '&lt;iframe src="http://x"&gt;&lt;/iframe&gt;',
        "<scr<script>ipt>alert(1)</script>": "&lt;scr&lt;script&gt;ipt&gt;alert(1)&lt;/script&gt;",
        "<svg onload=alert(1)><b>x</b></svg>": "&lt;svg onload=alert(1)&gt;<b>x</b>&lt;/svg&gt;",
        "<textarea><b>x</b></textarea>": "&lt;textarea&gt;<b>x</b>&lt;/textarea&gt;",
        "a < b > c": "a &lt; b &gt; c",
        "&lt;b&gt; &amp; <b>'q' \"r\"</b>": "&lt;b&gt; &amp; <b>'q' \"r\"</b>",
        "<!-- secret --><b>after</b>": "<b>after</b>",
    }
    for markup, clean in shown.items():
        assert sanitize.sanitize_html(markup) == clean, markup


def test_attributes_kept_per_tag() -> None:
    clean = sanitize.sanitize_html(
        '<b onclick="x()" class="c" data-x="1">d</b>'
        '<img src="data:image/png;base64,AA" alt="a" id="i" align="left" width="3" height="2" onerror="x()">'
        '<img src="https://e.example/x.png" alt="t">'
        '<a href="#x" name="n" id="i" target="_blank" rel="opener" title="t">t</a>'
        '<a href="&#106;avascript:alert(1)">e</a><a href="jav&#x09;ascript:alert(1)">f</a>'
        '<table border="1"><tr><th scope="col" colspan="2" id="h">h</th><td rowspan="1" scope="x">c</td></tr></table>'
        '<ol start="3" reversed><li value="2">a</li></ol>')
    assert clean == (
        '<b class="c">d</b>'
        '<img src="data:image/png;base64,AA" alt="a" width="3" height="2">'  # no id/align on <img>
        '<img alt="t">'  # a picture from the network is dropped, the text stays
        '<a href="#x" name="n" id="i" title="t">t</a>'  # no target, no rel added
        '<a>e</a><a>f</a>'  # javascript: hidden behind entities or a tab
        '<table border="1"><tbody><tr><th scope="col" colspan="2" id="h">h</th><td rowspan="1">c</td></tr>'
        '</tbody></table>'
        '<ol start="3"><li>a</li></ol>')


def test_inline_style_keeps_allowed_properties_as_written() -> None:
    assert sanitize.sanitize_html(
        '<span style="color: red; position: fixed; background: url(http://e.example/x.png); '
        'FONT-WEIGHT: bold !important; fill: #123">s</span>') == (
        '<span style="color: red; FONT-WEIGHT: bold !important; fill: #123;">s</span>')
    assert sanitize.sanitize_html('<span style="/* c */ width: 3px /* d */; x: y; @media print {}">s</span>') == (
        '<span style="width: 3px /* d */;">s</span>')
    assert sanitize.sanitize_html('<span style="position: fixed">s</span>') == '<span style="">s</span>'
