"""The analysis context: the date, currency and language that every call of a report shares.

A report is computed *as of* one date (nothing reads the clock), shows money in one currency label and
speaks one language. They are given once, in the notebook's parameters cell, and flow as one small frozen
object: :class:`Context`. Analyses read ``as_of`` from the customer facts (:mod:`crmbook.facts`, which
carry their context); display code (narratives, charts, tables) takes the context as its ``ctx``
argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["LANGUAGES", "Context", "as_date", "language_of", "require_languages"]

#: Report languages: code -> the language's own name. Every text a reader sees exists in each of them.
LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}


def as_date(value: Any, *, name: str = "as_of") -> pd.Timestamp:
    """``value`` as a :class:`pandas.Timestamp`, or a clear error naming ``name``; never the clock."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{name} is required (an analysis date such as '2025-12-31'); nothing reads the clock")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a date such as '2025-12-31', got {value!r}") from exc
    if pd.isna(ts):
        raise ValueError(f"{name} must be a date such as '2025-12-31', got {value!r}")
    return ts


def language_of(language: str | Context) -> str:
    """The language code of ``language``: a code itself (``"zh"``) or a :class:`Context`'s."""
    return language.language if isinstance(language, Context) else language


def require_languages(texts: Any, what: str) -> None:
    """Fail, naming ``what``, unless ``texts`` (a mapping) holds a non-empty text for every language."""
    missing = [lang for lang in LANGUAGES if not str((texts or {}).get(lang) or "").strip()]
    if missing:
        raise ValueError(f"{what}: no text in {', '.join(missing)} (every report language needs one)")


@dataclass(frozen=True)
class Context:
    """What a report's every call shares: the analysis date, the currency label and the language.

    Parameters
    ----------
    as_of : date
        The analysis date (anything :class:`pandas.Timestamp` reads); stored as a Timestamp.
    currency : str
        Label shown with money figures (``"CNY"``); money itself is one number column.
    language : str
        Report language, a key of :data:`LANGUAGES` (``"en"`` or ``"zh"``).
    """

    as_of: pd.Timestamp
    currency: str = ""
    language: str = "en"

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_of", as_date(self.as_of))
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))}, got {self.language!r}")
        object.__setattr__(self, "currency", str(self.currency or ""))

    def unit(self, base: str = "") -> str:
        """The currency as a header suffix: ``"Revenue"`` -> ``"Revenue (CNY)"`` (in Chinese with full-width
        brackets, ``"收入（CNY）"``); ``base`` alone without a currency."""
        if not self.currency:
            return base
        if not base:
            return self.currency
        return f"{base}（{self.currency}）" if self.language == "zh" else f"{base} ({self.currency})"
