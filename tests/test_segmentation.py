"""Segmentation: RFM, ABC, Pareto, clusters, portraits, target matrix, penetration, actions, exercises.

Every expected number below was worked out by hand (the working is in the comments).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import segmentation as seg

AS_OF = "2025-12-31"
T = pd.Timestamp(AS_OF)

# --------------------------------------------------------------------------------------------------
# A ten-customer RFM case (plus one customer without orders and one who signed up after as_of)
# --------------------------------------------------------------------------------------------------
#            recency  F   M        R  F  M   FM = round_half_up((F+M)/2)  code  segment
RFM_CASE = {
    "C01": (5, 6, 1200.0),    # 5  5  5   5                            55    champions
    "C02": (10, 4, 800.0),    # 4  4  4   4                            44    loyal
    "C03": (10, 1, 50.0),     # 4  1  2   2 (1.5 -> 2)                 42    potential_loyalists
    "C04": (30, 2, 300.0),    # 4  3  3   3                            43    potential_loyalists
    "C05": (60, 1, 100.0),    # 3  1  2   2                            32    about_to_sleep
    "C06": (90, 3, 450.0),    # 3  4  3   4 (3.5 -> 4)                 34    loyal
    "C07": (200, 1, 40.0),    # 2  1  1   1                            21    hibernating
    "C08": (365, 2, 500.0),   # 2  3  4   4                            24    at_risk
    "C09": (400, 1, 20.0),    # 1  1  1   1                            11    lost
    "C10": (700, 5, 2000.0),  # 1  5  5   5                            15    cant_lose
}
# R: rank = 1 + customers with a strictly longer recency; score = ceil(5 rank / 10):
#    C01 rank 10 -> 5; C02, C03 (tied at 10 days) rank 8 -> 4; C04 rank 7 -> 4; C05 6 -> 3; C06 5 -> 3;
#    C07 4 -> 2; C08 3 -> 2; C09 2 -> 1; C10 1 -> 1.
# F: values 1 (x4), 2 (x2), 3, 4, 5, 6 -> min ranks 1, 5, 7, 8, 9, 10 -> scores 1, 3, 4, 4, 5, 5.
# M: all distinct, rank r -> ceil(r / 2).
EXPECTED = {
    "C01": (5, 5, 5, 5, "champions"), "C02": (4, 4, 4, 4, "loyal"),
    "C03": (4, 1, 2, 2, "potential_loyalists"), "C04": (4, 3, 3, 3, "potential_loyalists"),
    "C05": (3, 1, 2, 2, "about_to_sleep"), "C06": (3, 4, 3, 4, "loyal"), "C07": (2, 1, 1, 1, "hibernating"),
    "C08": (2, 3, 4, 4, "at_risk"), "C09": (1, 1, 1, 1, "lost"), "C10": (1, 5, 5, 5, "cant_lose"),
}


def _rfm_frames():
    rows = []
    n = 0
    for cid, (rec, f, m) in RFM_CASE.items():
        for k in range(f):  # the last order `rec` days before as_of, the others 30 days apart
            n += 1
            rows.append({"order_id": f"O{n:03d}", "customer_id": cid,
                         "order_date": T - pd.Timedelta(days=rec + 30 * k), "revenue": m / f})
    rows.append({"order_id": "O999", "customer_id": "C03", "order_date": T + pd.Timedelta(days=3),
                 "revenue": 99999.0})  # after as_of: ignored
    orders = pd.DataFrame(rows)
    ids = [*RFM_CASE, "C11", "C12"]
    customers = pd.DataFrame({
        "customer_id": ids,
        "signup_date": pd.to_datetime(["2023-01-01"] * 11 + ["2026-01-05"]),  # C12 joins after as_of
        "region": ["East", "East", "West", "East", "West", "East", "East", "West", "East", "East", "West",
                   "East"],
    })
    return customers, orders


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


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
    rfm = seg.rfm_table(customers, orders, AS_OF).set_index("customer_id")
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
    out = seg.rfm_segmentation(customers, orders, AS_OF).set_index("customer_id")
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
    out = seg.rfm_segmentation(customers, orders, AS_OF, segment_map=custom).set_index("customer_id")
    assert out.loc["C01", "segment"] == "recent"
    assert out.loc["C05", "segment"] == "middle"
    assert out.loc["C09", "segment"] == "other"  # code 11 matches no pattern


def test_segment_summary_sizes_and_revenue_shares():
    customers, orders = _rfm_frames()
    summary = seg.segment_summary(seg.rfm_segmentation(customers, orders, AS_OF)).set_index("segment")
    total = sum(m for _, _, m in RFM_CASE.values())  # 5460
    assert summary.loc["loyal", "customers"] == 2
    assert summary.loc["loyal", "customer_share"] == pytest.approx(2 / 11)
    assert summary.loc["loyal", "revenue_share"] == pytest.approx((800 + 450) / total)
    assert summary["customers"].sum() == 11
    assert summary["revenue_share"].sum() == pytest.approx(1.0)
    assert list(summary.index)[0] == "champions" and list(summary.index)[-1] == seg.NO_PURCHASE


# --------------------------------------------------------------------------------------------------
# ABC
# --------------------------------------------------------------------------------------------------
# year 0 = 2025-01-01..2025-12-31, year 1 = 2024, year 2 = 2023 (as_of 2025-12-31)
#        account       y2     y1     y0     class
ABC_CASE = {
    "K1": ("key_account", 1000, 0, 0),      # A: key account (no revenue last year)
    "A1": ("retail", 0, 0, 1000),           # A: rank 1
    "A2": ("retail", 0, 500, 900),          # A: rank 2 (n = 10 buyers, ceil(0.2 * 10) = 2)
    "B1": ("retail", 100, 110, 121),        # B: exactly +10% twice (boundary counts)
    "B2": ("retail", 100, 200, 300),        # B: rank 3, grew twice
    "N1": ("retail", 100, 120, 125),        # C: second year only +4.2%
    "N2": ("retail", 0, 100, 200),          # C: no base in year 2
    "N3": ("retail", 100, 50, 200),         # C: fell in year 1
    "C1": ("retail", 50, 50, 50),           # C
    "C2": ("retail", 0, 0, 10),             # C
    "AG": ("agent", 0, 0, 5),               # A: agent
}
ABC_EXPECTED = {"K1": "A", "A1": "A", "A2": "A", "B1": "B", "B2": "B", "N1": "C", "N2": "C", "N3": "C",
                "C1": "C", "C2": "C", "AG": "A"}
WINDOW_DATES = {2: "2023-06-30", 1: "2024-12-31", 0: "2025-12-31"}  # 2024-12-31 is the last day of year 1


def _abc_frames(with_account_type: bool = True):
    customers = pd.DataFrame({"customer_id": list(ABC_CASE),
                              "signup_date": pd.Timestamp("2022-01-01"),
                              "account_type": [v[0] for v in ABC_CASE.values()]})
    if not with_account_type:
        customers = customers.drop(columns="account_type")
    rows = []
    for cid, (_, *revs) in ABC_CASE.items():
        for year, rev in zip((2, 1, 0), revs, strict=True):
            if rev:
                rows.append({"order_id": f"{cid}-{year}", "customer_id": cid,
                             "order_date": pd.Timestamp(WINDOW_DATES[year]), "revenue": float(rev)})
    return customers, pd.DataFrame(rows)


def test_yearly_revenue_windows_end_at_as_of():
    _, orders = _abc_frames()
    yr = seg.yearly_revenue(orders, AS_OF).set_index("customer_id")
    assert yr.loc["B1"].tolist() == [121.0, 110.0, 100.0]  # y0, y1 (dated 2024-12-31), y2
    assert yr.loc["K1", "revenue_y2"] == 1000.0
    # as_of 2025-06-30: y0 = (2024-06-30, 2025-06-30], y1 = (2023-06-30, 2024-06-30], y2 = (2022-06-30,
    # 2023-06-30]: the order of 2023-06-30 is on the last day of y2, the 2025-12-31 order is ignored
    yr2 = seg.yearly_revenue(orders, "2025-06-30").set_index("customer_id")
    assert yr2.loc["B1"].tolist() == [110.0, 0.0, 100.0]


def test_abc_classes_with_growth_and_key_account_rules():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(customers, orders, AS_OF).set_index("customer_id")
    assert abc["abc_class"].to_dict() == ABC_EXPECTED
    assert abc.loc["A1", "revenue_rank"] == 1 and abc.loc["B2", "revenue_rank"] == 3
    assert pd.isna(abc.loc["K1", "revenue_rank"])
    assert abc.loc["K1", "abc_reason"] == "key account / agent"
    assert abc.loc["B1", "growth_y1"] == pytest.approx(0.10)
    assert abc.loc["B1", "growth_y0"] == pytest.approx(0.10)
    assert pd.isna(abc.loc["N2", "growth_y1"])
    assert "agent or key_account are class A" in abc.attrs["key_account_rule"]


def test_abc_without_account_type_and_other_parameters():
    customers, orders = _abc_frames(with_account_type=False)
    abc = seg.abc_classes(customers, orders, AS_OF).set_index("customer_id")
    assert abc.loc["K1", "abc_class"] == "C" and abc.loc["AG", "abc_class"] == "C"
    assert "revenue only" in abc.attrs["key_account_rule"]
    customers, orders = _abc_frames()
    wider = seg.abc_classes(customers, orders, AS_OF, top_share=0.3).set_index("customer_id")
    assert wider.loc["B2", "abc_class"] == "A"  # ceil(0.3 * 10) = 3 -> rank 3 is A now
    strict = seg.abc_classes(customers, orders, AS_OF, growth=0.5).set_index("customer_id")
    assert strict.loc["B1", "abc_class"] == "C" and strict.loc["B2", "abc_class"] == "B"  # +100%, +50%
    with pytest.raises(ValueError, match="top_share"):
        seg.abc_classes(customers, orders, AS_OF, top_share=0)


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
    abc = seg.abc_classes(customers, orders, AS_OF)
    # y0: 1000, 900, 300, 200, 200, 125, 121, 50, 10, 5 (sum 2911); top 2 = 1900
    assert seg.top_share_revenue(abc.set_index("customer_id")["revenue_y0"]) == pytest.approx(1900 / 2911)


# --------------------------------------------------------------------------------------------------
# Clusters
# --------------------------------------------------------------------------------------------------

def _three_groups(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for i, (rec, freq, mon, ten) in enumerate([(10, 20, 8000, 1000), (600, 2, 200, 900), (20, 1, 150, 40)]):
        n = 40
        parts.append(pd.DataFrame({
            "customer_id": [f"G{i}-{j:02d}" for j in range(n)],
            "recency_days": rec * rng.lognormal(0, 0.15, n),
            "frequency": np.maximum(1, np.round(freq * rng.lognormal(0, 0.15, n))).astype(int),
            "monetary": mon * rng.lognormal(0, 0.15, n),
            "tenure_days": ten * rng.lognormal(0, 0.15, n),
        }))
    return pd.concat(parts, ignore_index=True)


def test_kmeans_is_reproducible_by_seed_and_finds_the_groups():
    rfm = _three_groups()
    a = seg.BehaviourClusters(2, 5, seed=7).fit(rfm)
    b = seg.BehaviourClusters(2, 5, seed=7).fit(rfm)
    pd.testing.assert_series_equal(a.labels_, b.labels_)
    assert a.silhouette_["k"].tolist() == [2, 3, 4, 5]
    assert a.k_ == 3
    # clusters are numbered by decreasing mean revenue: the big spenders are cluster 1
    assert set(a.labels_[a.labels_.index.str.startswith("G0")]) == {1}
    assert a.labels_.groupby(a.labels_.index.str[:2]).nunique().tolist() == [1, 1, 1]
    assert a.profile_["customers"].tolist() == [40, 40, 40]
    assert "high spend" in a.profile_.loc[1, "description"].lower()
    assert "newly acquired" in a.profile_.loc[3, "description"].lower()


def test_cluster_assign_marks_customers_without_orders():
    rfm = pd.concat([_three_groups(), pd.DataFrame({"customer_id": ["Z"], "recency_days": [np.nan],
                                                    "frequency": [0], "monetary": [0.0],
                                                    "tenure_days": [30.0]})], ignore_index=True)
    model = seg.BehaviourClusters(3, 3).fit(rfm)
    out = model.assign(rfm).set_index("customer_id")
    assert out.loc["Z", "cluster"] == seg.NO_PURCHASE
    assert out.loc["G0-00", "cluster"] == "1"
    assert out.loc["G0-00", "cluster_description"] == model.profile_.loc[1, "description"]
    with pytest.raises(ValueError, match="k_min"):
        seg.BehaviourClusters(1, 3).fit(rfm)
    with pytest.raises(RuntimeError):
        seg.BehaviourClusters().assign(rfm)


def test_describe_clusters_from_profile():
    profile = pd.DataFrame({"z_recency_days": [-1.0, 0.1, 0.9], "z_frequency": [1.2, 0.0, -0.3],
                            "z_monetary": [0.8, -0.2, -0.6], "z_tenure_days": [0.1, 0.4, 0.0]},
                           index=[1, 2, 3])
    d = seg.describe_clusters(profile)
    assert d[1] == "Frequent buyers, bought recently, high spend"  # ordered by |z|: 1.2, 1.0, 0.8
    assert d[2] == "Close to the average customer"
    assert d[3] == "Long since last purchase, low spend"
    with pytest.raises(ValueError, match="z_"):
        seg.describe_clusters(pd.DataFrame({"a": [1]}))


# --------------------------------------------------------------------------------------------------
# Demographics and portraits
# --------------------------------------------------------------------------------------------------

def test_age_bands():
    births = pd.Series(pd.to_datetime(["2000-12-31", "2001-01-01", "1960-12-31", "1961-01-01", None,
                                       "2030-01-01"]))
    bands = seg.age_bands(births, AS_OF)
    assert bands.astype(object).tolist()[:4] == ["25-34", "<25", "65+", "55-64"]  # 25, 24, 65, 64 years
    assert bands.isna().tolist()[4:] == [True, True]
    assert list(bands.cat.categories) == ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]
    assert list(seg.age_bands(births, AS_OF, bands=(18, 40)).cat.categories) == ["18-39", "40+"]


def _portrait_frames():
    customers = pd.DataFrame({
        "customer_id": ["P1", "P2", "P3"], "signup_date": pd.Timestamp("2024-01-01"),
        "gender": ["F", "F", "M"], "region": ["East", "West", "West"],
        "acquisition_channel": ["store", "store", "online_ads"],
        "birth_date": pd.to_datetime(["1990-05-01", "1992-05-01", "1970-05-01"]),  # 35, 33, 55 years
    })
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4"], "customer_id": ["P1", "P1", "P2", "P3"],
        "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]),
        "revenue": [100.0, 300.0, 200.0, 400.0], "channel": ["online", "store", "online", "store"],
        "category": ["home", "home", "beauty", "home"],
    })
    assignments = pd.DataFrame({"customer_id": ["P1", "P2", "P3"], "segment": ["x", "x", "y"]})
    return customers, orders, assignments


def test_customer_attributes_and_demographic_summary():
    customers, orders, _ = _portrait_frames()
    attrs = seg.customer_attributes(customers, AS_OF)
    assert attrs["age_band"].astype(str).tolist() == ["35-44", "25-34", "55-64"]
    assert "account_type" in attrs.attrs["absent"] and "gender" in attrs.columns
    no_birth = seg.customer_attributes(customers.drop(columns="birth_date"), AS_OF)
    assert "age_band" not in no_birth.columns and "age_band" in no_birth.attrs["absent"]
    rfm = seg.rfm_table(customers, orders, AS_OF)
    by_gender = seg.demographic_summary(attrs, rfm, "gender").set_index("gender")
    assert by_gender.loc["F", "customers"] == 2
    assert by_gender.loc["F", "avg_order_value"] == pytest.approx(600 / 3)
    assert by_gender.loc["F", "revenue_per_customer"] == pytest.approx(300)
    assert by_gender.loc["M", "revenue_share"] == pytest.approx(0.4)


def test_customer_portrait_and_purchase_mix():
    customers, orders, assignments = _portrait_frames()
    p = seg.customer_portrait(assignments, customers, orders, AS_OF).set_index("segment")
    x = p.loc["x"]
    assert x["customers"] == 2 and x["orders_per_customer"] == pytest.approx(1.5)
    assert x["avg_order_value"] == pytest.approx(200.0)
    assert x["top_gender"] == "F" and x["top_gender_share"] == pytest.approx(1.0)
    assert x["top_region"] == "East" and x["top_region_share"] == pytest.approx(0.5)  # tie -> alphabetical
    assert x["top_channel"] == "online" and x["top_channel_share"] == pytest.approx(0.5)  # 300 of 600
    assert x["top_category"] == "home" and x["top_category_share"] == pytest.approx(4 / 6)
    assert x["revenue_share"] == pytest.approx(0.6)
    assert "Worth 300 revenue per customer" in x["portrait"]
    assert "main channel online (50% of revenue)" in x["portrait"]
    with_unit = seg.customer_portrait(assignments, customers, orders, AS_OF, currency="CNY")
    assert "Worth 300 CNY revenue per customer" in with_unit.loc[0, "portrait"]
    mix = seg.purchase_mix(orders, assignments, AS_OF, by="channel")
    assert mix.loc["x", "online"] == pytest.approx(0.5) and mix.loc["y", "store"] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------------
# Target matrix and penetration
# --------------------------------------------------------------------------------------------------

def test_target_matrix_quadrants():
    m = _target_case().set_index("customer_id")
    # value pct: T4 0 -> .25, T3 100 -> .5, T2 500 -> .75, T1 1000 -> 1
    assert m["value"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.25])
    # trend: T1 900/1100, T2 -500/1500, T3 +1 (new), T4 -1 (gone)
    assert m["trend"].tolist() == pytest.approx([900 / 1100, -1 / 3, 1.0, -1.0])
    # attractiveness = mean(recency pct, trend pct): T1 (.75+.75)/2, T2 (.5+.5)/2, T3 1, T4 .25
    assert m["attractiveness"].tolist() == pytest.approx([0.75, 0.5, 1.0, 0.25])
    assert m["quadrant"].tolist() == ["focus", "passive", "opportunistic", "abandon"]
    assert m.loc["T1", "quadrant_zh"] == "重点选择" and m.loc["T4", "quadrant_zh"] == "放弃选择"


def _penetration_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three East customers (two bought in the last year), one West customer (bought 2024), no North one."""
    customers = pd.DataFrame({"customer_id": ["E1", "E2", "E3", "W1"], "signup_date": pd.Timestamp("2024-01-01"),
                              "region": ["East", "East", "East", "West"]})
    orders = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["E1", "E2", "W1"],
                           "order_date": pd.to_datetime(["2025-03-01", "2025-05-01", "2024-05-01"]),
                           "revenue": [100.0, 50.0, 70.0]})
    market = pd.DataFrame({"region": ["East", "West", "North"], "potential_customers": [30, 10, 20],
                           "market_revenue": [1500.0, 1000.0, 500.0]})
    return customers, orders, market


