"""Plan storage and plan vs actual on a hand-made two-run history."""

import json

import pandas as pd
import pytest

from crmbook.facts import CustomerFacts
from crmbook.plan import outcome_summary, plan_vs_actual, previous_plan, read_plan, save_plan, uplift_estimate


def _run(reports, run_id, as_of, plan=None, status="ok", data="/d"):
    folder = reports / run_id
    folder.mkdir(parents=True)
    entry = {"topic": "06_customer_plan", "status": status, "parameters": {"data": data, "as_of": as_of}}
    (folder / "run.json").write_text(json.dumps({"run_id": run_id, "status": status, "started": run_id,
                                                 "data": data, "as_of": as_of, "notebooks": [entry]}))
    if plan is not None:
        save_plan(plan, as_of, folder / "06_customer_plan_files")


PLAN = pd.DataFrame({"customer_id": ["A", "B", "C", "D", "E", "F"],
                     "action": ["win_back_call"] * 4 + ["retention_offer"] * 2,
                     "channel": ["phone"] * 4 + ["sms"] * 2, "cost": [10.0] * 4 + [1.0] * 2,
                     "expected_value": [20.0] * 6, "holdout": [False, False, True, False, False, True]})


def _facts(as_of="2025-03-31"):
    customers = pd.DataFrame({"customer_id": list("ABCDEFG"), "signup_date": ["2023-01-01"] * 7})
    orders = pd.DataFrame({
        "customer_id": ["A", "A", "B", "C", "C", "D", "E", "F", "G"],
        "order_date": ["2024-06-01", "2025-02-10",   # A: bought again after the plan (repurchase, 100)
                       "2024-01-15",                 # B: nothing since; last order > 365 days before 03-31 -> lapsed
                       "2024-11-01", "2025-03-01",   # C (held out): bought again (50)
                       "2024-12-01",                 # D: nothing since, last order 120 days ago: not lapsed
                       "2024-10-01",                 # E: nothing since
                       "2024-10-01",                 # F (held out): nothing since
                       "2025-01-05"],                # G: not planned
        "revenue": [80.0, 100.0, 30.0, 40.0, 50.0, 60.0, 70.0, 20.0, 10.0]})
    return CustomerFacts(customers, orders, as_of)


CONTACTS = pd.DataFrame({"customer_id": ["A", "B", "E", "D", "F"],
                         "contact_date": ["2025-01-10", "2025-01-11", "2025-01-12", "2024-12-20", "2025-01-15"],
                         "type": ["call", "call", "campaign_touch", "call", "complaint"]})


def test_the_next_run_finds_the_previous_good_plan(tmp_path) -> None:
    """Three runs: 2024-12-31 ok with a plan, 2025-01-31 failed with a plan, 2025-03-31 (now). The plan
    found for a run at 2025-03-31 is the ok one of 2024-12-31 (a failed run does not count; a plan dated at or
    after the new date does not either)."""
    _run(tmp_path, "20250101-000000-aaaaaa", "2024-12-31", PLAN)
    _run(tmp_path, "20250201-000000-bbbbbb", "2025-01-31", PLAN.iloc[:2], status="failed")
    _run(tmp_path, "20250401-000000-cccccc", "2025-03-31", PLAN.iloc[:1])
    found, info = previous_plan(tmp_path, before="2025-03-31", data="/d")
    assert info["run_id"] == "20250101-000000-aaaaaa" and len(found) == 6
    assert found.attrs["plan_as_of"] == pd.Timestamp("2024-12-31")
    assert previous_plan(tmp_path, before="2024-12-31")[1] == {"reason": "no_run"}
    assert previous_plan(tmp_path, before="2025-03-31", data="/other")[0] is None


