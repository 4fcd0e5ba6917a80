"""Customers as integer positions (客户位置编码), shared by the topics.

A topic that joins orders to per-customer values (a segment, a class, a stage) by the text ``customer_id``
pays for hashing millions of strings at every merge or ``groupby``. Here each order's customer becomes,
once per :class:`~crmbook.facts.CustomerFacts`, its row in ``facts.customers`` (:func:`order_rows`); a
per-customer table is placed on those rows once (:func:`rows_of`), and joining is then indexing an integer
array. Results are the same as the merges they replace: rows keep their order, values their dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from crmbook.data import arrow

__all__ = ["index_in", "order_rows", "customer_rows", "rows_of", "spread", "stable_order"]


def index_in(keys: pd.Series | pd.Index, values: pd.Series | pd.Index) -> np.ndarray:
    """``pd.Index(keys).get_indexer(values)`` for unique ``keys``: for each value its position in ``keys``,
    -1 where it is missing or not a key (int64).

    Text backed by Arrow is looked up with Arrow's hash table (``pyarrow.compute.index_in``), about three
    times faster than pandas' for millions of ids; other values take pandas' ``get_indexer``.
    """
    k, v = arrow._arrow_text(keys), arrow._arrow_text(values)
    if k is None or v is None:
        return pd.Index(keys).get_indexer(values)
    if v.type != k.type:
        v = v.cast(k.type)
    found = pc.index_in(v, value_set=k, skip_nulls=True).fill_null(-1)
    return found.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def order_rows(facts: Any) -> np.ndarray:
    """For each row of ``facts.orders`` (in its order), the row of its customer in ``facts.customers``:
    :attr:`CustomerFacts.order_rows <crmbook.facts.CustomerFacts.order_rows>`, found once when the facts
    checked that every order's customer is known, so each topic function pays an integer lookup, not a
    hash of text ids."""
    return facts.order_rows


def customer_rows(facts: Any, ids: pd.Series) -> np.ndarray:
    """For each of ``ids`` (the customer ids of another table: contacts, surveys, campaign members, the
    facts' base), the row of that customer in ``facts.customers``, -1 for an id it does not hold:
    ``facts.customer_index.get_indexer(ids.astype(str))``, by :func:`index_in`."""
    return index_in(facts.customers["customer_id"], ids if arrow._arrow_text(ids) is not None else ids.astype(str))


def rows_of(facts: Any, ids: pd.Series) -> np.ndarray | None:
    """``where[i]``: the row of ``ids`` that holds customer ``i`` of ``facts.customers`` (-1 if none), or
    None when ``ids`` repeats a customer or names one not in ``facts.customers`` (then a caller keeps its
    general merge)."""
    at = index_in(facts.customers["customer_id"], ids.astype(str))
    if (at < 0).any():
        return None
    where = np.full(len(facts.customers), -1, dtype=np.int64)
    where[at] = np.arange(len(at))
    if np.count_nonzero(where >= 0) != len(at):  # a customer twice
        return None
    return where


def spread(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values.iloc[rows]`` with a fresh RangeIndex: the dtype kept (text stays text, categories stay)."""
    return values.iloc[rows].reset_index(drop=True)


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """``np.lexsort(keys)`` for integer keys (the last key sorts first; equal rows keep their order).

    The keys are packed into one integer (each key's offset from its minimum, times the spans of the keys
    after it) when their spans multiply to less than 2**63, and that one key is sorted stably: NumPy sorts
    one key about twice as fast as ``lexsort`` sorts two, and a key that fits in 16 bits by radix sort, a
    pass over the data (gaps in days, small codes). A stable sort of the packed key gives exactly
    ``lexsort``'s order. Keys too wide to pack, or not integers, go to ``lexsort``.

    Not always faster: when the rows are already in the order of the first key (orders by date),
    ``lexsort``'s first pass is almost free and it beats the packed key, which is then in no order at all
    (10.6M orders by customer and day: 0.85 s against 1.3 s). Measure on the data at hand.
    """
    arrays = [np.asarray(k) for k in keys]
    if not arrays:
        raise ValueError("stable_order needs at least one key")
    n = len(arrays[0])
    if n == 0 or any(a.dtype.kind not in "iub" or len(a) != n for a in arrays):
        return np.lexsort(arrays) if len(arrays) > 1 else np.argsort(arrays[0], kind="stable")
    lows = [int(a.min()) for a in arrays]
    spans = [int(a.max()) - lo + 1 for a, lo in zip(arrays, lows, strict=True)]
    total = 1
    for s in spans:
        total *= s
    if total >= 2**63:
        return np.lexsort(arrays)
    kind = np.uint16 if total <= 2**16 else np.uint32 if total <= 2**32 else np.int64
    packed, scale = None, 1
    for a, lo, s in zip(arrays, lows, spans, strict=True):  # the first key varies fastest (lexsort's last)
        part = a.astype(np.int64) - lo
        packed = part if packed is None else packed + part * scale
        scale *= s
    return np.argsort(packed.astype(kind, copy=False), kind="stable")
