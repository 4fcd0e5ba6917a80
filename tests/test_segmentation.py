"""Segmentation: RFM, ABC, Pareto, clusters, portraits, target matrix, penetration, actions, exercises.

Every expected number below was worked out by hand (the working is in the comments).
"""

from __future__ import annotations

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
    orders = pd.DataFrame({
        "order_id": list("abcdef"),
        "customer_id": ["T1", "T1", "T2", "T2", "T3", "T4"],
        "order_date": pd.to_datetime(["2024-06-01", "2025-12-01", "2024-06-01", "2025-02-01", "2025-12-21",
                                      "2024-03-01"]),
        "revenue": [100.0, 1000.0, 1000.0, 500.0, 100.0, 200.0],
    })
    m = seg.target_matrix(orders, AS_OF).set_index("customer_id")
    # value pct: T4 0 -> .25, T3 100 -> .5, T2 500 -> .75, T1 1000 -> 1
    assert m["value"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.25])
    # trend: T1 900/1100, T2 -500/1500, T3 +1 (new), T4 -1 (gone)
    assert m["trend"].tolist() == pytest.approx([900 / 1100, -1 / 3, 1.0, -1.0])
    # attractiveness = mean(recency pct, trend pct): T1 (.75+.75)/2, T2 (.5+.5)/2, T3 1, T4 .25
    assert m["attractiveness"].tolist() == pytest.approx([0.75, 0.5, 1.0, 0.25])
    assert m["quadrant"].tolist() == ["focus", "passive", "opportunistic", "abandon"]
    assert m.loc["T1", "quadrant_zh"] == "重点选择" and m.loc["T4", "quadrant_zh"] == "放弃选择"


def test_market_penetration():
    customers = pd.DataFrame({"customer_id": ["E1", "E2", "E3", "W1"], "signup_date": pd.Timestamp("2024-01-01"),
                              "region": ["East", "East", "East", "West"]})
    orders = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["E1", "E2", "W1"],
                           "order_date": pd.to_datetime(["2025-03-01", "2025-05-01", "2024-05-01"]),
                           "revenue": [100.0, 50.0, 70.0]})
    market = pd.DataFrame({"region": ["East", "West", "North"], "potential_customers": [30, 10, 20],
                           "market_revenue": [1500.0, 1000.0, 500.0]})
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
    from crmbook.report import record_kpi  # the records are valid record_kpi arguments

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
