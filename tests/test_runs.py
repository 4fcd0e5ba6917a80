"""Tests of crmbook.report.runs: finishing a run folder, ``latest``, the successful runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crmbook import report
from crmbook.report import runs


def test_finalize_failed_run_never_moves_latest(tmp_path: Path) -> None:
    def stage(run_id: str, started: str, status: str) -> bool:
        tmp = tmp_path / f".tmp-{run_id}"
        tmp.mkdir()
        meta = {"run_id": run_id, "status": status, "started": started, "finished": started, "data": "d",
                "notebooks": [{"topic": "00_x", "ipynb": "00_x.ipynb", "html": None, "status": status}],
                "crmbook_version": "0", "parameters": {}}
        return report.finalize_run(tmp_path, tmp, meta, [{"topic": "x", "name": "k", "value": 1.0,
                                                          "unit": "", "label": "k"}])

    assert stage("r1", "2026-01-01T00:00:00", "ok") is True
    assert stage("r2", "2026-01-02T00:00:00", "failed") is False
    assert os.readlink(tmp_path / "latest") == "r1" and (tmp_path / "latest.txt").read_text() == "r1\n"
    assert stage("r0", "2025-12-31T00:00:00", "ok") is False  # an older run finishing late
    assert os.readlink(tmp_path / "latest") == "r1"
    assert stage("r3", "2026-01-03T00:00:00", "ok") is True
    assert json.loads((tmp_path / "r3" / "kpis.json").read_text())["run"]["previous_run"] == "r1"
    assert "FAILED" in (tmp_path / "r2" / "index.html").read_text()


def _run(folder: Path, run_id: str, started: str, status: str = "ok", seconds: float = 1.0) -> None:
    (folder / run_id).mkdir()
    meta = {"run_id": run_id, "status": status, "started": started,
            "notebooks": [{"topic": "00_x", "seconds": seconds}]}
    (folder / run_id / "run.json").write_text(json.dumps(meta))


def test_successful_runs_current_latest_and_previous_seconds(tmp_path: Path) -> None:
    assert runs.successful_runs(tmp_path) == [] and runs.current_latest(tmp_path) is None
    assert runs.previous_seconds(tmp_path) == {}
    _run(tmp_path, "b", "2026-01-02", seconds=2.5)
    _run(tmp_path, "a", "2026-01-01")
    _run(tmp_path, "c", "2026-01-03", status="failed")
    _run(tmp_path, ".tmp-d", "2026-01-04")  # a run still being written
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text("{not json")
    assert [r["run_id"] for r in runs.successful_runs(tmp_path)] == ["a", "b"]  # oldest first
    (tmp_path / "latest.txt").write_text("b\n")
    assert runs.current_latest(tmp_path) == "b"
    os.symlink("a", tmp_path / "latest")
    assert runs.current_latest(tmp_path) == "a"  # the link wins over the text file
    os.remove(tmp_path / "latest")
    assert runs.previous_seconds(tmp_path) == {"00_x": 2.5}


def test_new_run_ids_sort_by_time_and_differ() -> None:
    import re

    first, second = runs.new_run_id(), runs.new_run_id()
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", first) and first != second
    assert runs.default_reports_dir() == report.default_notebooks_dir().parent / "reports"


def test_the_runner_imports_nbformat_without_the_iri_grammars_and_still_validates() -> None:
    # a fresh interpreter, as crmbook run: the import made while the data are checked leaves out the optional
    # IRI grammars (rfc3987-syntax); nbformat still validates notebooks, and refuses a broken one
    code = (
        "import sys\n"
        "from crmbook.report import runner\n"
        "runner._import_for_kernels()\n"
        "import nbformat\n"
        "assert sys.modules.get('rfc3987_syntax') is None\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
        "nbformat.validate(nb)\n"
        "del nb.cells[0]['source']\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "refused"
