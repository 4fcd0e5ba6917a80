"""Tables of the data check as a reader sees them: this topic's column labels, values formatted by kind."""

from __future__ import annotations

import pandas as pd

from crmbook.context import Context
from crmbook.tables import format_table

__all__ = ["table"]


def table(df: pd.DataFrame, ctx: Context, **options):
    """``df`` shown to a reader: this topic's column labels in ``ctx``'s language, values formatted by kind.

    A pandas ``Styler``; ``options`` go to :func:`crmbook.tables.format_table` (``index``, ``max_rows``,
    ``kinds``).
    """
    return format_table(df, ctx, package="crmbook.data_check", **options)
