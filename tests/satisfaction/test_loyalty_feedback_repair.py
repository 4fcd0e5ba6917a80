"""Satisfaction -> loyalty, the feedback classifier, complaint handling and the repair-list rules, by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crmbook import satisfaction as sat
from crmbook.facts import CustomerFacts


def test_logistic_fit_of_a_2x2_table_is_the_log_odds_ratio():
    """Exposed: 30 events of 50; unexposed: 10 of 50. OR = (30/20) / (10/40) = 6, coef = log 6 = 1.7918;
    se = sqrt(1/30 + 1/20 + 1/10 + 1/40) = sqrt(0.20833) = 0.45644 (Woolf)."""
    x = np.r_[np.ones(50), np.zeros(50)]
    y = np.r_[np.ones(30), np.zeros(20), np.ones(10), np.zeros(40)]
    fit = sat.logistic_fit(x[:, None], y)
    assert fit["coef"][1] == pytest.approx(math.log(6)) and fit["se"][1] == pytest.approx(0.45644, abs=1e-5)
    assert fit["coef"][0] == pytest.approx(math.log(10 / 40))


def test_logistic_fit_refuses_an_outcome_that_does_not_vary():
    with pytest.raises(ValueError, match="does not vary"):
        sat.logistic_fit(np.arange(5.0)[:, None], np.ones(5))


def _facts():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "account_type": ["retail", "agent", "retail", "retail"],
                              "signup_date": pd.to_datetime(["2023-01-01"] * 4)})
    orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c", "d"],
                           "order_date": pd.to_datetime(["2024-01-01", "2024-02-15", "2024-09-01", "2024-01-01",
                                                         "2025-06-01", "2024-01-01", "2024-01-01"]),
                           "revenue": [100.0, 50.0, 20.0, 300.0, 80.0, 40.0, 10.0]})
    return CustomerFacts(customers, orders, "2025-12-31")


def test_loyalty_outcomes_by_hand():
    """a answers on 2024-01-10 (NPS 10): orders 2024-02-15 (36 days: within 90 and 180, spend 50) and
    2024-09-01 (235 days: within 365) -> not churned; prior revenue 100 (2024-01-01).
    b answers 2024-01-10 (NPS 3), next order 2025-06-01 (508 days) -> churned, no repurchase.
    c answers only on 2025-06-01: too recent for a 365-day follow-up -> left out."""
    surveys = pd.DataFrame({"customer_id": ["a", "b", "c"], "nps": [10, 3, 8], "csat": [5, 2, 4],
                            "response_date": pd.to_datetime(["2024-01-10", "2024-01-10", "2025-06-01"])})
    out = sat.loyalty_outcomes(surveys, _facts()).set_index("customer_id")
    assert list(out.index) == ["a", "b"] and out.attrs["too_recent"] == 1
    assert bool(out.loc["a", "repurchase_90"]) and bool(out.loc["a", "repurchase_180"])
    assert out.loc["a", "spend_180"] == pytest.approx(50) and not out.loc["a", "churned"]
    assert out.loc["a", "prior_revenue"] == pytest.approx(100) and out.loc["a", "tenure_days"] == 374
    assert out.loc["b", "churned"] and not out.loc["b", "repurchase_180"]
    assert out.loc["a", "nps_group"] == "promoter" and out.loc["b", "nps_group"] == "detractor"
    by = sat.loyalty_by(out.reset_index())
    assert by["group"].tolist() == ["promoter", "detractor"] and by["churned"].tolist() == [0.0, 1.0]


def test_loyalty_effect_verdict_on_simulated_data():
    """Churn generated with logit = 1 - 0.3 NPS: the fit finds a coefficient near -0.3 and supports the chain."""
    rng = np.random.default_rng(7)
    n = 3000
    nps = rng.integers(0, 11, n).astype(float)
    tenure, prior = rng.integers(30, 2000, n), rng.gamma(2, 200, n)
    churned = rng.random(n) < 1 / (1 + np.exp(-(1 - 0.3 * nps)))
    outcomes = pd.DataFrame({"nps": nps, "churned": churned, "tenure_days": tenure, "prior_revenue": prior})
    e = sat.loyalty_effect(outcomes)
    assert e["coef"] == pytest.approx(-0.3, abs=0.05) and e["verdict"] == "supports"
    assert e["or_low"] < e["odds_ratio"] < e["or_high"] < 1
    outcomes["churned"] = ~churned  # the other way round contradicts it
    assert sat.loyalty_effect(outcomes)["verdict"] == "contradicts"


@pytest.mark.parametrize("comment,want", [
    ("Broke after a week", "product"),
    ("The PRICE is too high", "price"),
    ("priceless experience", "other"),                  # whole words only in English
    ("Too expensive for the quality", "price"),         # the keyword found first wins
    ("Great quality, fast delivery", "product"),
    ("Delivery a bit slow", "delivery"),
    ("客服不回复", "service"),
    ("这次的质量太差了", "product"),                        # Chinese: substring, no word boundaries needed
    ("等了两周才到货", "delivery"),
    ("性价比高", "price"),
    ("还可以", "other"),
    ("   ", None),
])
def test_keyword_classifier_in_english_and_chinese(comment, want):
    assert sat.classify_comment(comment) == want


def test_given_category_wins_and_own_keyword_file(tmp_path):
    surveys = pd.DataFrame({"customer_id": ["a", "b", "c"], "response_date": pd.to_datetime(["2025-01-01"] * 3),
                            "comment": ["slow delivery", "slow delivery", None],
                            "category": ["Price", "post_purchase", "service"]})
    out = sat.classify_comments(surveys)
    assert out["feedback_class"].tolist() == ["price", "delivery"]  # b: an occasion, not a class; c: no comment
    assert out["classified_by"].tolist() == ["category", "keywords"]
    rules = tmp_path / "kw.yaml"
    rules.write_text("en:\n  service: [slow]\nzh:\n  price: [贵]\n", encoding="utf-8")
    kw = sat.load_keywords(rules)
    assert kw.classify("so slow") == "service" and kw.classify("太贵") == "price"
    rules.write_text("en:\n  shipping: [late]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown class"):
        sat.load_keywords(rules)


def test_complaint_handling_and_repeats_by_hand():
    """Four complaints: a on 01-01 and 02-15 (45 days: a repeat within 90), b on 01-01 and 06-01 (151 days:
    not a repeat). Hours 10, 30, unknown, 20 -> 2 of 3 known within 24 h; resolved T, F, T, unknown -> 2/3."""
    contacts = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "a"], "type": ["complaint"] * 4 + ["chat"],
                             "contact_date": pd.to_datetime(["2025-01-01", "2025-02-15", "2025-01-01", "2025-06-01",
                                                             "2025-03-01"]),
                             "response_hours": [10, 30, np.nan, 20, 1], "resolved": [True, False, True, None, True]})
    c = sat.complaints(contacts)
    assert len(c) == 4 and c["repeat"].sum() == 1
    h = sat.complaint_handling(c).set_index("measure")
    assert h.loc["within_target", "value"] == pytest.approx(2 / 3) and h.loc["within_target", "unknown"] == 1
    assert h.loc["resolved", "value"] == pytest.approx(2 / 3) and h.loc["resolved", "unknown"] == 1
    assert h.loc["repeat", "value"] == pytest.approx(0.25) and h.loc["repeat_customers", "value"] == 1
    assert h.loc["median_hours", "value"] == pytest.approx(20)


def test_repair_list_rules_by_hand():
    """As of 2025-12-31, looking back 180 days (from 2025-07-04):
    a - unresolved complaint (2025-10-01) -> compensation, owner the complaint's channel (store);
    b - agent, complaint answered in 40 h > 24 h -> apology, owner the account manager;
    c - NPS 9, then 5 in the window -> detractor and a drop of 4 -> call, by phone (no complaint);
    d - NPS 4 but in 2025-01 (outside the window) -> not on the list."""
    complaints = sat.complaints(pd.DataFrame({
        "customer_id": ["a", "b"], "type": ["complaint", "complaint"], "channel": ["store", "phone"],
        "contact_date": pd.to_datetime(["2025-10-01", "2025-11-01"]), "response_hours": [5, 40],
        "resolved": [False, True]}))
    surveys = pd.DataFrame({"customer_id": ["c", "c", "d"], "nps": [9, 5, 4],
                            "response_date": pd.to_datetime(["2024-05-01", "2025-09-01", "2025-01-15"])})
    r = sat.repair_list(_facts(), surveys=surveys, complaints=complaints).set_index("customer_id")
    assert list(r.index) == ["a", "b", "c"]
    assert r.loc["a", "step"] == "compensation" and r.loc["a", "owner_channel"] == "store"
    assert r.loc["b", "step"] == "apology" and r.loc["b", "owner_channel"] == "account_manager"
    assert r.loc["c", "reasons"] == "detractor; score_drop" and r.loc["c", "step"] == "call"
    assert r.loc["c", "owner_channel"] == "phone" and r.loc["c", "previous_nps"] == 9
    assert len(sat.repair_list(_facts(), surveys=surveys, complaints=complaints, drop_points=5)
               .query("customer_id == 'c'")["reasons"].iloc[0].split("; ")) == 1
