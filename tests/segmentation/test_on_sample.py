"""The segmentation on the bundled sample selects, describes segments against the base, and shows the
generator's truth (account types and acquisition channels in ``truth.json``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.data import load
from crmbook.facts import CustomerFacts

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


@pytest.fixture(scope="module")
def sample():
    ds = load(SAMPLE, as_of="2025-12-31")
    return ds, CustomerFacts.from_dataset(ds, currency="CNY")


def test_focus_is_a_real_selection_and_no_revenue_is_its_own_group(sample):
    _, facts = sample
    t = seg.target_matrix(facts)
    share = t["quadrant"].value_counts(normalize=True)
    assert share["focus"] <= 0.30  # of buying customers (a median split over all of them gave 45%)
    dormant = t[t["quadrant"] == seg.TARGET_DORMANT]
    assert (dormant["annual_revenue"] == 0).all() and dormant["value"].isna().all()
    assert (t.loc[t["quadrant"] != seg.TARGET_DORMANT, "annual_revenue"] > 0).all()
    # value and attractiveness are not one signal twice
    on = t[t["quadrant"] != seg.TARGET_DORMANT]
    assert on["value"].corr(on["attractiveness"], method="spearman") < 0.6


def test_truth_is_recognisable_in_the_segments(sample):
    ds, facts = sample
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    kinds = truth["acquisition"]["account_types"]
    # business accounts buy 6-25 times more per order (truth): they are far more often focus than consumers
    t = seg.target_matrix(facts).merge(facts.customers[["customer_id", "account_type"]], on="customer_id")
    focus = t.groupby("account_type")["quadrant"].apply(lambda q: (q == "focus").mean())
    big = [k for k, v in kinds.items() if v["order_multiplier"] > 1]
    assert all(focus[k] > 2 * focus["retail"] for k in big)
    # the portrait of the champions names business accounts as over-represented
    rfm = seg.rfm_segmentation(facts)
    p = seg.customer_portrait(facts, rfm).set_index("segment")
    assert p.loc["champions", "over_business"] == "yes" and p.loc["champions", "over_business_index"] > 2
    # referral customers buy 1.4 times as often (truth): over-represented among the loyal consumers
    referral = seg.over_representation(rfm["segment"], rfm["customer_id"].map(
        facts.customers.set_index("customer_id")["acquisition_channel"]), min_size=1)
    top_rate = max(truth["acquisition"]["channels"], key=lambda c: truth["acquisition"]["channels"][c]["rate_multiplier"])
    assert top_rate == "referral"
    loyal = referral[(referral["group"] == "loyal") & (referral["value"] == "referral")]
    assert float(loyal["index"].iloc[0]) > 1


def test_no_portrait_is_the_whole_base_mode(sample):
    _, facts = sample
    rfm = seg.rfm_segmentation(facts)
    p = seg.customer_portrait(facts, rfm)
    attrs = seg.customer_attributes(facts)
    cols = ("age_band", "gender", "region", "acquisition_channel")
    modes = {col: attrs[col].dropna().astype(str).mode().iloc[0] for col in cols}
    assert modes == {"age_band": "35-44", "gender": "F", "region": "East", "acquisition_channel": "store"}
    for row in p.to_dict("records"):  # the old portraits read "35-44, F, East, store" almost everywhere
        named = {col: row[f"over_{col}"] for col in cols}
        assert named != modes, row["segment"]
        assert sum(named[c] == modes[c] for c in cols) <= 1, row["segment"]
    sentences = seg.portrait_table(p, facts.context)["portrait"]
    assert not sentences.str.contains("Most common").any()
    assert len(set(sentences.str.split(".").str[0])) > 3  # segments read differently


def test_abc_on_the_sample_flags_dormant_key_accounts_and_applies_both_halves(sample):
    ds, facts = sample
    abc = seg.abc_classes(facts, surveys=ds["surveys"], contacts=ds["contacts"])
    reasons = abc["abc_reason"].value_counts()
    assert reasons["key_account_dormant"] == 29  # of 34 key accounts / agents in A only by status
    assert abc.attrs["loyalty_evidence"] == ("order_gap", "satisfaction", "complaints")
    growth_only = seg.abc_classes(facts, max_gap_days=None)
    assert 0 < reasons["growth"] < (growth_only["abc_class"] == "B").sum()
    assert pd.api.types.is_bool_dtype(abc["loyal"])


def test_survey_rating_loadings_are_recognisable_in_the_orientations(sample):
    """The generator has no value orientation per customer: every rating is 3.5 + w_k x + noise, with x the
    answer's satisfaction and loadings w (truth.json). Relative to the customer's own mean the ratings
    therefore lean towards the highest loading when x > 0 and towards the lowest when x < 0. So the
    orientations, ordered by their group's mean own rating, must follow the loadings (quality 0.9 >
    service 0.7 > delivery 0.5 > price 0.3), and the happiest and unhappiest raters name the extremes."""
    ds, _ = sample
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))
    loadings = truth["satisfaction"]["survey"]["ratings"]
    assert len(set(loadings.values())) == len(loadings)  # they differ by attribute, so an order exists
    o = seg.value_orientation(ds["surveys"], as_of="2025-12-31")
    by_mean = seg.orientation_summary(o).query("orientation != @seg.NO_PREFERENCE").sort_values("own_mean")
    assert by_mean["orientation"].tolist() == sorted(loadings, key=loadings.get)
    clear = o[o["orientation"] != seg.NO_PREFERENCE]
    assert clear.loc[clear["own_mean"] >= 4, "orientation"].value_counts().index[0] == max(loadings, key=loadings.get)
    assert clear.loc[clear["own_mean"] <= 2.5, "orientation"].value_counts().index[0] == min(loadings, key=loadings.get)
