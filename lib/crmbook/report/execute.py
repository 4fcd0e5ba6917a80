"""Executing one topic notebook with Papermill, in this process, and naming where it failed.

Papermill's nbclient engine is registered under the name ``crmbook`` (:func:`_register_engine`) so a
failed run can keep the partly executed notebook. Kernels talk to the runner over Unix sockets where
there are any (no TCP port clashes when several start at once); a kernel start that still clashes is
retried. Progress goes to stderr, one line per cell on a terminal, throttled in a log file.
"""

from __future__ import annotations

import errno
import os
import secrets
import signal
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crmbook.redact import Redactor, redact_notebook
from crmbook.report.parameters import Topic

__all__ = ["NotebookFailure", "Progress", "execute_topic", "kernel_manager_class", "kill_kernels"]

#: The kernel managers of this process (:func:`kernel_manager_class`), to stop their kernels at once
#: when a run is interrupted (:func:`kill_kernels`).
_LIVE_KERNELS: weakref.WeakSet = weakref.WeakSet()


def kill_kernels() -> int:
    """Kill every kernel this process started and that still runs (its whole process group: the
    kernel runs in a session of its own, so a Ctrl-C at the terminal never reaches it). Returns how many."""
    killed = 0
    for km in list(_LIVE_KERNELS):
        provisioner = getattr(km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is None or process.poll() is not None:
            continue
        try:
            pgid = getattr(provisioner, "pgid", None)
            if pgid and hasattr(os, "killpg"):
                os.killpg(pgid, signal.SIGKILL)
            else:
                process.kill()
            killed += 1
        except OSError:  # gone meanwhile
            continue
    return killed


@dataclass
class NotebookFailure:
    """Where and why a notebook failed."""

    topic: str
    cell_index: int | None  # 1-based position in the topic notebook (Papermill's injected cell not counted)
    code_cell: int | None  # 1-based among the code cells, as the progress lines count
    cell_id: str | None
    execution_count: int | None
    source: str  # first lines of the failing cell
    error: str  # "ErrorName: message"
    notebook: Path | None  # the partly executed notebook kept for debugging

    def describe(self) -> str:
        """A message naming the notebook, the cell and the error."""
        where = "before any cell ran (kernel start)"
        if self.cell_index is not None:
            where = f"cell {self.cell_index}"
            detail = [f"code cell {self.code_cell}"] if self.code_cell is not None else []
            if self.execution_count is not None:
                detail.append(f"In [{self.execution_count}]")
            if self.cell_id:
                detail.append(f"id {self.cell_id}")
            where += f" ({', '.join(detail)})" if detail else ""
        lines = [f"FAILED {self.topic} at {where}"]
        if self.source:
            lines += ["    " + line for line in self.source.splitlines()]
        lines.append(self.error)
        if self.notebook is not None:
            lines.append(f"partly executed notebook kept: {self.notebook}")
        return "\n".join(lines)


class Progress:
    """Progress lines on stderr: ``[1/3] 01_segmentation cell 12/40 (3.2 s)``.

    On a terminal the cell counter is one line updated in place. In a log file (cron, CI) each notebook's
    cell counter is written at most every :attr:`LOG_EVERY` seconds, so a nightly log stays readable;
    lines that are not transient (start, done, failure) are always written.
    """

    LOG_EVERY = 5.0

    def __init__(self, stream: IO[str] | None, redact: Redactor) -> None:
        self.stream = stream
        self.redact = redact
        self.lock = threading.Lock()
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.last_logged: dict[str, float] = {}  # per notebook: the "[1/3] 01_segmentation" prefix

    def line(self, text: str, *, transient: bool = False) -> None:
        """Write one line, secrets scrubbed; ``transient`` for a cell counter (updated in place, throttled)."""
        if self.stream is None:
            return
        text = self.redact(text)
        with self.lock:
            if transient and not self.tty:
                key, now = text.split(" cell ")[0], time.monotonic()
                if now - self.last_logged.get(key, -self.LOG_EVERY) < self.LOG_EVERY:
                    return
                self.last_logged[key] = now
            if self.tty and transient:
                self.stream.write("\r\x1b[K" + text)
            else:
                self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")
            self.stream.flush()


def kernel_manager_class(socket_dir: str | None, env: dict[str, str] | None = None) -> type:
    """A kernel manager talking to its kernel over Unix sockets in ``socket_dir`` (POSIX), starting it
    with ``env`` added to the environment (e.g. :data:`crmbook.tables.OUTPUT_DIR_ENV`).

    No TCP ports means no "Address already in use" when several kernels start at once, and no warning
    about unencrypted TCP from each kernel (TCP where there are no Unix sockets). Every kernel it starts
    is noted, so :func:`kill_kernels` can stop them when the run is interrupted. The environment is given per kernel, so notebooks running at once in threads
    of this process each get their own.
    """
    ipc = socket_dir is not None and os.name == "posix"
    from jupyter_client.manager import AsyncKernelManager

    extra = dict(env or {})

    class CrmbookKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            _LIVE_KERNELS.add(self)
            if ipc:
                self.transport = "ipc"
                self.ip = os.path.join(str(socket_dir), f"k{secrets.token_hex(4)}")

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if extra:
                kw["env"] = {**kw.get("env", os.environ), **extra}
            return await super()._async_pre_start_kernel(**kw)

    return CrmbookKernelManager


def _is_port_clash(exc: BaseException) -> bool:
    """Whether a kernel start failed the way two kernels starting at once fail (worth a retry)."""
    text = f"{type(exc).__name__}: {exc}"
    return "Address already in use" in text or "Kernel died before replying to kernel_info" in text


class _PapermillNoise:
    """Drops Papermill's warnings about the parameters cell: the runner reads and checks it itself."""

    NOISE = ("Unable to parse line", "Passed unknown parameter", "Input notebook does not contain a cell")

    def filter(self, record: Any) -> bool:
        return not str(record.msg).startswith(self.NOISE)


def _quiet_papermill() -> None:
    """Papermill's loggers filtered through :class:`_PapermillNoise` (once)."""
    import logging

    for name in ("papermill", "papermill.translators"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _PapermillNoise) for f in logger.filters):
            logger.addFilter(_PapermillNoise())


