"""The 360 view keeps every customer once, including those who never bought; missing tables are said."""

import pandas as pd
import pytest

from crmbook.facts import CustomerFacts
from crmbook.plan import VIEW_COLUMNS, crm_import_layout, customer_360


def _facts() -> CustomerFacts:
    """Five customers: C1-C3 buy often over three years, C4 bought once long ago, C5 never bought."""
    rows = []
    for cid, n in (("C1", 12), ("C2", 8), ("C3", 5)):
        for k in range(n):
            rows.append((cid, pd.Timestamp("2023-01-15") + pd.Timedelta(days=85 * k + 7 * int(cid[1])), 100.0 + k))
    rows.append(("C4", pd.Timestamp("2023-02-01"), 50.0))
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C5"],
                              "signup_date": ["2023-01-01"] * 5,
                              "member_tier": ["gold", "silver", "bronze", "bronze", "bronze"]})
    return CustomerFacts(customers, orders, "2025-12-31")


def test_every_customer_once_with_the_customers_and_orders_only() -> None:
    """5 customers in, 5 rows out, ids unique and equal to the customers table; C5 (no order) has frequency
    0 and no CLV value of its own but a row. Without surveys/contacts/costs their columns are empty and the
    reason names the table."""
    f = _facts()
    view = customer_360(f, clv_method="course")
    assert list(view.columns) == list(VIEW_COLUMNS)
    assert view["customer_id"].tolist() == ["C1", "C2", "C3", "C4", "C5"]
    assert view.loc[view["customer_id"] == "C5", "frequency"].item() == 0
    assert view["member_tier"].tolist() == ["gold", "silver", "bronze", "bronze", "bronze"]
    assert view["nps"].isna().all() and view.attrs["missing"]["nps"] == "surveys"
    assert view.attrs["missing"]["open_complaints"] == "contacts"
    # no costs table and no cost of goods: the P&L would be the revenue, so there is no profit column
    assert view["profit"].isna().all() and view.attrs["missing"]["profit"] == "costs, orders.cost_of_goods"
    assert view.attrs["margin_basis"] == "default" and view.attrs["margin_rate"] == pytest.approx(0.35)
    # C4's yearly value: nothing last year, 50 over a tenure of ~3 years -> 50 / 3.0 x 0.35
    c4 = view.set_index("customer_id").loc["C4"]
    assert c4["annual_revenue"] == 0 and c4["annual_value"] == pytest.approx(50 / (1095 / 365.25) * 0.35, rel=1e-3)


def test_latest_survey_and_open_complaints() -> None:
    """C1 answered NPS 3 then 9: latest 9. C2 has two complaints, one resolved: one open."""
    f = _facts()
    surveys = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "response_date": ["2024-01-01", "2025-06-01", "2025-01-01"],
                            "nps": [3, 9, 6], "csat": [2, 5, 3]})
    contacts = pd.DataFrame({"customer_id": ["C2", "C2", "C3"], "contact_date": ["2025-01-01", "2025-02-01", "2025-03-01"],
                             "type": ["complaint", "complaint", "service_call"], "resolved": [True, False, False]})
    view = customer_360(f, surveys=surveys, contacts=contacts, clv_method="course").set_index("customer_id")
    assert view.loc["C1", "nps"] == 9 and view.loc["C1", "csat"] == 5 and view.loc["C2", "nps"] == 6
    assert view["open_complaints"].to_dict() == {"C1": 0, "C2": 1, "C3": 0, "C4": 0, "C5": 0}


def test_hubspot_layout_masks_personal_data_by_default() -> None:
    view = pd.DataFrame({"customer_id": ["C1", "C2"], "stage": ["loyal", "lapsed"], "segment": ["x", "y"]})
    plan = pd.DataFrame({"customer_id": ["C2"], "action": ["win_back_call"], "channel": ["phone"],
                         "expected_value": [5.0], "holdout": [False]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "email": ["a@x.cn", "b@x.cn"]})
    out = crm_import_layout(view, plan, as_of="2025-12-31", customers=customers)
    assert "Email" not in out.columns
    assert out["Lifecycle Stage"].tolist() == ["evangelist", "other"]
    assert out["Next Action"].tolist()[1] == "win_back_call" and pd.isna(out["Next Action"].iloc[0])
    assert out["Plan Date"].tolist()[1] == "2025-12-31" and pd.isna(out["Plan Date"].iloc[0])
    shown = crm_import_layout(view, plan, customers=customers, mask_personal=False)
    assert shown["Email"].tolist() == ["a@x.cn", "b@x.cn"]
