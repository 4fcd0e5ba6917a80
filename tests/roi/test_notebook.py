"""Notebook 05_roi end to end under Papermill: on the sample and on a folder with only customers and orders."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runs import kpis as _kpis
from notebook_runs import run_notebook
from notebook_runs import texts as _texts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "05_roi.ipynb"
SAMPLE = ROOT / "datasets" / "sample"



def _outputs(nb):
    """(everything shown, the KPIs recorded) of an executed notebook."""
    return _texts(nb), _kpis(nb)


def _run(tmp_path: Path, **parameters):
    return _outputs(run_notebook(NOTEBOOK, tmp_path, **parameters))


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    text, kpis = _run(tmp_path)
    assert {"customer_roi", "clv_mean_course", "clv_mean_retention", "campaign_roi_cmp2025c"} <= set(kpis)
    assert any(k.startswith("ltv_cac_") for k in kpis)
    assert "selection bias" in text and "not attempted yet" in text.lower()
    assert "is skipped" not in text


@pytest.mark.slow
def test_notebook_runs_on_customers_and_orders_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for table in ("customers", "orders"):
        (data / f"{table}.csv").write_bytes((SAMPLE / f"{table}.csv").read_bytes())
    text, kpis = _run(tmp_path, data=str(data), language="zh")
    assert "跳过营销活动投资回报率一节" in text and "跳过渠道效果一节" in text and "跳过本节" in text
    assert "customer_roi" not in kpis and "clv_mean_retention" in kpis


@pytest.mark.slow
def test_notebook_runs_without_optional_columns(tmp_path):
    """No cost of goods, no tier, no acquisition channel: margins are revenue and the report says so."""
    import pandas as pd

    data = tmp_path / "bare"
    data.mkdir()
    pd.read_csv(SAMPLE / "customers.csv", dtype=str)[["customer_id", "signup_date"]].to_csv(
        data / "customers.csv", index=False)
    pd.read_csv(SAMPLE / "orders.csv", dtype=str)[["order_id", "customer_id", "order_date", "revenue"]].to_csv(
        data / "orders.csv", index=False)
    text, kpis = _run(tmp_path, data=str(data))
    assert "the margin is taken as revenue" in text
    assert "no member_tier column" in text and "LTV:CAC needs the costs table" in text
    assert "clv_mean_course" in kpis
