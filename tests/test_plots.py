"""The chart theme and shared helpers: no global side effects, readable tick labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from crmbook import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_importing_crmbook_changes_no_style():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(plots)
    assert dict(matplotlib.rcParams) == before


def test_theme_context_restores_previous_style():
    before = matplotlib.rcParams["axes.spines.top"], matplotlib.rcParams["figure.dpi"]
    with plots.theme():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["figure.dpi"] == plots.THEME["rc"]["figure.dpi"]
    assert (matplotlib.rcParams["axes.spines.top"], matplotlib.rcParams["figure.dpi"]) == before


def test_get_ax_reuses_given_axes_and_finish_labels_it():
    _, ax = plt.subplots()
    assert plots.get_ax(ax) is ax
    new = plots.get_ax(None, figsize=(3, 2))
    assert new is not ax and tuple(new.figure.get_size_inches()) == (3, 2)
    plots.finish(ax, "Revenue per month", "Month", "Revenue (CNY)")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Revenue per month", "Month", "Revenue (CNY)")


@pytest.mark.parametrize("value, text", [(950, "950 CNY"), (1500, "1.5k CNY"), (2_300_000, "2.3M CNY"),
                                         (-4_000, "-4.0k CNY"), (7e9, "7.0B CNY")])
def test_money_formatter(value, text):
    assert plots.money_formatter("CNY")(value, 0) == text


def test_percent_formatter_for_shares_and_percentages():
    assert plots.percent_formatter().format_pct(0.25, 1) == "25%"
    assert plots.percent_formatter(share=False).format_pct(25, 100) == "25%"


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (0.5, "0.5"), (0.123, "0.12"), (1, "1"), (10, "10"), (250, "250"), (999, "999"),
    (1000, "1k"), (1500, "1.5k"), (10_000, "10k"), (2_500_000, "2.5M"), (3e9, "3B"), (-1000, "-1k"),
])
def test_compact_number(value, text):
    assert plots.compact_number(value) == text


def test_number_formatter_labels_a_log_axis_without_math_text():
    fig, ax = plt.subplots()
    ax.set_xscale("log")
    ax.set_xlim(1, 1e5)
    ax.xaxis.set_major_formatter(plots.number_formatter())
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if 1 <= t.get_position()[0] <= 1e5]
    plt.close(fig)
    assert labels == ["1", "10", "100", "1k", "10k", "100k"]


def test_chinese_text_renders_without_missing_glyphs():
    import warnings

    from crmbook import fonts

    assert fonts.bundled_cjk_font() is not None, "pylopdf-fonts-zh-cn (Noto Sans SC) is a dependency"
    with plots.theme(), warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph ... missing from font(s)" UserWarning fails the test
        families = matplotlib.rcParams["font.family"]
        assert families[0] == fonts.LATIN_FONT and "Noto Sans SC" in families
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar(["华东", "华南", "West"], [1, 2, 3])
        plots.finish(ax, "客户细分：收入（CNY）", "地区", "收入")
        fig.canvas.draw()


def test_bold_chinese_titles_log_nothing(caplog):
    import logging

    with plots.theme(), caplog.at_level(logging.INFO, logger="matplotlib.font_manager"):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_title("RFM 细分：客户与收入", fontweight="bold")
        fig.canvas.draw()
    assert not [r for r in caplog.records if "findfont" in r.getMessage()], caplog.text


def test_font_list_names_only_installed_families():
    from matplotlib import font_manager

    from crmbook import fonts

    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = fonts.register_fonts()
    assert families[0] == fonts.LATIN_FONT and "Noto Sans SC" in families  # the bundled font is registered
    assert set(families) <= installed


_INLINE_SHELL = r"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell

class Shell(InteractiveShell):
    def enable_gui(self, gui=None):  # the inline backend needs no event loop
        pass

shell = Shell.instance()
shell.enable_matplotlib("inline")
shown = []
shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append(data.get("image/png"))
import matplotlib.figure
draws = []
_draw = matplotlib.figure.Figure.draw
def counted(self, renderer):
    draws.append(1)
    return _draw(self, renderer)
matplotlib.figure.Figure.draw = counted

CHART = ("ax.plot([1, 3, 2], marker='o'); ax.set_yticks([1, 2, 3], ['one', 'two', '三'])\n"
         "plots.finish(ax, 'Orders per month', 'Month', 'Orders')")
counts = []
for make in ("import matplotlib.pyplot as plt; _, ax = plt.subplots(figsize=(4, 3))",  # plain pyplot
             "from crmbook import plots; ax = plots.get_ax(figsize=(4, 3))",           # crmbook's
             "import matplotlib.pyplot as plt; _, ax = plt.subplots(figsize=(4, 3))"):  # plain again
    before = len(draws)
    assert shell.run_cell("from crmbook import plots; plots.set_theme()\n" + make + "\n" + CHART).success
    counts.append(len(draws) - before)
print(json.dumps({"draws": counts, "same_png": shown[0] == shown[1] == shown[2], "shown": len(shown),
                  "png": shown[0] is not None}))
"""


