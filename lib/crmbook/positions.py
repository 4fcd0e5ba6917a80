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

__all__ = ["index_in", "order_rows", "customer_rows", "rows_of", "spread"]


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
