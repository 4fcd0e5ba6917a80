"""Run folders: run ids, the reports folder's lock, moving a finished run into place, ``latest``.

A run is written into a temporary folder and moved to ``<reports>/<run-id>/`` when it is finished
(:func:`finalize_run`), under an exclusive lock on the reports folder. ``latest`` (a symlink, and
``latest.txt`` holding the run id) moves to a run only when every notebook of it succeeded and no newer
run is latest already, each with one atomic rename, so a failed run never replaces the last good report
and two runs into the same folder never corrupt each other.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crmbook.report.index import reports_index_html, run_index_html

__all__ = ["HISTORY_RUNS", "OWNER_FILE", "claim_tmp_folder", "current_latest", "default_reports_dir", "finalize_run",
           "new_run_id", "previous_seconds", "remove_dead_tmp_folders", "successful_runs"]

#: In a run's temporary folder ``.tmp-<run-id>-*``: the process id of the run writing it, so the next
#: run can tell the folder of a run that died (killed, power cut) from one still running.
OWNER_FILE = ".owner"
#: A temporary folder without an owner file is removed once it is this old (seconds).
ORPHAN_AGE = 24 * 3600


#: Previous good runs read for the index's trends and changes.
HISTORY_RUNS = 11


def default_reports_dir() -> Path:
    """``reports/`` of the project, found from the package location (``lib/crmbook/report/`` -> the
    project folder three levels up), not from the working directory."""
    return Path(__file__).resolve().parents[3] / "reports"


def new_run_id() -> str:
    """A new run id: the UTC start time and a random suffix, ``20251231-020005-3fa9c1`` (sorts by time)."""
    now = _dt.datetime.now(_dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _json_default(value: Any) -> Any:
    """Dates as ISO text, anything else JSON cannot write (paths ...) as its text."""
    return value.isoformat() if isinstance(value, _dt.date) else str(value)


def _write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it into place: a reader sees the old file or the new one."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written file left behind
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _write_json(path: Path, content: Any) -> None:
    _write_text_atomic(path, json.dumps(content, indent=2, ensure_ascii=False, default=_json_default) + "\n")


@contextlib.contextmanager
def _reports_lock(reports_dir: Path) -> Iterator[None]:
    """An exclusive lock on the reports folder (``fcntl.flock`` where there is one)."""
    lock_path = reports_dir / ".lock"
    with open(lock_path, "a+") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the atomic renames alone
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _all_runs(reports_dir: Path) -> list[dict[str, Any]]:
    """``run.json`` of every run in the folder, in no order (temporary and linked folders, and files that
    cannot be read, left out)."""
    runs = []
    for meta in reports_dir.glob("*/run.json"):
        if meta.parent.name.startswith(".") or meta.parent.is_symlink():
            continue
        with contextlib.suppress(OSError, ValueError):
            runs.append(json.loads(meta.read_text(encoding="utf-8")))
    return runs


def successful_runs(reports_dir: Path) -> list[dict[str, Any]]:
    """``run.json`` of the successful runs in the folder, oldest first."""
    runs = [r for r in _all_runs(reports_dir) if r.get("status") == "ok"]
    return sorted(runs, key=lambda r: (r.get("started", ""), r.get("run_id", "")))


def current_latest(reports_dir: Path) -> str | None:
    """The run id ``latest`` points at: the symlink's target, else ``latest.txt`` (None if neither)."""
    link = reports_dir / "latest"
    if link.is_symlink():
        return os.readlink(link).rstrip("/\\")
    marker = reports_dir / "latest.txt"
    if marker.exists():
        return marker.read_text(encoding="utf-8").strip() or None
    return None


def _switch_latest(reports_dir: Path, run_id: str) -> None:
    """Point ``latest`` (symlink) and ``latest.txt`` at the run, each with one atomic rename."""
    _write_text_atomic(reports_dir / "latest.txt", run_id + "\n")
    link_tmp = reports_dir / f".latest.{secrets.token_hex(4)}"
    try:
        os.symlink(run_id, link_tmp, target_is_directory=True)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise
        return  # no symlinks here: latest.txt tells
    except NotImplementedError:
        return
    try:
        os.replace(link_tmp, reports_dir / "latest")
    except BaseException:
        with contextlib.suppress(OSError):
            link_tmp.unlink()
        raise


