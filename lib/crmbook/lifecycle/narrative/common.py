"""The lifecycle's shared words: the catalogue, stage/phase/action/channel names, money and the data
(part of :mod:`crmbook.lifecycle.narrative`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.language import Narrative, catalogue, join_names, money

from ..actions import ACTION_PLAYBOOK, STAGE_PLAYBOOK

__all__ = ["PACKAGE", "say", "note", "stage_label", "phase_label", "action_label", "channel_label", "money",
           "skipped_note", "describe_data"]

#: The package whose catalogue, columns and playbooks this topic uses.
PACKAGE = "crmbook.lifecycle"


def say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    """The sentence ``key`` of this topic's catalogue in ``ctx``'s language."""
    return catalogue(PACKAGE).say(key, ctx, count, **values)


def note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence of the catalogue as a :class:`Narrative`."""
    return Narrative([say(key, ctx, **values)], language=ctx.language)


def stage_label(stage: Any, ctx: Context | str) -> str:
    """The name of a lifecycle stage (its code when the playbook does not name it)."""
    return STAGE_PLAYBOOK.label(stage, ctx)


def phase_label(phase: Any, ctx: Context | str) -> str:
    """The name of a lifecycle phase (引入期, 成长期, 成熟期, 衰退期)."""
    return say(f"phase.{phase}", ctx) if f"phase.{phase}" in catalogue(PACKAGE).texts["en"] else str(phase)


def action_label(action: Any, ctx: Context | str) -> str:
    """The name of a contact-plan action."""
    return ACTION_PLAYBOOK.label(action, ctx)


def channel_label(channel: Any, ctx: Context | str) -> str:
    """The name of a contact channel (phone, SMS, visit, invitation)."""
    return say(f"channel.{channel}", ctx) if f"channel.{channel}" in catalogue(PACKAGE).texts["en"] else str(channel)


def skipped_note(what: str, ctx: Context, **values: Any) -> Narrative:
    """The one sentence a report shows for a section whose data is missing (``skip.<what>``)."""
    return note(f"skip.{what}", ctx, **values)


def describe_data(facts: CustomerFacts, tables: Mapping[str, Any] | None = None, ctx: Context | None = None) -> Narrative:
    """One paragraph on the data: analysis date, counts, order period, and which optional tables and columns
    the lifecycle uses are present."""
    ctx = ctx or facts.context
    c, o = facts.customers, facts.orders
    out = [say("data.size", ctx, as_of=f"{facts.as_of:%Y-%m-%d}", customers=len(c), orders=len(o),
               first=f"{o['order_date'].min():%Y-%m-%d}" if len(o) else "-",
               last=f"{o['order_date'].max():%Y-%m-%d}" if len(o) else "-")]
    optional = [col for col in ("acquisition_channel", "birth_date", "account_type") if col in c.columns]
    absent = [col for col in ("acquisition_channel", "birth_date", "account_type") if col not in c.columns]
    cat = catalogue(PACKAGE)
    none = catalogue("crmbook").label("words.none", ctx)
    out.append(cat.say("data.columns", ctx, escape=False, present=join_names(optional, ctx) or none,
                       absent=join_names(absent, ctx) or none))
    has_contacts = bool(tables) and "contacts" in tables
    out.append(say("data.contacts" if has_contacts else "data.no_contacts", ctx))
    return Narrative(out, language=ctx.language)


def _date(d: Any) -> str:
    return f"{pd.Timestamp(d):%Y-%m-%d}"
