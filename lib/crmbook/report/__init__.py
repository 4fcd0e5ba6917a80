"""Running topic notebooks into reports (``crmbook run``, :func:`run_reports`).

The runner executes the chosen topic notebooks with Papermill's Python API and turns each into a
self-contained HTML page with nbconvert's Python API, all in one process, up to ``jobs`` kernels at
once. One run writes ``reports/<run-id>/``::

    <topic>.ipynb   the executed notebook (kept, partly executed, when it failed)
    <topic>.html    the report: code hidden, images embedded, a table of contents, no network needed
    kpis.json       every figure every notebook recorded (crmbook.kpis), with the run's metadata
    index.html      links to the reports and the KPIs, with the change since the previous good run
    run.json        status of the run ("ok" / "failed") and of each notebook

``reports/latest`` moves to a run only when every notebook of it succeeded. A database password never
becomes a notebook parameter and is scrubbed from everything a run writes (:mod:`crmbook.redact`).

Modules, in the order a run uses them: :mod:`~crmbook.report.parameters` (topics, their ``parameters``
cells, checking values), :mod:`~crmbook.report.execute` (one notebook through Papermill),
:mod:`~crmbook.report.html` and :mod:`~crmbook.report.sanitize` (the HTML report),
:mod:`~crmbook.report.runs` (run folders, ``latest``), :mod:`~crmbook.report.index` (index pages) and
:mod:`~crmbook.report.runner` (:func:`run_reports`). Importing the package imports no Jupyter library.
"""

from crmbook.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from crmbook.report.execute import NotebookFailure
from crmbook.report.html import notebook_to_html
from crmbook.report.parameters import (
    Parameter,
    Topic,
    check_parameters,
    default_notebooks_dir,
    describe_topics,
    find_topics,
    load_config,
    parse_parameters,
    select_topics,
)
from crmbook.report.runner import RunResult, run_reports
from crmbook.report.runs import default_reports_dir, finalize_run

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "NotebookFailure",
    "Parameter",
    "RunResult",
    "Topic",
    "UsageError",
    "check_parameters",
    "default_notebooks_dir",
    "default_reports_dir",
    "describe_topics",
    "find_topics",
    "finalize_run",
    "load_config",
    "notebook_to_html",
    "parse_parameters",
    "run_reports",
    "select_topics",
]


#: Names that moved out of the runner when it became a package, kept importable for notebooks written
#: before (``from crmbook.report import record_kpi``), with a warning that names the new home.
_MOVED = {"record_kpi": "crmbook.kpis", "record_kpis": "crmbook.kpis", "collect_kpis": "crmbook.kpis",
          "KPI_MIME": "crmbook.kpis", "split_password": "crmbook.redact", "PASSWORD_ENV": "crmbook.redact",
          "MIN_SECRET_LENGTH": "crmbook.redact"}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(f"crmbook.report.{name} moved to {_MOVED[name]}.{name}; import it from there",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'crmbook.report' has no attribute {name!r}")
