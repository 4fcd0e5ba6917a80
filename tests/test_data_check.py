"""crmbook.data_check on a tiny hand-written data set, and notebook 00 end to end with Papermill."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from crmbook import data_check as dc  # noqa: E402
from crmbook.data import check  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_data_check.ipynb"

CUSTOMERS = """customer_id,signup_date,region,acquisition_channel,birth_date
C1,2024-01-10,North,store,1980-05-01
C2,2024-02-03,North,online_ads,
C3,2024-03-15,South,store,1990-07-12
"""
# 6 rows: O6 has a negative revenue and is set aside; C3 never buys.
# Usable: Jan 2024 (O1 100), Mar 2024 (O2 50, O3 30), no order in Feb 2024, Apr 2024 (O4 20, O5 200).
ORDERS = """order_id,customer_id,order_date,revenue
O1,C1,2024-01-20,100
O2,C1,2024-03-01,50
O3,C2,2024-03-05,30
O4,C2,2024-04-09,20
O5,C1,2024-04-30,200
O6,C2,2024-04-30,-5
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "orders.csv").write_text(ORDERS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ds(tiny):
    return check(tiny, as_of="2024-12-31")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_tables_overview_reconciles_rows(ds):
    view = dc.tables_overview(ds).set_index("table")
    assert list(view.index[:2]) == ["customers", "orders"]
    orders = view.loc["orders"]
    assert (orders.rows_read, orders.rows_used, orders.rows_rejected) == (6, 5, 1)
    assert bool(orders.present) and bool(orders.required)
    assert not view.loc["surveys", "present"] and view.loc["surveys", "rows_read"] == 0
    assert (view.rows_read == view.rows_used + view.rows_rejected).all()
    assert view.loc["customers", "columns"] == "5 of 12"


def test_date_coverage_counts_calendar_months(ds):
    cov = dc.date_coverage(ds).set_index("table")
    assert cov.loc["orders", "first"] == pd.Timestamp("2024-01-20").date()
    assert cov.loc["orders", "last"] == pd.Timestamp("2024-04-30").date()
    assert cov.loc["orders", "months"] == 4  # Jan, Feb, Mar, Apr
    assert cov.loc["customers", "months"] == 3
    assert "surveys" not in cov.index


def test_missing_values_reports_gaps_and_absent_columns(ds):
    gaps = dc.missing_values(ds).set_index(["table", "column"])
    assert gaps.loc[("customers", "birth_date"), "missing"] == 1
    assert gaps.loc[("customers", "birth_date"), "missing_share"] == pytest.approx(1 / 3)
    assert gaps.loc[("customers", "gender"), "status"] == "column absent"
    assert gaps.loc[("orders", "revenue"), "status"] == "complete"
    assert gaps.loc[("customers", "customer_id"), "required"]


def test_monthly_activity_fills_empty_months(ds):
    act = dc.monthly_activity(ds["orders"])
    assert [str(m) for m in act["month"]] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert act["orders"].tolist() == [1, 0, 2, 2]
    assert act["customers"].tolist() == [1, 0, 2, 2]
    assert act["revenue"].tolist() == [100, 0, 80, 220]


def test_monthly_activity_of_no_orders_is_empty():
    empty = pd.DataFrame({"order_date": pd.to_datetime([]), "revenue": [], "customer_id": []})
    assert dc.monthly_activity(empty).empty


def test_category_counts_skips_absent_columns(ds):
    counts = dc.category_counts(ds["customers"])
    assert set(counts["column"]) == {"acquisition_channel", "region"}
    north = counts[(counts["column"] == "region") & (counts["value"] == "North")].iloc[0]
    assert north.customers == 2 and north.share == pytest.approx(2 / 3)


def test_topic_readiness_names_what_is_missing(ds):
    ready = dc.topic_readiness(ds).set_index("analysis")
    assert ready.loc["RFM scores and segments", "ready"]
    assert not ready.loc["penetration and market share", "ready"]
    assert ready.loc["penetration and market share", "reason"] == "no market table"
    assert ready.loc["ABC classes with the two-year growth rule", "reason"] == "orders cover 4 months, 36 needed"
    assert "no customers.account_type values" in ready.loc["key accounts / agents in class A", "reason"]
    assert ready.loc["NPS, CSAT and CES", "reason"] == "no surveys table"


def test_findings_report_set_aside_rows_and_absent_tables(ds):
    text = " ".join(dc.findings(ds, currency="CNY"))
    assert "1 of 9 rows (11.1%) were set aside" in text
    assert "negative revenue" in text
    assert "Optional tables absent: surveys" in text
    assert "3 customers and 5 orders are usable, with revenue of 400 CNY" in text


def test_exercises_expected_answers(ds):
    ex = dc.exercises(ds)
    assert ex.q1.check(5).correct and not ex.q1.check(6).correct
    assert ex.q2.check(2.5).correct  # 5 usable orders by 2 buyers
    assert ex.q3.check("surveys").correct and ex.q3.check("orders").status == "wrong"
    assert ex.q1.check(...).status == "unattempted"


def test_plots_draw_into_given_axes(ds):
    _, axes = plt.subplots(1, 3)
    assert dc.plot_reconciliation(dc.tables_overview(ds), ax=axes[0]) is axes[0]
    assert dc.plot_monthly_activity(dc.monthly_activity(ds["orders"]), currency="CNY", ax=axes[1]) is axes[1]
    assert axes[1].get_ylabel() == "Revenue (CNY)"
    assert dc.plot_order_values(ds["orders"], ax=axes[2]) is axes[2]
    assert sum(p.get_height() for p in axes[2].patches) == 5


# ----------------------------------------------------------------------------------------------------
# Notebook 00 end to end
# ----------------------------------------------------------------------------------------------------

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
    assert kpis["rows_set_aside"] == 0
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
    assert "Optional tables absent: contacts, costs, campaigns, campaign_members, market" in text


@pytest.mark.slow
def test_notebook_00_fails_loudly_on_unusable_data(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as err:
        _run(tmp_path, data=str(ROOT / "tests" / "fixtures" / "unusable"))
    assert "DataError" in str(err.value)
    partial = json.loads((tmp_path / "00_data_check.out.ipynb").read_text(encoding="utf-8"))
    assert "required column" in _text(partial)  # the problems were shown before the run stopped
