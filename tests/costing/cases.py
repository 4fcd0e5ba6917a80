"""Small hand-made cases for the cost accounting tests (every figure checkable on paper)."""

from __future__ import annotations

import pandas as pd

from crmbook.facts import CustomerFacts

AS_OF = "2025-03-31"


def customers() -> pd.DataFrame:
    """Four customers: A and B signed up in January (online_ads), C in February (store), D in March
    (store, never bought)."""
    return pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"],
        "signup_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-10", "2025-03-03"]),
        "acquisition_channel": ["online_ads", "online_ads", "store", "store"],
        "account_type": ["retail", "retail", "key_account", "retail"],
    })


def orders() -> pd.DataFrame:
    """January: A buys 100 (cogs 60) and 50 (cogs 30); B buys 100 (cogs 50). February: C buys 300 (cogs 200).
    March: A buys 50 (cogs 20). Revenue A 200, B 100, C 300; cogs A 110, B 50, C 200."""
    return pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4", "o5"],
        "customer_id": ["A", "A", "B", "C", "A"],
        "order_date": pd.to_datetime(["2025-01-10", "2025-01-25", "2025-01-30", "2025-02-14", "2025-03-10"]),
        "revenue": [100.0, 50.0, 100.0, 300.0, 50.0],
        "cost_of_goods": [60.0, 30.0, 50.0, 200.0, 20.0],
        "channel": ["online", "online", "store", "b2b", "online"],
    })


def contacts() -> pd.DataFrame:
    """January: B complains (cost 150), A chats (cost 6). February: B calls (cost 30). March: C has a
    sales visit (450)."""
    return pd.DataFrame({
        "customer_id": ["B", "A", "B", "C"],
        "contact_date": pd.to_datetime(["2025-01-15", "2025-01-16", "2025-02-02", "2025-03-05"]),
        "type": ["complaint", "chat", "service_call", "visit"],
        "cost": [150.0, 6.0, 30.0, 450.0],
    })


def costs() -> pd.DataFrame:
    """Pools per month (see each test for the shares)."""
    rows = [
        ("2025-01", "logistics", 10.00, "direct", "orders"),      # 3 orders in Jan: A 2, B 1
        ("2025-02", "logistics", 7.00, "direct", "orders"),       # 1 order: C
        ("2025-03", "logistics", 5.00, "direct", "orders"),       # 1 order: A
        ("2025-01", "service", 15.60, "retention", "contacts"),   # cost-weighted: B 150, A 6
        ("2025-02", "service", 20.00, "retention", "contacts"),   # B only
        ("2025-03", "service", 9.99, "retention", "contacts"),    # no service contact in March
        ("2025-01", "marketing", 300.00, "acquisition", "new_customers"),  # A, B signed up
        ("2025-02", "marketing", 100.00, "acquisition", "new_customers"),  # C
        ("2025-03", "marketing", 50.00, "acquisition", "new_customers"),   # D
        ("2025-04", "marketing", 80.00, "acquisition", "new_customers"),   # after as_of: set aside
        ("2025-01", "research", 0.01, "indirect", ""),             # not in the map, no driver: unallocatable
    ]
    return pd.DataFrame(rows, columns=["period", "pool", "amount", "kind", "driver"])


def facts() -> CustomerFacts:
    return CustomerFacts(customers(), orders(), AS_OF, currency="CNY")
