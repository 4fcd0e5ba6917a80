"""The ROI topic against the sample generator's truth (truth.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from crmbook import costing, roi
from crmbook.data import load
from crmbook.facts import CustomerFacts

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.fixture(scope="module")
def sample():
    ds = load(str(SAMPLE), as_of="2025-12-31")
    return ds, CustomerFacts.from_dataset(ds), json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


def test_campaign_uplift_agrees_with_the_generators_truth(sample):
    """Each true response uplift and revenue uplift per member lies inside the 95% interval; CMP2024B (true
    effect 0) is not claimed positive; CMP2025C (true +9 points) is found positive."""
    ds, facts, truth = sample
    r = roi.campaign_results(ds["campaigns"], ds["campaign_members"],
                             margin_rate=roi.gross_margin_rate(facts.orders)).set_index("campaign_id")
    for t in truth["campaigns"]:
        row = r.loc[t["campaign_id"]]
        assert row["status"] == "ok"
        assert row["response_low"] <= t["true_response_uplift"] <= row["response_high"], t["campaign_id"]
        assert row["revenue_low"] <= t["true_revenue_uplift_per_member"] <= row["revenue_high"], t["campaign_id"]
    assert r.loc["CMP2024B", "verdict"] != "positive" and r.loc["CMP2024B", "response_low"] < 0
    assert r.loc["CMP2024B", "roi_low"] < 0  # its ROI is not claimed either
    assert r.loc["CMP2025C", "verdict"] == "positive" and r.loc["CMP2025C", "response_low"] > 0


def test_retention_and_margin_rate_match_the_sample(sample):
    """The closed forms' inputs: gross margin 2025 / revenue 2025 of truth.summary = 2,280,270 / 6,912,121
    = 0.3299; the measured retention is a share of the year-1 buyers."""
    ds, facts, truth = sample
    closed = roi.clv_closed_forms(facts)
    s = truth["summary"]
    assert closed.attrs["margin_rate"] == pytest.approx(s["gross_margin_by_year"]["2025"] / s["revenue_by_year"]["2025"],
                                                        abs=0.002)
    assert 0.3 < closed.attrs["retention"] < 0.9
    assert (closed["clv_course"] > 0).all()
    r = closed.attrs["retention"]
    assert closed["clv_retention"].to_numpy() == pytest.approx((closed["margin_y0"] * r / (1.1 - r)).to_numpy())


def test_customer_roi_on_the_pnl_is_the_ratio_of_sums(sample):
    ds, facts, _ = sample
    pnl = costing.customer_pnl(facts, ds["costs"], ds["contacts"], ds["campaigns"], ds["campaign_members"])
    r = roi.customer_roi(facts, pnl=pnl)
    assert r.attrs["basis"] == "pnl" and r.attrs["no_cost"] == 0
    seg = roi.segment_roi(r, facts.customers.set_index("customer_id")["account_type"], name="account_type")
    row = seg.set_index("account_type").loc["retail"]
    assert row["roi"] == pytest.approx((row["gross_margin"] - row["customer_cost"]) / row["customer_cost"])
    assert seg["customers"].sum() == len(r)
    # the mean of ratios differs from the ratio of sums (the exercise's trap is a real, different number)
    assert abs(seg.attrs["mean_customer_roi"]["retail"] - row["roi"]) > 0.05
    # customers of the P&L without an order are left out of the ROI, counted, and their cost said:
    # buyers' cost + non-buyers' cost = every allocated customer cost of the P&L
    non_buyers = pnl.index.difference(pd.Index(r["customer_id"]))
    assert r.attrs["non_buyers"] == len(non_buyers) > 0
    assert r["customer_cost"].sum() + r.attrs["non_buyer_cost"] == pytest.approx(
        (pnl["total_cost"] - pnl["cost_of_goods"]).sum())
    text = " ".join(roi.customer_roi_interpretation(r, facts.context))
    assert f"{len(non_buyers):,} signed-up customers without an order" in text


def test_loyalty_matching_shrinks_the_naive_difference(sample):
    """Tiers are awarded for total spend (no programme effect in the generator): matching on the pre-period
    must remove part of the naive difference; what remains is the selection the caveat names."""
    _, facts, _ = sample
    t = roi.loyalty_comparison(facts).set_index("measure")
    assert t.loc["revenue", "matched_difference"] < t.loc["revenue", "naive_difference"]
    assert t.attrs["unmatched_members"] + t.loc["revenue", "matched_members"] == t.loc["revenue", "members"]


def test_channel_costs_match_the_contacts(sample):
    ds, facts, _ = sample
    ch = roi.channel_effectiveness(ds["contacts"], facts.orders, as_of=facts.as_of).set_index("channel")
    c = ds["contacts"]
    assert ch.loc["field", "cost"] == pytest.approx(c.loc[c["channel"] == "field", "cost"].sum())
    assert ch["contacts"].sum() + ch.attrs["no_channel"] == len(c)
    assert not ch["has_control"].any()  # no campaign results given: no incremental claim


def test_ltv_cac_uses_the_costing_cac(sample):
    ds, facts, _ = sample
    cac = costing.cac(facts, ds["costs"])
    t = roi.ltv_cac(facts, cac).set_index("acquisition_channel")
    # the cohort signed up in (2023-12-31, 2024-12-31]: the CAC of 2024
    k = cac[cac["period"].astype(str).isin(["2024"]) & (cac["acquisition_channel"] == "store")]
    assert t.loc["store", "cac"] == pytest.approx(k["acquisition_spend"].sum() / k["new_customers"].sum())
    assert t.loc["store", "payback_months"] == pytest.approx(t.loc["store", "cac"] / (t.loc["store", "first_year_margin"] / 12))


def test_channel_narrative_claims_no_channel_whose_campaign_showed_nothing(sample):
    """email (CMP2024B, true effect 0) has the largest point ratio but an interval below 0: it is named as
    unproven, and the best channel is app_push (CMP2025C, interval above 0)."""
    from crmbook.context import Context

    ds, facts, _ = sample
    res = roi.campaign_results(ds["campaigns"], ds["campaign_members"], margin_rate=0.34)
    ch = roi.channel_effectiveness(ds["contacts"], facts.orders, campaign_results=res, as_of=facts.as_of)
    f = roi.channel_facts(ch)
    assert f["best"] == "app_push" and "email" in f["unproven"] and "sms" in f["unproven"]
    text = roi.channel_interpretation(ch, Context(as_of="2025-12-31")).text
    assert "app\\_push brought the most" in text  # data values are escaped for Markdown
    assert "email" in text.split("includes no effect")[1]
