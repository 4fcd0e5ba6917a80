"""The data check (notebook 00): what a loaded data set holds and what each topic can do with it.

One module per concern: :mod:`~crmbook.data_check.overview` (tables, dates, gaps, categories),
:mod:`~crmbook.data_check.activity` (orders per month), :mod:`~crmbook.data_check.readiness` (what each
topic of the registry can do), :mod:`~crmbook.data_check.narrative` (findings: facts, then sentences),
:mod:`~crmbook.data_check.charts` and :mod:`~crmbook.data_check.exercises`. Texts are in ``text/``.
"""

from __future__ import annotations

from crmbook.data_check.activity import monthly_activity
from crmbook.data_check.charts import plot_monthly_activity, plot_order_values, plot_reconciliation
from crmbook.data_check.display import table
from crmbook.data_check.exercises import exercises
from crmbook.data_check.narrative import ACTIONS, actions, findings, findings_facts, kpi, kpi_label, note
from crmbook.data_check.overview import (
    DATA_KINDS,
    ORDER_VALUE_STATISTICS,
    PROFILE_COLUMNS,
    category_counts,
    date_coverage,
    missing_values,
    order_value_summary,
    tables_overview,
)
from crmbook.data_check.readiness import readiness_facts, topic_readiness

__all__ = [
    "DATA_KINDS",
    "PROFILE_COLUMNS",
    "ORDER_VALUE_STATISTICS",
    "order_value_summary",
    "note",
    "ACTIONS",
    "actions",
    "tables_overview",
    "date_coverage",
    "missing_values",
    "category_counts",
    "monthly_activity",
    "readiness_facts",
    "topic_readiness",
    "findings_facts",
    "findings",
    "kpi",
    "kpi_label",
    "plot_monthly_activity",
    "plot_order_values",
    "plot_reconciliation",
    "exercises",
    "table",
]
