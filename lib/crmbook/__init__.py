"""crmbook: a customer-management (客户经营) workbook.

Executable notebooks in ``notebooks/`` teach each topic of customer management and double as report
templates; this package holds all of their logic, one module per topic:

- :mod:`crmbook.data` - table schemas, loading (CSV/Excel/Parquet/SQL), validation.
- :mod:`crmbook.sample` - the deterministic case-company generator.
- :mod:`crmbook.data_check` - the profile of a loaded data set (notebook ``00_data_check``).
- :mod:`crmbook.segmentation` - RFM, ABC, clusters, portraits (notebook ``01_segmentation``).
- :mod:`crmbook.exercises` - self-checking exercises for trainees.
- :mod:`crmbook.plots` - the chart theme and shared chart helpers.
- :mod:`crmbook.report` - running notebooks into HTML reports and KPI files.

Importing the package has no side effects (no matplotlib style is set, no file is read).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
