"""crmbook: a customer-management (客户经营) workbook.

Executable notebooks in ``notebooks/`` teach each topic of customer management and double as report
templates; this package holds all of their logic, one module per topic:

- :mod:`crmbook.data` - table schemas, loading (CSV/Excel/Parquet/SQL), validation.
- :mod:`crmbook.sample` - the deterministic case-company generator.
- :mod:`crmbook.data_check` - the profile of a loaded data set (notebook ``00_data_check``).
- :mod:`crmbook.segmentation` - RFM, ABC, clusters, portraits (notebook ``01_segmentation``).
- :mod:`crmbook.exercises` - self-checking exercises for trainees.
- :mod:`crmbook.plots` - the chart theme and shared chart helpers.
- :mod:`crmbook.kpis` - recording a notebook's headline figures (KPIs) for the runner.
- :mod:`crmbook.topics` - the topic registry: each topic's notebook, titles, tables and needs.
- :mod:`crmbook.redact` - database passwords kept out of parameters and scrubbed from reports.
- :mod:`crmbook.errors` - the usage error and exit codes shared by the runner and the command line.
- :mod:`crmbook.report` - running notebooks into HTML reports and KPI files (``crmbook run``).
- :mod:`crmbook.cli` - the ``crmbook`` command.

Importing the package has no side effects (no matplotlib style is set, no file is read).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
