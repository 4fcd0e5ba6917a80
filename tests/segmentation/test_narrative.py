"""Reading the results: facts (numbers, no text) and the sentences made from them, in English and Chinese."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import (
    AS_OF,
    CTX,
    CTX_ZH,
    T,
    _abc_frames,
    _penetration_case,
    _rfm_frames,
    _target_case,
    _three_groups,
    facts,
)


def test_describe_data_and_segment_map_table():
    customers, orders = _rfm_frames()
    orders = orders[orders["order_date"] <= T]  # as crmbook.data.load leaves them
    text = seg.describe_data(CustomerFacts(customers, orders, AS_OF, currency="CNY")).text
    # 26 orders worth 5,460; the first is C10's oldest, 700 + 4 x 30 = 820 days before as_of (2023-10-03);
    # the last is C01's, 5 days before (2025-12-26)
    assert text == ("The analysis date is **2025-12-31**. The data holds **11 customers** and **26 orders** from "
                    "2023-10-03 to 2025-12-26, worth **5,460 CNY** in total. Optional customer columns present: "
                    "region; absent: account_type, birth_date, gender and acquisition_channel. Order details: none. "
                    "There is no market table.")
    full = customers.assign(**{c: "x" for c in seg.OPTIONAL_CUSTOMER_COLUMNS})
    text = seg.describe_data(facts(full, orders.assign(channel="web")), has_market=True).text
    assert "present: account_type, birth_date, gender, region and acquisition_channel. Order details: channel. " in text
    assert text.endswith("The market table is present.") and "worth **5,460** in total" in text
    table = seg.segment_map_table()
    assert len(table) == len(seg.RFM_SEGMENT_MAP) and table.iloc[0].tolist() == ["5[4-5]", "champions"]
    assert seg.segment_map_table({"5.": "top"}).to_dict("records") == [{"pattern": "5.", "segment": "top"}]


def test_rfm_and_contact_interpretation_by_hand():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    text = seg.rfm_interpretation(seg.segment_summary(scored), CTX)
    # 11 customers; loyal and potential loyalists have 2 each, loyal comes first in the RFM order
    assert text[0] == "The largest segment is *Loyal* with 2 customers (18.2%)."
    # cant_lose (C10) brings 2000 of 5460 = 36.6%
    assert text[1] == "The segment that brings the most revenue is *Can't lose*: 9.1% of customers bring 36.6% of all revenue."
    # cant_lose + at_risk: C10 2000 + C08 500 = 2500 of 5460 = 45.8%
    assert "(*Can't lose* and *At risk*) are 2 customers with 45.8% of historical revenue" in text[2]
    # lost + hibernating: C09 20 + C07 40 = 60 of 5460 = 1.1%; 2 of 11 customers = 18.2%
    assert text[3] == "*Lost* and *Hibernating* customers are 18.2% of the base but bring only 1.1% of revenue."
    todo = seg.contact_interpretation(scored, CTX)
    assert todo[0] == "2 customers are *Can't lose* or *At risk*; together they spent 2,500 CNY with us."
    with pytest.raises(ValueError, match="no segment"):
        seg.rfm_interpretation(seg.segment_summary(scored).head(0), CTX)


def test_abc_interpretation_sentences():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), max_gap_days=None)
    text = seg.abc_interpretation(abc, CTX, first_order=orders["order_date"].min())
    assert text[0] == ("The top 20% of buying customers bring **65.3%** of the annual revenue (10 customers "
                       "bought in the last 12 months).")  # 1900 / 2911; K1 has no revenue in year 0
    assert text[1] == "Class A holds 4 customers, class B 2 and class C 5."
    assert text[2] == "Customers whose account_type is agent or key_account are class A whatever their revenue."
    assert text[3].startswith("2 customers are key accounts or agents; 2 of them are A only because of that flag")
    assert text[4] == ("Of the 4 customers in A, 1 is a key account or agent with **no revenue in the last 12 "
                       "months**: A by status, not by what it buys - check whether the relationship is still alive "
                       "before giving it A-level service.")  # K1
    assert text[5] == ("Class B applies the growth half only (at least 10% in each of two years): no data were "
                       "given for the cooperation and loyalty half.")
    # the first order (2023-06-30) is after the first day of year 2 (2023-01-01): class B is incomplete
    assert text[6].startswith("The orders start on 2023-06-30, after the start of year 2")
    assert len(seg.abc_interpretation(abc, CTX, first_order="2023-01-01")) == 6  # a full year 2
    both = seg.abc_interpretation(seg.abc_classes(CustomerFacts(customers, orders, AS_OF)), CTX)
    assert both[1] == "Class A holds 4 customers, class B 0 and class C 7."  # B1, B2: gaps of 550 days
    assert both[5] == ("Class B applies both halves of the course's rule: growth of at least 10% in each of two "
                       "years **and** high cooperation and loyalty, read here as no gap of more than 365 days "
                       "between orders.")
    assert both[6] == "Not available for the loyalty half: satisfaction (no surveys) and complaints (no contacts)."
    assert both[7] == "2 customers grew enough but fail the loyalty proxy, so stay in C."
    bare = seg.abc_classes(facts(*_abc_frames(with_account_type=False)), top_share=0.3, max_gap_days=None)
    plain = seg.abc_interpretation(bare, CTX)  # the top share is read from the table's attrs
    assert plain[0].startswith("The top 30% of buying customers bring **75.6%**")  # (1000 + 900 + 300) / 2911
    assert plain[2] == "There is no account_type column in customers, so class A is by revenue only."
    assert len(plain) == 4


def test_summary_points():
    customers, orders = _rfm_frames()
    summary = seg.segment_summary(seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF)))
    abc = seg.abc_classes(facts(*_abc_frames()), max_gap_days=None)
    model = seg.BehaviourClusters(2, 5, seed=7).fit(_three_groups())
    points = seg.summary_points(summary, abc, model, seg.target_summary(_target_case()), CTX)
    # champions: C01, 1 of 11 customers, 1200 of 5460 revenue; slipping: C10, C08
    assert points[0] == ("**RFM:** 9.1% of customers are *Champions* and bring 22.0% of revenue; 2 valuable customers "
                         "are slipping away (*Can't lose*, *At risk*).")
    assert points[1] == ("**ABC:** the top 20% of buying customers bring 65.3% of annual revenue; A = 4 (1 of them "
                         "key accounts or agents without revenue in the last 12 months), B = 2, C = 5 customers.")
    assert points[2] == f"**Clusters:** 3 behavioural groups; the most valuable, *frequent big spenders*: " \
                        f"{seg.cluster_description(model.profile_.loc[1, 'traits'], CTX).lower()}."
    assert points[3] == "**Target matrix:** *Focus* selects 25.0% of buying customers."
    assert len(points) == 5


# --------------------------------------------------------------------------------------------------
# Facts (numbers and codes, no text), and Chinese sentences
# --------------------------------------------------------------------------------------------------

def test_rfm_and_contact_facts_by_hand():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    f = seg.rfm_facts(seg.segment_summary(scored))
    assert (f["largest"], f["largest_customers"]) == ("loyal", 2) and f["top"] == "cant_lose"
    assert f["top_revenue_share"] == pytest.approx(2000 / 5460)
    assert f["slipping_customers"] == 2 and f["slipping_revenue_share"] == pytest.approx(2500 / 5460)
    assert f["gone_customer_share"] == pytest.approx(2 / 11) and f["gone_revenue_share"] == pytest.approx(60 / 5460)
    assert seg.contact_facts(scored) == {"customers": 2, "monetary": 2500.0}


def test_abc_target_and_penetration_facts():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), max_gap_days=None)
    f = seg.abc_facts(abc, pd.Timestamp(AS_OF), first_order="2023-06-30")
    assert (f["a"], f["b"], f["c"], f["buyers"]) == (4, 2, 5, 10) and f["share"] == pytest.approx(1900 / 2911)
    assert (f["key_accounts"], f["only_flag"], f["dormant"], f["b_incomplete"]) == (2, 2, 1, True)
    assert f["loyalty_evidence"] == () and f["grew_not_loyal"] == 0
    assert f["key_account_types"] == ("agent", "key_account")
    t = seg.target_facts(seg.target_summary(_target_case()))
    assert [q["quadrant"] for q in t["quadrants"]] == ["focus", "opportunistic", "passive"]
    assert t["dormant"]["customers"] == 1 and (t["active"], t["split"]) == (3, 0.6)
    assert t["focus"]["customer_share"] == 0.25 and t["quadrants"][0]["revenue_share"] == pytest.approx(1000 / 1600)
    c, o, market = _penetration_case()
    p = seg.penetration_facts(seg.market_penetration(CustomerFacts(c, o, AS_OF), market))
    assert p["penetration"] == pytest.approx(4 / 60) and p["market_share"] == pytest.approx(0.05)
    assert (p["highest"], p["lowest"]) == ("East", "North")


def test_cluster_describe_and_summary_facts():
    model = seg.BehaviourClusters(2, 5, seed=7).fit(_three_groups())
    f = seg.cluster_facts(model)
    assert (f["k"], f["k_min"], f["k_max"], f["best"]) == (3, 2, 5, 1) and len(f["clusters"]) == 3
    assert f["best_monetary"] == pytest.approx(model.profile_.loc[1, "mean_monetary"])
    customers, orders = _rfm_frames()
    data = seg.describe_data_facts(CustomerFacts(customers, orders, AS_OF))
    assert (data["customers"], data["orders"], data["revenue"]) == (11, 26, 5460.0)
    assert data["present"] == ["region"] and data["details"] == [] and not data["has_market"]
    summary = seg.segment_summary(seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF)))
    s = seg.summary_facts(summary, seg.abc_classes(facts(*_abc_frames()), max_gap_days=None), model,
                          seg.target_summary(_target_case()))
    assert s["champion_share"] == pytest.approx(1 / 11) and s["slipping"] == 2 and s["focus_share"] == 0.25
    assert seg.demographic_facts(pd.DataFrame({"customer_id": [], "gender": []})) == {
        "missing": ["age_band", "region", "acquisition_channel"], "none_present": False}


ZH_RFM_TEXT = ("规模最大的细分群体是*忠诚客户*，共 2 位客户（18.2%）。贡献收入最多的细分群体是*重要挽留客户*：9.1% 的客户"
               "贡献了 36.6% 的收入。曾经购买较多、但已很久没有购买的客户（*重要挽留客户*和*流失风险客户*）共 2 位，占历史"
               "收入的 45.8%——这是最值得守住的收入。*已流失客户*和*沉睡客户*占客户总数的 18.2%，却只贡献了 1.1% 的收入。")


def test_rfm_gone_sentence_follows_the_numbers():
    heavy = pd.DataFrame({"segment": ["lost", "champions"], "customers": [1, 1], "customer_share": [0.5, 0.5],
                          "revenue_share": [0.6, 0.4]})
    assert seg.rfm_interpretation(heavy, CTX)[3] == (
        "*Lost* and *Hibernating* customers are 50.0% of the base and brought 60.0% of revenue: a weight worth a "
        "last look before letting them go.")
    assert "却只" not in seg.rfm_interpretation(heavy, CTX_ZH)[3]


def test_narratives_in_chinese():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))
    text = seg.rfm_interpretation(seg.segment_summary(scored), CTX_ZH)
    assert text[0] == "规模最大的细分群体是*忠诚客户*，共 2 位客户（18.2%）。"
    assert text.lead == "解读："
    assert text.text == ZH_RFM_TEXT
    assert text._repr_markdown_().startswith("**解读：** 规模最大的细分群体")
    todo = seg.contact_interpretation(scored, CTX_ZH)
    assert todo[0] == "*重要挽留客户*或*流失风险客户*共有 2 位客户；他们累计在我们这里消费了 2,500 CNY。"
    target = seg.target_interpretation(seg.target_summary(_target_case()), CTX_ZH)
    assert target[1] == "*重点选择*：1 位客户（25.0%），贡献年收入的 62.5%。"
    data = seg.describe_data(CustomerFacts(customers, orders, AS_OF, currency="CNY", language="zh"))
    assert data[0] == "分析日期为 **2025-12-31**。" and "11 位客户" in data[1]
