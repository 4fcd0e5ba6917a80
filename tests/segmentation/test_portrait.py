"""Demographics and the customer portrait."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, CTX, CTX_ZH, NO_ORDERS, PLAIN, _portrait_frames, facts


def test_age_bands():
    births = pd.Series(pd.to_datetime(["2000-12-31", "2001-01-01", "1960-12-31", "1961-01-01", None,
                                       "2030-01-01"]))
    bands = seg.age_bands(births, AS_OF)
    assert bands.astype(object).tolist()[:4] == ["25-34", "<25", "65+", "55-64"]  # 25, 24, 65, 64 years
    assert bands.isna().tolist()[4:] == [True, True]
    assert list(bands.cat.categories) == ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]
    assert list(seg.age_bands(births, AS_OF, bands=(18, 40)).cat.categories) == ["18-39", "40+"]


def test_customer_attributes_and_demographic_summary():
    customers, orders, _ = _portrait_frames()
    attrs = seg.customer_attributes(facts(customers, NO_ORDERS))
    assert attrs["age_band"].astype(str).tolist() == ["35-44", "25-34", "55-64"]
    assert "account_type" in attrs.attrs["absent"] and "gender" in attrs.columns
    no_birth = seg.customer_attributes(facts(customers.drop(columns="birth_date"), NO_ORDERS))
    assert "age_band" not in no_birth.columns and "age_band" in no_birth.attrs["absent"]
    rfm = seg.rfm_table(CustomerFacts(customers, orders, AS_OF))
    by_gender = seg.demographic_summary(attrs, rfm, "gender").set_index("gender")
    assert by_gender.loc["F", "customers"] == 2
    assert by_gender.loc["F", "avg_order_value"] == pytest.approx(600 / 3)
    assert by_gender.loc["F", "revenue_per_customer"] == pytest.approx(300)
    assert by_gender.loc["M", "revenue_share"] == pytest.approx(0.4)


def test_customer_portrait_and_purchase_mix():
    customers, orders, assignments = _portrait_frames()
    p = seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments).set_index("segment")
    x = p.loc["x"]
    assert x["customers"] == 2 and x["orders_per_customer"] == pytest.approx(1.5)
    assert x["avg_order_value"] == pytest.approx(200.0)
    assert x["top_gender"] == "F" and x["top_gender_share"] == pytest.approx(1.0)
    assert x["top_region"] == "East" and x["top_region_share"] == pytest.approx(0.5)  # tie -> alphabetical
    assert x["top_channel"] == "online" and x["top_channel_share"] == pytest.approx(0.5)  # 300 of 600
    assert x["top_category"] == "home" and x["top_category_share"] == pytest.approx(4 / 6)
    assert x["revenue_share"] == pytest.approx(0.6)
    sentence = seg.portrait_sentence(x, PLAIN)
    assert "Worth 300 revenue per customer" in sentence
    assert "main channel online (50% of revenue)" in sentence
    with_unit = seg.portrait_table(seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments), CTX)
    assert "Worth 300 CNY revenue per customer" in with_unit.loc[0, "portrait"]
    zh = seg.portrait_table(seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments), CTX_ZH)
    assert "人均收入 300 CNY" in zh.loc[0, "portrait"] and "主要渠道 online（占收入 50%）" in zh.loc[0, "portrait"]
    mix = seg.purchase_mix(CustomerFacts(customers, orders, AS_OF), assignments, by="channel")
    assert mix.loc["x", "online"] == pytest.approx(0.5) and mix.loc["y", "store"] == pytest.approx(1.0)


def test_consumer_attributes_summaries_and_notes():
    customers, orders, _ = _portrait_frames()
    rfm = seg.rfm_table(CustomerFacts(customers, orders, AS_OF))
    typed = customers.assign(account_type=["retail", "key_account", "retail"])
    consumers = seg.consumer_attributes(facts(typed, NO_ORDERS))
    assert consumers["customer_id"].tolist() == ["P1", "P3"] and "member_tier" in consumers.attrs["absent"]
    assert len(seg.consumer_attributes(facts(customers, NO_ORDERS))) == 3  # no account_type: everyone
    tables = seg.demographic_summaries(seg.consumer_attributes(facts(customers, NO_ORDERS)), rfm)
    assert list(tables) == ["age_band", "gender", "region", "acquisition_channel"]
    assert tables["gender"].set_index("gender").loc["F", "revenue_share"] == pytest.approx(0.6)
    assert seg.demographic_notes(seg.customer_attributes(facts(customers, NO_ORDERS)), CTX) == []
    no_birth = seg.customer_attributes(facts(customers.drop(columns="birth_date"), NO_ORDERS))
    assert list(seg.demographic_summaries(no_birth, rfm)) == ["gender", "region", "acquisition_channel"]
    notes = seg.demographic_notes(no_birth, CTX)
    assert len(notes) == 1 and notes[0].startswith("*Not available in this data:* age_band (")
    bare = seg.customer_attributes(facts(customers[["customer_id", "signup_date"]], NO_ORDERS))
    assert seg.demographic_summaries(bare, rfm) == {}
    notes = seg.demographic_notes(bare, CTX)
    assert "age_band, gender, region, acquisition_channel" in notes[0]
    assert notes[1] == "No demographic column is present, so the demographic breakdown is skipped."


def test_demographic_highlights_and_interpretation():
    region = pd.DataFrame({"region": ["East", "West", "unknown"], "customers": [50, 30, 20],
                           "customer_share": [0.5, 0.3, 0.2], "revenue_share": [0.4, 0.35, 0.25],
                           "revenue_per_customer": [800.0, 1166.67, 1250.0]})
    unknown_only = region.tail(1).rename(columns={"region": "gender"})
    h = seg.demographic_highlights({"region": region, "gender": unknown_only})
    # West: 0.35 - 0.3 = +0.05 beats East (-0.1); unknown (+0.05) is left out, and so is gender (only unknown)
    assert h.to_dict("records") == [{"dimension": "region", "group": "West", "customers": 30,
                                     "customer_share": 0.3, "revenue_share": 0.35,
                                     "revenue_per_customer": 1166.67}]
    text = seg.demographic_interpretation(h, CTX, consumers=100)
    assert text[0] == ("Among 100 consumers, the group whose share of revenue most exceeds its share of customers, "
                       "per dimension: region *West* (30.0% of customers, 35.0% of revenue, 1,167 CNY per "
                       "customer).")
    assert text[1].startswith("These are the profiles acquisition should look for")
    assert len(seg.demographic_interpretation(h.head(0), CTX, consumers=5)) == 1
