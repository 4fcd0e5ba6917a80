"""Notebook 03_satisfaction end to end (Papermill): on the sample, without surveys, and with customers and
orders only."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runs import kpis as _kpis
from notebook_runs import run_notebook
from notebook_runs import texts as _texts

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_satisfaction.ipynb"
SAMPLE = ROOT / "datasets" / "sample"


def _folder(tmp_path: Path, tables) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for table in tables:
        (data / f"{table}.csv").write_bytes((SAMPLE / f"{table}.csv").read_bytes())
    return data



def _run(tmp_path: Path, **parameters):
    return run_notebook(NOTEBOOK, tmp_path, **parameters)


@pytest.mark.slow
def test_notebook_runs_on_the_sample_in_chinese(tmp_path):
    nb = _run(tmp_path, language="zh")
    text = _texts(nb)
    kpis = _kpis(nb)
    assert {"nps", "nps_low", "nps_high", "csat", "ces", "complaint_within_target", "repair_list"} <= set(kpis)
    assert kpis["nps_low"] <= kpis["nps"] <= kpis["nps_high"]
    assert "这些数据支持" in text  # the chain is supported on the sample, said in Chinese
    assert "质量" in text and "关系修复" in text


@pytest.mark.slow
def test_notebook_without_surveys_says_so_and_shows_the_complaints(tmp_path):
    nb = _run(tmp_path, data=str(_folder(tmp_path, ("customers", "orders", "contacts"))))
    text = _texts(nb)
    kpis = _kpis(nb)
    assert "There is no surveys table" in text and "No surveys table: this section is skipped." in text
    assert "complaints were recorded" in text and "complaint_within_target" in kpis
    assert "nps" not in kpis and kpis["repair_list"] > 0


@pytest.mark.slow
def test_notebook_with_customers_and_orders_only(tmp_path):
    nb = _run(tmp_path, data=str(_folder(tmp_path, ("customers", "orders"))))
    text = _texts(nb)
    assert "There is no surveys table" in text and "There is no contacts table" in text
    assert "No customer needs a relationship repair" in text
    assert _kpis(nb)["repair_list"] == 0
