"""The chart theme and small helpers shared by every topic's charts.

Importing this module changes no global style. A notebook sets the theme once with :func:`set_theme`,
or locally with ``with crmbook.plots.theme(): ...``. Topic modules draw with ``plot_*`` functions that take
``ax=None``, draw only into that axes and return it; they import matplotlib inside the function so the
statistics code never needs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["THEME", "set_theme", "theme", "new_figure", "get_ax", "finish", "compact_number", "number_formatter",
           "money_formatter", "percent_formatter"]

#: The look of every crmbook chart (seaborn style + matplotlib rc overrides). Figures are saved at a
#: modest DPI so the HTML reports stay small.
THEME: dict[str, Any] = {
    "style": "whitegrid",
    "context": "notebook",
    "palette": "deep",
    "rc": {
        "figure.figsize": (8.0, 4.5),
        "figure.dpi": 90,
        "savefig.dpi": 90,
        "axes.titleweight": "bold",
        "axes.titlesize": 13,
        "axes.spines.top": False,
        "axes.spines.right": False,
    },
}


def set_theme(**overrides: Any) -> None:
    """Apply the crmbook chart theme globally (call once at the top of a notebook).

    The fonts are DejaVu Sans for Latin text with a Chinese font as per-glyph fallback
    (:func:`crmbook.fonts.register_fonts`), so charts in either report language render every glyph.
    """
    import seaborn as sns

    from crmbook.fonts import register_fonts

    settings = {**THEME, **overrides}
    rc = {"font.family": list(register_fonts()), **settings["rc"]}
    sns.set_theme(style=settings["style"], context=settings["context"], palette=settings["palette"], rc=rc)


@contextmanager
def theme(**overrides: Any) -> Iterator[None]:
    """Use the crmbook theme inside a ``with`` block only; the previous style is restored after."""
    import matplotlib as mpl

    with mpl.rc_context():
        set_theme(**overrides)
        yield


def _show_before_redraw() -> None:
    """In an IPython kernel with the inline backend, show the figures of a cell before pyplot redraws them.

    After each cell two hooks run, in the order they were registered (both when the first figure is made):
    pyplot's ``_draw_all_if_interactive``, which redraws every changed figure so that an interactive window
    is up to date, then the inline backend's ``flush_figures``, which renders each figure to PNG (drawing it
    again) and closes it. With the inline backend there is no window: the first drawing is never seen and
    costs a third of the charts' time. Running ``flush_figures`` first leaves pyplot no open figure to
    redraw; the PNG is the same. Nothing changes outside IPython or with another backend (for which
    ``flush_figures`` is not registered), and both hooks stay registered (``plt.ioff()`` can remove pyplot's).
    """
    import sys

    inline = sys.modules.get("matplotlib_inline.backend_inline")
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if inline is None or shell is None:
        return
    import matplotlib.pyplot as plt

    hooks = shell.events.callbacks.get("post_execute", [])
    flush, redraw = getattr(inline, "flush_figures", None), getattr(plt, "_draw_all_if_interactive", None)
    if flush in hooks and redraw in hooks and hooks.index(flush) > hooks.index(redraw):
        hooks.remove(flush)
        hooks.insert(hooks.index(redraw), flush)


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Any, Any]:
    """``plt.subplots(nrows, ncols, **kwargs)``: a new figure and its axes, drawn once when a notebook shows
    it (:func:`_show_before_redraw`)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    _show_before_redraw()
    return fig, axes


def get_ax(ax: Axes | None = None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or a new figure's axes when ``ax`` is ``None`` (:func:`new_figure`)."""
    if ax is not None:
        return ax
    _, ax = new_figure(figsize=figsize)
    return ax


def _title_stays_on_top(ax: Axes) -> bool:
    """Whether matplotlib's automatic title placement is sure to leave ``ax``'s title at the top of the axes.

    At each drawing (three times for a notebook's PNG) matplotlib measures the x tick labels and the y
    axis's offset text (``1e6``) to lift the title over them when they reach above the axes. That can happen
    only when the axes shares its title's height with other axes (twins, inset axes, aligned titles), when
    x labels or ticks are on top, or when the y axis shows an offset text. None of this holds when: no other
    axes are involved, the x axis and its labels are at the bottom, and the y labels come from a formatter
    without an offset (fixed labels, crmbook's money, number and percent formatters). The title then stays
    at the top, where the measuring would leave it, and the measuring can be skipped.
    """
    from matplotlib.ticker import (
        FixedFormatter,
        FuncFormatter,
        NullFormatter,
        PercentFormatter,
        StrMethodFormatter,
    )

    twins = getattr(ax, "_twinned_axes", None)
    aligned = getattr(ax.figure, "_align_label_groups", {}).get("title")
    if twins is None or aligned is None or ax.child_axes:
        return False
    if list(twins.get_siblings(ax)) != [ax] or list(aligned.get_siblings(ax)) != [ax]:
        return False
    x = ax.xaxis
    if not (ax.axison and x.get_visible()) or x.get_label_position() != "bottom" or x.offsetText.get_text():
        return False
    if any(t.label2.get_visible() or t.tick2line.get_visible() for t in (x.majorTicks[0], x.minorTicks[0])):
        return False
    y = ax.yaxis.get_major_formatter()
    no_offset = (FixedFormatter, FuncFormatter, NullFormatter, PercentFormatter, StrMethodFormatter)
    return type(y) in no_offset and not y.get_offset() and not ax.yaxis.offsetText.get_text()


def finish(ax: Axes, title: str, xlabel: str | None = None, ylabel: str | None = None) -> Axes:
    """Give a chart its title and axis labels (with units, e.g. ``"Revenue (CNY)"``) and return it.

    The title is pinned at the top of the axes when nothing can push it up (:func:`_title_stays_on_top`),
    which saves matplotlib from measuring the tick labels for it at every drawing; it is drawn where it would
    be anyway.
    """
    if _title_stays_on_top(ax):
        ax.set_title(title, y=1.0)
    else:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax


def compact_number(x: float) -> str:
    """A number as a reader says it on a chart axis: ``0``, ``5``, ``250``, ``1k``, ``2.5k``, ``10M``.

    One decimal at most, none when it is zero. Values below 1 keep up to two significant digits (``0.5``).
    """
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.1f}".removesuffix(".0") + suffix
    if x == 0 or abs(x) >= 1:
        return f"{x:.1f}".removesuffix(".0")
    return f"{x:.2g}"


def number_formatter():
    """A tick formatter of :func:`compact_number` labels (``10``, ``100``, ``1k``, ``10k``).

    Use it on log and symlog axes: plain labels read more easily than ``10^3``, and they skip
    matplotlib's math-text typesetting of each exponent label (about 0.1 s of a chart's drawing).
    """
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: compact_number(x))


def money_formatter(currency: str = ""):
    """A tick formatter for money: 1.2k, 3.4M, with the currency code as suffix."""
    from matplotlib.ticker import FuncFormatter

    def fmt(x: float, _pos: int) -> str:
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(x) >= div:
                return f"{x / div:.1f}{suffix} {currency}".strip()
        return f"{x:.0f} {currency}".strip()

    return FuncFormatter(fmt)


def percent_formatter(share: bool = True):
    """A tick formatter for percentages; ``share=True`` when the values are fractions (0.25 -> 25%)."""
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0 if share else 100.0, decimals=0)