_ENGINE = "crmbook"


def _register_engine() -> None:
    """Papermill's nbclient engine, noting the notebook being executed so a failure can keep it.

    Papermill writes the partly executed notebook itself only for a cell that raised; after a timeout or
    a dead kernel the runner writes the one noted here (saving after every cell instead would cost
    ~25 ms a save on a big notebook).
    """
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return

    class CrmbookEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            kwargs.pop("crmbook_state", {})["nb"] = nb_man.nb
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(_ENGINE, CrmbookEngine)


def execute_topic(topic: Topic, params: dict[str, Any], out_ipynb: Path, *, position: str,
                  progress: Progress, kernel_name: str | None, timeout: int | None,
                  redact: Redactor, socket_dir: str | None = None,
                  env: dict[str, str] | None = None) -> tuple[Any | None, NotebookFailure | None]:
    """Run one notebook with Papermill into ``out_ipynb``; return the executed notebook or where it failed.

    Parameters
    ----------
    topic : Topic
        The notebook.
    params : dict
        Its parameters, already checked (:func:`crmbook.report.parameters.check_parameters`).
    out_ipynb : Path
        Where the executed notebook is written (and kept, partly executed and scrubbed, on failure).
    position : str
        ``"2/5"``: the notebook's place in the run, for the progress lines.
    progress : Progress
        Where the progress lines go.
    kernel_name : str or None
        Jupyter kernel (None: the one the notebook names).
    timeout : int or None
        Seconds one cell may run.
    redact : Redactor
        Scrubs the run's secrets from the kept notebook and the failure's message.
    socket_dir : str, optional
        Folder for the kernels' Unix sockets (None: TCP).
    env : dict, optional
        Environment variables added for the kernel (the run's output folder).

    Returns
    -------
    (notebook, None) or (None, NotebookFailure)
        A kernel start that clashes with another one is retried (three attempts in all).
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    _quiet_papermill()
    _register_engine()
    source_nb = nbformat.read(topic.path, as_version=4)
    n_code = sum(c.cell_type == "code" for c in source_nb.cells)
    started = time.monotonic()
    state = {"code_seen": 0, "cell_started": False}

    def on_cell_start(cell: Any, cell_index: int, **_: Any) -> None:
        state["cell_started"] = True
        state["cell"] = cell
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            return
        state["code_seen"] += 1
        progress.line(f"[{position}] {topic.stem} cell {state['code_seen']}/{n_code} "
                      f"({time.monotonic() - started:.1f} s)", transient=True)

    engine_kwargs: dict[str, Any] = {"kernel_manager_class": kernel_manager_class(socket_dir, env)}
    attempts = 3
    for attempt in range(1, attempts + 1):
        state.update(code_seen=0, cell_started=False)
        try:
            nb = papermill.execute_notebook(
                str(topic.path), str(out_ipynb), parameters=params, kernel_name=kernel_name,
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                engine_name=_ENGINE, crmbook_state=state,
                execution_timeout=timeout, on_cell_start=on_cell_start,
                shutdown_kernel="immediate",  # every output is in by then; saves ~0.7 s per notebook
                # the kernel starts in the notebook's folder; papermill's own cwd= would chdir the whole
                # process, which threads running other notebooks would see
                resources={"metadata": {"path": str(topic.path.parent)}}, **engine_kwargs,
            )
            return nb, None
        except PapermillExecutionError as exc:
            return None, _failure_from_notebook(topic, out_ipynb, exc, redact)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:  # the disk is full: the whole run stops (crmbook.report.runner)
                raise
            if attempt < attempts and not state["cell_started"] and _is_port_clash(exc):
                progress.line(f"[{position}] {topic.stem}: kernel start clashed, retrying ({attempt})")
                time.sleep(0.5 * attempt)
                continue
            return None, _failure_from_exception(topic, source_nb, state, exc, out_ipynb, redact)
        except Exception as exc:  # kernel could not start, timeout, ...
            if attempt < attempts and not state["cell_started"] and _is_port_clash(exc):
                progress.line(f"[{position}] {topic.stem}: kernel start clashed, retrying ({attempt})")
                time.sleep(0.5 * attempt)
                continue
            return None, _failure_from_exception(topic, source_nb, state, exc, out_ipynb, redact)
    raise AssertionError("unreachable")  # pragma: no cover


def _cell_head(cell: Any) -> str:
    """The first three lines of a cell's source: enough to recognise it in a message."""
    return "\n".join(cell.source.splitlines()[:3])


