import pandas as pd

from crmbook import costing

from . import cases


def _profile():
    facts = cases.facts()
    pnl = costing.customer_pnl(facts, cases.costs(), contacts=cases.contacts())
    return costing.customer_profile(facts, pnl, cases.contacts())


def test_customer_profile_by_hand():
    """Buyers A, B, C (D never bought). B: 1 complaint + 1 call = 2 service contacts, 1 complaint; A: 1 chat.
    A's orders 200 / 3 = 66.67 average; margin rate 90 / 200 = 0.45. All three are unprofitable."""
    p = _profile()
    assert list(p.index) == ["A", "B", "C"]
    assert p["service_contacts"].to_dict() == {"A": 1, "B": 2, "C": 0}
    assert p["complaints"].to_dict() == {"A": 0, "B": 1, "C": 0}
    assert round(p.loc["A", "order_value"], 2) == 66.67 and p.loc["A", "margin_rate"] == 0.45
    assert not p["profitable"].any()


def test_comparison_needs_the_minimum_group():
    """No profitable buyer: a group below the minimum is not compared (and says so)."""
    c = costing.compare_good_bad(_profile(), min_group=1)
    assert c.attrs["compared"] is False and c.empty and c.attrs["groups"] == {"profitable": 0, "unprofitable": 3}


def _hand_profile():
    """Six buyers: g1-g3 profitable (3 orders, margin 0.5, 1 contact each); b1 new and paid back without its
    acquisition cost; b2 lapsed (400 days); b3 margin 0.2 (< half of 0.5); b4 service cost largest;
    b5 direct cost largest."""
    rows = {
        "g1": (True, 50, 3, 0.5, 1, 0, 10, 20, 5, 5, False, 10),
        "g2": (True, 60, 3, 0.5, 1, 0, 10, 20, 5, 5, False, 10),
        "g3": (True, 70, 3, 0.5, 1, 1, 10, 20, 5, 5, False, 10),
        "b1": (False, -20, 1, 0.5, 0, 0, 5, 5, 100, 5, True, 10),
        "b2": (False, -20, 1, 0.5, 0, 0, 5, 5, 10, 5, False, 400),
        "b3": (False, -20, 2, 0.2, 0, 0, 5, 5, 10, 5, False, 10),
        "b4": (False, -20, 2, 0.5, 6, 3, 90, 5, 10, 5, False, 10),
        "b5": (False, -20, 2, 0.5, 0, 0, 5, 90, 10, 5, False, 10),
    }
    cols = ["profitable", "profit", "orders", "margin_rate", "service_contacts", "complaints", "retention_cost",
            "direct_cost", "acquisition_cost", "indirect_cost", "recent_signup", "recency_days"]
    p = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    p["revenue"] = 100.0
    p["order_value"] = p["revenue"] / p["orders"]
    return p


def test_actions_by_rule():
    a = costing.unprofitable_actions(_hand_profile())
    assert a.to_dict() == {"g1": "profitable", "g2": "profitable", "g3": "profitable", "b1": "new", "b2": "let_go",
                           "b3": "reprice", "b4": "service_level", "b5": "cheaper_channel"}
    assert set(a) <= set(costing.GOOD_BAD_PLAYBOOK.groups)


def test_comparison_by_hand():
    """Complaints: profitable 1/3 = 0.333, unprofitable 3/5 = 0.6 -> ratio 1.8."""
    c = costing.compare_good_bad(_hand_profile(), min_group=3).set_index("measure")
    assert round(c.loc["complaints", "ratio"], 6) == 1.8
    assert c.attrs["groups"] == {"profitable": 3, "unprofitable": 5}


def test_channel_mix_pools_small_groups():
    """Channels: online g1, g2, b1, b2 (4, 2 unprofitable); store g3, b3 (2); field b4, b5 (2): with a minimum
    of 3 store and field are pooled into 'other' (4 customers, 3 unprofitable -> 75%)."""
    p = _hand_profile()
    by = pd.Series({"g1": "online", "g2": "online", "b1": "online", "b2": "online", "g3": "store", "b3": "store",
                    "b4": "field", "b5": "field"})
    mix = costing.channel_mix(p, by, min_group=3).set_index("channel")
    assert mix.attrs["pooled"] == ["field", "store"]
    assert mix.loc["other", "unprofitable_share"] == 0.75 and mix.loc["online", "unprofitable_share"] == 0.5
