"""Outputs of the data made safe to show in a report page: the HTML sanitizer.

A notebook's outputs come from the data (a customer named ``<script>...``), so the report shows them
through :func:`sanitize_html`: allowed tags stay, anything else is shown as text; links keep only
``http:``, ``https:``, ``mailto:`` targets, images only embedded ``data:image/...``; inline CSS keeps a
list of properties that cannot load anything, and a ``<style>`` element survives only when it is a pandas
``Styler``'s, scoped to its own table.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["sanitize_html", "with_alt_text"]


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


def with_alt_text(markup: str) -> str:
    """Every ``<img>`` without an ``alt`` attribute gets one (screen readers announce something).

    The markup is read tag by tag from the start, so an ``<img`` inside an attribute value or in escaped
    text is left alone.
    """
    return _ANY_TAG.sub(_alt_added, markup) if "<img" in markup.lower() else markup


def sanitize_html(markup: str) -> str:
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
    return "".join(styles) + with_alt_text(clean)
