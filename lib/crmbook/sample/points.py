r"""Loyalty points (积分): a small ledger of points earned, redeemed and expired, drawn on its own stream.

The case company started a points programme on the first of January of the year before the history's
last year (:data:`POINTS_PROGRAMME`; 2024-01-01 for the committed sample). Its rules:

- **Enrolment.** A retail customer whose first order on or after the programme start comes is enrolled
  at that order with probability :math:`\pi` = 0.4 (business accounts are not members).
- **Earning.** Each order of a member from enrolment on earns :math:`\lfloor \text{revenue} \rfloor`
  points (one point per CNY), dated the order day, with its ``order_id``.
- **Redeeming.** At a member's order, before that order's points are added, a member whose balance holds
  at least one redemption unit (1,000 points) redeems with probability :math:`\rho` = 0.35 as many whole
  units as the balance holds, against that order.
- **Expiry.** Points earned in calendar year :math:`Y` and not redeemed by the end of year :math:`Y + 1`
  expire on 31 December of :math:`Y + 1` (redemptions use the oldest points first); an expiry after the
  history's last day is not written.
- **Value.** One point is worth :math:`v` = CNY 0.01 at redemption (1,000 points = CNY 10), so the
  outstanding balance is a liability of :math:`v \times` points.

The draws come from a third generator, numpy ``PCG64`` seeded with ``[seed, 2]``, and read the clean
orders only, so every other table (and its bytes in CSV) is the same with or without this ledger.
``truth["points"]`` repeats the rules and the totals.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import pandas as pd

from crmbook.sample.days import _History

__all__: list[str] = []

#: The points programme's rules (see the module docstring).
POINTS_PROGRAMME: dict[str, Any] = {
    "start": "January 1 of the year before the last year of the history",
    "enrol_probability": 0.4,
    "points_per_cny": 1.0,
    "redemption_unit": 1000,
    "redeem_probability": 0.35,
    "expiry": "points earned in year Y expire on December 31 of year Y + 1 (oldest points used first)",
    "value_per_point": 0.01,
    "members": "retail customers only",
}

_COLUMNS = ["customer_id", "date", "points", "kind", "order_id"]


def _programme_start(history: _History) -> str:
    last_year = int(history.end[:4])
    return max(history.start, f"{last_year - 1}-01-01")


def _draw_points(seed: int, customers: pd.DataFrame, orders: pd.DataFrame, history: _History
                 ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The ledger (``customer_id, date, points, kind, order_id``, by date then customer) and its truth."""
    rng = np.random.Generator(np.random.PCG64([seed, 2]))
    spec = POINTS_PROGRAMME
    start = _programme_start(history)
    retail = set(customers.loc[customers["account_type"] == "retail", "customer_id"])
    o = orders[(orders["order_date"] >= start) & orders["customer_id"].isin(retail)]
    o = o.sort_values(["customer_id", "order_date", "order_id"], kind="stable")
    firsts = o.drop_duplicates("customer_id")["customer_id"].to_numpy()
    enrolled = set(firsts[rng.random(firsts.size) < spec["enrol_probability"]])
    o = o[o["customer_id"].isin(enrolled)]
    unit = int(spec["redemption_unit"])
    rows: list[tuple] = []
    # one pass over each member's orders; lots = [year earned, points left] oldest first
    for cust, part in o.groupby("customer_id", sort=True):
        lots: deque[list[int]] = deque()
        draws = rng.random(len(part))
        for (date, order_id, revenue), u in zip(part[["order_date", "order_id", "revenue"]].itertuples(index=False),
                                                draws, strict=True):
            year = int(date[:4])
            while lots and lots[0][0] < year - 1:  # points of year Y expire at the end of Y + 1
                y, left = lots.popleft()
                if left > 0:
                    rows.append((cust, f"{y + 1}-12-31", -left, "expire", None))
            balance = sum(left for _, left in lots)
            if balance >= unit and u < spec["redeem_probability"]:
                take = balance // unit * unit
                rows.append((cust, date, -take, "redeem", order_id))
                while take:
                    used = min(take, lots[0][1])
                    lots[0][1] -= used
                    take -= used
                    if lots[0][1] == 0:
                        lots.popleft()
            earned = int(np.floor(revenue * spec["points_per_cny"]))
            if earned > 0:
                rows.append((cust, date, earned, "earn", order_id))
                if lots and lots[-1][0] == year:
                    lots[-1][1] += earned
                else:
                    lots.append([year, earned])
        for y, left in lots:
            if left > 0 and f"{y + 1}-12-31" <= history.end:
                rows.append((cust, f"{y + 1}-12-31", -left, "expire", None))
    ledger = pd.DataFrame(rows, columns=_COLUMNS)
    order = {"redeem": 0, "earn": 1, "expire": 2}
    ledger = (ledger.assign(_k=ledger["kind"].map(order)).sort_values(["date", "customer_id", "_k"], kind="stable")
              .drop(columns="_k").reset_index(drop=True))
    ledger["points"] = ledger["points"].astype("int64")
    totals = ledger.groupby("kind")["points"].sum()
    balance = int(ledger["points"].sum())
    truth = {
        **spec, "start": start, "start_rule": spec["start"], "members": len(enrolled),
        "members_rule": spec["members"],
        "totals_at_end": {"earned": int(totals.get("earn", 0)), "redeemed": int(-totals.get("redeem", 0)),
                          "expired": int(-totals.get("expire", 0)), "outstanding": balance,
                          "liability": round(balance * spec["value_per_point"], 2)},
        "seed": "PCG64([seed, 2]): drawn apart from every other table",
    }
    return ledger, truth
