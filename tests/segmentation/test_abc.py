"""ABC classes, their windows and reasons, the Pareto curve and the top share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import ABC_EXPECTED, AS_OF, CTX, _abc_frames, _customers_of, facts


def test_yearly_revenue_windows_end_at_as_of():
    _, orders = _abc_frames()
    yr = seg.yearly_revenue(facts(_customers_of(orders), orders, AS_OF)).set_index("customer_id")
    assert yr.loc["B1"].tolist() == [121.0, 110.0, 100.0]  # y0, y1 (dated 2024-12-31), y2
    assert yr.loc["K1", "revenue_y2"] == 1000.0
    # as_of 2025-06-30: y0 = (2024-06-30, 2025-06-30], y1 = (2023-06-30, 2024-06-30], y2 = (2022-06-30,
    # 2023-06-30]: the order of 2023-06-30 is on the last day of y2, the 2025-12-31 order is ignored
    yr2 = seg.yearly_revenue(facts(_customers_of(orders), orders, "2025-06-30")).set_index("customer_id")
    assert yr2.loc["B1"].tolist() == [110.0, 0.0, 100.0]


def test_abc_classes_with_growth_and_key_account_rules():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), max_gap_days=None).set_index("customer_id")
    assert abc["abc_class"].to_dict() == ABC_EXPECTED
    assert abc.attrs["loyalty_evidence"] == ()  # the growth half only
    assert abc.loc["A1", "revenue_rank"] == 1 and abc.loc["B2", "revenue_rank"] == 3
    assert pd.isna(abc.loc["K1", "revenue_rank"])
    # K1 (key account) bought nothing in the last 12 months: A by status, flagged; AG (agent) bought 5
    assert abc.loc["K1", "abc_reason"] == "key_account_dormant" and abc.loc["K1", "dormant_key_account"]
    assert abc.loc["AG", "abc_reason"] == "key_account" and not abc.loc["AG", "dormant_key_account"]
    assert seg.abc_reason_text("key_account", CTX) == "key account / agent"
    assert abc.loc["B1", "growth_y1"] == pytest.approx(0.10)
    assert abc.loc["B1", "growth_y0"] == pytest.approx(0.10)
    assert pd.isna(abc.loc["N2", "growth_y1"])
    assert abc.attrs["key_account_types"] == ("agent", "key_account")


def test_abc_without_account_type_and_other_parameters():
    customers, orders = _abc_frames(with_account_type=False)
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF)).set_index("customer_id")
    assert abc.loc["K1", "abc_class"] == "C" and abc.loc["AG", "abc_class"] == "C"
    assert abc.attrs["key_account_types"] is None
    customers, orders = _abc_frames()
    wider = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), top_share=0.3).set_index("customer_id")
    assert wider.loc["B2", "abc_class"] == "A"  # ceil(0.3 * 10) = 3 -> rank 3 is A now
    strict = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), growth=0.5,
                             max_gap_days=None).set_index("customer_id")
    assert strict.loc["B1", "abc_class"] == "C" and strict.loc["B2", "abc_class"] == "B"  # +100%, +50%
    with pytest.raises(ValueError, match="top_share"):
        seg.abc_classes(CustomerFacts(customers, orders, AS_OF), top_share=0)


def test_pareto_curve_and_top_share():
    revenue = pd.Series([10.0, 100.0, 0.0, 50.0, 30.0, 10.0], index=list("abcdef"))
    curve = seg.pareto_curve(revenue)
    assert curve["customer_share"].tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert curve["revenue_share"].tolist() == pytest.approx([0.5, 0.75, 0.9, 0.95, 1.0])
    assert seg.top_share_revenue(revenue) == pytest.approx(0.5)  # ceil(0.2 * 5) = 1 customer: 100 / 200
    assert seg.top_share_revenue(revenue, 0.4) == pytest.approx(0.75)
    assert seg.top_share_revenue(revenue, 0.3) == pytest.approx(0.75)  # ceil(1.5) = 2 customers
    assert np.isnan(seg.top_share_revenue(pd.Series([0.0, 0.0])))
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF))
    # y0: 1000, 900, 300, 200, 200, 125, 121, 50, 10, 5 (sum 2911); top 2 = 1900
    assert seg.top_share_revenue(abc.set_index("customer_id")["revenue_y0"]) == pytest.approx(1900 / 2911)


def test_abc_windows_match_the_windows_of_yearly_revenue():
    w = seg.abc_windows(AS_OF)
    assert w["year"].tolist() == [0, 1, 2]
    assert w["start"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2024-01-01", "2023-01-01"]
    assert w["end"].dt.strftime("%Y-%m-%d").tolist() == ["2025-12-31", "2024-12-31", "2023-12-31"]
    assert seg.describe_windows(w, CTX) == ("year 0 = 2025-01-01 to 2025-12-31; year 1 = 2024-01-01 to 2024-12-31; "
                                       "year 2 = 2023-01-01 to 2023-12-31")
    # a leap day: 2024-02-29 minus one year is 2023-02-28, so year 0 starts on 2023-03-01
    leap = seg.abc_windows("2024-02-29", years=2)
    assert leap["start"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-01", "2022-03-01"]
    assert leap["end"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-29", "2023-02-28"]
    # the first and last day of each window are inside it for yearly_revenue, the day before is not
    days = [d for _, r in leap.iterrows() for d in (r["start"] - pd.Timedelta(days=1), r["start"], r["end"])]
    orders = pd.DataFrame({"customer_id": [f"D{i}" for i in range(len(days))], "order_date": days,
                           "revenue": 1.0})
    yr = seg.yearly_revenue(facts(_customers_of(orders), orders, "2024-02-29"), years=2).set_index("customer_id")
    # D0 = day before year 0 (last day of year 1), D1/D2 in year 0, D3 = day before year 1, D4/D5 in year 1
    assert yr["revenue_y0"].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert yr["revenue_y1"].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="years"):
        seg.abc_windows(AS_OF, years=0)


def test_b_needs_growth_and_the_loyalty_proxy():
    customers, orders = _abc_frames()
    f = CustomerFacts(customers, orders, AS_OF)
    # B1 and B2 ordered on 2023-06-30, 2024-12-31 and 2025-12-31: longest gap 550 days (to as_of: 0)
    abc = seg.abc_classes(f).set_index("customer_id")  # default: at most 365 days
    assert abc.loc["B1", "longest_gap_days"] == 550.0
    assert abc.loc[["B1", "B2"], "abc_class"].tolist() == ["C", "C"]
    assert abc.loc[["B1", "B2"], "abc_reason"].tolist() == ["growth_not_loyal"] * 2
    assert abc.attrs["loyalty_evidence"] == ("order_gap",)
    # a looser gap lets both in; a low latest CSAT keeps B1 out, a complaint this year keeps B2 out
    assert seg.abc_classes(f, max_gap_days=600).set_index("customer_id").loc[["B1", "B2"], "abc_class"].tolist() \
        == ["B", "B"]
    surveys = pd.DataFrame({"customer_id": ["B1", "B1", "B2"], "response_date": ["2024-01-05", "2025-06-01",
                                                                                 "2025-06-01"],
                            "csat": [5, 2, 4]})
    contacts = pd.DataFrame({"customer_id": ["B2", "B1"], "contact_date": ["2025-03-01", "2023-03-01"],
                             "type": ["complaint", "complaint"]})
    both = seg.abc_classes(f, max_gap_days=600, surveys=surveys, contacts=contacts).set_index("customer_id")
    assert both.loc[["B1", "B2"], "abc_class"].tolist() == ["C", "C"]
    assert both.attrs["loyalty_evidence"] == ("order_gap", "satisfaction", "complaints")
    only_csat = seg.abc_classes(f, max_gap_days=None, surveys=surveys).set_index("customer_id")
    assert only_csat.loc[["B1", "B2"], "abc_class"].tolist() == ["C", "B"]  # B2's latest CSAT is 4
    assert only_csat.attrs["loyalty_evidence"] == ("satisfaction",)
    with pytest.raises(ValueError, match="max_gap_days"):
        seg.abc_classes(f, max_gap_days=0)


def test_abc_summary_and_reasons():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), max_gap_days=None)
    s = seg.abc_summary(abc)
    assert s.columns.tolist() == ["segment", "customers", "customer_share", "annual_revenue", "revenue_share",
                                  "revenue_per_customer"]
    # A: K1 0 + A1 1000 + A2 900 + AG 5 = 1905; B: 121 + 300 = 421; C: 125 + 200 + 200 + 50 + 10 = 585
    assert s["segment"].tolist() == ["A", "B", "C"] and s["customers"].tolist() == [4, 2, 5]
    assert s["annual_revenue"].tolist() == [1905.0, 421.0, 585.0]
    assert s["revenue_share"].tolist() == pytest.approx([1905 / 2911, 421 / 2911, 585 / 2911])
    r = seg.abc_reasons(abc)
    assert r.columns.tolist() == ["abc_class", "abc_reason", "customers"]
    counts = {(c, why): n for c, why, n in r.itertuples(index=False)}
    assert counts == {("A", "key_account"): 1, ("A", "key_account_dormant"): 1, ("A", "top_revenue"): 2,
                      ("B", "growth"): 2, ("C", "rest"): 5}
    shown = seg.readable(r, CTX)["abc_reason"].tolist()
    assert shown == ["key account / agent", "key account / agent, no revenue in the last 12 months",
                     "top 20% by annual revenue", "grew >= 10% in each of the last two years", "rest"]


def test_abc_exercise_table_is_solvable_from_what_it_shows():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(CustomerFacts(customers, orders, AS_OF), max_gap_days=None)
    table = seg.abc_exercise_table(abc)
    cut = table.attrs["a_cutoff"]
    assert cut == 900.0
    for row in table.itertuples():  # applying the stated rules to the shown columns gives the answer
        grew = row.revenue_y2 > 0 and row.revenue_y1 >= 1.1 * row.revenue_y2 - 1e-9 and \
            row.revenue_y0 >= 1.1 * row.revenue_y1 - 1e-9
        want = "A" if (row.revenue_y0 >= cut or row.key_account) else ("B" if grew else "C")
        assert table.attrs["answer"][row.customer_id] == want
