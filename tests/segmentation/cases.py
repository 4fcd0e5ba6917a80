"""The small hand-made cases of the segmentation tests (every expected number is worked out in the comments).

Tables are built as an analyst's export would hold them and turned into the shared customer facts with
:func:`facts`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook import segmentation as seg
from crmbook.context import Context
from crmbook.facts import CustomerFacts

AS_OF = "2025-12-31"
T = pd.Timestamp(AS_OF)
#: English, with a currency; and the same in Chinese.
CTX = Context(AS_OF, currency="CNY", language="en")
CTX_ZH = Context(AS_OF, currency="CNY", language="zh")
#: English without a currency.
PLAIN = Context(AS_OF)
#: An orders table without rows.
NO_ORDERS = pd.DataFrame({"customer_id": pd.Series([], dtype=str), "order_date": pd.Series([], dtype="datetime64[ns]"),
                          "revenue": pd.Series([], dtype=float)})


def facts(customers: pd.DataFrame, orders: pd.DataFrame, as_of: str = AS_OF) -> CustomerFacts:
    """The customer facts of ``customers`` and ``orders`` at ``as_of``."""
    return CustomerFacts(customers, orders, as_of)


def _customers_of(orders: pd.DataFrame) -> pd.DataFrame:
    """One customer per customer id of ``orders`` (for cases that only need orders)."""
    return pd.DataFrame({"customer_id": sorted(orders["customer_id"].astype(str).unique())})


#            recency  F   M        R  F  M   FM = round_half_up((F+M)/2)  code  segment
RFM_CASE = {
    "C01": (5, 6, 1200.0),    # 5  5  5   5                            55    champions
    "C02": (10, 4, 800.0),    # 4  4  4   4                            44    loyal
    "C03": (10, 1, 50.0),     # 4  1  2   2 (1.5 -> 2)                 42    potential_loyalists
    "C04": (30, 2, 300.0),    # 4  3  3   3                            43    potential_loyalists
    "C05": (60, 1, 100.0),    # 3  1  2   2                            32    about_to_sleep
    "C06": (90, 3, 450.0),    # 3  4  3   4 (3.5 -> 4)                 34    loyal
    "C07": (200, 1, 40.0),    # 2  1  1   1                            21    hibernating
    "C08": (365, 2, 500.0),   # 2  3  4   4                            24    at_risk
    "C09": (400, 1, 20.0),    # 1  1  1   1                            11    lost
    "C10": (700, 5, 2000.0),  # 1  5  5   5                            15    cant_lose
}

# R: rank = 1 + customers with a strictly longer recency; score = ceil(5 rank / 10):
#    C01 rank 10 -> 5; C02, C03 (tied at 10 days) rank 8 -> 4; C04 rank 7 -> 4; C05 6 -> 3; C06 5 -> 3;
#    C07 4 -> 2; C08 3 -> 2; C09 2 -> 1; C10 1 -> 1.
# F: values 1 (x4), 2 (x2), 3, 4, 5, 6 -> min ranks 1, 5, 7, 8, 9, 10 -> scores 1, 3, 4, 4, 5, 5.
# M: all distinct, rank r -> ceil(r / 2).
EXPECTED = {
    "C01": (5, 5, 5, 5, "champions"), "C02": (4, 4, 4, 4, "loyal"),
    "C03": (4, 1, 2, 2, "potential_loyalists"), "C04": (4, 3, 3, 3, "potential_loyalists"),
    "C05": (3, 1, 2, 2, "about_to_sleep"), "C06": (3, 4, 3, 4, "loyal"), "C07": (2, 1, 1, 1, "hibernating"),
    "C08": (2, 3, 4, 4, "at_risk"), "C09": (1, 1, 1, 1, "lost"), "C10": (1, 5, 5, 5, "cant_lose"),
}

def _rfm_frames():
    rows = []
    n = 0
    for cid, (rec, f, m) in RFM_CASE.items():
        for k in range(f):  # the last order `rec` days before as_of, the others 30 days apart
            n += 1
            rows.append({"order_id": f"O{n:03d}", "customer_id": cid,
                         "order_date": T - pd.Timedelta(days=rec + 30 * k), "revenue": m / f})
    rows.append({"order_id": "O999", "customer_id": "C03", "order_date": T + pd.Timedelta(days=3),
                 "revenue": 99999.0})  # after as_of: ignored
    orders = pd.DataFrame(rows)
    ids = [*RFM_CASE, "C11", "C12"]
    customers = pd.DataFrame({
        "customer_id": ids,
        "signup_date": pd.to_datetime(["2023-01-01"] * 11 + ["2026-01-05"]),  # C12 joins after as_of
        "region": ["East", "East", "West", "East", "West", "East", "East", "West", "East", "East", "West",
                   "East"],
    })
    return customers, orders

# year 0 = 2025-01-01..2025-12-31, year 1 = 2024, year 2 = 2023 (as_of 2025-12-31)
#        account       y2     y1     y0     class
ABC_CASE = {
    "K1": ("key_account", 1000, 0, 0),      # A: key account (no revenue last year)
    "A1": ("retail", 0, 0, 1000),           # A: rank 1
    "A2": ("retail", 0, 500, 900),          # A: rank 2 (n = 10 buyers, ceil(0.2 * 10) = 2)
    "B1": ("retail", 100, 110, 121),        # B: exactly +10% twice (boundary counts)
    "B2": ("retail", 100, 200, 300),        # B: rank 3, grew twice
    "N1": ("retail", 100, 120, 125),        # C: second year only +4.2%
    "N2": ("retail", 0, 100, 200),          # C: no base in year 2
    "N3": ("retail", 100, 50, 200),         # C: fell in year 1
    "C1": ("retail", 50, 50, 50),           # C
    "C2": ("retail", 0, 0, 10),             # C
    "AG": ("agent", 0, 0, 5),               # A: agent
}

ABC_EXPECTED = {"K1": "A", "A1": "A", "A2": "A", "B1": "B", "B2": "B", "N1": "C", "N2": "C", "N3": "C",
                "C1": "C", "C2": "C", "AG": "A"}

WINDOW_DATES = {2: "2023-06-30", 1: "2024-12-31", 0: "2025-12-31"}  # 2024-12-31 is the last day of year 1

def _abc_frames(with_account_type: bool = True):
    customers = pd.DataFrame({"customer_id": list(ABC_CASE),
                              "signup_date": pd.Timestamp("2022-01-01"),
                              "account_type": [v[0] for v in ABC_CASE.values()]})
    if not with_account_type:
        customers = customers.drop(columns="account_type")
    rows = []
    for cid, (_, *revs) in ABC_CASE.items():
        for year, rev in zip((2, 1, 0), revs, strict=True):
            if rev:
                rows.append({"order_id": f"{cid}-{year}", "customer_id": cid,
                             "order_date": pd.Timestamp(WINDOW_DATES[year]), "revenue": float(rev)})
    return customers, pd.DataFrame(rows)

def _three_groups(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for i, (rec, freq, mon, ten) in enumerate([(10, 20, 8000, 1000), (600, 2, 200, 900), (20, 1, 150, 40)]):
        n = 40
        parts.append(pd.DataFrame({
            "customer_id": [f"G{i}-{j:02d}" for j in range(n)],
            "recency_days": rec * rng.lognormal(0, 0.15, n),
            "frequency": np.maximum(1, np.round(freq * rng.lognormal(0, 0.15, n))).astype(int),
            "monetary": mon * rng.lognormal(0, 0.15, n),
            "tenure_days": ten * rng.lognormal(0, 0.15, n),
        }))
    return pd.concat(parts, ignore_index=True)

def _portrait_frames():
    customers = pd.DataFrame({
        "customer_id": ["P1", "P2", "P3"], "signup_date": pd.Timestamp("2024-01-01"),
        "gender": ["F", "F", "M"], "region": ["East", "West", "West"],
        "acquisition_channel": ["store", "store", "online_ads"],
        "birth_date": pd.to_datetime(["1990-05-01", "1992-05-01", "1970-05-01"]),  # 35, 33, 55 years
    })
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4"], "customer_id": ["P1", "P1", "P2", "P3"],
        "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]),
        "revenue": [100.0, 300.0, 200.0, 400.0], "channel": ["online", "store", "online", "store"],
        "category": ["home", "home", "beauty", "home"],
    })
    assignments = pd.DataFrame({"customer_id": ["P1", "P2", "P3"], "segment": ["x", "x", "y"]})
    return customers, orders, assignments

def _penetration_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three East customers (two bought in the last year), one West customer (bought 2024), no North one."""
    customers = pd.DataFrame({"customer_id": ["E1", "E2", "E3", "W1"], "signup_date": pd.Timestamp("2024-01-01"),
                              "region": ["East", "East", "East", "West"]})
    orders = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["E1", "E2", "W1"],
                           "order_date": pd.to_datetime(["2025-03-01", "2025-05-01", "2024-05-01"]),
                           "revenue": [100.0, 50.0, 70.0]})
    market = pd.DataFrame({"region": ["East", "West", "North"], "potential_customers": [30, 10, 20],
                           "market_revenue": [1500.0, 1000.0, 500.0]})
    return customers, orders, market

