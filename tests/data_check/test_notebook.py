"""Notebook 00 end to end with Papermill: on the sample, on a broken but usable folder, in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmbook.data import check

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "00_data_check.ipynb"


def _run(tmp_path: Path, **parameters):
    import papermill as pm

    out = tmp_path / "00_data_check.out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(NOTEBOOK.parent),
                        kernel_name="python3", progress_bar=False)
    return json.loads(out.read_text(encoding="utf-8"))


def _kpis(nb) -> dict:
    found = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get("application/vnd.crmbook.kpi+json")
            if record:
                found[record["name"]] = record["value"]
    return found


def _text(nb) -> str:
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
            parts.append("".join(output.get("data", {}).get("text/markdown", "")))
    return "".join(p if isinstance(p, str) else "".join(p) for p in parts)


@pytest.mark.slow
def test_notebook_00_on_the_sample(tmp_path):
    nb = _run(tmp_path)
    ds = check("sample", as_of="2025-12-31")
    kpis = _kpis(nb)
    assert kpis["customers_used"] == len(ds["customers"])
    assert kpis["orders_used"] == len(ds["orders"])
    recon = ds.reconciliation()
    assert kpis["rows_set_aside"] == int(recon["rows_rejected"].sum()) == 10  # 8 orders + 2 contacts (the defects)
    assert kpis["revenue_total"] == pytest.approx(float(ds["orders"]["revenue"].sum()))
    assert kpis["history_months"] == 48
    assert "not attempted yet" in _text(nb).lower()


@pytest.mark.slow
def test_notebook_00_on_a_broken_but_usable_folder(tmp_path):
    """tests/fixtures/broken: the numbers below are those its README lists, counted by hand."""
    nb = _run(tmp_path, data=str(ROOT / "tests" / "fixtures" / "broken"))
    kpis = _kpis(nb)
    assert kpis["customers_used"] == 7
    assert kpis["orders_used"] == 7
    assert kpis["rows_set_aside"] == 10  # 1 customer + 8 orders + 1 survey
    text = _text(nb)
    assert "rows read 27 = used 17 + set aside 10" in text
    assert "Optional tables absent: contacts, costs, campaigns, campaign_members, market, points" in text


@pytest.mark.slow
def test_notebook_00_fails_loudly_on_unusable_data(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as err:
        _run(tmp_path, data=str(ROOT / "tests" / "fixtures" / "unusable"))
    assert "DataError" in str(err.value)
    partial = json.loads((tmp_path / "00_data_check.out.ipynb").read_text(encoding="utf-8"))
    assert "required column" in _text(partial)  # the problems were shown before the run stopped


@pytest.mark.slow
def test_notebook_00_in_chinese(tmp_path):
    nb = _run(tmp_path, language="zh")
    text = _text(nb)
    assert "共读取 49,109 行，其中 10 行（0.02%）被剔除" in text  # the sample's defects
    assert "尚未作答" in text  # exercise feedback in Chinese
    assert _kpis(nb)["history_months"] == 48
