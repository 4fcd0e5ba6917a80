import numpy as np
import pytest

from crmbook import costing

from . import cases


def test_largest_remainder_thirds():
    """100 cents over three equal weights: 33.33 each, floors 33+33+33 = 99, one cent left; all three
    remainders tie (1/3), so it goes to the first: 34, 33, 33."""
    assert costing.largest_remainder(100, [1, 1, 1]).tolist() == [34, 33, 33]


def test_largest_remainder_tie_goes_to_the_first_in_order():
    """Same tie, but the order keys put the third weight first: it gets the extra cent."""
    assert costing.largest_remainder(100, [1, 1, 1], order=["c", "b", "a"]).tolist() == [33, 33, 34]


def test_largest_remainder_largest_fraction_wins():
    """1000 cents by weights 1, 2, 4 (sum 7): exact 142.857, 285.714, 571.428; floors 142, 285, 571 = 998,
    two cents left; remainders .857, .714, .428: the first two get one each -> 143, 286, 571."""
    assert costing.largest_remainder(1000, [1, 2, 4]).tolist() == [143, 286, 571]


def test_largest_remainder_credit_and_zero_weight():
    """-101 cents over weights 1, 0, 1: -50.5 each, floors 50, 0, 50, one cent left, tie -> first: -51, 0, -50."""
    assert costing.largest_remainder(-101, [1, 0, 1]).tolist() == [-51, 0, -50]


def test_largest_remainder_rejects_all_zero():
    with pytest.raises(ValueError, match="not all zero"):
        costing.largest_remainder(5, [0, 0])


def test_allocate_groups_sums_exactly_on_random_cases():
    """Many pools at once: each pool's cents sum to its amount exactly (property check, fixed seed)."""
    rng = np.random.default_rng(7)
    group = rng.integers(0, 50, 5000)
    group[:50] = np.arange(50)
    amounts = rng.integers(-10**9, 10**9, 50)
    weights = rng.integers(1, 10**6, 5000)
    cents = costing.allocate_groups(group, amounts, weights, np.arange(5000))
    assert np.array_equal(np.bincount(group, weights=cents, minlength=50).astype(np.int64), amounts)
    # and each row is within one cent of its exact share
    exact = amounts[group] * weights / np.bincount(group, weights=weights)[group]
    assert np.abs(cents - exact).max() < 1.0


def test_allocation_by_hand():
    """January logistics 10.00 by orders (A 2, B 1): 666.67 / 333.33 cents -> A 667, B 333.
    February logistics 7.00 -> C. March 5.00 -> A. Logistics: A 11.67, B 3.33, C 7.00.
    January service 15.60 by contact cost (B 150, A 6 of 156): B 1500, A 60 cents. February 20.00 -> B.
    March service 9.99: no service contact -> unallocated (no_activity).
    Marketing by new customers: Jan 300 -> A 150, B 150; Feb 100 -> C; Mar 50 -> D; April after as_of.
    Research 0.01 (not in the map, no driver column value) -> unallocated (no_driver)."""
    alloc = costing.allocate_costs(cases.facts(), cases.costs(), contacts=cases.contacts())
    per = alloc.per_customer
    assert per["logistics"].to_dict() == {"A": 11.67, "B": 3.33, "C": 7.0, "D": 0.0}
    assert per["service"].to_dict() == {"A": 0.6, "B": 35.0, "C": 0.0, "D": 0.0}
    assert per["marketing"].to_dict() == {"A": 150.0, "B": 150.0, "C": 100.0, "D": 50.0}
    assert per["research"].sum() == 0.0
    recon = alloc.reconciliation.set_index(["pool", "period"])
    assert recon.loc[("service", "2025-03"), "status"] == "no_activity"
    assert recon.loc[("service", "2025-03"), "unallocated"] == pytest.approx(9.99)
    assert recon.loc[("research", "2025-01"), "status"] == "no_driver"
    assert ("marketing", "2025-04") not in recon.index
    assert alloc.reconciliation.attrs["after_as_of"] == 1
    assert alloc.reconciliation.attrs["after_as_of_amount"] == pytest.approx(80.0)
    # rate per driver unit: January logistics 10.00 / 3 orders
    assert recon.loc[("logistics", "2025-01"), "rate"] == pytest.approx(10 / 3)
    assert recon.loc[("service", "2025-01"), "units"] == 2  # two contacts