def test_market_penetration():
    customers, orders, market = _penetration_case()
    p = seg.market_penetration(customers, orders, market, AS_OF).set_index("region")
    assert p.loc["East", ["customers", "active_customers"]].tolist() == [3, 2]
    assert p.loc["East", "penetration"] == pytest.approx(0.1)
    assert p.loc["East", "active_penetration"] == pytest.approx(2 / 30)
    assert p.loc["East", "market_share"] == pytest.approx(150 / 1500)
    assert p.loc["West", "revenue"] == 0 and p.loc["West", "market_share"] == 0  # 2024 order is outside y0
    assert p.loc["North", "customers"] == 0 and p.loc["North", "penetration"] == 0
    assert p.loc["All regions", "penetration"] == pytest.approx(4 / 60)
    assert p.loc["All regions", "market_share"] == pytest.approx(150 / 3000)
    unknown = customers.assign(region=["East", "East", None, "West"])  # E3 has no region
    u = seg.market_penetration(unknown, orders, market, AS_OF).set_index("region")
    assert u.loc["unknown", "customers"] == 1 and pd.isna(u.loc["unknown", "potential_customers"])
    assert u.loc["All regions", "customers"] == 3  # only regions with a market size count in the total
    no_rev = seg.market_penetration(customers, orders, market.drop(columns="market_revenue"), AS_OF)
    assert no_rev["market_share"].isna().all()
    with pytest.raises(ValueError, match="region"):
        seg.market_penetration(customers.drop(columns="region"), orders, market, AS_OF)


