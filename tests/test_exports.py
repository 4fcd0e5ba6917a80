"""Safe exports (issue 16, point 6): ``export_dir`` is the caller's folder, never a system folder, and a
file crmbook did not write is never overwritten.

Before: a relative ``export_dir`` was resolved against the notebooks' folder (``-p export_dir ../..``
wrote above the checkout), ``-p export_dir /etc`` wrote into /etc, same-named files were overwritten.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crmbook import cli
from crmbook import segmentation as seg
from crmbook.outputs import EXPORT_MANIFEST, claim_export, export_folder, record_export
from crmbook.report import runner


def test_a_relative_folder_is_the_callers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert export_folder("lists") == tmp_path / "lists"
    assert export_folder("a/../b", base=tmp_path / "x") == tmp_path / "x" / "b"


@pytest.mark.parametrize("folder", ["/", "/etc", "/etc/cron.d", "/usr/local/share/lists", "/var/lib/x",
                                    sys.prefix, str(Path(seg.__file__).parents[1] / "lists")])
def test_system_and_installation_folders_are_refused(folder: str) -> None:
    with pytest.raises(ValueError, match="is a system or installation folder"):
        export_folder(folder)


def test_tmp_folders_and_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    assert export_folder("/var/tmp/crmbook-lists") == Path("/var/tmp/crmbook-lists")
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        export_folder(tmp_path / "f")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root may write any folder, so a read-only folder cannot be shown as root")
def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ValueError, match="cannot be written"):
        export_folder(locked / "lists")


def _assignments() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "segment": ["champions", "at_risk", "champions"]})
    c = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["Ann", "Bo", "Cy"]})
    return a, c


def test_a_file_crmbook_did_not_write_is_never_overwritten(tmp_path: Path) -> None:
    """The analyst's own ``segment_champions.csv`` stays as it was, and nothing else is written either
    (``segment_at_risk.csv`` does not appear): all or nothing."""
    a, c = _assignments()
    mine = tmp_path / "segment_champions.csv"
    mine.write_text("my own list\n", encoding="utf-8")
    with pytest.raises(FileExistsError, match=r"already holds segment_champions\.csv, which crmbook did not write"):
        seg.export_segments(a, tmp_path, customers=c)
    assert mine.read_text(encoding="utf-8") == "my own list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segment_champions.csv"]


def test_crmbook_may_overwrite_what_it_wrote_and_lists_it(tmp_path: Path) -> None:
    """Two exports into one folder: the second replaces the first's files (ids C1 and C3 of champions),
    and the manifest lists both files."""
    a, c = _assignments()
    first = seg.export_segments(a, tmp_path / "out", customers=c)
    a.loc[2, "segment"] = "at_risk"
    second = seg.export_segments(a, tmp_path / "out", customers=c)
    assert [p.name for p in first] == [p.name for p in second] == ["segment_at_risk.csv", "segment_champions.csv"]
    assert pd.read_csv(tmp_path / "out" / "segment_champions.csv")["customer_id"].tolist() == ["C1"]
    manifest = (tmp_path / "out" / EXPORT_MANIFEST).read_text(encoding="utf-8")
    assert "segment_at_risk.csv" in manifest and "segment_champions.csv" in manifest


def test_claim_and_record_directly(tmp_path: Path) -> None:
    folder = claim_export(tmp_path / "new" / "deep", ["a.csv"])
    assert folder.is_dir()
    (folder / "a.csv").write_text("1")
    record_export(folder, [folder / "a.csv"])
    assert claim_export(folder, ["a.csv", "b.csv"]) == folder
    (folder / "b.csv").write_text("theirs")
    with pytest.raises(FileExistsError, match="b.csv"):
        claim_export(folder, ["a.csv", "b.csv"])


def _exporter_notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('data: str = "sample"  # data\nexport_dir: str = ""  # folder for lists')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, folder / "05_exporter.ipynb")
    return folder


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_the_runner_hands_the_kernel_the_callers_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``-p export_dir lists`` from ``tmp_path``: the notebook gets ``<tmp_path>/lists``, absolute (the
    kernel starts in the notebooks' folder ``nbs/``, where a relative path would have landed)."""
    seen: list[dict] = []

    def fake(topic, params, out_ipynb, **kwargs):
        seen.append(dict(params))
        nb = nbformat.v4.new_notebook()
        nbformat.write(nb, out_ipynb)
        return nb, None

    monkeypatch.setattr(runner, "execute_topic", fake)
    notebooks = _exporter_notebooks(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, _, err = _cli(["run", "--data", "sample", "-p", "export_dir", "lists", "--notebooks", str(notebooks),
                         "--out", str(tmp_path / "r")])
    assert code == 0, err
    assert seen == [{"export_dir": str(tmp_path / "lists"), "data": "sample"}]


def test_the_runner_refuses_a_system_folder_before_any_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "execute_topic", lambda *a, **k: pytest.fail("a kernel was started"))
    notebooks = _exporter_notebooks(tmp_path)
    code, _, err = _cli(["run", "--data", "sample", "-p", "export_dir", "/etc", "--notebooks", str(notebooks),
                         "--out", str(tmp_path / "r")])
    assert code == 2
    assert err == ("crmbook run: parameter 'export_dir': export folder /etc is a system or installation folder; "
                   "crmbook exports only into a folder of your own (e.g. ~/crm-exports or a folder beside your "
                   "data)\n")
