"""Integer customer positions (crmbook.positions) and per-distinct-value mapping (crmbook.tables.map_distinct):
the shortcuts the topics take at scale give exactly what the slow forms give."""

import numpy as np
import pandas as pd
import pytest

from crmbook.facts import CustomerFacts
from crmbook.positions import customer_rows, index_in, order_rows, rows_of, spread, stable_order
from crmbook.tables import map_distinct


@pytest.fixture
def facts():
    customers = pd.DataFrame({"customer_id": ["C3", "C1", "C2"], "signup_date": ["2024-01-01"] * 3})
    orders = pd.DataFrame({"customer_id": ["C1", "C2", "C1", "C3", "C2"],
                           "order_date": ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"],
                           "revenue": [10.0, 20.0, 30.0, 40.0, 50.0]})
    return CustomerFacts(customers, orders, "2024-12-31")


def test_order_rows_are_each_orders_customer_row(facts):
    # customers are C3, C1, C2 (rows 0, 1, 2); the orders belong to C1, C2, C1, C3, C2
    assert order_rows(facts).tolist() == [1, 2, 1, 0, 2]
    assert order_rows(facts) is order_rows(facts)  # computed once


def test_rows_of_places_a_table_on_the_customers(facts):
    where = rows_of(facts, pd.Series(["C2", "C3"]))
    assert where.tolist() == [1, -1, 0]  # C3 is row 1 of the table, C1 absent, C2 row 0
    assert rows_of(facts, pd.Series(["C2", "C2"])) is None  # a customer twice: callers merge as before
    assert rows_of(facts, pd.Series(["C9"])) is None  # an unknown customer


@pytest.mark.parametrize("dtype", ["str", object])
def test_customer_rows_are_the_rows_of_any_ids(facts, dtype):
    """Ids of another table (repeated, unknown, missing, as Arrow text or Python objects): the customer's
    row, -1 when the facts do not hold it; the same as get_indexer."""
    ids = pd.Series(["C2", "C9", None, "C3", "C2", "C1"], dtype=dtype)
    assert customer_rows(facts, ids).tolist() == [2, -1, -1, 0, 2, 1]
    assert customer_rows(facts, ids).tolist() == facts.customer_index.get_indexer(ids.astype(str)).tolist()
    assert customer_rows(facts, pd.Series([3, 1])).tolist() == [-1, -1]  # numbers are not the ids "C3", "C1"


def test_spread_keeps_the_dtype():
    values = pd.Series(pd.Categorical(["a", "b"]), index=[7, 8])
    out = spread(values, np.array([1, 1, 0]))
    assert out.tolist() == ["b", "b", "a"] and isinstance(out.dtype, pd.CategoricalDtype)
    assert out.index.tolist() == [0, 1, 2]


@pytest.mark.parametrize("values", [
    pd.Series(["x", "y", None, "x"] * 100, dtype="str", index=np.arange(400)[::-1]),
    pd.Series(["x", "y", None, "x"] * 100, dtype=object),
    pd.Series([True, False] * 200),
    pd.Series([3, 1, 2, 3] * 100),
])
def test_map_distinct_is_map(values):
    calls = []

    def label(v):
        calls.append(v)
        return f"<{v}>"

    expected = values.map(lambda v: f"<{v}>")
    got = map_distinct(values, label)
    pd.testing.assert_series_equal(got, expected, check_exact=True)
    assert len(calls) == values.nunique(dropna=False)  # once per distinct value, not per row


def test_map_distinct_maps_mixed_objects_row_by_row():
    values = pd.Series([1, 1.0, True] * 100, dtype=object)  # equal under hashing, different as text
    calls = []
    got = map_distinct(values, lambda v: calls.append(v) or str(v))
    assert got.tolist()[:3] == ["1", "1.0", "True"] and len(calls) == 300


@pytest.mark.parametrize("storage", ["pyarrow", "python"])
def test_index_in_is_get_indexer_for_unique_keys(storage: str) -> None:
    # keys in shuffled order; values with repeats, unknown ids, missing values and ids that differ only by
    # a trailing space or case; the answer is pandas' own get_indexer, element by element
    rng = np.random.default_rng(3)
    keys = pd.Series([f"C{i:05d}" for i in rng.permutation(500)], dtype=pd.StringDtype(storage))
    picks = [f"C{i:05d}" for i in rng.integers(0, 600, 2000)] + [None, "C00001 ", "c00002", ""]
    values = pd.Series(picks, dtype=pd.StringDtype(storage))
    expected = pd.Index(keys).get_indexer(values)
    got = index_in(keys, values)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)
    assert (got == -1).sum() == (expected == -1).sum() > 4  # unknown ids and the four odd values


def test_index_in_by_hand() -> None:
    keys = pd.Series(["b", "a", "c"], dtype="string[pyarrow]")
    values = pd.Series(["c", None, "a", "x", "c"], dtype="string[pyarrow]")
    assert index_in(keys, values).tolist() == [2, -1, 1, -1, 2]


def test_index_in_finds_values_among_unique_keys():
    keys = pd.Series(["b", "a", "c"], dtype="str")
    values = pd.Series(["a", "zz", None, "c", "a"], dtype="str")
    assert index_in(keys, values).tolist() == [1, -1, -1, 2, 1]
    assert index_in(keys, values.astype(object)).tolist() == [1, -1, -1, 2, 1]  # not Arrow: get_indexer


def test_stable_order_by_hand():
    # sorted by the last key (customer), then the first (day); the two rows (1, 7) keep their order
    day = np.array([7, 3, 7, 1, 5])
    customer = np.array([1, 1, 1, 0, 0])
    assert stable_order(day, customer).tolist() == [3, 4, 1, 0, 2]
    assert stable_order(np.array([2, -1, 2, 0])).tolist() == [1, 3, 0, 2]  # one key, negative values


@pytest.mark.parametrize("span", [3, 300, 70_000, 10**9])  # 16-bit radix, 32-bit, 64-bit keys
def test_stable_order_is_lexsorts_order(span):
    rng = np.random.default_rng(span)
    keys = [rng.integers(-5, span, 2_000), rng.integers(0, 4, 2_000), rng.integers(0, 2, 2_000).astype(bool)]
    for k in range(1, 4):
        assert (stable_order(*keys[:k]) == np.lexsort(keys[:k])).all()


def test_stable_order_falls_back_to_lexsort_for_wide_or_non_integer_keys():
    wide = [np.array([0, 2**40, 5]), np.array([3, 1, 2**40])]  # spans multiply beyond 2**63
    assert (stable_order(*wide) == np.lexsort(wide)).all()
    floats = [np.array([0.5, 0.1, 0.5]), np.array([1, 0, 0])]
    assert (stable_order(*floats) == np.lexsort(floats)).all()
    assert stable_order(np.array([], dtype=np.int64)).tolist() == []