# --------------------------------------------------------------------------------------------------
# Actions, exports, KPIs, errors
# --------------------------------------------------------------------------------------------------

def test_action_plan_uses_the_playbook():
    customers, orders = _rfm_frames()
    plan = seg.action_plan(seg.rfm_segmentation(customers, orders, AS_OF)).set_index("segment")
    assert plan.loc["champions", "action"] == seg.RFM_PLAYBOOK["champions"]
    assert plan.loc["loyal", "customers"] == 2
    abc = pd.DataFrame({"customer_id": ["a", "b", "c"], "abc_class": ["A", "C", "Z"],
                        "revenue_y0": [10.0, 30.0, 0.0]})
    plan = seg.action_plan(abc, seg.ABC_PLAYBOOK, segment_col="abc_class", revenue_col="revenue_y0")
    plan = plan.set_index("segment")
    assert plan.loc["A", "action"] == seg.ABC_PLAYBOOK["A"]
    assert plan.loc["C", "revenue_share"] == pytest.approx(0.75)
    assert "No strategy" in plan.loc["Z", "action"]


def test_export_segments_ids_only_when_masked(tmp_path):
    assignments = pd.DataFrame({"customer_id": ["c2", "c1", "c3"], "segment": ["at risk", "at risk", "new"]})
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"], "name": ["Ann", "Bo", "Cy"],
                              "phone": ["1", "2", "3"]})
    paths = seg.export_segments(assignments, tmp_path / "out", customers=customers)
    assert [p.name for p in paths] == ["segment_at_risk.csv", "segment_new.csv"]
    first = pd.read_csv(paths[0], dtype=str)
    assert first.columns.tolist() == ["customer_id"] and first["customer_id"].tolist() == ["c1", "c2"]
    assert "Ann" not in paths[0].read_text(encoding="utf-8-sig")
    paths = seg.export_segments(assignments, tmp_path / "full", customers=customers, mask_personal=False)
    full = pd.read_csv(paths[0], dtype=str)
    assert full.columns.tolist() == ["customer_id", "name", "phone"]
    assert full["name"].tolist() == ["Ann", "Bo"]