def test_reconciliation_to_the_cent_per_pool_and_period():
    """allocated + unallocated = amount on every line, and the customers' cents add up to the allocated."""
    alloc = costing.allocate_costs(cases.facts(), cases.costs(), contacts=cases.contacts())
    r = alloc.reconciliation
    assert (np.rint(r["allocated"] * 100) + np.rint(r["unallocated"] * 100) == np.rint(r["amount"] * 100)).all()
    per_pool = np.rint(alloc.per_customer * 100).sum()
    booked = r.groupby("pool")["allocated"].sum().mul(100).round()
    assert per_pool.to_dict() == booked.reindex(per_pool.index).to_dict()


def test_contact_driver_without_contacts_is_reported():
    alloc = costing.allocate_costs(cases.facts(), cases.costs())
    r = alloc.reconciliation
    assert set(r.loc[r["pool"] == "service", "status"]) == {"no_driver_data"}
    assert r.loc[r["pool"] == "service", "unallocated"].sum() == pytest.approx(15.60 + 20.00 + 9.99)


def test_driver_map_override_by_file(tmp_path):
    """Service allocated by revenue instead of contacts: January 15.60 over A 150, B 100 -> 9.36 / 6.24."""
    path = tmp_path / "drivers.yaml"
    path.write_text("pools:\n  service: revenue\n", encoding="utf-8")
    alloc = costing.allocate_costs(cases.facts(), cases.costs(), contacts=cases.contacts(), driver_map=str(path))
    jan = alloc.reconciliation.set_index(["pool", "period"]).loc[("service", "2025-01")]
    assert jan["driver"] == "revenue"
    # Feb 20.00 -> C (only revenue); Mar 9.99 -> A (only revenue)
    assert alloc.per_customer["service"].to_dict() == {"A": 9.36 + 9.99, "B": 6.24, "C": 20.0, "D": 0.0}


def test_bad_costs_are_named():
    bad = cases.costs()
    bad["amount"] = bad["amount"].astype(object)
    bad.loc[2, "amount"] = "n/a"
    with pytest.raises(ValueError, match=r"costs: 1 row\(s\).*rows 2"):
        costing.clean_costs(bad)
    bad = cases.costs()
    bad.loc[0, "kind"] = "overhead"
    with pytest.raises(ValueError, match="kind.*overhead"):
        costing.clean_costs(bad)
    with pytest.raises(FileNotFoundError, match="driver_map"):
        costing.load_driver_map("/no/such/file.yaml")


def test_default_driver_map_matches_the_sample_pools():
    dmap = costing.load_driver_map()
    assert dmap.pools == {"marketing": "new_customers", "sales": "visits", "service": "contacts",
                          "logistics": "orders", "admin": "revenue"}
    assert dmap.contact_drivers["contacts"]["types"] == ["service_call", "chat", "complaint"]


def _lexsort_rule(group, amounts, weights, tie):
    """The largest-remainder rule with one lexsort of all rows (group, remainder largest first, tie-break
    rank, position): the reference the faster orderings must match."""
    a, w = np.abs(amounts), np.asarray(weights, dtype=np.int64)
    wsum = np.bincount(group, weights=w, minlength=len(amounts)).astype(np.int64)
    base, rem = np.divmod(a[group] * w, wsum[group])
    left = a - np.bincount(group, weights=base, minlength=len(amounts)).astype(np.int64)
    key = np.lexsort((tie, -rem, group))
    pos = np.arange(len(key)) - np.searchsorted(group[key], np.arange(len(amounts)))[group[key]]
    extra = np.zeros(len(w), dtype=np.int64)
    extra[key] = pos < left[group[key]]
    return (base + extra) * np.sign(amounts)[group]


@pytest.mark.parametrize("by_group", [True, False])
def test_allocate_groups_is_the_lexsort_rule_with_ties(by_group):
    """Small weights (many equal remainders) and repeated tie-break ranks, rows by group or shuffled: the
    same cents as the rule computed with one lexsort (fixed seed)."""
    rng = np.random.default_rng(11)
    group = np.sort(rng.integers(0, 40, 3000))
    if not by_group:
        group = rng.permutation(group)
    amounts = rng.integers(-10**5, 10**5, 45)  # groups 40-44 have no rows
    weights = rng.integers(1, 4, 3000)
    tie = rng.integers(0, 500, 3000)
    got = costing.allocate_groups(group, amounts, weights, tie)
    assert np.array_equal(got, _lexsort_rule(group, amounts, weights, tie))
