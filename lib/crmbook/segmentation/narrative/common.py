"""The segmentation's shared words: the catalogue, group labels, money, and the description of the data (part of :mod:`crmbook.segmentation.narrative`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.language import Narrative, catalogue, join_names, money
from crmbook.tables import require_columns

from ..abc import ABC_PLAYBOOK
from ..rfm import RFM_PLAYBOOK
from ..target import TARGET_PLAYBOOK

__all__ = [
    "PACKAGE",
    "OPTIONAL_CUSTOMER_COLUMNS",
    "say",
    "note",
    "group_label",
    "money",
    "describe_data_facts",
    "describe_data",
    "describe_windows",
    "windows_note",
]


#: The package whose catalogue, columns and playbooks this topic uses.
PACKAGE = "crmbook.segmentation"


#: Optional columns of ``customers`` that the segmentation uses (reported by :func:`describe_data`).
OPTIONAL_CUSTOMER_COLUMNS: tuple[str, ...] = ("account_type", "birth_date", "gender", "region",
                                              "acquisition_channel")


_PLAYBOOKS = (RFM_PLAYBOOK, ABC_PLAYBOOK, TARGET_PLAYBOOK)


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language (see
    :meth:`crmbook.language.Catalogue.say`)."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative` (a note a notebook shows by itself)."""
    return Narrative([say(key, ctx, **values)], language=ctx.language)


def _lead(ctx: Context, key: str = "interpretation") -> str:
    return catalogue("crmbook").label(f"lead.{key}", ctx)


def group_label(code: Any, ctx: Context | str) -> str:
    """The human name of a segment, ABC class or quadrant code (its playbook label; the code itself when
    no playbook names it)."""
    for playbook in _PLAYBOOKS:
        if str(code) in playbook.groups:
            return playbook.label(code, ctx)
    return str(code)


def _names(names: Sequence[str], ctx: Context) -> str:
    return join_names(names, ctx) if names else catalogue("crmbook").label("words.none", ctx)


def _labels(ctx: Context, *codes: str) -> dict[str, str]:
    return {code: group_label(code, ctx) for code in codes}


def _rows(summary: pd.DataFrame, segments: Sequence[str]) -> pd.DataFrame:
    return summary[summary["segment"].isin(list(segments))]


def describe_data_facts(facts: CustomerFacts, *, has_market: bool = False,
                        optional_columns: Sequence[str] = OPTIONAL_CUSTOMER_COLUMNS,
                        order_columns: Sequence[str] = ("channel", "category")) -> dict[str, Any]:
    """What the data holds: counts, order period, revenue, optional columns present and absent."""
    c, o = facts.customers, facts.orders
    dates = o["order_date"]
    return {
        "as_of": facts.as_of, "customers": len(c), "orders": len(o), "revenue": float(o["revenue"].sum()),
        "first": dates.min() if len(o) else None, "last": dates.max() if len(o) else None,
        "present": [col for col in optional_columns if col in c.columns],
        "absent": [col for col in optional_columns if col not in c.columns],
        "details": [col for col in order_columns if col in o.columns], "has_market": bool(has_market),
    }


def describe_data(facts: CustomerFacts, ctx: Context | None = None, *, has_market: bool = False) -> Narrative:
    """One paragraph on the data: the analysis date, counts, order period and total revenue, the optional
    columns of ``customers`` and ``orders`` present, and whether there is a market table."""
    ctx = ctx or facts.context
    f = describe_data_facts(facts, has_market=has_market)
    cat = catalogue(PACKAGE)
    size = dict(customers=f["customers"], orders=f["orders"], revenue=money(f["revenue"], ctx))
    out = [say("data.as_of", ctx, as_of=f"{f['as_of']:%Y-%m-%d}")]
    if f["first"] is not None:
        out.append(say("data.size_period", ctx, first=f"{f['first']:%Y-%m-%d}", last=f"{f['last']:%Y-%m-%d}",
                       **size))
    else:
        out.append(say("data.size", ctx, **size))
    # column names are crmbook's own identifiers, shown as they are
    present, absent = _names(f["present"], ctx), join_names(f["absent"], ctx)
    out.append(cat.say("data.columns_absent" if absent else "data.columns", ctx, escape=False, present=present,
                       absent=absent))
    out.append(cat.say("data.details", ctx, escape=False, details=_names(f["details"], ctx)))
    out.append(say("data.market" if f["has_market"] else "data.no_market", ctx))
    return Narrative(out, language=ctx.language)


def describe_windows(windows: pd.DataFrame, ctx: Context) -> str:
    """The windows of :func:`crmbook.segmentation.abc_windows` in words:
    ``"year 0 = 2025-01-01 to 2025-12-31; year 1 = ..."``."""
    require_columns(windows, "windows", ["year", "start", "end"])
    sep = "；" if ctx.language == "zh" else "; "
    return sep.join(say("abc.window", ctx, year=int(y), start=f"{a:%Y-%m-%d}", end=f"{b:%Y-%m-%d}")
                    for y, a, b in windows[["year", "start", "end"]].itertuples(index=False))


def windows_note(windows: pd.DataFrame, ctx: Context) -> Narrative:
    """"Here: year 0 = ... ." as a note."""
    return note("abc.windows_here", ctx, windows=describe_windows(windows, ctx))
