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

__all__ = ["order_rows", "rows_of", "spread"]


def order_rows(facts: Any) -> np.ndarray:
    """For each row of ``facts.orders`` (in its order), the row of its customer in ``facts.customers``:
    :attr:`CustomerFacts.order_rows <crmbook.facts.CustomerFacts.order_rows>`, found once when the facts
    checked that every order's customer is known, so each topic function pays an integer lookup, not a
    hash of text ids."""
    return facts.order_rows


def rows_of(facts: Any, ids: pd.Series) -> np.ndarray | None:
    """``where[i]``: the row of ``ids`` that holds customer ``i`` of ``facts.customers`` (-1 if none), or
    None when ``ids`` repeats a customer or names one not in ``facts.customers`` (then a caller keeps its
    general merge)."""
    at = facts.customer_index.get_indexer(ids.astype(str))
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
