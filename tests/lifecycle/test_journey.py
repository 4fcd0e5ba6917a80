"""crmbook.lifecycle.journey: touchpoints on the journey, their volume and outcome, and pain points.

The small case (as_of 2025-12-31): C1 first orders 2025-01-10 and again 2025-03-01; C2 orders once,
2025-01-05; C3 signed up 2025-01-01 and never ordered. Contacts:

| row | customer | date       | type           | hours | resolved | what happens                                |
|-----|----------|------------|----------------|-------|----------|---------------------------------------------|
| 0   | C1       | 2025-02-01 | service_call   | 1.0   | True     | use; C1 orders again 28 days later          |
| 1   | C1       | 2025-02-15 | service_call   | 10.0  | False    | use; not C1's first service call: no pain   |
| 2   | C2       | 2025-02-01 | complaint      | 30.0  | False    | use; C2 never orders again                  |
| 3   | C3       | 2025-01-20 | chat           | 0.1   | True     | before any order: consideration             |
| 4   | C1       | 2025-06-01 | campaign_touch |       |          | replaced by the campaign member row         |
| 5   | C9       | 2025-03-01 | chat           |       |          | unknown customer: left out                  |
| 6   | C1       | 2026-01-03 | visit          |       |          | after as_of: left out                       |

Campaign K1 (start 2025-06-01, sms): C1 treatment (did not buy) -> loyalty, C3 treatment (bought) ->
awareness (no order before), C2 control (not a touch). Orders: 3 purchase touchpoints.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.lifecycle import journey as J

AS_OF = "2025-12-31"


@pytest.fixture()
def facts() -> CustomerFacts:
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
                              "signup_date": pd.to_datetime(["2025-01-10", "2025-01-05", "2025-01-01"])})
    orders = pd.DataFrame({"order_id": ["O1", "O2", "O3"], "customer_id": ["C1", "C1", "C2"],
                           "order_date": pd.to_datetime(["2025-01-10", "2025-03-01", "2025-01-05"]),
                           "revenue": [100.0, 50.0, 80.0], "channel": ["online", "store", "online"]})
    return CustomerFacts(customers, orders, AS_OF, currency="CNY")


@pytest.fixture()
def contacts() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["C1", "C1", "C2", "C3", "C1", "C9", "C1"],
        "contact_date": pd.to_datetime(["2025-02-01", "2025-02-15", "2025-02-01", "2025-01-20", "2025-06-01",
                                        "2025-03-01", "2026-01-03"]),
        "type": ["service_call", "service_call", "complaint", "chat", "campaign_touch", "chat", "visit"],
        "channel": ["phone", "phone", "phone", "online", "sms", "online", "field"],
        "response_hours": [1.0, 10.0, 30.0, 0.1, np.nan, np.nan, np.nan],
        "resolved": [True, False, False, True, None, None, None],
    })


CAMPAIGNS = pd.DataFrame({"campaign_id": ["K1"], "start_date": pd.to_datetime(["2025-06-01"]), "channel": ["sms"],
                          "cost": [100.0]})
MEMBERS = pd.DataFrame({"campaign_id": ["K1", "K1", "K1"], "customer_id": ["C1", "C2", "C3"],
                        "group": ["treatment", "control", "treatment"], "responded": [False, False, True]})


def test_touchpoints_are_placed_and_what_is_left_out_is_counted(facts, contacts):
    tp = J.touchpoints(facts, contacts, MEMBERS, CAMPAIGNS)
    assert len(tp) == 4 + 2 + 3  # contacts kept, campaign touches, orders
    assert tp.attrs["left_out"] == {"campaign_touch_replaced": 1, "after_as_of": 1, "unknown_customer": 1}
    stages = J.journey_stage_summary(tp).set_index("journey_stage")["touches"].to_dict()
    assert stages == {"awareness": 1, "consideration": 1, "purchase": 3, "use": 3, "loyalty": 1}
    camp = tp[tp["touchpoint"] == "campaign"].set_index("customer_id")
    assert camp["journey_stage"].astype(str).to_dict() == {"C1": "loyalty", "C3": "awareness"}
    assert camp["responded"].to_dict() == {"C1": 0.0, "C3": 1.0}


def test_without_campaign_members_the_campaign_touch_contact_counts(facts, contacts):
    tp = J.touchpoints(facts, contacts, include_orders=False)
    assert "campaign_touch_replaced" not in tp.attrs["left_out"]
    assert tp.loc[tp["touchpoint"] == "campaign_touch", "journey_stage"].astype(str).tolist() == ["loyalty"]
    assert len(tp) == 5


def test_touchpoint_summary_volume_response_outcome(facts, contacts):
    """Service calls: 2 touches by 1 customer, hours 1 and 10 (median 5.5, 90th percentile 1 + 0.9 x 9 = 9.1),
    one of two resolved."""
    s = J.touchpoint_summary(J.touchpoints(facts, contacts, MEMBERS, CAMPAIGNS))
    assert s["journey_stage"].tolist() == ["awareness", "consideration", "purchase", "use", "use", "loyalty"]
    sc = s.set_index("touchpoint").loc["service_call"]
    assert (sc["touches"], sc["customers"], sc["main_channel"]) == (2, 1, "phone")
    assert sc["median_response_hours"] == pytest.approx(5.5) and sc["p90_response_hours"] == pytest.approx(9.1)
    assert sc["resolved_share"] == pytest.approx(0.5)
    assert s.set_index("touchpoint").loc["complaint", "resolved_share"] == 0.0
    orders = s.set_index("touchpoint").loc["order"]
    assert (orders["touches"], orders["customers"], orders["main_channel"]) == (3, 2, "online")


def test_mapping_is_data_and_can_be_overridden(facts, contacts):
    jm = J.journey_map()
    assert jm["stages"] == J.JOURNEY_STAGES and jm["touchpoints"]["chat"] == ("consideration", "use")
    mine = {"stages": list(J.JOURNEY_STAGES), "touchpoints": {"service_call": "loyalty", "order": "purchase"}}
    tp = J.touchpoints(facts, contacts, mapping=mine)
    assert set(tp["touchpoint"]) == {"service_call", "order"}
    assert tp.attrs["left_out"]["no_stage"] == 3 and tp.attrs["unmapped"] == ["campaign_touch", "chat", "complaint"]
    with pytest.raises(ValueError, match="not a stage"):
        J.journey_map({"touchpoints": {"chat": "delight"}})


def test_pain_points_use_each_customers_first_contact(facts, contacts):
    """Window 60 days, slow above 5 hours: C1's first service call (1 h, resolved) is followed by an order 28
    days later; C2's complaint (30 h, unresolved) by none; C1's second call (slow, unresolved) does not count;
    C3's chat comes before any order. With min_group 1 every comparison lacks one of its groups."""
    pain = J.pain_points(facts, contacts, window_days=60, slow_hours=5, min_group=1, adjust=False)
    got = pain.set_index(["touchpoint", "problem"])
    assert got.loc[("service_call", "unresolved"), ["bad_customers", "good_customers", "good_inactive"]].tolist() \
        == [0, 1, 0]
    assert got.loc[("complaint", "slow"), ["bad_customers", "bad_inactive"]].tolist() == [1, 1]
    assert set(pain["verdict"]) == {"too_few"}
    assert pain.attrs["contacts_before_first_order"] == 1 and pain.attrs["contacts_used"] == 2


