"""Fonts for charts in both report languages: Chinese glyphs render on any machine.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs: a region called 华东 became boxes and a
"Glyph ... missing" warning per character was printed into the report. crmbook therefore installs an
openly licensed Simplified-Chinese font with pip — **Noto Sans SC** (SIL Open Font License 1.1, from
Google's Noto CJK project), shipped as a plain OpenType file by the ``pylopdf-fonts-zh-cn`` package, with
no other dependency — and registers it with matplotlib's font manager at run time
(:func:`register_fonts`, called by :func:`crmbook.plots.set_theme`). Registering the file directly needs
no rebuild of matplotlib's font cache, so a stale cache cannot hide it.

Charts then use matplotlib's per-glyph font fallback: Latin text keeps DejaVu Sans (so English charts look
exactly as before) and every Chinese glyph comes from the first installed font of :data:`CJK_FONTS` —
the bundled Noto Sans SC first, so reports look the same on every machine, then the common desktop fonts
(PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC ...) where the
bundled one is missing (e.g. an environment built without it). Only installed families are named, so
matplotlib never logs "font family not found". The bundled font has one weight; it is registered as the
bold face too (bold chart titles show Chinese in the regular weight), so matplotlib never logs "failed to
find font weight bold" into a report.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

__all__ = ["LATIN_FONT", "CJK_FONTS", "bundled_cjk_font", "register_fonts", "font_families"]

#: The font of Latin text (matplotlib's default, so English charts are unchanged).
LATIN_FONT = "DejaVu Sans"

#: Fonts with Simplified-Chinese glyphs, in order of preference: the bundled one, then desktop fonts
#: (macOS, Windows, Linux).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei",
)


def bundled_cjk_font() -> Path | None:
    """The path of the pip-installed Noto Sans SC font file, or ``None`` when the package is absent."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


@functools.cache
def register_fonts() -> tuple[str, ...]:
    """Register the bundled CJK font with matplotlib (once per process) and return :func:`font_families`."""
    from matplotlib import font_manager

    path = bundled_cjk_font()
    if path is not None:
        manager = font_manager.fontManager
        manager.addfont(str(path))
        regular = next(f for f in reversed(manager.ttflist) if Path(f.fname) == path)
        manager.ttflist.append(dataclasses.replace(regular, weight=700))
        stale = getattr(manager, "_findfont_cached", None)  # look-ups made before the registration
        if stale is not None:
            stale.cache_clear()
    return font_families()


def font_families() -> tuple[str, ...]:
    """The font list for ``rcParams["font.family"]``: :data:`LATIN_FONT`, then the installed CJK fonts."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return (LATIN_FONT, *(name for name in CJK_FONTS if name in installed))
