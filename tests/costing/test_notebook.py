"""Notebook 04_cost_accounting end to end (Papermill): on the sample, without a costs table, without cost
of goods."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from notebook_runs import kpis as _kpis
from notebook_runs import run_notebook
from notebook_runs import texts as _texts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04_cost_accounting.ipynb"
SAMPLE = ROOT / "datasets" / "sample"


def _copy(tmp_path: Path, drop_table: str | None = None, drop_column: tuple[str, str] | None = None) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("truth*"))
    if drop_table:
        (folder / f"{drop_table}.csv").unlink()
    if drop_column:
        table, column = drop_column
        df = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        df.drop(columns=column).to_csv(folder / f"{table}.csv", index=False)
    return folder



def _run(tmp_path: Path, **parameters):
    return run_notebook(NOTEBOOK, tmp_path, **parameters)


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    nb = _run(tmp_path)
    text = _texts(nb)
    kpis = _kpis(nb)
    assert {"unprofitable_share", "whale_peak", "top20_profit_share", "cac", "retention_cost_per_customer",
            "profit_total", "unprofitable_loss_share"} <= set(kpis)
    assert 100 < kpis["whale_peak"] < 300 and 0 < kpis["unprofitable_share"] < 100
    assert "reconcile to the cent" in text and "Kaplan and Narayanan (2001)" in text
    assert "pro rata" in text


@pytest.mark.slow
def test_notebook_in_chinese(tmp_path):
    text = _texts(_run(tmp_path, language="zh"))
    assert "鲸鱼曲线在" in text and "精确到分" in text


@pytest.mark.slow
def test_without_costs_it_falls_back_to_gross_margin_and_says_so(tmp_path):
    nb = _run(tmp_path, data=str(_copy(tmp_path, drop_table="costs")))
    text = _texts(nb)
    kpis = _kpis(nb)
    assert "There is no costs table" in text and "gross margin only" in text
    assert "cac" not in kpis and "unprofitable_share" in kpis


@pytest.mark.slow
def test_without_cost_of_goods_it_says_what_it_cannot_compute(tmp_path):
    nb = _run(tmp_path, data=str(_copy(tmp_path, drop_column=("orders", "cost_of_goods"))))
    text = _texts(nb)
    kpis = _kpis(nb)
    assert "cannot be computed" in text
    assert "unprofitable_share" not in kpis and "whale_peak" not in kpis and "cac" in kpis
