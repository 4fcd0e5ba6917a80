"""RFM: quantile scores, the RFM table from the customer facts, segments and their summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, EXPECTED, RFM_CASE, T, _rfm_frames


def test_quantile_score_ties_share_the_lowest_rank():
    s = pd.Series([1, 1, 1, 1, 1, 1, 2, 3, 5, 8])
    assert seg.quantile_score(s).tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    # lower is better (recency): the smallest value gets the top score
    assert seg.quantile_score(pd.Series([10.0, 20.0, 30.0, 40.0, 50.0]),
                              higher_is_better=False).tolist() == [5, 4, 3, 2, 1]
    out = seg.quantile_score(pd.Series([1.0, np.nan, 3.0]), bins=2)
    assert out.iloc[0] == 1 and pd.isna(out.iloc[1]) and out.iloc[2] == 2
    with pytest.raises(ValueError, match="bins"):
        seg.quantile_score(s, bins=1)


def test_rfm_table_values_and_customers_without_orders():
    customers, orders = _rfm_frames()
    before_c, before_o = customers.copy(), orders.copy()
    rfm = seg.rfm_table(CustomerFacts(customers, orders, AS_OF)).set_index("customer_id")
    pd.testing.assert_frame_equal(customers, before_c)  # inputs untouched
    pd.testing.assert_frame_equal(orders, before_o)
    assert "C12" not in rfm.index  # signed up after as_of
    assert len(rfm) == 11
    for cid, (rec, f, m) in RFM_CASE.items():
        assert rfm.loc[cid, "recency_days"] == rec
        assert rfm.loc[cid, "frequency"] == f
        assert rfm.loc[cid, "monetary"] == pytest.approx(m)  # the order after as_of is ignored for C03
    assert rfm.loc["C11", "frequency"] == 0 and rfm.loc["C11", "monetary"] == 0
    assert pd.isna(rfm.loc["C11", "recency_days"])
    assert rfm.loc["C01", "tenure_days"] == 1095  # 2023-01-01 .. 2025-12-31


def test_rfm_scores_and_segments_by_hand():
    customers, orders = _rfm_frames()
    out = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF)).set_index("customer_id")
    for cid, (r, f, m, fm, name) in EXPECTED.items():
        row = out.loc[cid]
        assert (row["r_score"], row["f_score"], row["m_score"], row["fm_score"]) == (r, f, m, fm), cid
        assert row["rfm_code"] == f"{r}{f}{m}"
        assert row["segment"] == name, cid
    assert out.loc["C11", "segment"] == seg.NO_PURCHASE
    assert pd.isna(out.loc["C11", "r_score"]) and pd.isna(out.loc["C11", "rfm_code"])


def test_default_segment_map_covers_every_code():
    codes = pd.DataFrame({"r_score": [r for r in range(1, 6) for _ in range(5)],
                          "fm_score": [fm for _ in range(5) for fm in range(1, 6)]})
    names = seg.rfm_segments(codes)["segment"]
    assert "other" not in set(names)
    assert set(names) == set(seg.RFM_SEGMENT_MAP.values())


def test_segment_map_can_be_replaced():
    customers, orders = _rfm_frames()
    custom = {r"[4-5]\d": "recent", r"3\d": "middle"}
    out = seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF), segment_map=custom).set_index("customer_id")
    assert out.loc["C01", "segment"] == "recent"
    assert out.loc["C05", "segment"] == "middle"
    assert out.loc["C09", "segment"] == "other"  # code 11 matches no pattern


def test_segment_summary_sizes_and_revenue_shares():
    customers, orders = _rfm_frames()
    summary = seg.segment_summary(seg.rfm_segmentation(CustomerFacts(customers, orders, AS_OF))).set_index("segment")
    total = sum(m for _, _, m in RFM_CASE.values())  # 5460
    assert summary.loc["loyal", "customers"] == 2
    assert summary.loc["loyal", "customer_share"] == pytest.approx(2 / 11)
    assert summary.loc["loyal", "revenue_share"] == pytest.approx((800 + 450) / total)
    assert summary["customers"].sum() == 11
    assert summary["revenue_share"].sum() == pytest.approx(1.0)
    assert list(summary.index)[0] == "champions" and list(summary.index)[-1] == seg.NO_PURCHASE


def test_clear_errors():
    customers, orders = _rfm_frames()
    with pytest.raises(ValueError, match="as_of"):
        seg.rfm_table(CustomerFacts(customers, orders, None))
    with pytest.raises(ValueError, match="'revenue'"):
        seg.rfm_table(CustomerFacts(customers, orders.drop(columns="revenue"), AS_OF))
    stray = pd.concat([orders, pd.DataFrame({"order_id": ["X"], "customer_id": ["NOPE"],
                                             "order_date": [T], "revenue": [1.0]})])
    with pytest.raises(ValueError, match="NOPE"):
        seg.rfm_table(CustomerFacts(customers, stray, AS_OF))
    with pytest.raises(ValueError, match="not unique"):
        seg.rfm_table(CustomerFacts(pd.concat([customers, customers.head(1)]), orders, AS_OF))
