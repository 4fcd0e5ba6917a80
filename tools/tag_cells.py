"""Tag the cells of topic notebooks for reports (cell metadata only), idempotently.

    python tools/tag_cells.py                       # every notebook in notebooks/
    python tools/tag_cells.py notebooks/01_*.ipynb  # some
    python tools/tag_cells.py --check               # exit 1 and list what would change, write nothing

The rules (the report side is crmbook.report.html; the notebook contract test checks the first one):

- ``test-only``: a code cell whose first line is ``# NBVAL_CHECK_OUTPUT`` (a plain-text printout for the
  output tests; left out of reports). A check cell that is also reader content (in a summary section)
  is split: the reader cell keeps its source without the marker line and is tagged ``summary``; a twin
  cell right after it, ``test-only``, carries the marker, the same code and the same stored outputs
  (so nbval compares exactly what it compared before). The twin's id is the cell's id + ``-check``.
- ``summary``: every cell of the summary section, from a heading ``## Summary`` / ``## ... What this
  means ...`` (or 小结 / 总结) down to the next level-1/2 heading or the first exercise cell; the
  exporter moves them to the top of the report.
- ``lesson``: the title cell (its text after the title: objectives) and every Markdown cell holding a
  concept or a formula (``**Concept.**``, a heading naming "concept", ``$$``); folded in reports.
- ``analyst-note``: a code cell about the analyst's plumbing (the ``export_dir`` parameter); left out.

Running it again changes nothing; no cell's outputs are touched, except the twin's copy.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
_SUMMARY_HEADING = re.compile(r"^#{1,2}\s.*(summary|what this means|小结|总结)", re.IGNORECASE)
_SECTION_HEADING = re.compile(r"^#{1,2}\s")
_LESSON_TEXT = re.compile(r"\*\*concept\.?\*\*|^#{1,3}\s.*concept|\$\$", re.IGNORECASE | re.MULTILINE)
_ANALYST_CODE = re.compile(r"\bexport_dir\b")
OWN_TAGS = ("test-only", "summary", "lesson", "analyst-note")


def _tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _set_tags(cell, tags: list[str]) -> None:
    if tags:
        cell.metadata["tags"] = tags
    else:
        cell.metadata.pop("tags", None)


def _first_line(cell) -> str:
    return cell.source.splitlines()[0].strip() if cell.source.strip() else ""


def _summary_cells(cells) -> set[int]:
    """Positions of the cells of summary sections."""
    inside, found = False, set()
    for i, cell in enumerate(cells):
        heading = cell.cell_type == "markdown" and _SECTION_HEADING.match(_first_line(cell))
        if heading:
            inside = bool(_SUMMARY_HEADING.match(_first_line(cell)))
        if "exercise" in _tags(cell):
            inside = False
        if inside:
            found.add(i)
    return found


def tag_notebook(nb) -> bool:
    """Apply the rules to ``nb`` in place; return whether anything changed."""
    before = nbformat.writes(nb)
    # split summary cells that are also output checks (idempotent: the split cell no longer starts
    # with the marker, and its twin is recognised by its id)
    summary = _summary_cells(nb.cells)
    cells = []
    for i, cell in enumerate(nb.cells):
        if i in summary and cell.cell_type == "code" and _first_line(cell) == CHECK_MARKER \
                and "test-only" not in _tags(cell):
            twin = copy.deepcopy(cell)
            twin["id"] = f"{cell.get('id', 'cell')}-check"
            cell.source = "\n".join(cell.source.splitlines()[1:])
            cells += [cell, twin]
        else:
            cells.append(cell)
    nb.cells = cells
    summary = _summary_cells(nb.cells)
    for i, cell in enumerate(nb.cells):
        tags = [t for t in _tags(cell) if t not in OWN_TAGS]
        first = _first_line(cell)
        if cell.cell_type == "code" and first == CHECK_MARKER:
            tags.append("test-only")
        elif i in summary:
            tags.append("summary")
        elif cell.cell_type == "markdown" and "exercise" not in tags and (
                i == 0 or _LESSON_TEXT.search(cell.source)):
            tags.append("lesson")
        elif cell.cell_type == "code" and _ANALYST_CODE.search(cell.source) and "parameters" not in tags:
            tags.append("analyst-note")
        _set_tags(cell, tags)
    return nbformat.writes(nb) != before


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    paths = [Path(a).resolve() for a in args] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if tag_notebook(nb):
            changed.append(path)
            if not check:
                nbformat.write(nb, path)
    for path in changed:
        print(f"{'would retag' if check else 'retagged'} {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
