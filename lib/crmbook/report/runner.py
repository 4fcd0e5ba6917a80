"""``crmbook run``: topic notebooks on one data set into one run folder of reports.

:func:`run_reports` checks everything it can before a kernel starts (topics, parameter names and types,
the config file, the database URL and its password), then executes the notebooks (up to ``jobs`` at
once, in threads of this process), turns each into an HTML report, collects their KPIs and finishes the
run folder (:func:`crmbook.report.runs.finalize_run`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crmbook.errors import EXIT_FAILED, EXIT_OK, UsageError
from crmbook.kpis import collect_kpis
from crmbook.language import catalogue, headings
from crmbook.outputs import OUTPUT_DIR_ENV, export_folder
from crmbook.redact import password_in_env, redact_notebook, run_secrets
from crmbook.report.execute import NotebookFailure, Progress, execute_topic, kill_kernels
from crmbook.report.html import notebook_to_html
from crmbook.report.parameters import (
    Topic,
    as_of_warning,
    check_parameters,
    find_topics,
    load_config,
    select_topics,
)
from crmbook.report.runs import (
    claim_tmp_folder,
    current_latest,
    default_reports_dir,
    finalize_run,
    new_run_id,
    previous_seconds,
    remove_dead_tmp_folders,
)

__all__ = ["SAMPLE_AS_OF", "DataRefused", "RunInterrupted", "RunResult", "RunWriteError", "resolve_as_of", "run_reports"]


class DataRefused(Exception):
    """The data were checked before any kernel started and refused (exit 1): more rows of a required
    table set aside as defects than the set-aside limit allows (:mod:`crmbook.data.limits`). The
    message is one line per table over the limit."""


@dataclass
class RunResult:
    """What a run produced: its id and folder, whether every notebook succeeded, the figures collected,
    the failures, and whether ``latest`` now points at it."""

    run_id: str
    folder: Path
    ok: bool
    kpis: list[dict[str, Any]]
    failures: list[NotebookFailure]
    latest_switched: bool

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_OK` or :data:`EXIT_FAILED`."""
        return EXIT_OK if self.ok else EXIT_FAILED


#: The analysis date of the bundled sample (``--data sample``), the one default ``as_of`` there is:
#: the last day of its history (``crmbook.sample.company.END``, checked by a test).
SAMPLE_AS_OF = "2025-12-31"


def resolve_as_of(data: str, as_of: str | None) -> str:
    """The ``as_of`` of a run or a check: the one given, or :data:`SAMPLE_AS_OF` for ``data="sample"``.

    One rule for ``crmbook validate`` and ``crmbook run``: any other data needs an explicit date, since
    the right one depends on the export (a default would silently cut off, or keep, the latest rows).

    Raises
    ------
    UsageError
        No ``as_of`` for data other than the bundled sample.
    """
    if as_of:
        return str(as_of)
    if str(data) == "sample":
        return SAMPLE_AS_OF
    raise UsageError("--as-of YYYY-MM-DD is required for your own data (only --data sample has a default, "
                     f"{SAMPLE_AS_OF}): rows dated after it are set aside")


#: Parameters named ``*_dir`` are export folders: resolved against the caller's working directory (not
#: the notebooks' folder, where kernels start) and checked before any kernel starts
#: (:func:`crmbook.outputs.export_folder`).
EXPORT_SUFFIX = "_dir"

#: Parameters that name local files: made absolute, since kernels start in the notebooks' folder.
PATH_PARAMETERS = ("data", "mapping")  # documentation of the rule in _absolute


def _absolute(value: str) -> str:
    """A relative path that exists from the working directory, made absolute; anything else unchanged."""
    if "://" in value or value == "sample" or not value:
        return value
    path = Path(value).expanduser()
    return str(path.resolve()) if not path.is_absolute() and path.exists() else value