def _target_orders(account_type: bool = False) -> pd.DataFrame:
    orders = pd.DataFrame({
        "order_id": list("abcdefg"),
        "customer_id": ["T1", "T1", "T2", "T2", "T3", "T4", "T1"],
        "order_date": pd.to_datetime(["2024-06-01", "2025-12-01", "2024-06-01", "2025-02-01", "2025-12-21",
                                      "2024-03-01", "2025-01-01"]),
        "revenue": [100.0, 600.0, 1000.0, 500.0, 100.0, 200.0, 400.0],
    })
    if account_type:
        orders["category"] = ["home", "home", "home", "home", "kitchen", "home", "beauty"]
    return orders


def facts_of_target_case(account_type: bool = False):
    """T1 1000 in the last 12 months (two orders), T2 500 (falling), T3 100 (new), T4 none (2024 only)."""
    orders = _target_orders(account_type)
    customers = _customers_of(orders)
    if account_type:
        customers["account_type"] = customers["customer_id"].map({"T2": "key_account"}).fillna("retail")
    return facts(customers, orders)


def _target_case(account_type: bool = False) -> pd.DataFrame:
    # focus T1, passive T2, opportunistic T3, dormant T4
    orders = _target_orders(account_type)
    if not account_type:
        orders = orders.drop(columns="category", errors="ignore")
    return seg.target_matrix(facts_of_target_case(account_type))
