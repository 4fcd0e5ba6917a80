"""What each topic can and cannot do with this data, read from the topic registry.

Each topic declares its analyses once in :mod:`crmbook.topics` (``TOPICS``): a topic has a ``name``, a
``title`` per language and ``needs``, each need a ``key``, a ``label`` per language, the ``tables`` it
reads, the ``columns`` (``"table.column"``, ``"surveys.rating_*"`` for a family) that must hold values
and the ``months`` of order history it takes. An analysis is **ready** when

.. math:: \\text{ready} = \\text{tables present} \\wedge \\text{columns hold a value}
          \\wedge \\text{months of orders} \\ge \\text{months needed}

This module reads the registry by attribute only, so any objects with those attributes will do (tests
pass small stand-ins).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.data import Dataset
from crmbook.data_check.overview import _date_span
from crmbook.language import catalogue

__all__ = ["readiness_facts", "readiness_reason", "topic_readiness"]


def _registry(topics: Iterable[Any] | None) -> tuple[Any, ...]:
    if topics is None:
        from crmbook.topics import TOPICS  # the registry imports no topic package, but load it only here

        topics = TOPICS
    return tuple(topics)


def _empty_columns(ds: Dataset, refs: Iterable[str], absent_tables: list[str]) -> list[str]:
    """The ``table.column`` references (``rating_*``: any column of that family) without a single value."""
    empty = []
    for ref in refs:
        table, col = ref.split(".", 1)
        if table in absent_tables or table not in ds:
            continue
        frame = ds[table]
        cols = [c for c in frame.columns if c.startswith(col[:-1])] if col.endswith("*") else [col]
        if not any(c in frame.columns and frame[c].notna().any() for c in cols):
            empty.append(ref)
    return empty


def readiness_facts(ds: Dataset, topics: Iterable[Any] | None = None) -> list[dict[str, Any]]:
    """One record per need of each topic: what it lacks, as names and numbers (no text).

    Parameters
    ----------
    ds : Dataset
        The checked data.
    topics : iterable, optional
        Topic objects with ``name``, ``title`` and ``needs`` (see the module docstring); ``None`` means
        :data:`crmbook.topics.TOPICS`.

    Returns
    -------
    list of dict
        ``topic`` (name), ``title`` and ``label`` (text per language), ``analysis`` (the need's key),
        ``absent_tables`` and ``empty_columns`` (lists), ``history_months`` (months the orders cover),
        ``months_needed`` (0: none), ``ready`` (bool).
    """
    span = _date_span(ds, "orders")
    history = int(span["months"]) if span is not None else 0
    out = []
    for topic in _registry(topics):
        for need in topic.needs:
            absent = [t for t in need.tables if t not in ds]
            empty = _empty_columns(ds, need.columns, absent)
            short = bool(need.months) and history < need.months
            out.append({"topic": topic.name, "title": topic.title, "analysis": need.key, "label": need.label,
                        "absent_tables": absent, "empty_columns": empty, "history_months": history,
                        "months_needed": int(need.months or 0), "ready": not (absent or empty or short)})
    return out


def table_label(table: str, ctx: Context) -> str:
    """A table as a reader sees it: its name (``market``), in Chinese with the Chinese name (``市场（market）``)."""
    name = catalogue("crmbook.data_check").label(f"table_name.{table}", ctx)
    return table if name == table else f"{name}（{table}）"


def readiness_reason(fact: dict[str, Any], ctx: Context) -> str:
    """What a need lacks, in one sentence in ``ctx``'s language (``""`` when it is ready).

    ``fact`` is one record of :func:`readiness_facts`.
    """
    text = catalogue("crmbook.data_check")
    parts = []
    if fact["absent_tables"]:
        parts.append(text.say("readiness.no_table", ctx, escape=False,
                              tables=text.say("list_sep", ctx).join(table_label(t, ctx) for t in fact["absent_tables"])))
    parts += [text.say("readiness.no_values", ctx, escape=False, column=ref) for ref in fact["empty_columns"]]
    if fact["months_needed"] and fact["history_months"] < fact["months_needed"]:
        parts.append(text.say("readiness.short_history", ctx, escape=False, months=fact["history_months"],
                              needed=fact["months_needed"]))
    return text.say("readiness.reason_sep", ctx).join(parts)


def topic_readiness(ds: Dataset, ctx: Context, topics: Iterable[Any] | None = None) -> pd.DataFrame:
    """What each topic can and cannot do with this data, for the reader.

    Parameters
    ----------
    ds : Dataset
        The checked data.
    ctx : Context
        The report language.
    topics : iterable, optional
        Topic objects (see the module docstring); ``None`` means :data:`crmbook.topics.TOPICS`.

    Returns
    -------
    DataFrame
        ``topic`` (its title), ``analysis`` (the need's label), ``ready`` (bool), ``reason`` (what is
        missing, in one sentence; empty when ready); text in ``ctx``'s language, one row per need.
    """
    lang = ctx.language
    rows = [{"topic": f["title"][lang], "analysis": f["label"][lang], "ready": f["ready"],
             "reason": readiness_reason(f, ctx)} for f in readiness_facts(ds, topics)]
    return pd.DataFrame(rows, columns=["topic", "analysis", "ready", "reason"])