def test_new_figures_are_drawn_once_in_a_notebook_and_look_the_same():
    """With the inline backend a figure made by crmbook is drawn for its PNG only (not also by pyplot's
    redraw after the cell); the PNG is the same bytes as a plain pyplot figure's, drawn the usual way."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _INLINE_SHELL], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["shown"] == 3 and result["png"] and result["same_png"]
    first, ours, after = result["draws"]
    assert first == 3  # pyplot's redraw, then the inline backend's two (tight bounding box, PNG)
    assert ours == 2
    assert after == 2  # the hooks stay in the new order for later figures of the session


def _png(fig) -> bytes:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=60)
    plt.close(fig)
    return buf.getvalue()


def _chart(kind: str, title_by: str):
    """One small chart of ``kind``; its title set by ``finish``, by a plain ``set_title`` (placed by
    matplotlib) or ``forced`` at the top of the axes."""
    import numpy as np

    with plots.theme():
        ax = plots.get_ax(figsize=(4, 3))
        if kind == "bars":  # fixed y labels
            ax.barh(np.arange(4), [0.1, 0.4, 0.2, 0.3])
            ax.set_yticks(np.arange(4), ["one", "two", "三", "four"])
            ax.xaxis.set_major_formatter(plots.percent_formatter())
        elif kind == "money":  # large values, a formatter without offset
            ax.plot([0, 1, 2], [2e7, 3e7, 2.5e7])
            ax.yaxis.set_major_formatter(plots.money_formatter("CNY"))
        elif kind == "offset":  # large values, the default formatter: an offset text (1e7) above the axis
            ax.plot([0, 1, 2], [2e7, 3e7, 2.5e7])
        elif kind == "top_labels":  # x labels on top
            ax.plot([0, 1, 2], [1, 3, 2])
            ax.xaxis.tick_top()
            ax.yaxis.set_major_formatter(plots.percent_formatter())
        elif kind == "twin":
            ax.plot([0, 1, 2], [1, 3, 2])
            ax.yaxis.set_major_formatter(plots.percent_formatter())
            twin = ax.twinx()
            twin.plot([0, 1, 2], [2e7, 1e7, 3e7])
        if title_by == "finish":
            plots.finish(ax, "A rather long chart title that spans the axes", "Month", "Value")
        else:  # plain: matplotlib places the title; forced: pinned at the top whatever the chart
            ax.set_title("A rather long chart title that spans the axes", y=1.0 if title_by == "forced" else None)
            ax.set_xlabel("Month")
            ax.set_ylabel("Value")
        pinned = ax._autotitlepos is False
        return _png(ax.figure), pinned


@pytest.mark.parametrize(("kind", "pin"), [("bars", True), ("money", True), ("offset", False),
                                           ("top_labels", False), ("twin", False)])
def test_finish_pins_the_title_only_where_it_would_stay_and_draws_the_same(kind, pin):
    """The title ``finish`` gives is pinned at the top only when nothing could lift it; the PNG is the bytes
    of the same chart titled the plain way (matplotlib placing the title itself)."""
    ours, pinned = _chart(kind, "finish")
    plain, _ = _chart(kind, "plain")
    assert pinned is pin
    assert ours == plain


@pytest.mark.parametrize("kind", ["offset", "top_labels"])
def test_a_pinned_title_would_be_wrong_where_finish_does_not_pin(kind):
    """The cases left to matplotlib are ones where its placement matters: pinned anyway, the title moves."""
    forced, pinned = _chart(kind, "forced")
    plain, _ = _chart(kind, "plain")
    assert pinned and forced != plain
