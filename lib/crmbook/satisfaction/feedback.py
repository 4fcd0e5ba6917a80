r"""Feedback management (反馈管理): comments classified, complaints handled, repeat complaints.

**Classifying comments** into ``product`` (product performance), ``service`` (service quality), ``price``,
``delivery`` or ``other``. A comment's given category is used where it is one of these classes; else the
keyword rules of an editable data file (``rules/feedback_keywords.yaml``, or the analyst's own file):

- **English** keywords match whole words, case-insensitively (``\bprice\b``: "Price," matches,
  "priceless" does not);
- **Chinese** is written without spaces between words, so there are no word boundaries to match on: a
  Chinese keyword matches wherever it occurs in the comment (substring matching), which is why the list
  holds specific keywords of two characters or more (质量, 客服, 物流);
- the class is that of the keyword found **first** in the comment ("Too expensive for the quality" is
  about price), a longer keyword winning at the same place; a comment with no keyword is ``other``.

In the bundled sample the survey ``category`` is the survey's occasion (``post_purchase``,
``after_service``), not a feedback class, so it is not used as one.

**Complaint handling** from ``contacts`` of type ``complaint``: the response time against a target (hours,
a parameter) and the resolution rate, each a share with its Wilson interval; complaints with an unknown
response time or resolution are counted and left out of that share. A **repeat complaint** is a
complaint of a customer who had already complained within ``repeat_days`` before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from crmbook.tables import map_distinct, require_columns

from .scores import CONFIDENCE, wilson_interval

__all__ = ["COMPLAINT", "FEEDBACK_CLASSES", "REPEAT_DAYS", "RESPONSE_TARGET_HOURS", "Keywords",
           "classify_comment", "classify_comments", "complaint_handling", "complaints", "feedback_trend",
           "feedback_volume", "load_keywords"]

#: The feedback classes, in reading order (``other``: no class found).
FEEDBACK_CLASSES: tuple[str, ...] = ("product", "service", "price", "delivery", "other")
#: The contact type that is a complaint.
COMPLAINT = "complaint"
#: Target response time to a complaint, in hours.
RESPONSE_TARGET_HOURS = 24.0
#: A complaint within this many days of the customer's previous one is a repeat complaint.
REPEAT_DAYS = 90

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Keywords:
    """Compiled keyword rules: ``{language: {class: [keywords]}}`` (see the module docstring)."""

    def __init__(self, rules: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        unknown = {c for lang in rules.values() for c in (lang or {})} - set(FEEDBACK_CLASSES)
        if unknown:
            raise ValueError(f"feedback keywords: unknown class(es) {sorted(unknown)}; the classes are "
                             f"{', '.join(FEEDBACK_CLASSES)}")
        self.rules = {lang: {c: [str(k) for k in (words or [])] for c, words in (classes or {}).items()}
                      for lang, classes in rules.items()}
        order = {c: i for i, c in enumerate(FEEDBACK_CLASSES)}
        self._patterns: list[tuple[re.Pattern[str], str, int, int]] = []
        for classes in self.rules.values():
            for cls, words in classes.items():
                for word in words:
                    if not word.strip():
                        continue
                    # Chinese: substring; other text: whole words (spaces inside a keyword match any space)
                    body = r"\s+".join(map(re.escape, word.split()))
                    pattern = body if _CJK.search(word) else rf"(?<!\w){body}(?!\w)"
                    self._patterns.append((re.compile(pattern, re.IGNORECASE), cls, len(word), order[cls]))

    def classify(self, text: Any) -> str | None:
        """The class of one comment, ``"other"`` without a keyword, None for an empty comment."""
        if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
            return None
        best: tuple[int, int, int, str] | None = None
        for pattern, cls, length, rank in self._patterns:
            found = pattern.search(str(text))
            if found:
                key = (found.start(), -length, rank, cls)
                best = key if best is None or key < best else best
        return best[3] if best else "other"


@functools.cache
def _default_rules() -> dict[str, Any]:
    source = resources.files("crmbook.satisfaction") / "rules" / "feedback_keywords.yaml"
    return yaml.safe_load(source.read_text(encoding="utf-8")) or {}


def load_keywords(path: str | Path | None = None) -> Keywords:
    """The keyword rules of ``path`` (a YAML file like ``rules/feedback_keywords.yaml``), or the bundled
    ones when ``path`` is None or empty."""
    if not path:
        return Keywords(_default_rules())
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"feedback keywords: no file {str(file)!r}")
    rules = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(rules, Mapping):
        raise ValueError(f"feedback keywords {str(file)!r}: expected language -> class -> list of keywords")
    return Keywords(rules)


def classify_comment(text: Any, keywords: Keywords | None = None) -> str | None:
    """The class of one comment with the bundled (or given) keyword rules."""
    return (keywords or load_keywords()).classify(text)


def _text_or_objects(values: pd.Series) -> pd.Series:
    """A text column as it is, any other as objects."""
    return values if isinstance(values.dtype, pd.StringDtype) else values.astype(object)


def _cleaned(value: Any) -> Any:
    """A text stripped and in lower case; anything else (a number, a missing value) is missing."""
    return value.strip().lower() if isinstance(value, str) else np.nan


def classify_comments(surveys: pd.DataFrame, keywords: Keywords | None = None, *,
                      comment_col: str = "comment", category_col: str = "category") -> pd.DataFrame:
    """The answers with a comment, each with its feedback class.

    Returns
    -------
    DataFrame
        ``customer_id, response_date, comment, feedback_class, classified_by`` (``category`` when the
        given category is a feedback class, ``keywords`` otherwise); one row per non-empty comment.
    """
    require_columns(surveys, "surveys", ["customer_id", "response_date", comment_col])
    kw = keywords or load_keywords()
    s = surveys[surveys[comment_col].notna() & surveys[comment_col].astype(str).str.strip().ne("")]
    out = s[["customer_id", "response_date", comment_col]].rename(columns={comment_col: "comment"}).copy()
    # each distinct category cleaned once (``.astype(object).str.strip().str.lower()``, value by value)
    given = map_distinct(_text_or_objects(s[category_col]), _cleaned) if category_col in s.columns else \
        pd.Series(np.nan, index=s.index, dtype=object)
    is_class = given.isin(FEEDBACK_CLASSES)
    cache = {text: kw.classify(text) for text in out["comment"].astype(str).unique()}
    out["feedback_class"] = np.where(is_class, given, out["comment"].astype(str).map(cache))
    out["classified_by"] = np.where(is_class, "category", "keywords")
    return out.reset_index(drop=True)


def feedback_volume(classified: pd.DataFrame) -> pd.DataFrame:
    """``feedback_class, comments, share``: comments per class in :data:`FEEDBACK_CLASSES` order."""
    require_columns(classified, "classified", ["feedback_class"])
    counts = classified["feedback_class"].value_counts().reindex(FEEDBACK_CLASSES, fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({"feedback_class": counts.index, "comments": counts.to_numpy().astype(int),
                         "share": counts.to_numpy() / total if total else np.nan})


def feedback_trend(classified: pd.DataFrame, *, freq: str = "Q") -> pd.DataFrame:
    """Comments per class and period (``freq``: ``"M"`` months, ``"Q"`` quarters): periods as rows (their
    first day), classes as columns."""
    require_columns(classified, "classified", ["response_date", "feedback_class"])
    period = pd.to_datetime(classified["response_date"]).dt.to_period(freq).dt.to_timestamp()
    table = pd.crosstab(period, classified["feedback_class"]).reindex(columns=list(FEEDBACK_CLASSES), fill_value=0)
    table.index.name = "period"
    table.columns.name = None
    return table


def complaints(contacts: pd.DataFrame, *, repeat_days: int = REPEAT_DAYS) -> pd.DataFrame:
    """The complaints of ``contacts`` (type ``complaint``), by date, each with ``repeat`` (the customer
    had complained within ``repeat_days`` before)."""
    require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
    c = contacts[contacts["type"].astype(str).str.lower() == COMPLAINT].copy()
    c["contact_date"] = pd.to_datetime(c["contact_date"])
    c = c.sort_values(["customer_id", "contact_date"], kind="stable")
    gap = c.groupby("customer_id")["contact_date"].diff().dt.days
    c["repeat"] = (gap <= repeat_days).fillna(False).astype(bool)
    return c.sort_values("contact_date", kind="stable").reset_index(drop=True)


def complaint_handling(complaint_rows: pd.DataFrame, *, target_hours: float = RESPONSE_TARGET_HOURS,
                       confidence: float = CONFIDENCE) -> pd.DataFrame:
    """How complaints were handled: one row per measure.

    Returns
    -------
    DataFrame
        ``measure, n, value, low, high, unknown``: ``complaints`` (count), ``within_target`` (share
        answered within ``target_hours``), ``resolved`` (share resolved), ``median_hours`` (median
        response time), ``repeat`` (share of complaints that are repeats) and ``repeat_customers`` (count
        of customers with a repeat complaint). ``unknown``: complaints without the value, left out of
        that measure.
    """
    require_columns(complaint_rows, "complaints", ["customer_id", "repeat"])
    c = complaint_rows
    rows: list[dict[str, Any]] = [{"measure": "complaints", "n": len(c), "value": float(len(c)),
                                   "low": np.nan, "high": np.nan, "unknown": 0}]
    if "response_hours" in c.columns:
        hours = pd.to_numeric(c["response_hours"], errors="coerce")
        known = hours.dropna()
        k = int((known <= target_hours).sum())
        lo, hi = wilson_interval(k, len(known), confidence)
        rows.append({"measure": "within_target", "n": len(known), "value": k / len(known) if len(known) else np.nan,
                     "low": lo, "high": hi, "unknown": int(hours.isna().sum())})
        rows.append({"measure": "median_hours", "n": len(known), "value": float(known.median()) if len(known)
                     else np.nan, "low": np.nan, "high": np.nan, "unknown": int(hours.isna().sum())})
    if "resolved" in c.columns:
        res = c["resolved"].astype("boolean")
        known = res.dropna()
        k = int(known.sum())
        lo, hi = wilson_interval(k, len(known), confidence)
        rows.append({"measure": "resolved", "n": len(known), "value": k / len(known) if len(known) else np.nan,
                     "low": lo, "high": hi, "unknown": int(res.isna().sum())})
    k = int(c["repeat"].sum())
    lo, hi = wilson_interval(k, len(c), confidence)
    rows.append({"measure": "repeat", "n": len(c), "value": k / len(c) if len(c) else np.nan, "low": lo,
                 "high": hi, "unknown": 0})
    rows.append({"measure": "repeat_customers", "n": int(c["customer_id"].nunique()),
                 "value": float(c.loc[c["repeat"], "customer_id"].nunique()), "low": np.nan, "high": np.nan,
                 "unknown": 0})
    return pd.DataFrame(rows, columns=["measure", "n", "value", "low", "high", "unknown"])
