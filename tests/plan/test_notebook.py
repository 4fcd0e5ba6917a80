"""Notebook 06_customer_plan end to end under Papermill: on the sample (all tables) and on a folder with only
customers and orders; and two runs of the runner, the second comparing the first's plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_runs import kpis as _kpis
from notebook_runs import run_notebook
from notebook_runs import texts as _texts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "06_customer_plan.ipynb"
SAMPLE = ROOT / "datasets" / "sample"



def _outputs(nb):
    """(everything shown, the KPIs recorded) of an executed notebook."""
    return _texts(nb), _kpis(nb)


def _run(tmp_path: Path, **parameters):
    return _outputs(run_notebook(NOTEBOOK, tmp_path, **parameters))


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    text, kpis = _run(tmp_path)
    assert {"plan_customers", "plan_net_value", "plan_held_out", "score_nps", "score_campaign_roi"} <= set(kpis)
    assert "Uplift measured from campaigns with a control group" in text
    assert "There is no earlier plan to compare with" in text and "not attempted yet" in text.lower()


@pytest.mark.slow
def test_notebook_runs_on_customers_and_orders_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for table in ("customers", "orders"):
        (data / f"{table}.csv").write_bytes((SAMPLE / f"{table}.csv").read_bytes())
    text, kpis = _run(tmp_path, data=str(data), language="zh")
    assert "缺少：surveys、contacts、costs、campaigns 和 campaign\\_members" in text or "缺少：" in text
    assert "没有设对照组的营销活动" in text
    assert "score_nps" not in kpis and "score_retention_rate" in kpis and "plan_customers" in kpis


@pytest.mark.slow
def test_second_run_compares_the_first_runs_plan(tmp_path):
    """Run 1 at 2025-05-31 saves its plan beside its report; run 2 at 2025-07-31 finds it through the run
    folders and compares (the sample's campaign CMP2025C, June 2025, splits planned customers at random)."""
    import nbformat

    from crmbook.report import run_reports

    first = run_reports(["customer_plan"], data="sample", as_of="2025-05-31", out=tmp_path, stream=None)
    assert first.ok and (first.folder / "06_customer_plan_files" / "plan.csv").is_file()
    second = run_reports(["customer_plan"], data="sample", as_of="2025-07-31", out=tmp_path, stream=None)
    assert second.ok
    text, kpis = _outputs(nbformat.read(second.folder / "06_customer_plan.ipynb", as_version=4))
    assert f"(run {first.run_id})" in text
    assert "pva_uplift" in kpis and kpis["pva_uplift"] > 0