def test_segment_kpis():
    summary = pd.DataFrame({"segment": ["champions", "at risk"], "customers": [3, 1],
                            "customer_share": [0.75, 0.25]})
    kpis = seg.segment_kpis(summary)
    assert kpis[0] == {"name": "rfm_champions_customers", "value": 3, "unit": "customers",
                       "label": "RFM champions: customers"}
    assert kpis[3]["name"] == "rfm_at_risk_share" and kpis[3]["value"] == 25.0 and kpis[3]["unit"] == "%"
    assert kpis[3]["label"] == "RFM at risk: share of customers"
    from crmbook.kpis import record_kpi  # the records are valid record_kpi arguments

    assert all(record_kpi(**k, display=False)["name"] == k["name"] for k in kpis)


def test_clear_errors():
    customers, orders = _rfm_frames()
    with pytest.raises(ValueError, match="as_of"):
        seg.rfm_table(customers, orders, None)
    with pytest.raises(ValueError, match="'revenue'"):
        seg.rfm_table(customers, orders.drop(columns="revenue"), AS_OF)
    stray = pd.concat([orders, pd.DataFrame({"order_id": ["X"], "customer_id": ["NOPE"],
                                             "order_date": [T], "revenue": [1.0]})])
    with pytest.raises(ValueError, match="NOPE"):
        seg.rfm_table(customers, stray, AS_OF)
    with pytest.raises(ValueError, match="not unique"):
        seg.rfm_table(pd.concat([customers, customers.head(1)]), orders, AS_OF)


