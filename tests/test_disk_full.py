"""A full disk while a run writes (issue 16, point 9): one line naming the folder, exit 1, nothing
half-written left in place, ``latest`` on the last good run.

Before: a 40-line traceback ending in ``OSError: [Errno 28]``, a truncated HTML left in ``.tmp-*``, and
a disk that filled at the ``latest`` switch left an ``ok`` run that was not latest and a zero-byte
``.latest.txt.*``. The notebooks are run by a fake executor (no kernel); the HTML, the index and the
run folder are the runner's own.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from crmbook import cli
from crmbook.report import runner, runs

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


def _fake(topic, params, out_ipynb, **kwargs):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Fake report")])
    nbformat.write(nb, out_ipynb)
    return nb, None


def _run(out: Path) -> tuple[int, str, str]:
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        code = cli.main(["run", "--data", "sample", "--notebooks", str(NOTEBOOKS), "--out", str(out)])
    return code, o.getvalue(), e.getvalue()


def _no_space(path: Path) -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", str(path))


def _state(out: Path) -> tuple[list[str], str | None, str]:
    """The run folders, where ``latest`` (symlink) points, and what ``latest.txt`` says."""
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink())
    return folders, os.readlink(out / "latest"), (out / "latest.txt").read_text().strip()


@pytest.fixture
def good(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A reports folder with one good run, latest on it."""
    monkeypatch.setattr(runner, "execute_topic", _fake)
    out = tmp_path / "reports"
    code, stdout, err = _run(out)
    assert code == 0, err
    return out, Path(stdout.strip()).name


def test_disk_full_while_writing_a_report(good: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The second notebook's HTML gets half written, then ENOSPC: exit 1, one line, the temporary
    folder (with the truncated HTML) gone, latest still on the good run."""
    out, good_id = good
    writes = []

    def half_then_full(path: Path, page: str) -> None:
        writes.append(path.name)
        if len(writes) == 2:
            path.write_text(page[: len(page) // 2], encoding="utf-8")
            raise _no_space(path)
        path.write_text(page, encoding="utf-8")

    monkeypatch.setattr(runner, "_write_report", half_then_full)
    code, stdout, err = _run(out)
    assert code == 1 and stdout == ""
    assert err.splitlines()[-1] == (f"crmbook run: cannot write the reports in {out}: the disk is full (no space "
                                    f"left on device) while writing {writes[1]}; the unfinished run was removed; "
                                    f"reports/latest left at {good_id}")
    assert "Traceback" not in err
    assert list(out.glob(".tmp-*")) == []
    assert _state(out) == ([good_id], good_id, good_id)


def test_disk_full_at_the_latest_switch(good: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """latest.txt is rewritten, then the symlink cannot be made (ENOSPC): the new run folder is removed
    again, latest.txt and the symlink point at the good run, and no temporary file is left."""
    out, good_id = good
    real_switch = runs._switch_latest

    def switch_then_full(reports_dir: Path, run_id: str) -> None:
        if run_id != good_id:
            (reports_dir / "latest.txt").write_text(run_id + "\n")
            raise _no_space(reports_dir / ".latest.tmp")
        real_switch(reports_dir, run_id)

    monkeypatch.setattr(runs, "_switch_latest", switch_then_full)
    code, _, err = _run(out)
    assert code == 1 and "the disk is full" in err and "the unfinished run was removed" in err
    assert _state(out) == ([good_id], good_id, good_id)
    assert [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"] == []


def test_disk_full_writing_the_run_index(good: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC on kpis.json (the first file finalize writes): same outcome, and the atomic writer leaves
    no ``.kpis.json.*.tmp`` behind."""
    out, good_id = good
    real = runs._write_text_atomic

    def full_on_kpis(path: Path, text: str) -> None:
        if path.name == "kpis.json":
            tmp = path.with_name(".kpis.json.x.tmp")
            tmp.write_text(text[:10])
            with contextlib.suppress(OSError):
                tmp.unlink()  # what _write_text_atomic does on failure (checked below on the real disk)
            raise _no_space(path)
        real(path, text)

    monkeypatch.setattr(runs, "_write_text_atomic", full_on_kpis)
    code, _, err = _run(out)
    assert code == 1 and "while writing kpis.json" in err
    assert _state(out) == ([good_id], good_id, good_id)
    assert list(out.glob(".tmp-*")) == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB tmpfs mounted for the test (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk(small_disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a real 2 MB filesystem: a good run, then the disk filled up to 4 KB free, then a run: exit 1
    with one line, nothing of the second run left (the free space is back), latest on the good run."""
    monkeypatch.setattr(runner, "execute_topic", _fake)
    out = small_disk / "reports"
    code, stdout, err = _run(out)
    assert code == 0, err
    good_id = Path(stdout.strip()).name
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * (free - 4096))
    before = shutil.disk_usage(small_disk).free
    code, _, err = _run(out)
    assert code == 1, err
    assert err.splitlines()[-1].startswith(f"crmbook run: cannot write the reports in {out}: the disk is full")
    assert "Traceback" not in err
    assert _state(out) == ([good_id], good_id, good_id)
    assert list(out.glob(".tmp-*")) == [] and not [p for p in out.glob(".*.tmp")]
    assert shutil.disk_usage(small_disk).free >= before - 4096  # at most the lock file's block
