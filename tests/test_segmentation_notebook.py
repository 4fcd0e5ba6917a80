"""Notebook 01_segmentation end to end (Papermill), and the segmentation against the sample's truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from notebook_runs import kpis as _kpis
from notebook_runs import run_notebook
from notebook_runs import texts as _texts

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_segmentation.ipynb"
SAMPLE = ROOT / "datasets" / "sample"
AS_OF = "2025-12-31"



def _run(tmp_path: Path, **parameters):
    return run_notebook(NOTEBOOK, tmp_path, **parameters)


@pytest.mark.slow
def test_notebook_runs_on_the_sample(tmp_path):
    nb = _run(tmp_path)
    text = _texts(nb)
    kpis = _kpis(nb)
    assert 0 < kpis["top20_revenue_share"] <= 100
    assert kpis["rfm_champions_customers"] > 0 and "rfm_champions_share" in kpis
    assert {"abc_a_customers", "abc_b_customers", "abc_c_customers", "penetration"} <= set(kpis)
    assert "not attempted yet" in text.lower()
    assert "no market table" not in text
    tags = [set(c.metadata.get("tags", [])) for c in nb.cells]
    assert "parameters" in tags[1]
    assert sum("exercise" in t for t in tags) >= 8


@pytest.mark.slow
def test_notebook_runs_on_customers_and_orders_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for table in ("customers", "orders"):
        (data / f"{table}.csv").write_bytes((SAMPLE / f"{table}.csv").read_bytes())
    export = tmp_path / "lists"
    nb = _run(tmp_path, data=str(data), export_dir=str(export))
    text = _texts(nb)
    assert "no market table" in text and "section is skipped" in text
    assert "top20_revenue_share" in _kpis(nb)
    files = sorted(export.glob("segment_*.csv"))
    assert files and all(pd.read_csv(f, dtype=str).columns.tolist() == ["customer_id"] for f in files)


@pytest.mark.slow
def test_notebook_runs_without_optional_columns(tmp_path):
    data = tmp_path / "bare"
    data.mkdir()
    pd.read_csv(SAMPLE / "customers.csv", dtype=str)[["customer_id", "signup_date"]].to_csv(
        data / "customers.csv", index=False)
    pd.read_csv(SAMPLE / "orders.csv", dtype=str)[["order_id", "customer_id", "order_date", "revenue"]].to_csv(
        data / "orders.csv", index=False)
    text = _texts(_run(tmp_path, data=str(data)))
    assert "class A is by revenue only" in text
    assert "demographic breakdown is skipped" in text and "purchase mix is skipped" in text


@pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="the sample's truth.json is not there")
def test_segmentation_finds_the_structure_the_generator_put_in():
    """Checked against the generator's per-customer truth: alive at the end, purchase rate lambda."""
    from crmbook.data import load

    ds = load("sample", as_of=AS_OF)
    from crmbook.sample import read_truth

    truth = read_truth(SAMPLE)["customers"]
    facts = CustomerFacts.from_dataset(ds)
    rfm = seg.rfm_segmentation(facts)
    abc = seg.abc_classes(facts)
    d = (rfm.merge(truth, on="customer_id").merge(abc[["customer_id", "abc_class"]], on="customer_id")
         .merge(ds["customers"][["customer_id", "account_type"]], on="customer_id"))
    prospects = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))["prospects"]["customer_id"]
    assert len(d) == len(rfm) - len(prospects) == len(truth)  # every buying customer has its truth
    assert (rfm.loc[rfm["customer_id"].isin(prospects), "segment"] == "no_purchase").all()
    # key accounts and agents are class A
    assert (d.loc[d["account_type"].isin(seg.ABC_KEY_ACCOUNT_TYPES), "abc_class"] == "A").all()
    # true expected orders in the next year: alive x lambda x 365
    d["future"] = d["alive_at_end"] * d["lambda_per_day"] * 365
    by_segment = d.groupby("segment")["future"].mean().sort_values()
    assert by_segment.index[-1] == "champions"  # the best future buyers
    assert set(by_segment.index[:4]) == {"cant_lose", "at_risk", "hibernating", "lost"}  # the worst
    top = d[d["future"] >= d["future"].quantile(0.9)]
    assert top["segment"].isin(["champions", "loyal"]).mean() > 0.6  # vs ~28% of all customers
    # customers who had truly dropped out are concentrated in the "slipping" segments
    dead = d[~d["alive_at_end"]]
    alive = d[d["alive_at_end"]]
    slipping = ["cant_lose", "at_risk", "hibernating", "lost"]
    assert dead["segment"].isin(slipping).mean() > 2 * alive["segment"].isin(slipping).mean()


def test_notebook_parameters_are_readable_by_papermill():
    import nbformat
    import papermill as pm

    params = pm.inspect_notebook(str(NOTEBOOK))
    shared = {"data", "as_of", "mapping", "currency", "mask_personal"}
    own = {"language", "rfm_bins", "abc_top_share", "abc_growth", "abc_max_gap_days", "k_min", "k_max", "seed", "target_split",
           "contacts_per_segment", "export_dir"}
    assert set(params) == shared | own
    assert all(p["inferred_type_name"] != "None" and p["help"] for p in params.values())
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert "parameters" in nb.cells[1].metadata.get("tags", [])
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(def|class)\s", code, flags=re.M)  # the library does the work


def test_notebook_cells_call_the_library_for_plumbing():
    """STYLE habit 1: windows, figure grids, crosstabs and interpretation sentences live in crmbook.segmentation."""
    import ast

    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c.source for c in nb.cells[2:] if c.cell_type == "code"]
    joined = "\n".join(code)
    for plumbing in ("DateOffset", "matplotlib", "plt.", "pd.crosstab", "idxmax", ".reindex("):
        assert plumbing not in joined, f"notebook 01 computes {plumbing!r} itself; call crmbook.segmentation"
    for index, source in enumerate(code):  # short analysis cells: no dict or list comprehension builds a result
        tree = ast.parse(source)
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.DictComp | ast.ListComp)], source
        assert index == 0 or len(source.splitlines()) <= 12, source  # the first is the imports and loading