# --------------------------------------------------------------------------------------------------
# Exercises
# --------------------------------------------------------------------------------------------------

def test_exercises_right_wrong_and_unattempted():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(customers, orders, AS_OF)
    abc_c, abc_o = _abc_frames()
    abc = seg.abc_classes(abc_c, abc_o, AS_OF)
    target = seg.target_matrix(abc_o, AS_OF)
    ex = seg.exercises(scored, abc, target)
    assert list(ex) == ["q1", "q2", "q3", "q4"]
    for q in ex.values():
        fb = q.check(...)
        assert fb.status == "unattempted" and "not attempted yet" in str(fb).lower()
        assert q.check("certainly wrong").status == "wrong"
    # q1: the chosen customer's code, by hand from the question's counts
    who = scored.set_index("customer_id").loc[ex.q1.question.split()[1]]
    assert ex.q1.check(int(who["rfm_code"])).correct and ex.q1.check(who["rfm_code"]).correct
    assert ex.q1.check(int(who["rfm_code"]) + 1).status == "wrong"
    table = seg.abc_exercise_table(abc)
    b_ids = [c for c, k in table.attrs["answer"].items() if k == "B"]
    assert b_ids and set(b_ids) <= {"B1", "B2"}
    assert ex.q2.check(b_ids).correct and ex.q2.check(["A1"]).status == "wrong"
    assert ex.q3.check(1900 / 2911).correct and ex.q3.check(100 * 1900 / 2911).correct
    assert ex.q3.check(0.8).status == "wrong"
    pick = target.set_index("customer_id").loc[ex.q4.question.split()[1]]
    assert ex.q4.check(pick["quadrant"]).correct
    assert "q4" not in seg.exercises(scored, abc)


def test_abc_exercise_table_is_solvable_from_what_it_shows():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(customers, orders, AS_OF)
    table = seg.abc_exercise_table(abc)
    cut = table.attrs["a_cutoff"]
    assert cut == 900.0
    for row in table.itertuples():  # applying the stated rules to the shown columns gives the answer
        grew = row.revenue_y2 > 0 and row.revenue_y1 >= 1.1 * row.revenue_y2 - 1e-9 and \
            row.revenue_y0 >= 1.1 * row.revenue_y1 - 1e-9
        want = "A" if (row.revenue_y0 >= cut or row.key_account) else ("B" if grew else "C")
        assert table.attrs["answer"][row.customer_id] == want


# --------------------------------------------------------------------------------------------------
# Charts: each returns its axes with a title
# --------------------------------------------------------------------------------------------------