def _many(n_bad: int, bad_inactive: int, n_good: int, good_inactive: int):
    """``n_bad + n_good`` customers, each with a first order on 2025-01-01 and a complaint on 2025-02-01
    (unresolved for the first ``n_bad``), and an order on 2025-03-01 for those who stay active."""
    ids = [f"C{i:03d}" for i in range(n_bad + n_good)]
    inactive = [i < bad_inactive or n_bad <= i < n_bad + good_inactive for i in range(len(ids))]
    customers = pd.DataFrame({"customer_id": ids, "signup_date": pd.Timestamp("2025-01-01")})
    rows = [(f"A{i}", c, "2025-01-01") for i, c in enumerate(ids)]
    rows += [(f"B{i}", c, "2025-03-01") for i, c in enumerate(ids) if not inactive[i]]
    orders = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date"]).assign(revenue=10.0)
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    contacts = pd.DataFrame({"customer_id": ids, "contact_date": pd.Timestamp("2025-02-01"), "type": "complaint",
                             "resolved": [i >= n_bad for i in range(len(ids))]})
    return CustomerFacts(customers, orders, AS_OF), contacts


def test_a_clear_pain_point_is_named():
    """40 unresolved complaints all followed by no order, 40 resolved ones all by an order: 100 % vs 0 %.
    Newcombe: 1 - sqrt((1 - 0.9124)^2 + 0.0876^2) = 0.876 > 0 -> a pain point (one comparison: no widening)."""
    f, contacts = _many(40, 40, 40, 0)
    pain = J.pain_points(f, contacts, window_days=90)
    row = pain.iloc[0]
    assert (row["problem"], row["bad_rate"], row["good_rate"], row["verdict"]) == ("unresolved", 1.0, 0.0, "pain_point")
    assert row["difference_low"] == pytest.approx(0.8761, abs=1e-4)
    text = J.journey_narrative(J.journey_facts(J.touchpoints(f, contacts), pain), Context(AS_OF, "CNY", "en"))
    assert any(s.startswith("**Pain point: unresolved Complaint.** 100.0% of customers") for s in text)
    assert any("association, not proof" in s for s in text)


