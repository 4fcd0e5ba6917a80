"""crmbook.data.sources: the reader picked for each kind of source, and what it shows of a database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from crmbook.data.schemas import table_order
from crmbook.data.sources import DatabaseSource, FolderSource, WorkbookSource, open_source
from crmbook.data.sources.base import RawTable, ReadAhead


def test_open_source_picks_the_reader_for_each_kind_of_source(tmp_path: Path) -> None:
    workbook = tmp_path / "crm.xlsx"
    pd.DataFrame({"customer_id": ["C1"]}).to_excel(workbook, sheet_name="customers", index=False)
    folder = open_source(str(tmp_path))
    assert folder == FolderSource(tmp_path.resolve())
    assert folder.describe() == f"folder {tmp_path.resolve()}"
    assert folder.expected("orders") == "a file orders.csv, orders.xlsx or orders.parquet"
    sample = open_source("sample")  # named, not by this machine's path
    assert sample.describe() == "the bundled sample (datasets/sample)" and sample.path.is_dir()
    book = open_source(workbook)
    assert book == WorkbookSource(workbook.resolve())
    assert book.expected("orders") == "a sheet named orders"
    assert [sheet for sheet in book.read({})[0]] == ["customers"]
    db = open_source(" sqlite:///crm.db ")
    assert isinstance(db, DatabaseSource) and db.describe() == "database sqlite:///crm.db"
    (tmp_path / "orders.csv").touch()
    with pytest.raises(ValueError, match="single .csv file"):
        open_source(tmp_path / "orders.csv")


def test_database_source_keeps_the_password_out_of_what_it_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_TEST_PASSWORD", "s3cret-pw")
    db = open_source("postgresql+psycopg://analyst@db.example:5432/crm", password_env="CRM_TEST_PASSWORD")
    assert db.url.password == "s3cret-pw"  # put into the URL, since the URL has none
    for text in (db.describe(), repr(db), str(db)):
        assert "s3cret-pw" not in text
    assert db.describe() == "database postgresql+psycopg://analyst:***@db.example:5432/crm"


def test_read_ahead_reads_in_the_order_given_one_at_a_time_and_close_cancels_the_rest() -> None:
    started: list[str] = []
    running = threading.Semaphore(1)
    gate = threading.Event()

    def reader(name: str):
        def read() -> RawTable:
            assert running.acquire(blocking=False), "two readings at once"
            try:
                started.append(name)
                if name == "orders":
                    gate.wait(5)
                return RawTable(name, None, f"{name}.csv", f"/x/{name}.csv", 2)
            finally:
                running.release()
        return read

    order = table_order()
    assert order.index("customers") < order.index("orders") < order.index("surveys")
    ahead = ReadAhead({name: reader(name) for name in ("customers", "orders", "surveys")})
    assert ahead["customers"].file == "customers.csv" and list(ahead) == ["customers", "orders", "surveys"]
    time.sleep(0.1)
    asked = time.monotonic()  # membership does not wait for a reading (surveys waits behind orders)
    assert "surveys" in ahead and "points" not in ahead and not gate.is_set()
    assert time.monotonic() - asked < 1
    ahead.close()  # orders is being read (waits on the gate): surveys is cancelled
    gate.set()
    assert ahead["orders"].table == "orders"
    time.sleep(0.1)
    assert started == ["customers", "orders"]