def test_plots_draw_into_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(customers, orders, AS_OF)
    _, ax = plt.subplots()
    assert seg.plot_pareto(seg.pareto_curve(scored.set_index("customer_id")["monetary"]), ax=ax) is ax
    assert "Pareto" in ax.get_title()
    assert seg.plot_segments(seg.segment_summary(scored)).get_title()
    model = seg.BehaviourClusters(2, 4).fit(_three_groups())
    assert seg.plot_silhouette(model.silhouette_, chosen=model.k_).get_title()
    assert seg.plot_cluster_profile(model.profile_, currency="CNY").get_title()
    abc_c, abc_o = _abc_frames()
    assert seg.plot_target_matrix(seg.target_matrix(abc_o, AS_OF)).get_title() == "Target-customer matrix"
    market = pd.DataFrame({"region": ["East", "West"], "potential_customers": [100, 50],
                           "market_revenue": [1e5, 5e4]})
    pen = seg.market_penetration(customers.iloc[:11], orders, market, AS_OF)
    assert "Penetration" in seg.plot_penetration(pen).get_title()
    attrs = seg.customer_attributes(customers, AS_OF)
    rfm = seg.rfm_table(customers, orders, AS_OF)
    assert "region" in seg.plot_demographic(seg.demographic_summary(attrs, rfm, "region"), "region").get_title()


def test_contact_list_orders_by_urgency_then_value():
    customers, orders = _rfm_frames()
    scored = seg.rfm_segmentation(customers, orders, AS_OF)
    lst = seg.contact_list(scored, segments=("cant_lose", "loyal", "missing"), n_per_segment=1, currency="CNY")
    assert lst["customer_id"].tolist() == ["C10", "C02"]  # loyal: C02 (800) before C06 (450)
    assert lst["priority"].tolist() == [1, 2]
    assert lst.loc[0, "why"] == "cant lose: 2,000 CNY over 5 orders, last order 700 days ago"
    assert seg.contact_list(scored, segments=("lost",), currency="CNY").loc[0, "why"] == \
        "lost: 20 CNY over 1 order, last order 400 days ago"
    assert lst.loc[0, "action"] == seg.RFM_PLAYBOOK["cant_lose"]
    assert seg.contact_list(scored, segments=()).empty


def test_format_table_formats_by_column_name_without_changing_the_table():
    table = pd.DataFrame({"segment": ["a"], "customers": [1234], "customer_share": [0.256],
                          "revenue": [1234567.8], "mean_frequency": [2.345],
                          "recency_days": [1269.0], "orders_per_customer": [1.5],
                          "potential_customers": [14000.0]})
    before = table.copy()
    html = seg.format_table(table, currency="CNY").to_html()
    assert "revenue (CNY)" in html and "1,234,568" in html
    assert "25.6%" in html and "1,234" in html and "2.35" in html and "1,269<" in html
    assert "orders_per_customer (CNY)" not in html and "1.50" in html
    assert "14,000<" in html  # a whole-number float shows no decimals
    pd.testing.assert_frame_equal(table, before)


# --------------------------------------------------------------------------------------------------
# Reading the results: windows, summaries, crosstab, highlights, interpretation sentences, KPIs
# --------------------------------------------------------------------------------------------------

