"""Snapshots (crmbook.data.snapshot): a checked data set written once and read back unchanged; the cache
of :func:`crmbook.data.load` keyed by the files' bytes; the run's one check read by its notebooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import data
from crmbook.data import snapshot
from crmbook.data.loader import check as real_check
from crmbook.facts import CustomerFacts
from crmbook.sample import SAMPLE_DIR

AS_OF = "2025-12-31"


def _assert_same(a: data.Dataset, b: data.Dataset) -> None:
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    pd.testing.assert_frame_equal(a.rejected, b.rejected, check_exact=True)
    assert a.problems == b.problems
    assert (a.absent, a.as_of, a.sources, a.origin, a.encodings, a.ignored) == \
           (b.absent, b.as_of, b.sources, b.origin, b.encodings, b.ignored)
    assert (a.rows_read, a.blank_rows, a.rows_outside_window) == (b.rows_read, b.blank_rows, b.rows_outside_window)
    assert a.summary() == b.summary()
    pd.testing.assert_frame_equal(a.reconciliation(), b.reconciliation())


@pytest.fixture(scope="module")
def sample_ds() -> data.Dataset:
    return data.check("sample", as_of=AS_OF)


def test_a_snapshot_reads_back_equal(tmp_path: Path, sample_ds: data.Dataset) -> None:
    """Every table (dtypes, values), the rows set aside, the problems and the account come back as written."""
    assert sample_ds.problems and len(sample_ds.rejected)  # the sample has defects: they must survive too
    folder = snapshot.write_snapshot(sample_ds, tmp_path / "snap")
    _assert_same(sample_ds, snapshot.read_snapshot(folder))


def _facts_equal(a: CustomerFacts, b: CustomerFacts) -> None:
    np.testing.assert_array_equal(a.order_rows, b.order_rows)
    pd.testing.assert_frame_equal(a.base, b.base, check_exact=True)
    for years in (1, 2, 3, 4):
        pd.testing.assert_frame_equal(a.yearly_revenue(years), b.yearly_revenue(years), check_exact=True)


def test_a_snapshot_carries_the_facts_a_kernel_would_compute(tmp_path: Path, sample_ds: data.Dataset) -> None:
    back = snapshot.read_snapshot(snapshot.write_snapshot(sample_ds, tmp_path / "snap"))
    assert sample_ds.precomputed == {} and back.precomputed
    taken = CustomerFacts.from_dataset(back)
    assert taken.base is back.precomputed["base"]  # taken, not computed again
    assert not taken.order_rows.flags.writeable
    # the same as facts computed from the checked tables, value by value and dtype by dtype
    _facts_equal(taken, CustomerFacts.from_dataset(sample_ds))


def test_facts_of_changed_tables_are_computed_again(tmp_path: Path, sample_ds: data.Dataset) -> None:
    back = snapshot.read_snapshot(snapshot.write_snapshot(sample_ds, tmp_path / "snap"))
    stored = back.precomputed["base"]
    # a column replaced (the buffers are read-only, so a change replaces it): revenue doubled
    orders = back.tables["orders"]
    orders["revenue"] = orders["revenue"] * 2
    doubled = CustomerFacts.from_dataset(back)
    assert doubled.base is not stored
    np.testing.assert_allclose(doubled.base["monetary"], stored["monetary"] * 2)
    # another frame in place of the one read (half the orders): its own facts
    back.tables["orders"] = orders.iloc[::2].reset_index(drop=True)
    half = CustomerFacts.from_dataset(back)
    assert half.base["frequency"].sum() == len(back.tables["orders"]) < stored["frequency"].sum()
    # an as_of before the last orders drops rows, so the stored facts do not fit: computed
    early = CustomerFacts(back.tables["customers"], back.tables["orders"], "2024-12-31",
                          precomputed=back.precomputed)
    assert early.base is not stored and early.base["last_order"].max() <= pd.Timestamp("2024-12-31")


def test_a_snapshot_of_unusable_data_stays_unusable(tmp_path: Path) -> None:
    src = tmp_path / "data"
    src.mkdir()
    (src / "customers.csv").write_text("customer_id,signup_date\nC1,2024-01-01\n", encoding="utf-8")
    ds = data.check(src, as_of=AS_OF)
    assert not ds.usable
    back = snapshot.read_snapshot(snapshot.write_snapshot(ds, tmp_path / "snap"))
    assert not back.usable and back.problem_report() == ds.problem_report()


def test_a_folder_that_is_no_snapshot_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a crmbook snapshot"):
        snapshot.read_snapshot(tmp_path)


def _copy_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "company"
    shutil.copytree(SAMPLE_DIR, folder)
    return folder


def test_load_reads_the_cache_for_the_same_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second load of unchanged files is not checked again; a changed byte, another as_of or
    another masking is (the fingerprint changes)."""
    monkeypatch.setenv(snapshot.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(snapshot.SNAPSHOT_ENV, raising=False)
    folder = _copy_sample(tmp_path)
    calls: list[str] = []

    def counting_check(source, **kw):
        calls.append(str(kw.get("as_of")))
        return real_check(source, **kw)

    monkeypatch.setattr("crmbook.data.loader.check", counting_check)
    first = data.load(folder, as_of=AS_OF)
    second = data.load(folder, as_of=AS_OF)
    assert len(calls) == 1
    _assert_same(first, second)
    data.load(folder, as_of="2025-06-30")
    data.load(folder, as_of=AS_OF, mask_personal=False)
    assert len(calls) == 3
    # one byte changed, same size: a revenue 1 digit different in the first order
    orders = folder / "orders.csv"
    text = orders.read_text(encoding="utf-8")
    lines = text.split("\n")
    header, row = lines[0].split(","), lines[1].split(",")
    col = header.index("revenue")
    row[col] = row[col][:-1] + ("1" if row[col][-1] != "1" else "2")
    lines[1] = ",".join(row)
    orders.write_text("\n".join(lines), encoding="utf-8")
    assert len(orders.read_bytes()) == len(text.encode("utf-8"))
    third = data.load(folder, as_of=AS_OF)
    assert len(calls) == 4
    assert third["orders"]["revenue"].iloc[0] != first["orders"]["revenue"].iloc[0]
    data.load(folder, as_of=AS_OF, cache=False)
    assert len(calls) == 5


def test_the_cache_sees_a_file_the_mapping_names_outside_the_folder(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The mapping may name a table's file anywhere: a change to it is a fresh check, not a stale table;
    and the same bytes in another folder are checked again (the tables name where they came from)."""
    monkeypatch.setenv(snapshot.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(snapshot.SNAPSHOT_ENV, raising=False)
    folder = _copy_sample(tmp_path)
    outside = tmp_path / "elsewhere" / "sales.csv"
    outside.parent.mkdir()
    shutil.move(folder / "orders.csv", outside)
    mapping = {"orders": {"file": str(outside)}}
    first = data.load(folder, as_of=AS_OF, mapping=mapping)
    text = outside.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    outside.write_text(header + "\n" + rest.split("\n", 1)[1], encoding="utf-8")  # the first order gone
    second = data.load(folder, as_of=AS_OF, mapping=mapping)
    assert second.rows_read["orders"] == first.rows_read["orders"] - 1
    moved = shutil.copytree(folder, tmp_path / "copy")
    assert data.load(moved, as_of=AS_OF, mapping=mapping).sources["customers"] != second.sources["customers"]


def test_the_cache_keeps_the_newest_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(snapshot.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(snapshot.SNAPSHOT_ENV, raising=False)
    folder = _copy_sample(tmp_path)
    for day in range(snapshot.CACHE_KEEP + 2):
        data.load(folder, as_of=f"2025-12-{20 + day}")
    kept = [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]
    assert len(kept) == snapshot.CACHE_KEEP


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(snapshot.CACHE_ENV, "off")
    assert snapshot.cache_dir() is None
    data.load(_copy_sample(tmp_path), as_of=AS_OF)  # works, stores nothing


def test_a_database_has_no_fingerprint() -> None:
    assert snapshot.fingerprint("postgresql+psycopg://a@db/crm", as_of=AS_OF) is None


def test_the_run_snapshot_is_what_check_and_load_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       sample_ds: data.Dataset) -> None:
    """Inside a run (SNAPSHOT_ENV set), check and load read the run's snapshot: even with the source gone."""
    folder = _copy_sample(tmp_path)
    ds = data.check(folder, as_of=AS_OF)
    key = snapshot.request_key(folder, as_of=AS_OF, mask_personal=True, password_env=data.DEFAULT_PASSWORD_ENV)
    snapshot.run_snapshot(tmp_path / "run", key, ds)
    shutil.rmtree(folder)
    monkeypatch.setenv(snapshot.SNAPSHOT_ENV, str(tmp_path / "run"))
    _assert_same(ds, data.check(folder, as_of=AS_OF))
    loaded = data.load(folder, as_of=pd.Timestamp(AS_OF))
    _assert_same(ds, loaded)
    assert CustomerFacts.from_dataset(loaded).base is loaded.precomputed["base"]  # a notebook takes the stored facts
    with pytest.raises(FileNotFoundError):  # another request is read from the source (gone)
        data.load(folder, as_of="2025-06-30")


@pytest.mark.slow
def test_a_run_checks_once_and_its_notebooks_read_that_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``crmbook run``: one check before the kernels; the notebooks succeed with the source removed right
    after it, so they read the run's snapshot; the snapshot folder is gone when the run ends."""
    from crmbook.report import runner

    folder = _copy_sample(tmp_path)
    made: list[Path] = []
    original = runner._check_data

    def check_then_remove_source(*args, **kwargs):
        out = original(*args, **kwargs)
        made.append(out)
        shutil.move(folder, tmp_path / "moved-away")
        return out

    monkeypatch.setattr(runner, "_check_data", check_then_remove_source)
    lines: list[str] = []

    class Stream:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

    result = runner.run_reports(["00", "02"], data=str(folder), as_of=AS_OF, out=tmp_path / "reports", jobs=2,
                                stream=Stream())
    assert result.ok, [f.error for f in result.failures]
    assert sum("data checked once for the run" in line for line in "".join(lines).splitlines()) == 1
    assert made and made[0] is not None and not made[0].exists()