def test_plan_vs_actual_by_hand(tmp_path) -> None:
    """Plan of 2024-12-31, compared at 2025-03-31 (90 days).

    Contacted after the plan by an outreach: A (call), B (call), E (campaign touch); D's call is before the
    plan, F's complaint is not an outreach. Held out: C, F. So groups: contacted A, B, E; not_contacted D;
    held_out C, F. Repurchased since: A (100), C (50). Lapsed: B (last order 2024-01-15, 441 days).
    Contacted (not held out: A, B, D, E) repurchase 1/4 vs held out (C, F) 1/2: uplift -0.25 on the holdout
    basis; revenue 100/4 - 50/2 = 0. By group: contacted 1/3, not_contacted 0/1, held_out 1/2.
    """
    path = save_plan(PLAN, "2024-12-31", tmp_path)
    plan = read_plan(path)
    out = plan_vs_actual(plan, _facts(), CONTACTS)
    assert out.attrs["days"] == 90 and out.attrs["unknown"] == 0
    got = out.set_index("customer_id")
    assert got["group"].to_dict() == {"A": "contacted", "B": "contacted", "C": "held_out", "D": "not_contacted",
                                      "E": "contacted", "F": "held_out"}
    assert got["repurchased"].to_dict() == {"A": True, "B": False, "C": True, "D": False, "E": False, "F": False}
    assert got["revenue_since"].to_dict() == {"A": 100.0, "B": 0.0, "C": 50.0, "D": 0.0, "E": 0.0, "F": 0.0}
    assert got["lapsed"].to_dict() == {"A": False, "B": True, "C": False, "D": False, "E": False, "F": False}
    s = outcome_summary(out).set_index("group")
    assert s["customers"].to_dict() == {"contacted": 3, "held_out": 2, "not_contacted": 1}
    assert s["repurchase_rate"].to_dict() == pytest.approx({"contacted": 1 / 3, "held_out": 0.5, "not_contacted": 0.0})
    u = uplift_estimate(out)
    assert u["basis"] == "holdout" and u["randomised"]
    assert u["repurchase_uplift"] == pytest.approx(0.25 - 0.5) and u["revenue_uplift"] == pytest.approx(0.0)


def test_without_holdout_the_comparison_is_selection_and_said_so() -> None:
    """No holdout: contacted A, B, C? No - C has no outreach: contacted A, B, E (1/3 repurchase), not
    contacted C, D, F (1/3: C bought). Uplift 0 on the selection basis, flagged not randomised."""
    out = plan_vs_actual(PLAN.assign(holdout=False), _facts(), CONTACTS, plan_as_of="2024-12-31")
    u = uplift_estimate(out)
    assert u["basis"] == "selection" and not u["randomised"]
    assert u["repurchase_uplift"] == pytest.approx(1 / 3 - 1 / 3)


def test_unknown_customers_counted_and_bad_dates_refused() -> None:
    plan = pd.concat([PLAN, pd.DataFrame({"customer_id": ["Z"], "action": ["x"]})], ignore_index=True)
    out = plan_vs_actual(plan, _facts(), None, plan_as_of="2024-12-31")
    assert out.attrs["unknown"] == 1 and len(out) == 6 and set(out["group"]) == {"planned", "held_out"}
    with pytest.raises(ValueError, match="must be before the analysis date"):
        plan_vs_actual(PLAN, _facts(), None, plan_as_of="2025-03-31")


def test_a_control_group_contacted_like_the_others_is_not_used() -> None:
    """Held out: C and F, and both were reached by a call after the plan (2 of 2 = 100% against A, B, E of
    A, B, D, E = 75%): the control group was not kept; the estimate falls back to contacted (A, B, E; C
    and F are now contacted too but stay 'held_out') vs not contacted (D): selection."""
    contacts = pd.concat([CONTACTS, pd.DataFrame({"customer_id": ["C", "F"], "contact_date": ["2025-01-20"] * 2,
                                                  "type": ["call", "call"]})], ignore_index=True)
    out = plan_vs_actual(PLAN, _facts(), contacts, plan_as_of="2024-12-31")
    assert out.attrs["holdout_ignored"] and out.attrs["held_out_contacted"] == 2
    assert out.attrs["held_out_contacted_share"] == 1.0 and out.attrs["contacted_share"] == 0.75
    u = uplift_estimate(out)
    assert u["basis"] == "selection" and not u["randomised"]
