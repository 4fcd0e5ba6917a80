"""crmbook is importable from any folder: in the interpreter and in a notebook kernel (no sys.path tricks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import crmbook

PACKAGE = Path(crmbook.__file__).resolve().parent


def test_import_from_another_folder(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import crmbook, crmbook.data; print(crmbook.__file__)"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(out).resolve().parent == PACKAGE


@pytest.mark.slow
def test_import_in_a_notebook_kernel_started_elsewhere(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, crmbook\nprint(crmbook.__file__)\nprint(os.getcwd())")])
    NotebookClient(nb, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = nb.cells[0].outputs[0]["text"].splitlines()
    assert Path(printed[0]).resolve().parent == PACKAGE
    assert Path(printed[1]).resolve() == tmp_path.resolve()


def test_public_surface_is_small_and_import_has_no_side_effects():
    code = ("import sys, crmbook; print(crmbook.__all__); "
            "print(any(m.startswith(('matplotlib', 'seaborn', 'papermill')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['__version__']", "False"]
