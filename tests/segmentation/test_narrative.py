"""Reading the results: facts (numbers, no text) and the sentences made from them, in English and Chinese."""

from __future__ import annotations

import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, T, _abc_frames, _rfm_frames, _target_case, _three_groups, facts


def test_describe_data_and_segment_map_table():
    customers, orders = _rfm_frames()
    orders = orders[orders["order_date"] <= T]  # as crmbook.data.load leaves them
    text = seg.describe_data(customers, orders, AS_OF, currency="CNY")
    # 26 orders worth 5,460; the first is C10's oldest, 700 + 4 x 30 = 820 days before as_of (2023-10-03);
    # the last is C01's, 5 days before (2025-12-26)
    assert text == ("The analysis date is **2025-12-31**. The data holds **12 customers** and **26 orders** from "
                    "2023-10-03 to 2025-12-26, worth **5,460 CNY** in total. Optional customer columns present: "
                    "region; absent: account_type, birth_date, gender, acquisition_channel. Order details: none. "
                    "There is no market table.")
    full = customers.assign(**{c: "x" for c in seg.OPTIONAL_CUSTOMER_COLUMNS})
    text = seg.describe_data(full, orders.assign(channel="web"), AS_OF, has_market=True)
    assert "present: account_type, birth_date, gender, region, acquisition_channel. Order details: channel. " in text
    assert text.endswith("The market table is present.") and "worth **5,460** in total" in text
    table = seg.segment_map_table()
    assert len(table) == len(seg.RFM_SEGMENT_MAP) and table.iloc[0].tolist() == ["5[4-5]", "champions"]
    assert seg.segment_map_table({"5.": "top"}).to_dict("records") == [{"pattern (R, FM)": "5.", "segment": "top"}]


def test_rfm_and_contact_interpretation_by_hand():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    text = seg.rfm_interpretation(seg.segment_summary(scored))
    # 11 customers; loyal and potential loyalists have 2 each, loyal comes first in the RFM order
    assert text[0] == "The largest segment is *loyal* with 2 customers (18.2%)."
    # cant_lose (C10) brings 2000 of 5460 = 36.6%
    assert text[1] == "The segment that brings the most revenue is *cant lose*: 9.1% of customers bring 36.6% of all revenue."
    # cant_lose + at_risk: C10 2000 + C08 500 = 2500 of 5460 = 45.8%
    assert "(*can't lose* and *at risk*) are 2 customers with 45.8% of historical revenue" in text[2]
    # lost + hibernating: C09 20 + C07 40 = 60 of 5460 = 1.1%; 2 of 11 customers = 18.2%
    assert text[3] == "*Lost* and *hibernating* customers are 18.2% of the base but bring only 1.1% of revenue."
    todo = seg.contact_interpretation(scored, currency="CNY")
    assert todo[0] == "2 customers are *can't lose* or *at risk*; together they spent 2,500 CNY with us."
    with pytest.raises(ValueError, match="no segment"):
        seg.rfm_interpretation(seg.segment_summary(scored).head(0))


def test_abc_interpretation_sentences():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF))
    text = seg.abc_interpretation(abc, AS_OF, first_order=orders["order_date"].min())
    assert text[0] == ("The top 20% of buying customers bring **65.3%** of the annual revenue (10 customers "
                       "bought in the last 12 months).")  # 1900 / 2911; K1 has no revenue in year 0
    assert text[1] == "Class A holds 4 customers, class B 2 and class C 5."
    assert text[2] == "Customers whose account_type is agent or key_account are class A whatever their revenue."
    assert text[3].startswith("2 customers are key accounts or agents; 2 of them are A only because of that flag")
    # the first order (2023-06-30) is after the first day of year 2 (2023-01-01): class B is incomplete
    assert text[4].startswith("The orders start on 2023-06-30, after the start of year 2")
    assert len(seg.abc_interpretation(abc, AS_OF, first_order="2023-01-01")) == 4  # a full year 2
    bare = seg.abc_classes(facts(*_abc_frames(with_account_type=False)))
    plain = seg.abc_interpretation(bare, AS_OF, top_share=0.3)
    assert plain[0].startswith("The top 30% of buying customers bring **75.6%**")  # (1000 + 900 + 300) / 2911
    assert plain[2] == "There is no account_type column in customers, so class A is by revenue only."
    assert len(plain) == 3


def test_summary_points():
    customers, orders = _rfm_frames()
    summary = seg.segment_summary(seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF)))
    abc = seg.abc_classes(facts(*_abc_frames()))
    model = seg.BehaviourClusters(2, 5, seed=7).fit(_three_groups())
    points = seg.summary_points(summary, abc, model, seg.target_summary(_target_case()))
    # champions: C01, 1 of 11 customers, 1200 of 5460 revenue; slipping: C10, C08
    assert points[0] == ("**RFM:** 9.1% of customers are champions and bring 22.0% of revenue; 2 valuable customers "
                         "are slipping away (*can't lose*, *at risk*).")
    assert points[1] == ("**ABC:** the top 20% of customers bring 65.3% of annual revenue; A = 4, B = 2, C = 5 "
                         "customers.")
    assert points[2] == f"**Clusters:** 3 behavioural groups; the most valuable: " \
                        f"{model.profile_.loc[1, 'description'].lower()}."
    assert points[3] == "**Target matrix:** 25.0% of buying customers are *focus* (重点选择) customers."
    assert len(points) == 5
