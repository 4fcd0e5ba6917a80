"""customer_summary and calibration_holdout: small histories computed by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import crmbook.models.summary as summary_module
from crmbook.models import calibration_holdout, customer_summary


def _orders(rows):
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])


def test_summary_by_hand():
    """A buys 2025-01-01 (100), twice on 01-08 (30 + 20 = one occasion of 50), 01-22 (70); as_of 01-29.

    x = 3 days - 1 = 2; t_x = 21 days = 3 weeks; T = 28 days = 4 weeks; zbar = (50 + 70) / 2 = 60.
    B buys once on 01-15: x = 0, t_x = 0, T = 14 days = 2 weeks, zbar = 0.
    C's only order is on 02-05, after as_of: C is left out and counted, and so is A's order of 02-03.
    """
    orders = _orders([("A", "2025-01-01", 100.0), ("A", "2025-01-08", 30.0), ("A", "2025-01-08", 20.0),
                      ("A", "2025-01-22", 70.0), ("B", "2025-01-15", 25.0), ("C", "2025-02-05", 9.0),
                      ("A", "2025-02-03", 5.0)])
    s = customer_summary(orders, "2025-01-29")
    assert list(s.index) == ["A", "B"]
    assert s.loc["A"].tolist() == [2.0, 3.0, 4.0, 60.0]
    assert s.loc["B"].tolist() == [0.0, 0.0, 2.0, 0.0]
    assert s.attrs["time_unit"] == "W"
    assert s.attrs["excluded_customers_after_as_of"] == 1
    assert s.attrs["excluded_orders_after_as_of"] == 2
    assert s.attrs["n_orders_used"] == 5
    # days and months: 21 days; 21 / 30.4375 months
    d = customer_summary(orders, "2025-01-29", time_unit="D")
    assert d.loc["A", "recency"] == 21.0 and d.loc["A", "T"] == 28.0
    m = customer_summary(orders, "2025-01-29", time_unit="M")
    assert m.loc["A", "recency"] == pytest.approx(21 / 30.4375)
    assert m.frequency.attrs["time_unit"] == "M"  # the columns carry the unit to the fits


def test_summary_does_not_change_the_orders_and_needs_no_value():
    orders = _orders([("A", "2025-01-01", 1.0), ("A", "2025-01-03", 2.0)])
    before = orders.copy()
    s = customer_summary(orders, "2025-01-05", time_unit="D", value=None)
    pd.testing.assert_frame_equal(orders, before)
    assert list(s.columns) == ["frequency", "recency", "T"]


@pytest.mark.parametrize("bad, message", [
    (("A", None, 1.0), "'order_date' is missing or not a date in 1 row"),
    (("A", "not a date", 1.0), "'order_date' is missing or not a date"),
    ((None, "2025-01-02", 1.0), "'customer_id' is missing in 1 row"),
    (("A", "2025-01-02", np.nan), "'revenue' is missing or not a number in 1 row(s) (index 1)"),
])
def test_summary_bad_rows_are_named(bad, message):
    orders = _orders([("A", "2025-01-01", 1.0), bad])
    with pytest.raises(ValueError) as err:
        customer_summary(orders, "2025-02-01")
    assert message in str(err.value)


def test_summary_when_no_order_is_before_as_of():
    """All orders after as_of: an empty summary with the right columns, everything counted as excluded."""
    orders = _orders([("A", "2025-03-01", 1.0), ("B", "2025-03-02", 2.0), ("B", "2025-03-05", 2.0)])
    s = customer_summary(orders, "2025-01-01")
    assert len(s) == 0 and list(s.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert s.attrs["excluded_customers_after_as_of"] == 2 and s.attrs["excluded_orders_after_as_of"] == 3


def test_summary_bad_arguments():
    orders = _orders([("A", "2025-01-01", 1.0)])
    with pytest.raises(ValueError, match="time_unit must be one of"):
        customer_summary(orders, "2025-02-01", time_unit="Q")
    with pytest.raises(ValueError, match="as_of must be given"):
        customer_summary(orders, None)
    with pytest.raises(ValueError, match="'spend' missing"):
        customer_summary(orders, "2025-02-01", value="spend")


def test_calibration_holdout_by_hand():
    """Calibration ends 01-29, holdout to 03-26 (56 days = 8 weeks).

    A: 01-01, 01-15 in calibration (x = 1, t_x = 2 weeks, T = 4 weeks, zbar = 40); in the holdout
    03-01 (60) and 03-10 (20): 2 purchase days, mean 40; 04-02 is after as_of (counted).
    B: 01-08 only: holdout 0. C's first order (02-20) is in the holdout: new, in neither table.
    """
    orders = _orders([("A", "2025-01-01", 100.0), ("A", "2025-01-15", 40.0), ("A", "2025-03-01", 60.0),
                      ("A", "2025-03-10", 20.0), ("A", "2025-04-02", 1.0), ("B", "2025-01-08", 80.0),
                      ("C", "2025-02-20", 10.0)])
    cal, hold = calibration_holdout(orders, "2025-01-29", "2025-03-26")
    assert cal.loc["A"].tolist() == [1.0, 2.0, 4.0, 40.0]
    assert cal.attrs["excluded_customers_after_as_of"] == 1  # C
    assert list(hold.index) == ["A", "B"]
    assert hold.loc["A"].tolist() == [2.0, 8.0, 40.0]
    assert hold.loc["B"].tolist() == [0.0, 8.0, 0.0]
    assert hold.attrs["new_customers_in_holdout"] == 1
    assert hold.attrs["excluded_orders_after_as_of"] == 1
    with pytest.raises(ValueError, match="must be before as_of"):
        calibration_holdout(orders, "2025-03-26", "2025-03-26")


def test_docstring_examples():
    result = doctest.testmod(summary_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0


def test_facts_summary_is_the_summary_of_the_facts_orders():
    """The facts' customers are not in id order and one has no order: the same frame as
    customer_summary of the facts' orders, in every time unit."""
    from crmbook.facts import CustomerFacts

    customers = pd.DataFrame({"customer_id": ["C", "A", "D", "B"]})
    orders = _orders([("A", "2025-01-01", 100.0), ("C", "2025-01-08", 30.0), ("A", "2025-01-08", 20.0),
                      ("A", "2025-01-08", 5.0), ("B", "2025-01-15", 25.0), ("C", "2025-01-20", 9.0)])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    facts = CustomerFacts(customers, orders, "2025-01-29")
    for unit in ("D", "W", "M"):
        got = summary_module.facts_summary(facts, time_unit=unit)
        want = customer_summary(facts.orders, facts.as_of, time_unit=unit)
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs == want.attrs
    assert list(got.index) == ["A", "B", "C"]
