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
    assert pd.isna(x["over_gender"])  # default minimum size 50: nothing in a 2-customer segment qualifies
    assert x["top_channel"] == "online" and x["top_channel_share"] == pytest.approx(0.5)  # 300 of 600
    assert x["top_category"] == "home" and x["top_category_share"] == pytest.approx(4 / 6)
    assert x["revenue_share"] == pytest.approx(0.6)
    assert seg.portrait_sentence(x, PLAIN).startswith("Like the whole base in who they are")
    small = seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments, min_size=1).set_index("segment")
    x = small.loc["x"]  # P1, P2: F, F (base 2 of 3), East and West (base 1 and 2 of 3), store, store (2 of 3)
    assert (x["over_gender"], x["over_gender_share"], x["over_gender_base"]) == ("F", 1.0, pytest.approx(2 / 3))
    assert x["over_gender_index"] == pytest.approx(1.5) and x["over_region"] == "East"  # 1/2 over 1/3
    assert x["over_acquisition_channel"] == "store"
    two = seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments, min_size=2).set_index("segment")
    assert pd.isna(two.loc["x", "over_region"]) and two.loc["x", "over_gender"] == "F"  # East: 1 customer only
    sentence = seg.portrait_sentence(x, PLAIN)
    assert sentence.startswith("More common here than in the whole base: aged 25-34 (50%, x1.5), gender F (100%, "
                               "x1.5), from East (50%, x1.5), acquired via store (100%, x1.5). ")
    assert "Worth 300 revenue per customer" in sentence
    assert "main channel online (50% of revenue)" in sentence
    with_unit = seg.portrait_table(seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments), CTX)
    assert "Worth 300 CNY revenue per customer" in with_unit.loc[0, "portrait"]
    zh = seg.portrait_table(seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments), CTX_ZH)
    assert "客均收入 300 CNY" in zh.loc[0, "portrait"] and "主要渠道 online（占收入 50%）" in zh.loc[0, "portrait"]
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
    assert "age_band, gender, region and acquisition_channel" in notes[0]
    assert notes[1] == "No demographic column is present, so the demographic breakdown is skipped."


def test_over_representation_index_with_minimum_size():
    groups = pd.Series(["a"] * 6 + ["b"] * 4)
    values = pd.Series(["x", "x", "x", "x", "y", "y", "y", "y", "y", "unknown"])
    t = seg.over_representation(groups, values, min_size=1)
    # base (unknown left out): x 4/9, y 5/9; a: x 4/6 -> index 1.5, y 2/6 -> 0.6; b: y 3/3 -> 1.8
    assert t[["group", "value", "customers"]].values.tolist() == [["a", "x", 4], ["a", "y", 2], ["b", "y", 3]]
    assert t["index"].tolist() == pytest.approx([1.5, 0.6, 1.8])
    assert t["share"].tolist() == pytest.approx([4 / 6, 2 / 6, 1.0])
    assert seg.over_representation(groups, values, min_size=3)["value"].tolist() == ["x", "y"]  # a/y (2) is out
    assert seg.over_representation(groups, pd.Series([None] * 10)).empty


def test_demographic_highlights_and_interpretation():
    region = pd.DataFrame({"region": ["East", "West", "unknown"], "customers": [50, 30, 20],
                           "customer_share": [0.5, 0.3, 0.2], "revenue_share": [0.4, 0.35, 0.25],
                           "revenue_per_customer": [800.0, 1166.67, 1250.0]})
    unknown_only = region.tail(1).rename(columns={"region": "gender"})
    assert seg.demographic_highlights({"region": region}).empty  # West has 30 < 50; East brings less than its share
    h = seg.demographic_highlights({"region": region, "gender": unknown_only}, min_size=30)
    assert seg.demographic_highlights({"region": region}, min_size=30, min_ratio=1.2).empty  # West: 0.35 / 0.3
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