def _failure_from_exception(topic: Topic, source_nb: Any, state: dict[str, Any], exc: Exception,
                            out_ipynb: Path, redact: Redactor) -> NotebookFailure:
    """Where a notebook stopped without a cell raising (a timeout, a dead kernel, no kernel at all).

    The notebook as far as it ran is kept (the engine noted it in ``state``); the cell is the last one
    started, counted in the topic's own notebook ``source_nb``.
    """
    import nbformat

    if state.get("nb") is not None and state["cell_started"]:
        nbformat.write(redact_notebook(state["nb"], redact), out_ipynb)
    kept = out_ipynb if out_ipynb.exists() else None
    cell = state.get("cell")
    where: tuple[Any, ...] = (None, None, None, None, "")
    if cell is not None:  # e.g. a cell timed out or the kernel died in it
        own = source_nb.cells
        index = next((i for i, c in enumerate(own, 1) if c.get("id") == cell.get("id")), None)
        code = sum(c.cell_type == "code" for c in own[:index]) if index else None
        where = (index, code, cell.get("id"), cell.get("execution_count"), _cell_head(cell))
    return NotebookFailure(topic.stem, *where[:4], redact(where[4]), redact(f"{type(exc).__name__}: {exc}"),
                           kept)


def _failure_from_notebook(topic: Topic, out_ipynb: Path, exc: Any, redact: Redactor) -> NotebookFailure:
    """Name the failing cell from Papermill's error and the partly executed notebook (kept, scrubbed)."""
    import nbformat

    cell_index = code_cell = cell_id = source = None
    if out_ipynb.exists():
        nb = nbformat.read(out_ipynb, as_version=4)
        own = [c for c in nb.cells if not {"injected-parameters", "papermill-error-cell-tag"}
               & set(c.metadata.get("tags", []))]
        n_code = 0
        for i, cell in enumerate(own, start=1):
            n_code += cell.cell_type == "code"
            if cell.get("metadata", {}).get("papermill", {}).get("exception") or any(
                    o.get("output_type") == "error" for o in cell.get("outputs", [])):
                cell_index, code_cell, cell_id = i, n_code, cell.get("id")
                source = _cell_head(cell)
                break
        nb = redact_notebook(nb, redact)
        nbformat.write(nb, out_ipynb)
    error = f"{exc.ename}: {exc.evalue}"
    return NotebookFailure(topic.stem, cell_index, code_cell, cell_id, getattr(exc, "exec_count", None),
                           redact(source or ""), redact(error), out_ipynb if out_ipynb.exists() else None)