def test_abc_windows_match_the_windows_of_yearly_revenue():
    w = seg.abc_windows(AS_OF)
    assert w["year"].tolist() == [0, 1, 2]
    assert w["start"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-01", "2024-01-01", "2023-01-01"]
    assert w["end"].dt.strftime("%Y-%m-%d").tolist() == ["2025-12-31", "2024-12-31", "2023-12-31"]
    assert seg.describe_windows(w) == ("year 0 = 2025-01-01 to 2025-12-31; year 1 = 2024-01-01 to 2024-12-31; "
                                       "year 2 = 2023-01-01 to 2023-12-31")
    # a leap day: 2024-02-29 minus one year is 2023-02-28, so year 0 starts on 2023-03-01
    leap = seg.abc_windows("2024-02-29", years=2)
    assert leap["start"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-01", "2022-03-01"]
    assert leap["end"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-29", "2023-02-28"]
    # the first and last day of each window are inside it for yearly_revenue, the day before is not
    days = [d for _, r in leap.iterrows() for d in (r["start"] - pd.Timedelta(days=1), r["start"], r["end"])]
    orders = pd.DataFrame({"customer_id": [f"D{i}" for i in range(len(days))], "order_date": days,
                           "revenue": 1.0})
    yr = seg.yearly_revenue(orders, "2024-02-29", years=2).set_index("customer_id")
    # D0 = day before year 0 (last day of year 1), D1/D2 in year 0, D3 = day before year 1, D4/D5 in year 1
    assert yr["revenue_y0"].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert yr["revenue_y1"].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="years"):
        seg.abc_windows(AS_OF, years=0)


def test_abc_summary_and_reasons():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(customers, orders, AS_OF)
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
    assert counts == {("A", "key account / agent"): 2, ("A", "top 20% by annual revenue"): 2,
                      ("B", "grew >= 10% in each of the last two years"): 2, ("C", "rest"): 5}


def test_abc_interpretation_sentences():
    customers, orders = _abc_frames()
    abc = seg.abc_classes(customers, orders, AS_OF)
    text = seg.abc_interpretation(abc, AS_OF, first_order=orders["order_date"].min())
    assert text[0] == ("The top 20% of buying customers bring **65.3%** of the annual revenue (10 customers "
                       "bought in the last 12 months).")  # 1900 / 2911; K1 has no revenue in year 0
    assert text[1] == "Class A holds 4 customers, class B 2 and class C 5."
    assert text[2] == "Customers whose account_type is agent or key_account are class A whatever their revenue."
    assert text[3].startswith("2 customers are key accounts or agents; 2 of them are A only because of that flag")
    # the first order (2023-06-30) is after the first day of year 2 (2023-01-01): class B is incomplete
    assert text[4].startswith("The orders start on 2023-06-30, after the start of year 2")
    assert len(seg.abc_interpretation(abc, AS_OF, first_order="2023-01-01")) == 4  # a full year 2
    bare = seg.abc_classes(*_abc_frames(with_account_type=False), AS_OF)
    plain = seg.abc_interpretation(bare, AS_OF, top_share=0.3)
    assert plain[0].startswith("The top 30% of buying customers bring **75.6%**")  # (1000 + 900 + 300) / 2911
    assert plain[2] == "There is no account_type column in customers, so class A is by revenue only."
    assert len(plain) == 3


def test_cluster_table_crosstab_and_interpretation():
    model = seg.BehaviourClusters(2, 5, seed=7).fit(_three_groups())
    table = seg.cluster_table(model.profile_)
    assert table.columns.tolist() == ["cluster", "customers", "customer_share", "revenue_share",
                                      "mean_recency_days", "mean_frequency", "mean_monetary", "mean_tenure_days",
                                      "description"]
    assert table["cluster"].tolist() == [1, 2, 3] and table["customers"].tolist() == [40, 40, 40]
    text = seg.cluster_interpretation(model, currency="CNY")
    sil = model.silhouette_.set_index("k")["silhouette"]
    assert len(text) == 5 and text[0].startswith(f"The silhouette is highest for **k = 3** ({sil[3]:.2f}; ")
    assert text[0].endswith("over k = 2 to 5), so the customers fall into 3 behavioural groups.")
    assert text[1] == (f"Cluster 1 (33% of buying customers, {model.profile_.loc[1, 'revenue_share']:.0%} of "
                       f"revenue): {model.profile_.loc[1, 'description'].lower()}.")
    best = model.profile_.loc[1]
    assert text[-1] == (f"Cluster 1 is the most valuable: on average {best['mean_monetary']:,.0f} CNY over "
                        f"{best['mean_frequency']:.1f} orders.")
    with pytest.raises(RuntimeError):
        seg.cluster_interpretation(seg.BehaviourClusters())
    a = pd.DataFrame({"segment": ["loyal", "champions", "other", "loyal"],
                      "cluster": ["10", "2", "no_purchase", "2"]})
    x = seg.segment_cluster_crosstab(a)
    assert x.index.tolist() == ["champions", "loyal", "other"]  # RFM order, then unnamed segments
    assert x.columns.tolist() == ["2", "10", "no_purchase"]  # cluster numbers in number order
    assert x.to_numpy().tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]


def test_cluster_threads_change_nothing_but_speed():
    rfm = _three_groups()
    one = seg.BehaviourClusters(2, 4, seed=3, threads=1).fit(rfm)
    free = seg.BehaviourClusters(2, 4, seed=3, threads=None).fit(rfm)
    pd.testing.assert_series_equal(one.labels_, free.labels_)
    pd.testing.assert_frame_equal(one.silhouette_, free.silhouette_)


@pytest.mark.skipif(not (Path(__file__).resolve().parents[1] / "datasets" / "sample" / "customers.csv").exists(),
                    reason="the bundled sample is not there")
def test_cheaper_cluster_defaults_choose_the_same_k_on_the_sample():
    """The defaults (2 restarts, silhouettes on 1,000 customers) against 10 restarts and exact silhouettes."""
    from sklearn.metrics import adjusted_rand_score

    from crmbook.data import load

    ds = load("sample", as_of=AS_OF)
    rfm = seg.rfm_table(ds["customers"], ds["orders"], AS_OF)
    assert (rfm["frequency"] > 0).sum() > seg.CLUSTER_SILHOUETTE_SAMPLE  # the sample really is a sample
    thorough = seg.BehaviourClusters(seed=seg.CLUSTER_SEED, n_init=10, silhouette_sample=10**6).fit(rfm)
    for seed in (seg.CLUSTER_SEED, 0, 7):
        quick = seg.BehaviourClusters(seed=seed).fit(rfm)
        assert quick.k_ == thorough.k_ == 3
        labels = quick.labels_.reindex(thorough.labels_.index)
        assert adjusted_rand_score(thorough.labels_, labels) > 0.95
    again = seg.BehaviourClusters().fit(rfm)  # seeded: a rerun gives the same clusters
    pd.testing.assert_series_equal(again.labels_, seg.BehaviourClusters().fit(rfm).labels_)


def test_consumer_attributes_summaries_and_notes():
    customers, orders, _ = _portrait_frames()
    rfm = seg.rfm_table(customers, orders, AS_OF)
    typed = customers.assign(account_type=["retail", "key_account", "retail"])
    consumers = seg.consumer_attributes(typed, AS_OF)
    assert consumers["customer_id"].tolist() == ["P1", "P3"] and "member_tier" in consumers.attrs["absent"]
    assert len(seg.consumer_attributes(customers, AS_OF)) == 3  # no account_type: everyone
    tables = seg.demographic_summaries(seg.consumer_attributes(customers, AS_OF), rfm)
    assert list(tables) == ["age_band", "gender", "region", "acquisition_channel"]
    assert tables["gender"].set_index("gender").loc["F", "revenue_share"] == pytest.approx(0.6)
    assert seg.demographic_notes(seg.customer_attributes(customers, AS_OF)) == []
    no_birth = seg.customer_attributes(customers.drop(columns="birth_date"), AS_OF)
    assert list(seg.demographic_summaries(no_birth, rfm)) == ["gender", "region", "acquisition_channel"]
    notes = seg.demographic_notes(no_birth)
    assert len(notes) == 1 and notes[0].startswith("*Not available in this data:* age_band (")
    bare = seg.customer_attributes(customers[["customer_id", "signup_date"]], AS_OF)
    assert seg.demographic_summaries(bare, rfm) == {}
    notes = seg.demographic_notes(bare)
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
    text = seg.demographic_interpretation(h, consumers=100, currency="CNY")
    assert text[0] == ("Among 100 consumers, the group whose share of revenue most exceeds its share of customers, "
                       "per dimension: region *West* (30.0% of customers, 35.0% of revenue, 1,167 CNY per "
                       "customer).")
    assert text[1].startswith("These are the profiles acquisition should look for")
    assert len(seg.demographic_interpretation(h.head(0), consumers=5)) == 1


def test_plot_demographics_grid():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    customers, orders, _ = _portrait_frames()
    attrs = seg.customer_attributes(customers, AS_OF)
    tables = seg.demographic_summaries(attrs, seg.rfm_table(customers, orders, AS_OF),
                                       dimensions=("gender", "region", "age_band"))
    fig = seg.plot_demographics(tables, currency="CNY")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 4 and len(visible) == 3  # a 2 x 2 grid, the fourth cell hidden
    assert [ax.get_title() for ax in visible] == ["Gender (labels: share of customers)",
                                                  "Region (labels: share of customers)",
                                                  "Age band (labels: share of customers)"]
    assert fig.get_suptitle() == "Revenue per consumer (CNY) by demographic group"
    _, axes = plt.subplots(1, 3)
    assert seg.plot_demographics(tables, axes=axes) is axes[0].figure
    assert [len(ax.patches) for ax in axes] == [2, 2, 3]  # F/M, East/West, three age bands
    with pytest.raises(ValueError, match="axes"):
        seg.plot_demographics(tables, axes=axes[:2])
    with pytest.raises(ValueError, match="no demographic"):
        seg.plot_demographics({})


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
    scored = seg.rfm_segmentation(customers, orders, AS_OF)
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


def _target_case() -> pd.DataFrame:
    orders = pd.DataFrame({
        "order_id": list("abcdef"),
        "customer_id": ["T1", "T1", "T2", "T2", "T3", "T4"],
        "order_date": pd.to_datetime(["2024-06-01", "2025-12-01", "2024-06-01", "2025-02-01", "2025-12-21",
                                      "2024-03-01"]),
        "revenue": [100.0, 1000.0, 1000.0, 500.0, 100.0, 200.0],
    })
    return seg.target_matrix(orders, AS_OF)  # focus T1, passive T2, opportunistic T3, abandon T4


def test_target_summary_interpretation_and_kpis():
    summary = seg.target_summary(_target_case())
    assert summary["segment"].tolist() == ["focus", "opportunistic", "passive", "abandon"]
    assert summary["chinese"].tolist() == ["重点选择", "择机选择", "消极选择", "放弃选择"]
    # annual revenue: T1 1000, T3 100, T2 500, T4 0 of 1600
    assert summary["annual_revenue"].tolist() == [1000.0, 100.0, 500.0, 0.0]
    assert "mean_recency_days" not in summary.columns and "revenue" not in summary.columns
    text = seg.target_interpretation(summary)
    assert text[0] == "*focus* (重点选择): 1 customers (25.0%) with 62.5% of annual revenue."
    assert text[2] == "*passive* (消极选择): 1 customers (25.0%) with 31.2% of annual revenue."
    assert text[4].startswith("50% of buying customers sit on the diagonal")  # focus + abandon
    kpis = seg.target_kpis(summary)
    assert kpis[0] == {"name": "target_focus_share", "value": 25.0, "unit": "%",
                       "label": "Target matrix: focus (重点选择), share of buying customers"}
    assert [k["name"] for k in kpis][1:] == ["target_opportunistic_share", "target_passive_share",
                                             "target_abandon_share"]


def test_penetration_interpretation_and_kpis():
    customers, orders, market = _penetration_case()
    p = seg.market_penetration(customers, orders, market, AS_OF)
    text = seg.penetration_interpretation(p)
    # 4 of 60 potential = 6.7%; active E1, E2 = 2 of 60 = 3.3%; revenue 150 of 3000 = 5.0%
    assert text[0] == ("Overall we reach 6.7% of the potential customers (3.3% active in the last 12 months) and a "
                       "market share of 5.0%.")
    # East 3/30 = 10% and West 1/10 = 10% tie: the first (East); North 0/20 = 0%
    assert text[1].startswith("Penetration is highest in **East** (10.0%) and lowest in **North** (0.0%)")
    assert seg.penetration_kpis(p) == [
        {"name": "penetration", "value": 6.67, "unit": "%", "label": "Penetration, all regions"},
        {"name": "market_share", "value": 5.0, "unit": "%", "label": "Market share, all regions"}]
    no_rev = seg.market_penetration(customers, orders, market.drop(columns="market_revenue"), AS_OF)
    assert [k["name"] for k in seg.penetration_kpis(no_rev)] == ["penetration"]
    assert "market share" not in seg.penetration_interpretation(no_rev)[0]
    with pytest.raises(ValueError, match="All regions"):
        seg.penetration_interpretation(p[p["region"] != "All regions"])


def test_summary_points():
    customers, orders = _rfm_frames()
    summary = seg.segment_summary(seg.rfm_segmentation(customers, orders, AS_OF))
    abc = seg.abc_classes(*_abc_frames(), AS_OF)
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