def _restore_latest(reports_dir: Path, run_id: str | None) -> None:
    """Point ``latest`` back at ``run_id`` after a failed switch (or remove it when there was none)."""
    with contextlib.suppress(OSError):
        if run_id:
            _switch_latest(reports_dir, run_id)
        else:
            for name in ("latest", "latest.txt"):
                with contextlib.suppress(FileNotFoundError):
                    (reports_dir / name).unlink()


def finalize_run(reports_dir: Path, tmp_folder: Path, meta: dict[str, Any], kpis: list[dict[str, Any]]) -> bool:
    """Move a run's temporary folder into place and, if it succeeded, switch ``latest`` to it.

    Done under the reports folder's lock: the previous successful run is looked up (for the KPI changes
    in the run's ``index.html``), the index and ``kpis.json`` are written, the folder is renamed to its
    run id, ``latest`` moves (only for a successful run newer than the current latest), and the folder's
    own ``index.html`` listing every run is rewritten.

    A full disk (or any error writing) before the rename leaves the temporary folder to the caller;
    at the ``latest`` switch, the run folder is removed again and ``latest`` put back where it was, so
    a run that is not complete is never in place, and ``latest`` never points at nothing.

    Returns
    -------
    bool
        Whether ``latest`` now points at this run.
    """
    run_id = meta["run_id"]
    ok = meta["status"] == "ok"
    with _reports_lock(reports_dir):
        previous_runs = [r for r in successful_runs(reports_dir) if r.get("started", "") < meta["started"]]
        previous = previous_runs[-1] if previous_runs else None
        history: list[dict[str, Any]] = []  # kpis.json of the previous good runs, oldest first
        for run in previous_runs[-HISTORY_RUNS:]:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                saved = json.loads((reports_dir / run["run_id"] / "kpis.json").read_text(encoding="utf-8"))
                history.append({"run": {**run, **(saved.get("run") or {})}, "kpis": saved["kpis"]})
        meta = {**meta, "previous_run": previous["run_id"] if previous else None}
        _write_json(tmp_folder / "kpis.json", {"run": meta, "kpis": kpis})
        (tmp_folder / "index.html").write_text(run_index_html(meta, kpis, history), encoding="utf-8")
        _write_json(tmp_folder / "run.json", meta)
        with contextlib.suppress(OSError):
            (tmp_folder / OWNER_FILE).unlink()
        os.replace(tmp_folder, reports_dir / run_id)
        switched = False
        if ok:
            current = current_latest(reports_dir)
            current_started = ""
            if current:
                with contextlib.suppress(OSError, ValueError):
                    current_started = json.loads((reports_dir / current / "run.json").read_text())["started"]
            if not current or current_started <= meta["started"]:
                try:
                    _switch_latest(reports_dir, run_id)
                except BaseException:
                    import shutil

                    shutil.rmtree(reports_dir / run_id, ignore_errors=True)  # frees the space it took
                    _restore_latest(reports_dir, current)
                    raise
                switched = True
        _write_text_atomic(reports_dir / "index.html",
                           reports_index_html(_all_runs(reports_dir), current_latest(reports_dir)))
    return switched


def claim_tmp_folder(tmp_folder: Path) -> None:
    """Write this process's id into a run's temporary folder (:data:`OWNER_FILE`)."""
    (tmp_folder / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_dead_tmp_folders(reports_dir: Path) -> list[str]:
    """Remove the temporary folders (``.tmp-*``) of runs that died: their owner process is gone, or they
    have no owner file and are older than :data:`ORPHAN_AGE`. Folders of runs still running are kept.
    Returns the names removed."""
    import shutil
    import time

    removed = []
    for folder in reports_dir.glob(".tmp-*"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        dead = False
        try:
            pid = int((folder / OWNER_FILE).read_text(encoding="utf-8").strip())
            dead = pid != os.getpid() and not _alive(pid)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                dead = time.time() - folder.stat().st_mtime > ORPHAN_AGE
        if dead:
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder.name)
    return removed


def previous_seconds(reports_dir: Path) -> dict[str, float]:
    """Seconds each notebook took in the latest successful run (empty when there is none)."""
    latest = current_latest(reports_dir)
    if not latest:
        return {}
    try:
        meta = json.loads((reports_dir / latest / "run.json").read_text(encoding="utf-8"))
        return {nb["topic"]: float(nb.get("seconds") or 0) for nb in meta.get("notebooks", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