def test_equal_rates_or_small_groups_name_no_pain_point():
    """20 of 40 inactive after each kind: no difference. 10 per group with min_group 30: too few."""
    f, contacts = _many(40, 20, 40, 20)
    assert J.pain_points(f, contacts, window_days=90).iloc[0]["verdict"] == "no_clear_difference"
    f, contacts = _many(10, 10, 10, 0)
    pain = J.pain_points(f, contacts, window_days=90)
    assert pain.iloc[0]["verdict"] == "too_few"
    text = J.journey_narrative(J.journey_facts(J.touchpoints(f, contacts), pain), Context(AS_OF, "", "zh"))
    assert any("没有接触点显示出" in s for s in text)


def test_adjusting_for_several_comparisons_widens_the_interval(facts, contacts):
    """Six comparisons: z = Phi^-1(1 - 0.025 / 6) = 2.638 instead of 1.960."""
    f, c = _many(40, 30, 40, 20)
    c = pd.concat([c.assign(type=t) for t in ("complaint", "chat", "service_call")], ignore_index=True)
    c["response_hours"] = np.tile(np.arange(80, dtype=float), 3)
    wide = J.pain_points(f, c, window_days=90)
    narrow = J.pain_points(f, c, window_days=90, adjust=False)
    assert wide.attrs["comparisons"] == 6 and wide.attrs["z"] == pytest.approx(2.6383, abs=1e-4)
    assert (wide["difference_high"] - wide["difference_low"] > narrow["difference_high"] - narrow["difference_low"]).all()


def test_journey_narrative_and_table_in_both_languages(facts, contacts):
    tp = J.touchpoints(facts, contacts, MEMBERS, CAMPAIGNS)
    jf = J.journey_facts(tp, J.pain_points(facts, contacts))
    en = J.journey_narrative(jf, Context(AS_OF, "CNY", "en"))
    assert en[0] == "The data hold 9 touchpoints; the busiest stage is *Purchase* with 33.3% of them."
    assert any("*Complaint* is resolved least often: 0.0%" in s for s in en)
    assert any("1 campaign touch of the contacts table" in s for s in en)
    assert any("1 touchpoint dated after as_of; 1 touchpoint of a customer not in the customers table" in s for s in en)
    html = J.journey_table(jf["summary"], Context(AS_OF, "CNY", "zh")).to_html()
    assert "服务电话" in html and "旅程阶段" in html and "认知" in html
    only_orders = J.journey_narrative(J.journey_facts(J.touchpoints(facts), None), Context(AS_OF, "CNY", "en"))
    assert any(s.startswith("There is no contacts table") for s in only_orders)
    assert any(s.startswith("No touchpoint falls in Awareness and Consideration: with this mapping only") for s in
               only_orders)
    assert "No touchpoint falls in Use and Loyalty." in only_orders


