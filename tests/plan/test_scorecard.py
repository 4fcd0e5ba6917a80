"""The management scorecard: figures by hand, status against targets, the change from the previous run."""

import json

import pandas as pd
import pytest

from crmbook.facts import CustomerFacts
from crmbook.plan import previous_values, scorecard, scorecard_values


def test_values_by_hand() -> None:
    """Year 1 (2024): A, B, C bought; year 0 (2025): A, B, D -> retention 2/3. Year-0 buyers A (2 orders), B,
    D: repeat 1/3. Revenue 2025 = 60 + 10 + 30 = 100 vs 2024 = 80: growth +25%. NPS of 2025 answers 10, 9, 5,
    0 -> 50% - 50% = 0 (the 2024 answer is left out)."""
    customers = pd.DataFrame({"customer_id": list("ABCD")})
    orders = pd.DataFrame({"customer_id": list("ABCAAB") + ["D"],
                           "order_date": ["2024-03-01", "2024-04-01", "2024-05-01", "2025-02-01", "2025-03-01",
                                          "2025-04-01", "2025-05-01"],
                           "revenue": [40.0, 20.0, 20.0, 30.0, 30.0, 10.0, 30.0]})
    facts = CustomerFacts(customers, orders, "2025-12-31")
    surveys = pd.DataFrame({"customer_id": list("ABCDA"), "response_date": ["2025-01-05"] * 4 + ["2024-01-01"],
                            "nps": [10, 9, 5, 0, 0]})
    v = scorecard_values(facts, surveys=surveys)
    assert v["retention_rate"] == pytest.approx(200 / 3)
    assert v["repeat_rate"] == pytest.approx(100 / 3)
    assert v["revenue_growth"] == pytest.approx(25.0)
    assert v["nps"] == pytest.approx(0.0)
    assert pd.isna(v["campaign_roi"])
    card = scorecard(v, targets={"nps": 10}, previous={"nps": -5.0}).set_index("figure")
    assert card.loc["nps", "status"] == "below_target" and card.loc["nps", "change"] == pytest.approx(5.0)
    assert card.loc["revenue_growth", "status"] == "on_target"
    assert card.loc["campaign_roi", "status"] == "no_data"


def test_previous_values_from_kpis_json(tmp_path) -> None:
    (tmp_path / "kpis.json").write_text(json.dumps({"kpis": [
        {"topic": "customer_plan", "name": "score_nps", "value": 12.5},
        {"topic": "satisfaction", "name": "score_nps", "value": 99},
        {"topic": "customer_plan", "name": "plan_cost", "value": 1}]}))
    assert previous_values(tmp_path) == {"nps": 12.5}
    assert previous_values(tmp_path / "missing") == {}