def _effective(topics: Sequence[Topic], per_topic: Mapping[str, Mapping[str, Any]], name: str) -> Any:
    """The value a parameter had in the run: given, or the notebooks' common default (None if they differ)."""
    seen = {repr(per_topic[t.stem].get(name, t.parameters[name].default)): per_topic[t.stem].get(
        name, t.parameters[name].default) for t in topics if name in t.parameters}
    return next(iter(seen.values())) if len(seen) == 1 else None


class RunWriteError(Exception):
    """The run could not write its reports (the disk is full, a folder not writable): exit 1. The
    unfinished run was removed and ``latest`` left where it was; the message is one line."""


def _write_report(path: Path, page: str) -> None:
    """Write one HTML report of the run (into its temporary folder)."""
    path.write_text(page, encoding="utf-8")


def _write_failure(exc: OSError, out_dir: Path, run_id: str) -> RunWriteError:
    """The one line of a run that could not write: what failed, in which folder, where latest is."""
    why = "the disk is full (no space left on device)" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    file = f" while writing {Path(exc.filename).name}" if getattr(exc, "filename", None) else ""
    kept = (out_dir / run_id).is_dir()
    outcome = f"the run is complete in {out_dir / run_id}" if kept else "the unfinished run was removed"
    return RunWriteError(f"cannot write the reports in {out_dir}: {why}{file}; {outcome}; "
                         f"reports/latest left at {current_latest(out_dir) or 'nothing'}")


class RunInterrupted(KeyboardInterrupt):
    """A run stopped by a signal: Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143). Its kernels were
    killed, its temporary folder removed, ``latest`` left where it was; the message is one line."""

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(message)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number: 130 for SIGINT, 143 for SIGTERM (what a shell reports)."""
        return 128 + self.signum


class _SignalGuard:
    """While it is entered, SIGINT and SIGTERM raise :class:`RunInterrupted` in the main thread; inside
    :meth:`deferred` (moving the run into place, switching ``latest``) a signal is held and raised by
    :meth:`raise_pending` once the run is consistent. Handlers are installed only in the main thread
    (elsewhere Python does not allow it) and the previous ones are restored on exit."""

    def __init__(self) -> None:
        self.previous: dict[int, Any] = {}
        self.pending: int | None = None
        self.defer = False

    def _handler(self, signum: int, frame: Any) -> None:
        if self.defer:
            self.pending = signum
            return
        raise RunInterrupted(signum, "")

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold signals for the block."""
        self.defer = True
        try:
            yield
        finally:
            self.defer = False

    def raise_pending(self, where: str) -> None:
        """Raise the signal held during :meth:`deferred`, if any (``where``: the state the run is in)."""
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise RunInterrupted(signum, f"{signal.Signals(signum).name} received at the end: {where}")


def _stop(pool: ThreadPoolExecutor, futures: Mapping[int, Any], tmp_folder: Path) -> int:
    """Stop a run that cannot go on: kill its kernels, give its threads a few seconds to notice, remove
    its temporary folder. Returns the number of kernels killed."""
    import logging

    logging.disable(logging.CRITICAL)  # nbclient's "Kernel died ..." for each kernel killed on purpose
    try:
        killed = kill_kernels()
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + 10
        for future in futures.values():  # a thread whose kernel died writes its notebook once more
            with contextlib.suppress(BaseException):
                future.exception(timeout=max(0.0, deadline - time.monotonic()))
        for _ in range(3):
            shutil.rmtree(tmp_folder, ignore_errors=True)
            if not tmp_folder.exists():
                break
            time.sleep(0.2)
    finally:
        logging.disable(logging.NOTSET)
    return killed


