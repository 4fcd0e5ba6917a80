"""The notebook contract (DESIGN.md), checked on every topic notebook in notebooks/.

Each notebook: a title and learning objectives first; a ``parameters`` cell second with the shared
parameters, each line ``name: type = default  # help`` that Papermill itself can read; no function, class
or path/date literal outside that cell; exercise cells tagged; outputs stored (nbval compares some).
"""

from __future__ import annotations

import ast
import re

import nbformat
import papermill as pm
import pytest

from crmbook.report import find_topics, parse_parameters

TOPICS = find_topics()
SHARED = {"data": "str", "as_of": "str", "mapping": "str", "currency": "str", "mask_personal": "bool"}
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_there_are_topic_notebooks():
    assert [t.stem for t in TOPICS][:2] == ["00_data_check", "01_segmentation"]


@pytest.fixture(params=TOPICS, ids=lambda t: t.stem)
def notebook(request):
    return request.param, nbformat.read(request.param.path, as_version=4)


def test_first_cell_is_title_and_objectives(notebook):
    _, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert re.search(r"after this notebook|learning objectives|you will", first.source, re.I)


def test_second_cell_is_the_documented_parameters_cell(notebook):
    topic, nb = notebook
    cell = nb.cells[1]
    assert cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", [])
    params = parse_parameters(cell.source)
    assert {name: params[name].type for name in SHARED} == SHARED
    for param in params.values():
        assert param.help, f"{topic.stem}: parameter {param.name} has no help comment"
    lines = [line for line in cell.source.splitlines() if line.strip()]
    assert len(lines) == len(params), "one parameter per line, nothing derived in the parameters cell"
    # Papermill must read every parameter too (it silently skips lines it cannot parse)
    assert list(pm.inspect_notebook(str(topic.path))) == list(params)


def test_no_logic_or_literals_outside_the_parameters_cell(notebook):
    topic, nb = notebook
    for index, cell in enumerate(nb.cells[2:], start=2):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{topic.stem} cell {index}: a def/class belongs in lib/crmbook"
        assert not DATE.search(cell.source), f"{topic.stem} cell {index}: a date literal outside the parameters"
        assert "datasets/" not in cell.source and "/work/" not in cell.source, f"{topic.stem} cell {index}: a path"


def test_exercises_are_tagged_and_stored_unanswered(notebook):
    topic, nb = notebook
    checks = [c for c in nb.cells if c.cell_type == "code" and ".check(" in c.source]
    assert len(checks) >= 2, f"{topic.stem}: at least two exercises"
    for cell in checks:
        assert "exercise" in cell.metadata.get("tags", [])
        assert "answer = ..." in cell.source
        text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)
        assert "Not attempted yet" in text, f"{topic.stem}: stored exercise output should be unanswered"


def test_outputs_are_stored_and_some_are_compared(notebook):
    topic, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), f"{topic.stem}: run tools/refresh_notebooks.py"
    assert any(c.source.startswith("# NBVAL_CHECK_OUTPUT") for c in code)
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)


def test_output_checks_and_analyst_notes_are_tagged_out_of_reports(notebook):
    """A printout for the output tests (first line ``# NBVAL_CHECK_OUTPUT``) is never shown to a reader."""
    from crmbook.report.html import REMOVE_CELL_TAGS

    topic, nb = notebook
    for index, cell in enumerate(nb.cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and cell.source.startswith("# NBVAL_CHECK_OUTPUT"):
            assert "test-only" in tags, f"{topic.stem} cell {index}: an output check must be tagged test-only"
        if "summary" in tags:
            assert not tags & REMOVE_CELL_TAGS, f"{topic.stem} cell {index}: a summary cell left out of reports"
    assert any("summary" in c.metadata.get("tags", []) for c in nb.cells), f"{topic.stem}: no summary cells"
    assert "lesson" in nb.cells[0].metadata.get("tags", []), f"{topic.stem}: the objectives are a lesson"


def test_tagging_rules_are_applied():
    """``tools/tag_cells.py`` finds nothing to change (run it after editing a notebook)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "tag_cells.py"
    spec = importlib.util.spec_from_file_location("tag_cells", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for topic in TOPICS:
        nb = nbformat.read(topic.path, as_version=4)
        assert not tool.tag_notebook(nb), f"{topic.stem}: run python tools/tag_cells.py"
