"""crmbook: a customer-management (客户经营) workbook.

Executable notebooks in ``notebooks/`` teach each topic of customer management and double as report
templates; this package holds all of their logic: one package per topic, and shared parts that never
import a topic.

Topics (one notebook each):

- :mod:`crmbook.data_check` - what a loaded data set holds and allows (notebook ``00_data_check``).
- :mod:`crmbook.segmentation` - RFM, ABC, clusters, portraits, target matrix (notebook ``01_segmentation``).

Shared parts:

- :mod:`crmbook.context` - the analysis date, currency and report language, given once.
- :mod:`crmbook.facts` - per-customer facts computed once from a dataset (the engine seam).
- :mod:`crmbook.language` - text catalogues in both report languages; narratives.
- :mod:`crmbook.tables` - column kinds and labels; tables formatted for readers; group summaries.
- :mod:`crmbook.playbook` - advice per group as data files; action plans.
- :mod:`crmbook.kpis` - recording a notebook's headline figures (KPIs) for the runner.
- :mod:`crmbook.exercises` - self-checking exercises for trainees.
- :mod:`crmbook.plots`, :mod:`crmbook.fonts` - the chart theme and helpers; fonts with Chinese glyphs.
- :mod:`crmbook.topics` - the topic registry: each topic's notebook, titles, tables and needs.
- :mod:`crmbook.data` - table schemas, sources (files, SQL), validation, masking.
- :mod:`crmbook.sample` - the deterministic case-company generator, one module per table.
- :mod:`crmbook.redact`, :mod:`crmbook.errors` - secrets kept out of reports; usage errors, exit codes.
- :mod:`crmbook.report` - running notebooks into HTML reports and KPI files (``crmbook run``).
- :mod:`crmbook.cli` - the ``crmbook`` command.

Importing the package has no side effects (no matplotlib style is set, no file is read).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
