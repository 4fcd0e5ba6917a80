"""Tables of the customer plan as a reader sees them: codes in words, human headers, values by kind."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmbook.context import Context
from crmbook.tables import format_table

from .narrative import PACKAGE, readable

__all__ = ["table"]


def table(df: pd.DataFrame, ctx: Context, **options: Any):
    """``df`` shown to a reader: :func:`crmbook.plan.readable`, then :func:`crmbook.tables.format_table` with
    this topic's column kinds and labels (``options`` go to it)."""
    return format_table(readable(df, ctx), ctx, package=PACKAGE, **options)
