"""Re-execute notebooks in place so their stored outputs match the library and the bundled sample.

    python tools/refresh_notebooks.py                      # every notebook in notebooks/
    python tools/refresh_notebooks.py notebooks/01_*.ipynb # some

Each notebook runs with its default parameters (the bundled sample), in the notebooks/ folder, on the
``python3`` kernel. Execution timestamps are not recorded, so a refresh with no real change leaves the
files byte-identical. Review the diff before committing: the stored outputs are what nbval compares.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
