"""Running a topic notebook under Papermill in a test, and reading what it showed and recorded.

Imported by the notebook tests (``from notebook_runs import ...``; pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crmbook.kpis import KPI_MIME


def run_notebook(notebook: Path, tmp_path: Path, **parameters: Any):
    """Execute ``notebook`` with ``parameters`` into ``tmp_path/out.ipynb``; the executed notebook (nbformat)."""
    import nbformat
    import papermill as pm

    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(notebook), str(out), parameters=parameters, kernel_name="python3",
                        cwd=str(notebook.parent), progress_bar=False)
    return nbformat.read(out, as_version=4)


def texts(nb) -> str:
    """Every text the notebook showed (streams, Markdown, plain text), one part per line.

    Raises
    ------
    AssertionError
        A cell's output is an error: its name and message.
    """
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            data = o.get("data", {})
            parts += [o.get("text", ""), str(data.get("text/markdown", "")), str(data.get("text/plain", ""))]
    return "\n".join(parts)


def kpis(nb) -> dict[str, Any]:
    """The KPI records the notebook emitted, name -> value."""
    return {o["data"][KPI_MIME]["name"]: o["data"][KPI_MIME]["value"]
            for cell in nb.cells for o in cell.get("outputs", []) if KPI_MIME in o.get("data", {})}
