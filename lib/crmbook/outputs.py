"""Files a notebook writes for the reader of its report (a whole list as CSV), and where they go.

``crmbook run`` starts each notebook's kernel with :data:`OUTPUT_DIR_ENV` naming a folder inside the
run folder, beside the report (``<run>/<topic>_files/``): files written there move with the run and the
report links them by a relative path (:func:`link`). Outside a run (a trainee in JupyterLab) the variable
is not set and nothing is written (:func:`output_dir` is None).

A shared module: the kernel and the runner both import it; it imports nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["OUTPUT_DIR_ENV", "link", "output_dir"]

#: Environment variable naming the folder for a report's files (set by the runner for each kernel).
OUTPUT_DIR_ENV = "CRMBOOK_OUTPUT_DIR"


def output_dir() -> Path | None:
    """The folder for this report's files (created), or None outside a run."""
    value = os.environ.get(OUTPUT_DIR_ENV, "").strip()
    if not value:
        return None
    folder = Path(value)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def link(path: Path) -> str:
    """``path`` (a file in :func:`output_dir`) as the report links it: ``<folder>/<file>``, relative."""
    return f"{path.parent.name}/{path.name}"
