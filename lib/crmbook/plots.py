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

__all__ = ["THEME", "set_theme", "theme", "get_ax", "finish", "compact_number", "number_formatter", "money_formatter",
           "percent_formatter"]

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


def get_ax(ax: Axes | None = None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or a new figure's axes when ``ax`` is ``None``."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def finish(ax: Axes, title: str, xlabel: str | None = None, ylabel: str | None = None) -> Axes:
    """Give a chart its title and axis labels (with units, e.g. ``"Revenue (CNY)"``) and return it."""
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
