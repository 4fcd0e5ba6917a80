"""The cost accounting's shared words: the catalogue, labels of codes, money (part of
:mod:`crmbook.costing.narrative`)."""

from __future__ import annotations

from typing import Any

from crmbook.context import Context
from crmbook.language import Narrative, catalogue, money

__all__ = ["PACKAGE", "say", "note", "money", "kind_label", "measure_label", "status_label"]

#: The package whose catalogue, columns and playbooks this topic uses.
PACKAGE = "crmbook.costing"


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative`."""
    return Narrative([say(key, ctx, **values)], language=ctx.language)


def kind_label(kind: str, ctx: Context | str) -> str:
    """The name of a cost class (``direct`` -> "Direct cost", 直接成本)."""
    return say(f"kind.{kind}", ctx) if f"kind.{kind}" in catalogue(PACKAGE).texts["en"] else str(kind)


def measure_label(measure: str, ctx: Context | str) -> str:
    """The name of a measure of the good/bad comparison."""
    return say(f"measure.{measure}", ctx)


def status_label(status: str, ctx: Context | str) -> str:
    """The name of a reconciliation status (``no_activity`` -> "no driver activity")."""
    return say(f"status.{status}", ctx)
