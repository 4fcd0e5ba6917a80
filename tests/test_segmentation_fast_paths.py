"""Segmentation: the faster ways of computing and drawing give the results of the plain ways.

K-means runs on one thread from the first fit of a fresh interpreter; the customer portrait finds the most common values of all segments in one pass; the demographic summaries join
the RFM table once for every dimension.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from crmbook import segmentation as seg
from crmbook.facts import CustomerFacts

AS_OF = "2025-12-31"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_first_fit_of_a_fresh_interpreter_runs_on_one_thread():
    # threadpoolctl limits only the libraries loaded when the limit is entered: fit() must load scikit-learn
    # (and its OpenMP runtime) first, or the first fit of a kernel runs on every core
    script = textwrap.dedent("""
        import json, sys
        import numpy as np, pandas as pd
        from crmbook import segmentation as seg
        assert "sklearn" not in sys.modules
        seen = []
        plain = seg.BehaviourClusters._fit
        def spy(self, rfm, **kw):
            import sklearn.cluster  # what _fit imports first: its OpenMP runtime is loaded by now
            from threadpoolctl import threadpool_info
            seen.extend(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "openmp")
            return plain(self, rfm, **kw)
        seg.BehaviourClusters._fit = spy
        rng = np.random.default_rng(0)
        rfm = pd.DataFrame({"customer_id": [f"C{i}" for i in range(60)], "recency_days": rng.integers(1, 400, 60),
                            "frequency": rng.integers(1, 9, 60), "monetary": rng.uniform(10, 900, 60),
                            "tenure_days": rng.integers(30, 900, 60)})
        seg.BehaviourClusters(2, 3, seed=0).fit(rfm)
        print(json.dumps(seen))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    threads = json.loads(done.stdout.strip().splitlines()[-1])
    assert threads and set(threads) == {1}


def test_portrait_over_representation_skips_missing_values():
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E", "F"], "signup_date": pd.Timestamp("2024-01-01"),
        "gender": ["M", "F", None, "F", "M", None],
        "region": ["West", "East", "East", "North", None, None],
        "acquisition_channel": ["ads", "ads", "store", "store", "store", None],
    })
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4", "o5"], "customer_id": ["A", "B", "C", "A", "D"],
        "order_date": pd.Timestamp("2025-06-01"), "revenue": [100.0, 50.0, 50.0, 20.0, 10.0],
        "channel": ["store", "app", "web", "app", None], "category": ["home", "home", "beauty", "beauty", "home"],
    })
    assignments = pd.DataFrame({"customer_id": list("ABCDEF"), "segment": ["s", "s", "s", "t", "t", "u"]})
    p = seg.customer_portrait(CustomerFacts(customers, orders, AS_OF), assignments, min_size=1).set_index("segment")
    s, t, u = p.loc["s"], p.loc["t"], p.loc["u"]
    # s: genders M, F (C unknown), as in the base (2 M, 2 F known): index 1, nothing over-represented;
    # regions East 2 of 3 known against 2 of 4 in the base -> 4/3; channels ads 2 of 3 against 2 of 5 -> 5/3
    assert pd.isna(s["over_gender"])
    assert (s["over_region"], s["over_region_share"], s["over_region_index"]) == ("East", 2 / 3, pytest.approx(4 / 3))
    assert (s["over_acquisition_channel"], s["over_acquisition_channel_index"]) == ("ads", pytest.approx(5 / 3))
    # s: channel revenue store 100, app 50 + 20 = 70, web 50 -> store, 100 of 220
    assert (s["top_channel"], s["top_channel_share"]) == ("store", 100 / 220)
    # s: category home 150, beauty 70 -> home
    assert (s["top_category"], s["top_category_share"]) == ("home", 150 / 220)
    # t: D and E; genders F, M as in the base; region only North known (1 of 4 in the base -> index 4)
    assert pd.isna(t["over_gender"])
    assert (t["over_region"], t["over_region_share"], t["over_region_index"]) == ("North", 1.0, 4.0)
    assert pd.isna(t["top_channel"]) and pd.isna(t["top_channel_share"])
    assert (t["top_category"], t["orders_per_customer"], t["avg_order_value"]) == ("home", 0.5, 10.0)
    # u: F has no known attribute and no order
    assert pd.isna(u["over_gender"]) and pd.isna(u["over_region_share"]) and pd.isna(u["top_category"])
    assert (u["orders_per_customer"], u["revenue_per_customer"]) == (0.0, 0.0) and pd.isna(u["avg_order_value"])


def test_demographic_summaries_are_the_single_summaries():
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"], "signup_date": pd.Timestamp("2024-01-01"),
        "birth_date": pd.to_datetime(["1990-01-01", "1960-01-01", None, "1991-06-01"]),
        "gender": ["F", "M", "F", None], "region": ["East", "East", "West", "West"],
    })
    orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "customer_id": ["A", "A", "C"],
                           "order_date": pd.Timestamp("2025-03-01"), "revenue": [10.0, 30.0, 5.0]})
    facts = CustomerFacts(customers, orders, AS_OF)
    attrs = seg.customer_attributes(facts)
    rfm = seg.rfm_table(facts)
    tables = seg.demographic_summaries(attrs, rfm, dimensions=("gender", "age_band", "gender", "channel"))
    assert list(tables) == ["gender", "age_band"]  # absent dimensions left out, repeats once
    for dim, table in tables.items():
        pd.testing.assert_frame_equal(table, seg.demographic_summary(attrs, rfm, dim), check_exact=True)
    g = tables["gender"].set_index("gender")
    assert g.loc["F", "buyer_share"] == 1.0 and g.loc["M", "buyer_share"] == 0.0
    assert g.loc["unknown", "customers"] == 1
    with pytest.raises(ValueError, match="rfm: column"):
        seg.demographic_summaries(attrs, rfm.drop(columns="monetary"))
