"""Candidate actions: who gets which, the measured uplift replacing the default, the expected value."""

import pandas as pd
import pytest

from crmbook.plan import action_specs, candidate_actions, channel_costs, measured_uplifts


def _view() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"], "stage": ["at_risk", "lapsed", "loyal", "repeat"],
        "annual_value": [1000.0, 500.0, 800.0, 300.0], "member_tier": ["bronze", "gold", "gold", "platinum"],
        "account_type": ["retail", "retail", "retail", "key_account"], "nps": [9, None, 10, 4],
        "open_complaints": [0, 0, 0, 0], "days_to_birthday": [100, 5, 200, 300]})


CAMPAIGNS = pd.DataFrame({"campaign_id": ["K1", "K2"], "channel": ["sms", "sms"],
                          "start_date": ["2024-01-01", "2025-01-01"]})
MEMBERS = pd.DataFrame({"campaign_id": ["K1"] * 4 + ["K2"] * 5, "customer_id": list("abcdefghi"),
                        "group": ["treatment", "treatment", "control", "control", "treatment", "treatment",
                                  "treatment", "treatment", "control"],
                        "responded": [True, False, False, False, True, True, False, False, False],
                        "revenue": [10, 0, 0, 0, 20, 20, 0, 0, 0]})


def test_measured_uplift_latest_first() -> None:
    """K2: treated 2/4 = 0.5, control 0/1 -> 0.5; revenue 40/4 - 0 = 10. K1: 1/2 - 0/2 = 0.5."""
    up = measured_uplifts(CAMPAIGNS, MEMBERS)
    assert up["campaign_id"].tolist() == ["K2", "K1"]
    assert up.loc[0, "uplift"] == pytest.approx(0.5) and up.loc[0, "revenue_uplift"] == pytest.approx(10.0)
    assert measured_uplifts(None, MEMBERS).empty


def test_candidates_and_expected_values_by_hand() -> None:
    """A at risk: win-back call (0.08 x 1000 = 80) and the retention offer by sms (measured 0.5 -> 500), email,
    app push (defaults 0.02, 0.03). B lapsed: win-back call only (40); B's birthday is in 5 days but B has
    lapsed: no greeting. C loyal gold (below platinum): upgrade by email (0.02 x 800 = 16) and phone.
    D: key account, detractor (NPS 4): repair call (0.15 x 300 = 45) and follow-up visit; platinum: no upgrade."""
    c = candidate_actions(_view(), uplifts=measured_uplifts(CAMPAIGNS, MEMBERS), costs={"phone": 20.0})
    got = {(r.customer_id, r.action, r.channel): (r.expected_value, r.cost, r.rate_source) for r in c.itertuples()}
    assert set(got) == {("A", "win_back_call", "phone"), ("A", "retention_offer", "sms"),
                        ("A", "retention_offer", "email"), ("A", "retention_offer", "app_push"),
                        ("B", "win_back_call", "phone"), ("C", "upgrade_invitation", "email"),
                        ("C", "upgrade_invitation", "phone"), ("D", "repair_call", "phone"),
                        ("D", "follow_up_visit", "field")}
    assert got[("A", "win_back_call", "phone")] == (pytest.approx(80.0), 20.0, "default")
    assert got[("A", "retention_offer", "sms")][0] == pytest.approx(500.0)
    assert got[("A", "retention_offer", "sms")][2] == "measured"
    assert got[("A", "retention_offer", "email")][2] == "default"
    assert got[("D", "repair_call", "phone")][0] == pytest.approx(45.0)
    assert got[("C", "upgrade_invitation", "email")][0] == pytest.approx(16.0)


def test_channel_costs_mean_of_recorded_costs() -> None:
    contacts = pd.DataFrame({"channel": ["phone", "phone", "sms", "sms"], "cost": [10.0, 20.0, 0.0, None]})
    assert channel_costs(contacts) == {"phone": 15.0}
    assert set(action_specs()) >= {"repair_call", "win_back_call", "retention_offer"}
