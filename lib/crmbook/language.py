"""Report languages: text catalogues (templates) and narratives that render themselves.

Every sentence, label and heading a report reader sees comes from a **catalogue**: one YAML file per
language in a package's ``text/`` folder (``crmbook/segmentation/text/en.yaml`` and ``zh.yaml``), holding
templates in Python's format syntax (``"{share:.0%} of customers bring {revenue_share:.0%} of revenue."``).
An author changes wording there without touching code; a test checks that every language has the same
keys and the same placeholders.

Interpretations are written as *facts + templates*: a topic's ``*_facts()`` function returns numbers and
names (tested without text), and its narrative function picks the templates that apply and fills them.
The result is a :class:`Narrative`, which a notebook shows as Markdown just by being the cell's value.

A template may have plural forms, ``{one: "...", other: "..."}``, chosen by the ``count`` argument of
:meth:`Catalogue.say` (Chinese needs none). Text values filled into a template are escaped, so a data
value (a region called ``<b>East</b>``) is shown as text, never read as Markdown or HTML.
"""

from __future__ import annotations

import functools
import html
import re
import string
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import yaml

from crmbook.context import LANGUAGES, Context, language_of

__all__ = ["Catalogue", "Narrative", "catalogue", "placeholders", "escape_text", "join_names", "headings", "money",
           "package_yaml"]

#: The safe YAML loader in C (libyaml) when PyYAML has it: about ten times faster than the pure-Python
#: one on the package's catalogues, with the same result.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~])")


def package_yaml(text: str) -> Any:
    """The YAML ``text`` of one of the package's own files (catalogues, playbooks, column declarations),
    read by the safe loader in C when available. Files a user gives keep ``yaml.safe_load``, whose error
    messages name the line and column the same way on every installation."""
    return yaml.load(text, Loader=_YAML_LOADER)


def escape_text(value: Any) -> str:
    """``value`` as text that Markdown and HTML show literally (``<b>`` -> ``&lt;b&gt;``, ``*`` -> ``\\*``)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and not (set(value) <= {"one", "other"} and "other" in value):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def placeholders(template: Any) -> set[str]:
    """The field names a template (or each plural form of it) fills: ``"{n:,} of {total}"`` -> ``{n, total}``."""
    forms = template.values() if isinstance(template, Mapping) else [template]
    names: set[str] = set()
    for form in forms:
        for _, field, _, _ in string.Formatter().parse(str(form)):
            if field:
                names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


class Catalogue:
    """The templates of one package in every report language.

    Parameters
    ----------
    package : str
        A package with a ``text/`` folder holding ``<language>.yaml`` files (``"crmbook.segmentation"``).
    """

    def __init__(self, package: str) -> None:
        self.package = package
        self.texts: dict[str, dict[str, Any]] = {}
        folder = resources.files(package) / "text"
        for language in LANGUAGES:
            source = folder / f"{language}.yaml"
            tree = package_yaml(source.read_text(encoding="utf-8")) or {}
            self.texts[language] = _flatten(tree)

    def __repr__(self) -> str:
        return f"Catalogue({self.package!r})"

    def template(self, key: str, language: str) -> Any:
        """The raw template of ``key`` in ``language``; ``KeyError`` naming the package when absent."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))}, got {language!r}")
        try:
            return self.texts[language][key]
        except KeyError:
            raise KeyError(f"{self.package}: no text {key!r} in text/{language}.yaml") from None

    def say(self, key: str, language: str | Context, /, count: float | None = None, *, escape: bool = True,
            **values: Any) -> str:
        """Fill template ``key`` with ``values``; plural form chosen by ``count``.

        Text values are escaped for Markdown and HTML unless ``escape=False`` (for text that is escaped
        where it is shown, such as exercise feedback).
        """
        lang = language_of(language)
        template = self.template(key, lang)
        if isinstance(template, Mapping):
            template = template["one"] if count is not None and count == 1 and "one" in template else template["other"]
        if count is not None:
            values.setdefault("count", count)
        safe = {k: escape_text(v) if escape and isinstance(v, str) else v for k, v in values.items()}
        try:
            return str(template).format(**safe)
        except (KeyError, IndexError) as exc:
            raise KeyError(f"{self.package}: text {key!r} ({lang}) needs the value {exc}") from None

    def label(self, key: str, language: str | Context) -> str:
        """A template without placeholders (a heading, a label, a playbook line)."""
        return self.say(key, language)

    def keys(self, prefix: str = "") -> list[str]:
        """The keys of the English catalogue that start with ``prefix`` (every language has the same)."""
        return [k for k in self.texts["en"] if k.startswith(prefix)]


@functools.cache
def catalogue(package: str) -> Catalogue:
    """The (cached) :class:`Catalogue` of ``package``."""
    return Catalogue(package)


@functools.cache
def _headings_file(package: str) -> dict[str, dict[str, str]]:
    source = resources.files(package) / "text" / "headings.yaml"
    if not source.is_file():
        return {}
    tree = package_yaml(source.read_text(encoding="utf-8")) or {}
    return {str(en): {"en": str(en), **{k: str(v) for k, v in (spec or {}).items()}} for en, spec in tree.items()}


def headings(package: str, language: str | Context) -> dict[str, str]:
    """A topic notebook's section headings in ``language``: English heading -> translated heading.

    The notebook's Markdown headings are written in English (the lesson prose stays English); a report in
    another language shows them translated from ``<package>/text/headings.yaml``
    (``"The data": {zh: 数据}``). Empty for English, and for a package without that file.
    """
    lang = language_of(language)
    if lang == "en":
        return {}
    return {en: texts[lang] for en, texts in _headings_file(package).items() if texts.get(lang)}


def money(value: float, ctx: Context, digits: int = 0) -> str:
    """A money figure as a sentence shows it: ``"2,500 CNY"`` (no currency in the context: ``"2,500"``)."""
    return f"{float(value):,.{digits}f}" + (f" {ctx.currency}" if ctx.currency else "")


def join_names(names: Iterable[Any], language: str | Context) -> str:
    """``["East", "West", "North"]`` -> ``"East, West and North"`` (English) or ``"East、West和North"`` (Chinese)."""
    lang = language_of(language)
    items = [str(n) for n in names]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


class Narrative(list):
    """Sentences that show themselves as Markdown in a notebook (and so in its report).

    ``Narrative(["A.", "B."], lead="Interpretation.", language="en")`` shows as
    ``**Interpretation.** A. B.``; with ``bullets=True`` as a list, one sentence per line. Chinese
    sentences are joined without spaces. An empty narrative shows nothing (no empty output in a report).
    It is a list of str, so tests read the sentences directly.
    """

    def __init__(self, sentences: Iterable[str] = (), *, lead: str = "", language: str = "en",
                 bullets: bool = False) -> None:
        super().__init__(s for s in sentences if s)
        self.lead = lead
        self.language = language
        self.bullets = bullets

    @property
    def text(self) -> str:
        """The sentences as one paragraph (no lead)."""
        return ("" if self.language == "zh" else " ").join(self)

    def _ipython_display_(self) -> None:
        """Shown as Markdown (with the plain text beside it); an empty narrative shows nothing at all."""
        if not self:
            return
        from IPython.display import display

        display({"text/markdown": self._repr_markdown_(), "text/plain": self.text}, raw=True)

    def _repr_markdown_(self) -> str:
        if self.bullets:
            body = "\n".join(f"- {s}" for s in self)
            return f"**{self.lead}**\n\n{body}" if self.lead else body
        return f"**{self.lead}** {self.text}" if self.lead else self.text

    def __repr__(self) -> str:
        return self._repr_markdown_()