def _groupby_summary(tp: pd.DataFrame) -> pd.DataFrame:
    """The summary computed the plain pandas way (the oracle of the code-based one)."""
    keys = ["journey_stage", "touchpoint"]
    g = tp.groupby(keys, observed=True, sort=True)
    out = pd.DataFrame({"touches": g.size(), "customers": g["customer_id"].nunique(),
                        "median_response_hours": g["response_hours"].median(),
                        "p90_response_hours": g["response_hours"].quantile(0.9),
                        "resolved_share": g["resolved"].mean(), "response_rate": g["responded"].mean()})
    top = (tp.groupby([*keys, "channel"], observed=True).size().sort_values(ascending=False, kind="stable")
           .reset_index().drop_duplicates(keys).set_index(keys)["channel"])
    out["main_channel"] = top.reindex(out.index).astype(object)
    out = out.reset_index()
    out["journey_stage"] = out["journey_stage"].astype(str)
    out["touchpoint"] = out["touchpoint"].astype(str)
    out["_s"] = out["journey_stage"].map({s: i for i, s in enumerate(tp.attrs["stages"])})
    out = out.sort_values(["_s", "touches"], ascending=[True, False], kind="stable").drop(columns="_s")
    return out[["journey_stage", "touchpoint", "touches", "customers", "main_channel", "median_response_hours",
                "p90_response_hours", "resolved_share", "response_rate"]].reset_index(drop=True)


def test_summaries_equal_the_plain_groupby_on_many_random_touchpoints():
    rng = np.random.default_rng(3)
    n, n_cust = 5_000, 300
    stages = list(J.JOURNEY_STAGES)
    kinds = ["chat", "order", "visit", "complaint"]
    channel = pd.Categorical(rng.choice(["sms", "app", None], n, p=[0.45, 0.45, 0.1]), categories=["sms", "app", "x"])
    tp = pd.DataFrame({
        "customer_id": pd.Categorical.from_codes(rng.integers(0, n_cust, n), categories=[f"C{i}" for i in range(n_cust)]),
        "touchpoint": pd.Categorical(rng.choice(kinds, n), categories=kinds),
        "journey_stage": pd.Categorical(rng.choice(stages[1:4], n), categories=stages, ordered=True),
        "channel": channel,
        "response_hours": np.where(rng.random(n) < 0.3, rng.exponential(5, n), np.nan),
        "resolved": np.where(rng.random(n) < 0.5, rng.integers(0, 2, n), np.nan).astype(float),
        "responded": np.where(rng.random(n) < 0.2, rng.integers(0, 2, n), np.nan).astype(float),
    })
    tp.loc[tp["touchpoint"] == "visit", "channel"] = None  # a touchpoint without any channel: no main channel
    tp.attrs["stages"] = stages
    pd.testing.assert_frame_equal(J.touchpoint_summary(tp), _groupby_summary(tp), check_exact=True)
    by_stage = tp.groupby("journey_stage", observed=False)
    expected = pd.DataFrame({"touches": by_stage.size(), "customers": by_stage["customer_id"].nunique()})
    got = J.journey_stage_summary(tp).set_index("journey_stage")
    assert got["touches"].tolist() == expected["touches"].tolist()
    assert got["customers"].tolist() == expected["customers"].tolist()
    assert got.loc["awareness", "touches"] == 0 and got["share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("cells", [10**8, 1])  # the table of seen flags, and the split by group beyond it
def test_distinct_customers_per_group_by_hand(monkeypatch, cells):
    monkeypatch.setattr(J, "_SEEN_CELLS", cells)
    group = np.array([0, 0, 0, 2, 2, 1, 0, 2])
    customer = np.array([5, 5, 1, 1, -1, 3, 2, 1])  # group 0: {5, 1, 2}; group 1: {3}; group 2: {1} (-1 unknown)
    assert J._distinct_per_group(group, 4, customer, 6).tolist() == [3, 1, 1, 0]
