"""The four rates on a hand case."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import lifecycle as lc
from crmbook.facts import CustomerFacts


def test_rates_by_hand():
    """as_of 2025-12-31: this year is (2024-12-31, 2025-12-31], last year (2023-12-31, 2024-12-31].
    a bought in both years (retained); b only last year (churned); c only this year, twice (new, repeat);
    d in 2023 and 2025 (lapsed at 2024-12-31 with 300 days: 730 days silent; reactivated); e only in 2023
    (lapsed, not reactivated). Retention 1/2, churn 1/2; this year's buyers a, c, d, repeat c: 1/3;
    reactivation 1/2 (d of d, e; b's 244 and a's 213 days at the start are not lapsed); new this year: c."""
    dates = {"a": ["2024-06-01", "2025-03-01"], "b": ["2024-05-01"], "c": ["2025-02-01", "2025-05-01"],
             "d": ["2023-01-01", "2025-07-01"], "e": ["2023-06-01"]}
    orders = pd.DataFrame([(c, d, 10.0) for c, ds in dates.items() for d in ds],
                          columns=["customer_id", "order_date", "revenue"])
    customers = pd.DataFrame({"customer_id": list(dates)})
    r = lc.lifecycle_rates(CustomerFacts(customers, orders, "2025-12-31"), inactive_days=300)
    assert (r["retention"], r["churn"]) == (0.5, 0.5)
    assert (r["last_year_buyers"], r["retained"], r["this_year_buyers"], r["repeat_buyers"]) == (2, 1, 3, 1)
    assert r["repeat_rate"] == pytest.approx(1 / 3)
    assert (r["lapsed_at_start"], r["reactivated"], r["reactivation"], r["new_this_year"]) == (2, 1, 0.5, 1)
    t = lc.rates_table(r).set_index("rate")
    assert t.loc["retention", "numerator"] == 1 and t.loc["retention", "denominator"] == 2
    assert t.loc["reactivation", "value"] == 0.5