def _interrupted(exc: KeyboardInterrupt, pool: ThreadPoolExecutor, futures: Mapping[int, Any], tmp_folder: Path,
                 out_dir: Path) -> RunInterrupted:
    """Stop an interrupted run: kill its kernels, give its threads a few seconds to notice, remove its
    temporary folder; the :class:`RunInterrupted` to raise (one line: what happened, where latest is)."""
    signum = exc.signum if isinstance(exc, RunInterrupted) else signal.SIGINT
    if threading.current_thread() is threading.main_thread():  # a second Ctrl-C must not cut the clean-up short
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
    killed = _stop(pool, futures, tmp_folder)  # the guard puts the handlers of before the run back
    name = signal.Signals(signum).name
    return RunInterrupted(signum, f"interrupted by {name}: {killed} kernel(s) stopped, the unfinished run removed; "
                                  f"reports/latest left at {current_latest(out_dir) or 'nothing'}")


def last_order(ds: Any) -> str | None:
    """The date of the last order of a checked data set (``YYYY-MM-DD``), None without orders."""
    orders = ds.tables.get("orders")
    if orders is None or "order_date" not in orders or orders["order_date"].isna().all():
        return None
    return f"{orders['order_date'].max():%Y-%m-%d}"


def _requests(chosen: Sequence[Topic], per_topic: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The distinct ways the chosen topics read the data: ``as_of``, ``mapping`` and ``mask_personal`` as
    each topic runs with them (usually one for the whole run)."""
    seen: dict[str, dict[str, Any]] = {}
    for t in chosen:
        if t.spec is None or "data" not in t.parameters:
            continue
        values = {name: per_topic[t.stem].get(name, t.parameters[name].default if name in t.parameters else None)
                  for name in ("as_of", "mapping", "mask_personal")}
        values["mask_personal"] = True if values["mask_personal"] is None else bool(values["mask_personal"])
        values["mapping"] = values["mapping"] or None
        seen.setdefault(repr(sorted(values.items())), values)
    return list(seen.values())


def _check_data(data: str, requests: Sequence[Mapping[str, Any]], limit: Any, redact: Any,
                progress: Progress) -> Path | None:
    """Read and check the data once, before any kernel starts, and write what was found to the run's
    snapshot folder (:mod:`crmbook.data.snapshot`), which the notebooks read instead of the source.

    One check per distinct request (``as_of``, mapping, masking) of the chosen topics, usually one.
    Raises :class:`DataRefused` when a required table sets aside more rows as defects than ``limit``
    allows, and warns when ``as_of`` lies far after the last order
    (:func:`crmbook.report.parameters.as_of_warning`). Data that cannot be read are left to the notebooks
    (each says why it cannot read them); unusable data are written like any other, and the data-check
    report lists every problem.

    Returns
    -------
    Path or None
        The snapshot folder (the caller removes it when the run ends), None when nothing was checked.
    """
    if not requests:
        return None
    folder = Path(tempfile.mkdtemp(prefix="crmbook-snapshot-"))
    try:
        for request in requests:
            found = _in_child(_check_into, data, dict(request), limit, str(folder), meanwhile=_import_for_kernels)
            if found is None:
                continue
            if found["over"]:
                raise DataRefused("\n".join(redact(line) for line in found["over"]))
            progress.line(f"data checked once for the run in {found['seconds']:.1f} s ({found['rows']} rows read); "
                          "the notebooks read this check")
            warning = as_of_warning(request["as_of"], found["last_order"]) if found["usable"] else None
            if warning:
                progress.line(warning)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _in_child(function: Any, *args: Any, meanwhile: Any = None) -> Any:
    """``function(*args)`` in a forked child process where there is ``fork`` (Linux), else here; while the
    child works, this process calls ``meanwhile()`` (when given).

    A check of a large export holds gigabytes while it runs; in a child, that memory goes back to the
    system when it ends, instead of staying with the runner while the kernels run."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        result = function(*args)
        if meanwhile is not None:
            meanwhile()
        return result
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        future = pool.submit(function, *args)  # the child is forked here, before ``meanwhile`` imports anything
        if meanwhile is not None:
            meanwhile()
        return future.result()


def _import_for_kernels() -> None:
    """Import what running the notebooks needs (Papermill, nbformat and its schema checks), while the data
    check runs in its child process, instead of after it.

    When the optional ``rfc3987-syntax`` is installed (Jupyter's event schemas pull it in), jsonschema's
    import compiles its 39 Lark grammars, 1.6 s of this import, only to check the ``iri`` format, which
    nbformat never asks for (it validates without a format checker). In the runner's own process the
    module is marked absent before jsonschema is first imported, so jsonschema skips that check (as it
    does where the package is not installed); kernels and other processes are not affected.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    import nbformat  # noqa: F401
    import papermill  # noqa: F401


def _check_into(data: str, request: Mapping[str, Any], limit: Any, folder: str) -> dict[str, Any] | None:
    """Check ``data`` as ``request`` asks and add the snapshot to ``folder``; what the runner needs to know
    (seconds, rows read, usable, the set-aside limit's lines, the last order), or None when the data
    cannot be read (the notebooks then say why)."""
    from crmbook.data import check, set_aside_over_limit
    from crmbook.data.snapshot import request_key, run_snapshot
    from crmbook.data.sources.sql import DEFAULT_PASSWORD_ENV

    t0 = time.monotonic()
    try:
        ds = check(data, as_of=request["as_of"], mapping=request["mapping"], mask_personal=request["mask_personal"])
    except (OSError, ValueError):
        return None
    key = request_key(data, as_of=request["as_of"], mapping=request["mapping"],
                      mask_personal=request["mask_personal"], password_env=DEFAULT_PASSWORD_ENV)
    run_snapshot(folder, key, ds)
    return {"seconds": time.monotonic() - t0, "usable": ds.usable,
            "rows": ", ".join(f"{t} {n:,}" for t, n in ds.rows_read.items() if t in ("customers", "orders")),
            "over": set_aside_over_limit(ds, limit) if ds.usable else [],
            "last_order": last_order(ds) if ds.usable else None}


def _execute(guard: _SignalGuard, job: Any, chosen: Sequence[Topic], jobs: int, out_dir: Path, tmp_folder: Path,
             run_id: str, password: str | None, progress: Progress) -> list[dict[str, Any]]:
    """Run ``job`` for every topic in worker threads (longest first, by the last good run's timings, or
    the topics' declared costs in a folder without one: the slowest notebook never starts last) and return their results in the topics' order; once every
    notebook is done, signals are held (``guard.defer``) until the caller has finished the run.

    An interruption or a write error stops every notebook and removes ``tmp_folder``
    (:class:`RunInterrupted`, :class:`RunWriteError`)."""
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(chosen)))
    futures: dict[int, Any] = {}
    try:
        with password_in_env(password), tempfile.TemporaryDirectory(prefix="crmbook-k") as socket_dir:
            before = previous_seconds(out_dir) or {t.stem: t.spec.cost for t in chosen if t.spec is not None}
            items = sorted(enumerate(chosen, start=1), key=lambda it: -before.get(it[1].stem, 0))
            futures = {item[0]: pool.submit(job, item, socket_dir) for item in items}
            results = [futures[i].result() for i in sorted(futures)]
            guard.defer = True  # nothing left to stop: the run is finished as one piece
    except KeyboardInterrupt as exc:
        progress.stream = None  # the stopped notebooks' failures are not news
        raise _interrupted(exc, pool, futures, tmp_folder, out_dir) from None
    except OSError as exc:  # a report could not be written (disk full): stop every notebook, keep nothing
        progress.stream = None
        _stop(pool, futures, tmp_folder)
        raise _write_failure(exc, out_dir, run_id) from None
    except BaseException:
        _stop(pool, futures, tmp_folder)
        raise
    pool.shutdown(wait=True)
    return results


def run_reports(topics: Sequence[str] = (), *, data: str, as_of: str | None = None,
                params: Mapping[str, Any] | None = None, config: str | os.PathLike[str] | None = None,
                out: str | os.PathLike[str] | None = None, jobs: int = 1, show_code: bool = False,
                show_lesson: bool = False,
                notebooks_dir: str | os.PathLike[str] | None = None, kernel_name: str | None = None,
                timeout: int | None = None, stream: IO[str] | None | str = "stderr",
                max_set_aside: Any = None) -> RunResult:
    """Run topic notebooks into ``<out>/<run-id>/`` (``crmbook run``).

    Parameters
    ----------
    topics : sequence of str
        Topics as ``"segmentation"``, ``"01"`` or ``"01_segmentation"``; empty = all, in numbered order.
    data : str
        Data folder, file, SQLAlchemy URL or ``"sample"``; the notebooks' ``data`` parameter. A password
        in a URL goes to the kernels through :data:`crmbook.redact.PASSWORD_ENV`, never into a parameter;
        it and the password already there are scrubbed from every file and log line the run writes.
    as_of : str, optional
        Analysis date ``YYYY-MM-DD`` (parameter ``as_of``, also read from the config file); required
        unless ``data`` is ``"sample"``, whose default is :data:`SAMPLE_AS_OF` (:func:`resolve_as_of`).
    params : mapping, optional
        More parameters (``-p NAME VALUE``); they override the config file.
    config : path, optional
        YAML or TOML file of parameters.
    out : path, optional
        Reports folder; default :func:`crmbook.report.runs.default_reports_dir`.
    jobs : int
        Notebooks run at once (kernels).
    show_code : bool
        Show code in the HTML reports.
    show_lesson : bool
        Open the lesson folds (objectives, concept, formula) in the HTML reports (training handouts).
    notebooks_dir : path, optional
        Folder of the topic notebooks; default :func:`crmbook.report.parameters.default_notebooks_dir`
        (there, the topics declared in :mod:`crmbook.topics`).
    kernel_name : str, optional
        Jupyter kernel; default the one named in each notebook.
    timeout : int, optional
        Seconds one cell may take.
    stream : file, optional
        Where progress and failures are written (default: the current ``sys.stderr``); ``None`` for silence.
    max_set_aside : share, list or mapping, optional
        The set-aside limit (``--max-set-aside`` values, or a config file's ``max_set_aside``, which this
        overrides); default 5 % (:func:`crmbook.data.parse_set_aside_limit`). Checked before any kernel
        starts when a chosen topic is one of crmbook's (declared in :mod:`crmbook.topics`) and reads ``data``.

    Returns
    -------
    RunResult

    Raises
    ------
    UsageError
        No ``as_of`` for data other than the sample, unknown topic or parameter, wrong type, unreadable config, missing notebooks folder, a ``data``
        with ``://`` that is not a readable URL, a password shorter than :data:`crmbook.redact.MIN_SECRET_LENGTH`;
        raised before any kernel starts.
    DataRefused
        The data set aside more rows of a required table as defects than the limit allows (before any
        kernel starts; no run folder is made).
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    if timeout is not None and timeout < 1:
        raise UsageError(f"--timeout must be at least 1 second (or left out for no limit), got {timeout}")
    every_topic = find_topics(notebooks_dir)
    chosen = select_topics(topics, every_topic)
    safe_data, password, redact = run_secrets(str(data))
    values: dict[str, Any] = dict(load_config(config)) if config else {}
    configured_limit = values.pop("max_set_aside", None)
    values.update(params or {})
    for reserved in ("data", "as_of"):
        if reserved in (params or {}):
            raise UsageError(f"give {reserved!r} with --{reserved.replace('_', '-')}, not -p")
    values["data"] = safe_data = _absolute(safe_data)  # --data wins over a config file's data
    if isinstance(values.get("mapping"), str) and values["mapping"]:
        values["mapping"] = _absolute(values["mapping"])
    for name, value in list(values.items()):  # export folders: the caller's, checked (crmbook.outputs)
        if name.endswith(EXPORT_SUFFIX) and isinstance(value, str) and value.strip():
            try:
                values[name] = str(export_folder(value.strip()))
            except ValueError as exc:
                raise UsageError(f"parameter {name!r}: {exc}") from None
    if as_of is not None or any("as_of" in t.parameters for t in chosen):
        values["as_of"] = resolve_as_of(safe_data, as_of or values.get("as_of"))
    for name, value in list(values.items()):
        if isinstance(value, str) and redact:
            values[name] = redact(value)
    per_topic = check_parameters(values, chosen, every_topic)
    from crmbook.data import parse_set_aside_limit

    try:
        limit = parse_set_aside_limit(max_set_aside if max_set_aside is not None else configured_limit)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    progress = Progress(sys.stderr if stream == "stderr" else stream, redact)
    unmasked = [stem for stem, p in per_topic.items() if p.get("mask_personal") is False]
    if unmasked:
        progress.line(f"note: personal data (names, phones, e-mails) is NOT masked in {', '.join(unmasked)} "
                      "(mask_personal=false): do not share these reports outside the team")
    with password_in_env(password):
        snapshots = _check_data(safe_data, _requests(chosen, per_topic), limit, redact, progress)
    try:
        return _run(chosen, per_topic, values, safe_data, password, redact, progress, snapshots, out=out, jobs=jobs,
                    show_code=show_code, show_lesson=show_lesson, kernel_name=kernel_name, timeout=timeout)
    finally:
        if snapshots is not None:
            shutil.rmtree(snapshots, ignore_errors=True)


def _run(chosen: Sequence[Topic], per_topic: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any],
         safe_data: str, password: str | None, redact: Any, progress: Progress, snapshots: Path | None, *,
         out: Any, jobs: int, show_code: bool, show_lesson: bool, kernel_name: str | None,
         timeout: int | None) -> RunResult:
    """The run itself, once the data were checked: kernels, reports, the run folder."""
    import crmbook
    from crmbook.data.snapshot import SNAPSHOT_ENV

    kernel_env = {} if snapshots is None else {SNAPSHOT_ENV: str(snapshots)}

    out_dir = Path(out) if out is not None else default_reports_dir()
    run_id = new_run_id()
    tmp_folder = None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in remove_dead_tmp_folders(out_dir):
            progress.line(f"removed {out_dir / name}: the unfinished folder of a run that died")
        tmp_folder = Path(tempfile.mkdtemp(prefix=f".tmp-{run_id}-", dir=out_dir))
        claim_tmp_folder(tmp_folder)
    except OSError as exc:
        if tmp_folder is not None:
            shutil.rmtree(tmp_folder, ignore_errors=True)
        raise _write_failure(exc, out_dir, run_id) from None
    umask = os.umask(0)
    os.umask(umask)
    tmp_folder.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report folder is as readable as any
    started = _dt.datetime.now(_dt.UTC)
    run_t0 = time.monotonic()
    total = len(chosen)
    progress.line(f"crmbook run {run_id}: {total} notebook(s), {min(jobs, total)} at once, data {safe_data}")

    def job(index_topic: tuple[int, Topic], socket_dir: str) -> dict[str, Any]:
        index, topic = index_topic
        position = f"{index}/{total}"
        out_ipynb = tmp_folder / f"{topic.stem}.ipynb"
        t0 = time.monotonic()
        progress.line(f"[{position}] {topic.stem} started")
        # files a notebook writes for the reader (whole lists as CSV) go beside its report, in the run
        # folder, and move with it (crmbook.tables.save_full_list)
        files = tmp_folder / f"{topic.stem}_files"
        nb, failure = execute_topic(topic, per_topic[topic.stem], out_ipynb, position=position,
                                    progress=progress, kernel_name=kernel_name, timeout=timeout,
                                    redact=redact, socket_dir=socket_dir, env={OUTPUT_DIR_ENV: str(files), **kernel_env})
        entry: dict[str, Any] = {"topic": topic.stem, "ipynb": out_ipynb.name, "html": None,
                                 # when its kernel started executing, in seconds after the run's start
                                 # (benchmarks/bench_scale.py tells the runner's own time from the notebooks')
                                 "started_after": round(t0 - run_t0, 2),
                                 # every parameter it ran with, defaults too: the index compares runs on them
                                 "parameters": {name: per_topic[topic.stem].get(name, p.default)
                                                for name, p in topic.parameters.items()}}
        if failure is not None:
            entry.update(status="failed", error=failure.error, cell=failure.cell_index,
                         seconds=round(time.monotonic() - t0, 2))
            progress.line(failure.describe().replace(str(tmp_folder), str(out_dir / run_id)))
            return {"entry": entry, "kpis": [], "failure": failure}
        import nbformat

        nb = redact_notebook(nb, redact)
        nbformat.write(nb, out_ipynb)
        as_of_used = _effective([topic], per_topic, "as_of")
        language = _effective([topic], per_topic, "language") or "en"
        texts = catalogue("crmbook")
        subtitle = texts.say("report.subtitle", language, escape=False, run=run_id, data=safe_data)
        if as_of_used:
            subtitle += texts.say("report.subtitle_as_of", language, escape=False, as_of=as_of_used)
        t_html = time.monotonic()
        title = topic.spec.title.get(language) if topic.spec is not None else None
        translated = headings(topic.spec.package, language) if topic.spec is not None else {}
        page = redact(notebook_to_html(nb, show_code=show_code, show_lesson=show_lesson, title=title,
                                       subtitle=subtitle, language=language, headings=translated))
        _write_report(tmp_folder / f"{topic.stem}.html", page)
        entry.update(status="ok", html=f"{topic.stem}.html", seconds=round(time.monotonic() - t0, 2),
                     execute_seconds=round(t_html - t0, 2), html_seconds=round(time.monotonic() - t_html, 2))
        progress.line(f"[{position}] {topic.stem} done ({entry['seconds']:.1f} s)")
        return {"entry": entry, "kpis": collect_kpis(nb, topic.name, topic.stem), "failure": None}

    # notebooks run in worker threads, whatever --jobs: the main thread only waits, so a signal (Ctrl-C,
    # SIGTERM) reaches it at once and stops the run (_interrupted); from the last notebook's end until the
    # run folder and latest are consistent, a signal waits (guard.deferred)
    with _SignalGuard() as guard:
        results = _execute(guard, job, chosen, jobs, out_dir, tmp_folder, run_id, password, progress)
        failures = [r["failure"] for r in results if r["failure"] is not None]
        kpis = [k for r in results for k in r["kpis"]]
        meta = {
            "run_id": run_id,
            "status": "failed" if failures else "ok",
            "data": safe_data,
            "as_of": _effective(chosen, per_topic, "as_of"),
            "parameters": {k: _effective(chosen, per_topic, k) for k in values if k != "data"},
            "topics": [t.stem for t in chosen],
            "notebooks": [r["entry"] for r in results],
            "show_code": show_code,
            "show_lesson": show_lesson,
            "crmbook_version": crmbook.__version__,
            "started": started.isoformat(),
            "finished": _dt.datetime.now(_dt.UTC).isoformat(),
        }
        try:
            switched = finalize_run(out_dir, tmp_folder, meta, kpis)
        except OSError as exc:
            shutil.rmtree(tmp_folder, ignore_errors=True)
            raise _write_failure(exc, out_dir, run_id) from None
        folder = out_dir / run_id
        if failures:
            progress.line(f"run {run_id} FAILED ({len(failures)} of {total} notebook(s)): {folder}; "
                          f"reports/latest left at {current_latest(out_dir) or 'nothing'}")
        else:
            progress.line(f"run {run_id} ok: {folder}/index.html" + (" (now latest)" if switched else ""))
        for failure in failures:
            if failure.notebook is not None:
                failure.notebook = folder / failure.notebook.name
        guard.defer = False
        guard.raise_pending(f"the run had finished ({folder}); reports/latest is at "
                            f"{current_latest(out_dir) or 'nothing'}")
    return RunResult(run_id, folder, not failures, kpis, failures, switched)
