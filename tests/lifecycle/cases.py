"""Small hand-made cases for the lifecycle tests (every expected value is worked out in the test docstrings)."""

from __future__ import annotations

import pandas as pd

from crmbook.facts import CustomerFacts

AS_OF = "2025-12-31"

#: customer -> order dates (signup = first order, or the date given in SIGNUP)
ORDERS: dict[str, list[str]] = {
    "N": ["2025-12-20"],                              # new: one order 11 days ago
    "R": ["2025-11-01", "2025-12-01"],                # repeat: 2 orders, last 30 days ago (not > 30)
    "L": ["2025-10-01", "2025-11-01", "2025-12-15"],  # loyal: 3 orders, last 16 days ago
    "K": ["2025-11-20"],                              # at risk: last order 41 days ago (30 < 41 <= 60)
    "X": ["2025-01-10", "2025-02-10"],                # lapsed: last order 324 days ago
    "W": ["2025-03-01", "2025-12-10"],                # won back: gap 284 > 60 before an order 21 days ago
    "S": ["2025-12-01", "2025-12-01"],                # two orders on one day: repeat, no gap
    "Y": ["2025-04-15", "2025-06-01"],                # repeat at mid-year (gap 47), lapsed (213 days) at the end
}
SIGNUP = {"P": "2025-01-01"}                          # P signed up and never bought: prospect
EXPECTED_STAGES = {"P": "prospect", "N": "new", "R": "repeat", "L": "loyal", "K": "at_risk", "X": "lapsed",
                   "W": "won_back", "S": "repeat", "Y": "lapsed"}
RULES = {"at_risk_days": 30, "inactive_days": 60, "loyal_orders": 3}


def stage_frames(extra_customers: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [(c, d, 100.0 * (i + 1)) for c, dates in ORDERS.items() for i, d in enumerate(dates)]
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    signup = {c: dates[0] for c, dates in ORDERS.items()} | SIGNUP
    customers = pd.DataFrame({"customer_id": list(signup), "signup_date": pd.to_datetime(list(signup.values()))})
    if extra_customers is not None:
        customers = customers.merge(extra_customers, on="customer_id", how="left")
    return customers, orders


def stage_facts(**columns) -> CustomerFacts:
    extra = pd.DataFrame({"customer_id": list(EXPECTED_STAGES), **columns}) if columns else None
    customers, orders = stage_frames(extra)
    return CustomerFacts(customers, orders, AS_OF, currency="CNY")
