"""Personal data: names, phone numbers and e-mail addresses masked (:func:`mask_personal_data`).

Each column has a masker that works value by value (:data:`_MASKERS`); for the usual shapes of a value
the same mask is computed on the whole Arrow column at once (:data:`_FAST_MASKERS`), and the masker
does the rest, cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.data import arrow
from crmbook.data.arrow import _matches
from crmbook.data.schemas import PERSONAL_COLUMNS

__all__ = ["mask_personal_data", "mask_text"]


def _mask_name(value: str) -> str:
    words = value.split()
    if len(words) > 1:
        return " ".join(w[0] + "*" * max(len(w) - 1, 1) for w in words)
    return value[0] + "*" * max(len(value) - 1, 1)


def _mask_phone(value: str) -> str:
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    n = len(digits)
    keep_head, keep_tail = (3, 4) if n >= 9 else (0, min(2, max(n - 1, 0)))
    hidden = set(digits[keep_head:n - keep_tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def _mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return _mask_name(value)
    return (local[:1] or "*") + "***@" + domain


_MASKERS = {"name": _mask_name, "phone": _mask_phone, "email": _mask_email}

#: An e-mail address anywhere in a text.
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
#: A phone number anywhere in a text: nine or more digits in a row, or a ``+`` and a country code (dates,
#: ids and amounts have fewer: ``20250305`` is eight).
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+[0-9]{1,3}[ \-]?)?[0-9]{9,}(?![0-9])")


def mask_text(text: str) -> str:
    """``text`` with every e-mail address and phone number in it masked, found by their shape.

    For messages that quote data (problem reports, rows set aside): a value in the wrong column - an
    e-mail shifted into the next field by an unquoted comma, a phone number in ``birth_date`` - is
    personal data whatever the column says. ``"found: 'li@example.com', '18021599453'"`` ->
    ``"found: 'l***@example.com', '180****9453'"``.
    """
    if not isinstance(text, str) or not text:
        return text
    text = _EMAIL_IN_TEXT.sub(lambda m: _mask_email(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: _mask_phone(m.group(0)), text)

# The same masks on whole Arrow columns, for the usual shapes of a value (the masker of the column
# does the rest, cell by cell). Each entry: (pattern a value must match, function of those values).
_STAR = "*"
#: Python's whitespace (what ``str.split()`` splits on) as an RE2 character class.
_SPACE_CLASS = (r"\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
                r"\x{202f}\x{205f}\x{3000}")


def _join(*parts: Any) -> pa.Array:
    """Arrow texts (or a literal) joined element-wise."""
    return pc.binary_join_element_wise(*(pa.scalar(p, pa.large_string()) if isinstance(p, str)
                                         else p.cast(pa.large_string()) for p in parts),
                                       pa.scalar("", pa.large_string()))


def _stars(n: pa.Array) -> pa.Array:
    return pc.binary_repeat(pa.scalar(_STAR, pa.large_string()), n)


def _mask_words(values: pa.Array) -> pa.Array:
    """:func:`_mask_name` of one-word values: the first character, then a star per other character."""
    n = pc.utf8_length(values)
    return _join(pc.utf8_slice_codeunits(values, 0, 1), _stars(pc.max_element_wise(pc.subtract(n, 1), 1)))


def _mask_digits(values: pa.Array) -> pa.Array:
    """:func:`_mask_phone` of values of nine or more ASCII digits: the first three and last four kept."""
    n = pc.utf8_length(values)
    return _join(pc.utf8_slice_codeunits(values, 0, 3), _stars(pc.subtract(n, 7)),
                 pc.utf8_slice_codeunits(values, -4))


def _mask_addresses(values: pa.Array) -> pa.Array:
    """:func:`_mask_email` of values holding an ``@``: the first character, ``***@`` and the domain."""
    parts = pc.split_pattern(values, "@", max_splits=1)
    first = pc.utf8_slice_codeunits(pc.list_element(parts, 0), 0, 1)
    first = pc.if_else(pc.equal(first, ""), pa.scalar(_STAR, first.type), first)
    return _join(first, "***@", pc.list_element(parts, 1))


_ONE_WORD = (f"^[^{_SPACE_CLASS}]+$", _mask_words)
_FAST_MASKERS = {"name": (_ONE_WORD,), "phone": (("^[0-9]{9,}$", _mask_digits),),
                 "email": (("@", _mask_addresses), _ONE_WORD)}


def _mask_texts(text: pd.Series, column: str) -> pd.Series:
    """``text`` (values present, as ``str``) masked like column ``column``; same dtype and index."""
    masker = _MASKERS.get(column, _mask_name)
    arr = arrow._arrow_text(text)
    if arr is None:
        return text.map(lambda v: masker(v) if v else v)
    out = np.empty(len(arr), dtype=object)
    todo = np.ones(len(arr), dtype=bool)
    for pattern, fast in _FAST_MASKERS.get(column, (_ONE_WORD,)):
        hit = todo & _matches(arr, pattern)
        if hit.any():
            out[hit] = fast(arr.filter(hit)).to_numpy(zero_copy_only=False)
            todo &= ~hit
    if todo.any():
        out[todo] = [masker(v) if v else v for v in arr.filter(todo).to_pylist()]
    return pd.Series(out, index=text.index, dtype=text.dtype)


def mask_personal_data(df: pd.DataFrame, columns: Iterable[str] = PERSONAL_COLUMNS) -> pd.DataFrame:
    """Mask names, phone numbers and e-mail addresses.

    Names keep their first character (``张三丰`` -> ``张**``, ``John`` -> ``J***``), phone numbers their
    first three and last four digits (``13812345678`` -> ``138****5678``), e-mails the first character
    and the domain (``john@example.com`` -> ``j***@example.com``). Missing values stay missing.

    Parameters
    ----------
    df : DataFrame
        Any table; the columns of ``columns`` that it has are masked, others are left alone.
    columns : iterable of str
        Column names to mask (default :data:`PERSONAL_COLUMNS`); a column not named ``phone`` or
        ``email`` is masked like a name.

    Returns
    -------
    DataFrame
        A new frame; ``df`` is not changed.
    """
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        s = out[col]
        present = s.notna()
        out[col] = s.where(~present, _mask_texts(s[present].astype(str), col))
    return out

