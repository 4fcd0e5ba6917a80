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

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crmbook.sample.columns import _ids, _iso_column, _pick, _take
from crmbook.sample.days import _History
from crmbook.sample.orders import _OrderLines

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


def _draw_points(seed: int, orders: _OrderLines, retail: np.ndarray, cust_ids: pa.Array,
                 history: _History) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The ledger (``customer_id, date, points, kind, order_id``, by date then customer) and its truth.

    ``orders`` are the clean orders in the orders table's order (row ``i`` is order ``O{i + 1}``),
    ``retail`` flags each customer's account type, ``cust_ids`` their ids.

    The members' orders are walked in (customer, date, order id) order, one draw each, as the rules say;
    the walk is vectorised across members: step ``k`` handles every member's ``k``-th order at once. A
    member's points are two lots, those earned in the programme's first calendar year and those of the
    second (the programme starts at most a year before the history's last year, so no order falls in a
    third year and no lot expires before the end of the history's last year).
    """
    rng = np.random.Generator(np.random.PCG64([seed, 2]))
    spec = POINTS_PROGRAMME
    start = _programme_start(history)
    d0 = history.d0
    start_day = int((np.datetime64(start, "D") - d0).astype(int))
    o_width = max(6, len(str(orders.cust.size)))
    # the retail customers' orders from the programme start, by customer, date, order id
    pos = np.flatnonzero((orders.day >= start_day) & retail[orders.cust])
    pos = pos[np.argsort(orders.cust[pos], kind="stable")]  # the orders are by day, then customer
    cust = orders.cust[pos]
    first = np.r_[True, cust[1:] != cust[:-1]] if cust.size else np.zeros(0, dtype=bool)
    firsts = cust[first]
    enrolled = np.zeros(retail.size, dtype=bool)
    enrolled[firsts[rng.random(firsts.size) < spec["enrol_probability"]]] = True
    keep = enrolled[cust]
    pos, cust = pos[keep], cust[keep]
    draws = rng.random(pos.size)
    day = orders.day[pos]
    earned = np.floor(orders.value[pos] * spec["points_per_cny"]).astype("int64")
    first_year = int(start[:4])
    years = (d0 + day).astype("datetime64[Y]").astype(int) + 1970
    if years.size and years.max() > first_year + 1:  # cannot happen: see _programme_start
        raise AssertionError("points: an order falls more than a year after the programme's first year")
    in_first = years == first_year

    # the walk: lots[:, 0] the first year's points left, lots[:, 1] the second's, one row per member
    starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]]) if cust.size else np.zeros(0, dtype="int64")
    counts = np.diff(np.r_[starts, cust.size])
    by_count = np.argsort(-counts, kind="stable")
    starts, counts = starts[by_count], counts[by_count]
    lots = np.zeros((starts.size, 2), dtype="int64")
    taken = np.zeros(pos.size, dtype="int64")
    unit = int(spec["redemption_unit"])
    for k in range(int(counts.max()) if counts.size else 0):
        m = int(np.searchsorted(-counts, -k, side="left"))  # members with more than k orders
        rows = starts[:m] + k
        first_lot, second_lot = lots[:m, 0], lots[:m, 1]
        balance = first_lot + second_lot
        take = np.where((balance >= unit) & (draws[rows] < spec["redeem_probability"]), balance // unit * unit, 0)
        from_first = np.minimum(take, first_lot)  # oldest points first
        lots[:m, 0] -= from_first
        lots[:m, 1] -= take - from_first
        taken[rows] = take
        lots[:m, 0] += np.where(in_first[rows], earned[rows], 0)
        lots[:m, 1] += np.where(in_first[rows], 0, earned[rows])

    # the ledger rows: a redemption before the earning of its order, the expiries after the last order
    member = cust[starts]
    expiry_days, expiry_rows = [], []
    for j, year in enumerate((first_year, first_year + 1)):
        if f"{year + 1}-12-31" <= history.end:
            left = lots[:, j] > 0
            expiry_rows.append((member[left], -lots[left, j]))
            expiry_days.append(np.full(int(left.sum()), int((np.datetime64(f"{year + 1}-12-31") - d0)
                                                            .astype(int))))
    red, earn = taken > 0, earned > 0
    seq = np.arange(pos.size)
    parts = [  # customer, day, points, kind code, sequence, order position (-1: none)
        (cust[red], day[red], -taken[red], 0, seq[red], pos[red]),
        (cust[earn], day[earn], earned[earn], 1, seq[earn], pos[earn]),
    ] + [(c, d, pts, 2, np.full(c.size, pos.size), np.full(c.size, -1)) for (c, pts), d in
         zip(expiry_rows, expiry_days, strict=True)]
    l_cust, l_day, l_points, l_seq, l_pos = (np.concatenate([np.asarray(p[i], dtype="int64") for p in parts])
                                             for i in (0, 1, 2, 4, 5))
    l_kind = np.concatenate([np.full(p[0].size, p[3], dtype="int64") for p in parts])
    srt = np.lexsort((l_seq, l_kind, l_cust, l_day))
    l_cust, l_day, l_points, l_kind, l_pos = (x[srt] for x in (l_cust, l_day, l_points, l_kind, l_pos))
    ledger = pd.DataFrame({
        "customer_id": _take(cust_ids, l_cust),
        "date": _iso_column(d0, l_day),
        "points": l_points,
        "kind": _pick(["redeem", "earn", "expire"], l_kind),
        "order_id": _ids("O", l_pos + 1, o_width, missing=l_pos < 0),
    }, columns=_COLUMNS)
    totals = {kind: int(l_points[l_kind == code].sum()) for code, kind in enumerate(("redeem", "earn", "expire"))}
    balance = int(l_points.sum())
    truth = {
        **spec, "start": start, "start_rule": spec["start"], "members": int(enrolled.sum()),
        "members_rule": spec["members"],
        "totals_at_end": {"earned": totals["earn"], "redeemed": -totals["redeem"],
                          "expired": -totals["expire"], "outstanding": balance,
                          "liability": round(balance * spec["value_per_point"], 2)},
        "seed": "PCG64([seed, 2]): drawn apart from every other table",
    }
    return ledger, truth

