"""Notebook 02_lifecycle end to end (Papermill): on the sample, and on a folder with only customers and
orders (the sections needing other tables say so in one sentence)."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runs import kpis as _kpis
from notebook_runs import run_notebook
from notebook_runs import texts as _texts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "02_lifecycle.ipynb"
SAMPLE = ROOT / "datasets" / "sample"



def _run(tmp_path: Path, **parameters):
    return run_notebook(NOTEBOOK, tmp_path, **parameters)


@pytest.mark.slow
def test_notebook_runs_on_customers_and_orders_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for table in ("customers", "orders"):
        (data / f"{table}.csv").write_bytes((SAMPLE / f"{table}.csv").read_bytes())
    nb = _run(tmp_path, data=str(data), language="en")
    text = _texts(nb)
    assert "There is no contacts table" in text
    assert "Revisits are planned without a visit history: the data has no contacts table." in text
    kpis = _kpis(nb)
    assert {"active_customers", "retention_rate", "median_lifetime_days", "at_risk_revenue",
            "won_back_customers", "contacts_planned"} <= set(kpis)
    assert 0 < kpis["retention_rate"] < 100 and kpis["active_customers"] > 0


@pytest.mark.slow
def test_notebook_runs_without_optional_columns_in_chinese(tmp_path):
    import pandas as pd

    data = tmp_path / "bare"
    data.mkdir()
    pd.read_csv(SAMPLE / "customers.csv", dtype=str)[["customer_id", "signup_date"]].to_csv(
        data / "customers.csv", index=False)
    pd.read_csv(SAMPLE / "orders.csv", dtype=str)[["order_id", "customer_id", "order_date", "revenue"]].to_csv(
        data / "orders.csv", index=False)
    text = _texts(_run(tmp_path, data=str(data), language="zh"))
    assert "未绘制各获客渠道的留存曲线" in text and "未比较各获客渠道的生存曲线" in text
    assert "未安排生日问候" in text and "未安排定期拜访" in text
