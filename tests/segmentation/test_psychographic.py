"""Psychographic segmentation: value orientation against the customer's own mean, by hand; the summary,
the crossing with the RFM segments, the sentences and the chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import segmentation as seg

from .cases import CTX, CTX_ZH

NaN = np.nan
#        customer  date          quality service delivery price   own mean  top gap  orientation
SURVEYS = [
    ("GEN", "2025-03-01", 5, 5, 5, 5),    # 5.00      0.00     no_preference (generous, flat)
    ("FLAT", "2025-03-01", 3, 3, 3, 3),   # 3.00      0.00     no_preference (flat)
    ("GENQ", "2025-03-01", 5, 4, 4, 4),   # 4.25      0.75     quality (generous, but quality stands out)
    ("Q", "2025-04-01", 5, 3, 3, 3),      # 3.50      1.50     quality
    ("P", "2024-01-01", 5, 1, 1, 1),      # older answer of P: not used (only counted)
    ("P", "2025-05-01", 2, 2, 2, 4),      # 2.50      1.50     price
    ("TIE", "2025-05-01", 5, 5, 3, 3),    # 4.00      1.00 x2  no_preference (tie)
    ("S", "2025-05-01", 3, 4, 3, 3),      # 3.25      0.75     service; no_preference with min_gap 1
    ("ONE", "2025-05-01", 4, NaN, NaN, NaN),  # one rating: not comparable, not classified
    ("LATE", "2026-02-01", 5, 1, 1, 1),   # after as_of: left out
]


def _surveys() -> pd.DataFrame:
    return pd.DataFrame(SURVEYS, columns=["customer_id", "response_date", "rating_quality", "rating_service",
                                          "rating_delivery", "rating_price"]).assign(nps=7)


def test_orientation_is_the_rating_most_above_the_customers_own_mean():
    o = seg.value_orientation(_surveys(), as_of="2025-12-31").set_index("customer_id")
    assert sorted(o.index) == ["FLAT", "GEN", "GENQ", "P", "Q", "S", "TIE"]
    assert o["orientation"].to_dict() == {"FLAT": "no_preference", "GEN": "no_preference", "GENQ": "quality",
                                          "P": "price", "Q": "quality", "S": "service", "TIE": "no_preference"}
    assert o.loc["GENQ", "own_mean"] == pytest.approx(4.25) and o.loc["GENQ", "top_gap"] == pytest.approx(0.75)
    assert o.loc["P", "surveys"] == 2 and o.loc["P", "rating_quality"] == 2  # the latest answer
    assert o.loc["TIE", "top_gap"] == pytest.approx(1.0)


def test_min_gap_and_min_surveys_are_parameters():
    o = seg.value_orientation(_surveys(), as_of="2025-12-31", min_gap=1.0).set_index("customer_id")
    assert o.loc["S", "orientation"] == seg.NO_PREFERENCE and o.loc["GENQ", "orientation"] == seg.NO_PREFERENCE
    assert o.loc["Q", "orientation"] == "quality"
    two = seg.value_orientation(_surveys(), as_of="2025-12-31", min_surveys=2)
    assert two["customer_id"].tolist() == ["P"]
    with pytest.raises(ValueError, match="min_surveys"):
        seg.value_orientation(_surveys(), min_surveys=0)


def test_without_rating_columns_there_is_nothing_to_classify():
    assert seg.rating_columns(None) == []
    assert seg.rating_columns(_surveys().drop(columns=[c for c in _surveys() if c.startswith("rating_")])) == []
    with pytest.raises(ValueError, match="rating"):
        seg.value_orientation(_surveys()[["customer_id", "response_date", "nps"]])


def _rfm() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["GEN", "FLAT", "GENQ", "Q", "P", "TIE", "S"],
                         "segment": ["champions", "champions", "champions", "champions", "at_risk", "at_risk",
                                     "at_risk"]})


def test_summary_and_crossing_with_segments():
    o = seg.value_orientation(_surveys(), as_of="2025-12-31")
    s = seg.orientation_summary(o)
    # 3 no preference, 2 quality, 1 price, 1 service; largest clear first, ties by name, no preference last
    assert s["orientation"].tolist() == ["quality", "price", "service", "no_preference"]
    assert s["customers"].tolist() == [2, 1, 1, 3]
    assert s.loc[0, "own_mean"] == pytest.approx((4.25 + 3.5) / 2)
    by = seg.orientation_by_segment(o, _rfm()).set_index("segment")
    assert by.index.tolist() == ["champions", "at_risk", "all"]
    assert by["customers"].tolist() == [4, 3, 7]
    assert by.loc["champions", "quality"] == pytest.approx(0.5) and by.loc["champions", "no_preference"] == 0.5
    assert by.loc["at_risk", ["price", "service", "no_preference"]].tolist() == pytest.approx([1 / 3] * 3)
    assert by.loc["all", "quality"] == pytest.approx(2 / 7)
    assert by.drop(columns="customers").sum(axis=1).tolist() == pytest.approx([1, 1, 1])


def test_facts_name_what_stands_out_and_the_unhappy_group():
    o = seg.value_orientation(_surveys(), as_of="2025-12-31")
    s, by = seg.orientation_summary(o), seg.orientation_by_segment(o, _rfm())
    f = seg.psychographic_facts(s, by, customers=14, min_segment=1)
    assert f["surveyed"] == 7 and f["coverage"] == 0.5 and f["none_share"] == pytest.approx(3 / 7)
    assert f["top"] == "quality"
    champions, at_risk = f["segments"]
    # champions: quality 50% vs 2/7 overall (+21 points); at risk: price and service 33% vs 14% (+19 points)
    assert champions["orientation"] == "quality" and champions["base"] == pytest.approx(2 / 7)
    assert at_risk["orientation"] == "price" and at_risk["share"] == pytest.approx(1 / 3)
    # price-minded P rates lowest overall (2.5), quality-minded highest (3.875)
    assert (f["low"], f["high"]) == ("price", "quality") and f["low_mean"] == pytest.approx(2.5)
    small = seg.psychographic_facts(s, by, customers=14)  # segments below 30 surveyed are not put in words
    assert small["segments"] == [] and small["standout"] is None
    text = seg.psychographic_interpretation(s, by, CTX, customers=14).text
    assert "50.0% of the base" in text and "*quality-minded* (28.6%" in text
    assert "The *price-minded* customers rate lowest overall (2.5 of 5, against 3.9" in text
    zh = seg.psychographic_interpretation(s, by, CTX_ZH, customers=14).text
    assert "重质量型" in zh and "无明显偏好" in zh


def test_orientation_names_and_chart():
    assert seg.orientation_label("quality", CTX) == "quality-minded"
    assert seg.orientation_label("no_preference", CTX_ZH) == "无明显偏好"
    assert seg.orientation_label("value_for_money", CTX) == "value for money-minded"
    o = seg.value_orientation(_surveys(), as_of="2025-12-31")
    by = seg.orientation_by_segment(o, _rfm())
    ax = seg.plot_orientations(by, CTX)
    assert len(ax.get_yticklabels()) == 3 and ax.get_yticklabels()[-1].get_text() == "All surveyed (7)"
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "no clear preference"
    html = seg.orientation_table(by, CTX_ZH).to_html()
    assert "重质量型" in html and "全部参与调查客户" in html
