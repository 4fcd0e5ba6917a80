"""Ctrl-C and SIGTERM stop a run at once (issue 16, point 8), tested by sending the real signal to a
``crmbook run`` subprocess whose notebook sleeps 60 s in a cell.

Before: with ``--jobs 2`` Ctrl-C waited for the running notebooks (18-30 s; with a cell that never ends,
two Ctrl-C and a threading traceback); SIGTERM left a ``.tmp-*`` folder, and the folders of killed runs
were never removed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmbook.report import runner, runs

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
CRMBOOK = [sys.executable, "-m", "crmbook.cli"]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _good_run(out: Path) -> str:
    done = subprocess.run([*CRMBOOK, "run", "beta", "--data", "sample", "--notebooks", str(NOTEBOOKS), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip()).name


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "jobs", "code"), [(signal.SIGINT, "1", 130), (signal.SIGTERM, "2", 143)])
def test_a_signal_stops_the_run_at_once(tmp_path: Path, signum: int, jobs: str, code: int) -> None:
    """A good run first (latest); then a run whose beta notebook sleeps 60 s gets the signal once its
    kernel runs: exit 130 / 143 within seconds, one line naming the signal and where latest is, no
    kernel left running, no ``.tmp-*`` folder, latest still on the good run."""
    out = tmp_path / "reports"
    good = _good_run(out)
    proc = subprocess.Popen([*CRMBOOK, "run", "--data", "sample", "-p", "pause", "60", "--jobs", jobs,
                             "--notebooks", str(NOTEBOOKS), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        kernels: list[int] = []
        while time.monotonic() < deadline and not kernels:  # wait until beta's kernel runs its cells
            time.sleep(0.5)
            kernels = [p for p in _children(proc.pid) if "ipykernel" in Path(f"/proc/{p}/cmdline").read_text(errors="ignore")]
        assert kernels, "no kernel started"
        time.sleep(3)  # into the 60 s sleep
        t0 = time.monotonic()
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert took < 15, f"took {took:.1f} s"
    name = signal.Signals(signum).name
    last = stderr.strip().splitlines()[-1]
    # beta's kernel, and alpha's too when it is still running beside it (--jobs 2)
    assert re.fullmatch(f"crmbook run: interrupted by {name}: [12] kernel\\(s\\) stopped, the unfinished run "
                        f"removed; reports/latest left at {good}", last), last
    assert "Traceback" not in stderr and stdout == ""
    assert not [k for k in kernels if _running(k)]
    assert list(out.glob(".tmp-*")) == []
    assert runs.current_latest(out) == good
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink()) == [good]


def test_the_next_run_removes_the_folders_of_dead_runs(tmp_path: Path) -> None:
    """A ``.tmp-*`` folder whose owner process is gone is removed; one whose owner runs (this process)
    is kept, and so is a young folder without an owner file."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    dead_pid = finished.pid
    for name, owner in ((".tmp-dead-1", dead_pid), (".tmp-live-2", os.getpid()), (".tmp-young-3", None)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "01_beta.html").write_text("half")
        if owner is not None:
            (tmp_path / name / runs.OWNER_FILE).write_text(f"{owner}\n")
    assert runs.remove_dead_tmp_folders(tmp_path) == [".tmp-dead-1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-live-2", ".tmp-young-3"]
    old = time.time() - runs.ORPHAN_AGE - 60
    os.utime(tmp_path / ".tmp-young-3", (old, old))
    assert runs.remove_dead_tmp_folders(tmp_path) == [".tmp-young-3"]


def test_a_signal_while_the_run_is_moved_into_place_waits(tmp_path: Path) -> None:
    """Inside ``deferred`` (moving the run folder, switching latest) a SIGTERM is held until the block
    ends, then raised as RunInterrupted with exit code 143."""
    guard = runner._SignalGuard()
    before = signal.getsignal(signal.SIGTERM)
    reached_end = False
    with pytest.raises(runner.RunInterrupted) as info, guard:
        with guard.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)
            reached_end = True
        guard.raise_pending("the run had finished")
    assert reached_end and info.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) == before  # the handler of before the run is back
