"""Tests of crmbook.report.execute: progress lines and failure messages (real executions: test_report.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crmbook.report import execute
from crmbook.report.execute import NotebookFailure, kernel_manager_class


def test_progress_in_a_log_file_is_throttled_but_keeps_every_milestone() -> None:
    import io

    from crmbook.report.execute import Progress

    stream = io.StringIO()  # not a terminal
    progress = Progress(stream, lambda text: text)
    for i in range(1, 6):
        progress.line(f"[1/2] t cell {i}/5 (0.0 s)", transient=True)
        progress.line(f"[2/2] u cell {i}/5 (0.0 s)", transient=True)  # each notebook has its own pace
    progress.line("[1/2] t done (0.1 s)")
    assert stream.getvalue().splitlines() == ["[1/2] t cell 1/5 (0.0 s)", "[2/2] u cell 1/5 (0.0 s)",
                                              "[1/2] t done (0.1 s)"]
    progress.last_logged["[2/2] u"] -= Progress.LOG_EVERY  # as if five seconds had passed
    progress.line("[2/2] u cell 5/5 (5.0 s)", transient=True)
    assert stream.getvalue().splitlines()[-1] == "[2/2] u cell 5/5 (5.0 s)"


def test_notebook_failure_names_notebook_cell_and_error() -> None:
    failure = NotebookFailure("01_beta", 6, 4, "c-1", 7, 'x = 1\nraise RuntimeError("no")', "RuntimeError: no",
                              Path("r/01_beta.ipynb"))
    assert failure.describe() == ("FAILED 01_beta at cell 6 (code cell 4, In [7], id c-1)\n"
                                  "    x = 1\n    raise RuntimeError(\"no\")\nRuntimeError: no\n"
                                  f"partly executed notebook kept: {Path('r/01_beta.ipynb')}")
    early = NotebookFailure("00_alpha", None, None, None, None, "", "RuntimeError: Kernel died", None)
    assert early.describe() == "FAILED 00_alpha at before any cell ran (kernel start)\nRuntimeError: Kernel died"


def test_kernel_manager_uses_unix_sockets_in_the_folder(tmp_path: Path) -> None:
    tcp = kernel_manager_class(None)()  # no socket folder: TCP, but still noted for kill_kernels
    assert tcp.transport == "tcp" and tcp in execute._LIVE_KERNELS
    if os.name != "posix":
        pytest.skip("Unix sockets only on POSIX")
    manager = kernel_manager_class(str(tmp_path))()
    assert manager.transport == "ipc" and manager.ip.startswith(str(tmp_path / "k"))
    assert kernel_manager_class(str(tmp_path))().ip != manager.ip  # one socket path per kernel
