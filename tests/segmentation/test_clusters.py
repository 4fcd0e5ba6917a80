"""Behavioural clusters: k-means by seed, trait codes, the cluster table and crosstab."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

from .cases import AS_OF, CTX, CTX_ZH, _three_groups


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
    assert "high_monetary" in a.profile_.loc[1, "traits"].split(",")
    assert "low_tenure_days" in a.profile_.loc[3, "traits"].split(",")
    assert "high spend" in seg.cluster_description(a.profile_.loc[1, "traits"], CTX).lower()
    assert "newly acquired" in seg.cluster_description(a.profile_.loc[3, "traits"], CTX).lower()


def test_cluster_assign_marks_customers_without_orders():
    rfm = pd.concat([_three_groups(), pd.DataFrame({"customer_id": ["Z"], "recency_days": [np.nan],
                                                    "frequency": [0], "monetary": [0.0],
                                                    "tenure_days": [30.0]})], ignore_index=True)
    model = seg.BehaviourClusters(3, 3).fit(rfm)
    out = model.assign(rfm).set_index("customer_id")
    assert out.loc["Z", "cluster"] == seg.NO_PURCHASE
    assert out.loc["G0-00", "cluster"] == "1"
    assert out.loc["G0-00", "cluster_traits"] == model.profile_.loc[1, "traits"]
    with pytest.raises(ValueError, match="k_min"):
        seg.BehaviourClusters(1, 3).fit(rfm)
    with pytest.raises(RuntimeError):
        seg.BehaviourClusters().assign(rfm)


def test_describe_clusters_from_profile():
    profile = pd.DataFrame({"z_recency_days": [-1.0, 0.1, 0.9], "z_frequency": [1.2, 0.0, -0.3],
                            "z_monetary": [0.8, -0.2, -0.6], "z_tenure_days": [0.1, 0.4, 0.0]},
                           index=[1, 2, 3])
    d = seg.describe_clusters(profile)
    assert d[1] == "high_frequency,low_recency_days,high_monetary"  # ordered by |z|: 1.2, 1.0, 0.8
    assert d[2] == ""
    assert d[3] == "high_recency_days,low_monetary"
    assert seg.cluster_description(d[1], CTX) == "Frequent buyers, bought recently, high spend"
    assert seg.cluster_description(d[2], CTX) == "Close to the average customer"
    assert seg.cluster_description(d[3], CTX) == "Long since last purchase, low spend"
    with pytest.raises(ValueError, match="z_"):
        seg.describe_clusters(pd.DataFrame({"a": [1]}))


def test_cluster_names_follow_the_profile():
    # a hand-made profile: z of log recency, frequency, revenue, tenure per cluster
    profile = pd.DataFrame({"z_recency_days": [-0.7, 0.9, -0.8, 0.8, 0.1, 0.0],
                            "z_frequency": [1.4, -0.2, -0.6, 0.2, -0.9, 0.2],
                            "z_monetary": [1.2, -0.3, -0.1, 0.9, -0.7, 0.1],
                            "z_tenure_days": [0.4, 0.4, -1.4, 0.1, 0.2, -0.3]}, index=[1, 2, 3, 4, 5, 6])
    traits = seg.describe_clusters(profile)
    assert traits[1] == "high_frequency,high_monetary,low_recency_days"
    names = traits.map(seg.cluster_name).tolist()
    # 1 buys often and much; 2 stopped buying; 3 new, few orders; 4 spent much but stopped (lapsed first);
    # 5 rarely buys, little; 6 close to the average on every feature
    assert names == ["frequent_big_spenders", "lapsed", "new_low_value", "lapsed_big_spenders",
                     "occasional_low_spenders", "average"]
    assert seg.cluster_name("low_tenure_days") == "newcomers" and seg.cluster_name("high_tenure_days") == "long_standing"
    assert seg.cluster_label("frequent_big_spenders", CTX) == "frequent big spenders"
    assert seg.cluster_label("new_low_value", CTX_ZH) == "低价值新客户"
    assert seg.cluster_name("high_monetary", rules=(("whales", ("high_monetary",), ()),)) == "whales"
    profile["customers"] = 10
    profile["name"] = names
    for f in ("recency_days", "frequency", "monetary", "tenure_days"):
        profile[f"mean_{f}"] = 1.0
    ax = seg.plot_cluster_profile(profile, CTX)
    assert ax.get_yticklabels()[0].get_text() == "1 frequent big spenders (10)"


def test_cluster_table_crosstab_and_interpretation():
    model = seg.BehaviourClusters(2, 5, seed=7).fit(_three_groups())
    table = seg.cluster_table(model.profile_)
    assert table.columns.tolist() == ["cluster", "cluster_name", "customers", "customer_share", "revenue_share",
                                      "mean_recency_days", "mean_frequency", "mean_monetary", "mean_tenure_days",
                                      "traits"]
    assert table["cluster"].tolist() == [1, 2, 3] and table["customers"].tolist() == [40, 40, 40]
    text = seg.cluster_interpretation(model, CTX)
    sil = model.silhouette_.set_index("k")["silhouette"]
    assert len(text) == 5 and text[0].startswith(f"The silhouette is highest for **k = 3** ({sil[3]:.2f}; ")
    assert text[0].endswith("over k = 2 to 5), so the customers fall into 3 behavioural groups.")
    name = seg.cluster_label(model.profile_.loc[1, "name"], CTX)
    assert text[1] == (f"Cluster 1, *{name}* (33% of buying customers, {model.profile_.loc[1, 'revenue_share']:.0%} of "
                       f"revenue): {seg.cluster_description(model.profile_.loc[1, 'traits'], CTX).lower()}.")
    best = model.profile_.loc[1]
    assert text[-1] == (f"Cluster 1 (*{name}*) is the most valuable: on average {best['mean_monetary']:,.0f} CNY over "
                        f"{best['mean_frequency']:.1f} orders.")
    with pytest.raises(RuntimeError):
        seg.cluster_interpretation(seg.BehaviourClusters(), CTX)
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


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "datasets" / "sample" / "customers.csv").exists(),
                    reason="the bundled sample is not there")
def test_cheaper_cluster_defaults_choose_the_same_k_on_the_sample():
    """The defaults (2 restarts, silhouettes on 1,000 customers) against 10 restarts and exact silhouettes."""
    from sklearn.metrics import adjusted_rand_score

    from crmbook.data import load

    ds = load("sample", as_of=AS_OF)
    rfm = seg.rfm_table(CustomerFacts.from_dataset(ds))
    assert (rfm["frequency"] > 0).sum() > seg.CLUSTER_SILHOUETTE_SAMPLE  # the sample really is a sample
    thorough = seg.BehaviourClusters(seed=seg.CLUSTER_SEED, n_init=10, silhouette_sample=10**6).fit(rfm)
    for seed in (seg.CLUSTER_SEED, 0, 7):
        quick = seg.BehaviourClusters(seed=seed).fit(rfm)
        assert quick.k_ == thorough.k_ == 3
        labels = quick.labels_.reindex(thorough.labels_.index)
        assert adjusted_rand_score(thorough.labels_, labels) > 0.95
    again = seg.BehaviourClusters().fit(rfm)  # seeded: a rerun gives the same clusters
    pd.testing.assert_series_equal(again.labels_, seg.BehaviourClusters().fit(rfm).labels_)
