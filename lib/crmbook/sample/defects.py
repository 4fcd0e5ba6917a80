r"""Defects: what a real export holds besides the clean history, so that a data check has something to find.

After every clean table is drawn, a second generator (numpy ``PCG64`` seeded with ``[seed, 1]``, so the
clean tables keep every value they had) adds, in this order, in numbers proportional to the customers
:math:`n` (:func:`_defect_counts`; at the default :math:`n` = 4,000 the figures in brackets):

- **prospects** (1.5 % of :math:`n`, at least 1 [60]): retail customers who signed up and never ordered,
  appended to ``customers`` after the buying customers (ids continue the numbering); they are not part of
  the BG/NBD population and have no truth under ``truth["customers"]``;
- **orders of customers missing from the export** (:math:`n`/800, at least 1 [5]): orders in the last
  30 days of the history of one or two ids that are not in ``customers`` (the customer export was cut
  before the order export) - set aside as ``unknown customer``;
- **refunds booked as orders** (:math:`n`/2,000, at least 1 [2]): a copy of an order a few days later
  with minus its revenue and no cost of goods - set aside as ``negative revenue``;
- **a duplicated order** (:math:`n`/4,000, at least 1 [1]): an order exported twice, same order id -
  the second row is set aside as ``duplicate key``;
- **contacts dated after the history** (:math:`n`/2,000, at least 1 [2]): planned visits (copies of a
  visit of the history) entered with a date in the month after ``end`` - set aside as ``after as_of``
  when ``as_of`` is ``end``;
- **an answer out of range** (:math:`n`/4,000, at least 1 [1]): a survey whose nps of 10 was typed 11 -
  the value is left blank and the answer kept (``out of range``, a warning).

Appended rows go at the end of their table; the one changed value (the nps) is in place. Every defect
is listed in ``truth["defects"]`` with its table, its ``position`` (0-based row of the table as written),
its ``row`` (the row number the data check reports for the CSV file, whose header is row 1), its key and
the reason the data check gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crmbook.sample.columns import _ids, _iso_column
from crmbook.sample.company import _MEMBER_TIERS, CHANNELS, REGIONS, _column
from crmbook.sample.days import _History, _iso
from crmbook.sample.personal import _personal_data

__all__: list[str] = []

#: Share of the customers who are prospects (signed up, never ordered).
_PROSPECT_SHARE = 0.015
#: Customers per defect row of each kind (at least one of each kind at any size).
_CUSTOMERS_PER = {"unknown_customer_orders": 800, "refunds": 2000, "duplicate_orders": 4000,
                  "late_contacts": 2000, "nps_out_of_range": 4000}
#: Days at the end of the history in which the orders of the missing customers fall.
_CUT_DAYS = 30


@dataclass(frozen=True)
class _Defects:
    """The tables with their defects, the prospects' ids and one record per defect."""

    tables: dict[str, pd.DataFrame]
    prospects: list[str]
    records: list[dict[str, Any]]


def _defect_counts(n: int) -> dict[str, int]:
    """How many defects of each kind a sample of ``n`` customers gets."""
    counts = {"prospects": max(1, round(n * _PROSPECT_SHARE))}
    counts.update({kind: max(1, round(n / per)) for kind, per in _CUSTOMERS_PER.items()})
    return counts


def _id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}{number:0{width}d}"


def _prospects(rng: np.random.Generator, k: int, n: int, width: int, history: _History) -> pd.DataFrame:
    """``k`` retail customers with sign-up, channel, region, gender, birth date and personal data."""
    signup = np.sort(rng.integers(0, history.end_idx + 1, k))
    chan_names = [c for c in CHANNELS if c != "referral"]  # nobody names a referrer for them
    share = np.array([CHANNELS[c]["share"] for c in chan_names])
    channel = np.array(chan_names, dtype=object)[rng.choice(len(chan_names), k, p=share / share.sum())]
    region = np.array(list(REGIONS), dtype=object)[rng.choice(len(REGIONS), k, p=_column(REGIONS, "customer_share"))]
    gender = np.array(["F", "M", "other", "unknown"], dtype=object)[rng.choice(4, k, p=[0.52, 0.44, 0.01, 0.03])]
    years_left = (history.end_idx - signup + 1) / 365.25
    age = np.clip(rng.normal(35.0, 11.0, k), 18.0, 75.0 - years_left)
    birth = signup - np.floor(age * 365.25).astype("int64") - 1
    names, phones, emails = _personal_data(rng, np.ones(k, dtype=bool), numbers=n + np.arange(1, k + 1))
    return pd.DataFrame({
        "customer_id": _ids("C", n + np.arange(1, k + 1), width),
        "signup_date": _iso_column(history.d0, signup),
        "acquisition_channel": channel,
        "region": region,
        "gender": gender,
        "birth_date": _iso_column(history.d0, birth),
        "member_tier": _MEMBER_TIERS[0][1],
        "referred_by": None,
        "account_type": "retail",
        "name": names,
        "phone": phones,
        "email": emails,
    })


def _add_defects(seed: int, tables: dict[str, pd.DataFrame], n: int, history: _History) -> _Defects:
    """The tables with the defects of the module documentation added, drawn from their own generator."""
    rng = np.random.Generator(np.random.PCG64([seed, 1]))
    counts = _defect_counts(n)
    out = dict(tables)
    records: list[dict[str, Any]] = []
    customers, orders = tables["customers"], tables["orders"]
    c_width = len(customers["customer_id"].iloc[0]) - 1
    o_width = len(orders["order_id"].iloc[0]) - 1

    def record(table: str, position: int, key: str, reason: str, defect: str) -> None:
        records.append({"table": table, "position": int(position), "row": int(position) + 2, "key": key,
                        "reason": reason, "defect": defect})

    # prospects: customers who never ordered
    prospects = _prospects(rng, counts["prospects"], n, c_width, history)
    out["customers"] = pd.concat([customers, prospects], ignore_index=True)

    # orders: missing customers, refunds, a duplicate - appended with new order ids (the duplicate repeats one)
    extra = []
    next_order = len(orders) + 1
    k = counts["unknown_customer_orders"]
    missing = [_id("C", n + counts["prospects"] + 1 + j, c_width) for j in range(1 if k < 4 else 2)]
    template = orders.iloc[rng.integers(0, len(orders), k)].reset_index(drop=True)
    days = np.sort(rng.integers(history.end_idx - _CUT_DAYS + 1, history.end_idx + 1, k))
    for j in range(k):
        row = template.iloc[j].to_dict()
        row.update(order_id=_id("O", next_order, o_width), customer_id=missing[j % len(missing)],
                   order_date=_iso(history.d0, days[j:j + 1])[0])
        extra.append((row, "unknown customer", "order of a customer missing from the customers export"))
        next_order += 1
    refunded = orders.iloc[np.sort(rng.choice(len(orders) - 1, counts["refunds"], replace=False))]
    for _, original in refunded.iterrows():
        row = original.to_dict()
        day = min(int((np.datetime64(row["order_date"]) - history.d0).astype(int)) + int(rng.integers(3, 15)),
                  history.end_idx)
        row.update(order_id=_id("O", next_order, o_width), order_date=_iso(history.d0, np.array([day]))[0],
                   revenue=-row["revenue"], cost_of_goods=np.nan)
        extra.append((row, "negative revenue", f"refund of {original['order_id']} booked as an order"))
        next_order += 1
    for pos in np.sort(rng.choice(len(orders), counts["duplicate_orders"], replace=False)):
        extra.append((orders.iloc[pos].to_dict(), "duplicate key", "order exported twice (same order_id)"))
    out["orders"] = pd.concat([orders, pd.DataFrame([r for r, _, _ in extra], columns=orders.columns)],
                              ignore_index=True)
    for j, (row, reason, defect) in enumerate(extra):
        record("orders", len(orders) + j, row["order_id"], reason, defect)

    # contacts dated after the history: planned visits of existing buying customers
    contacts = tables["contacts"]
    k = counts["late_contacts"]
    visits = np.flatnonzero(contacts["type"].to_numpy() == "visit")
    pool = visits if len(visits) >= k else np.arange(len(contacts))
    late = contacts.iloc[np.sort(rng.choice(pool, k, replace=False))].reset_index(drop=True).copy()
    late["contact_date"] = _iso(history.d0, history.end_idx + np.sort(rng.integers(1, 32, k)))
    out["contacts"] = pd.concat([contacts, late], ignore_index=True)
    for j, row in late.iterrows():
        record("contacts", len(contacts) + j, f"{row['customer_id']} {row['contact_date']}", "after as_of",
               "contact dated after the end of the history (a planned visit entered in advance)")

    # surveys: an nps of 10 typed as 11 (the value is blanked, the answer kept)
    surveys = tables["surveys"].copy()
    tens = np.flatnonzero(surveys["nps"].to_numpy() == 10)
    for pos in np.sort(rng.choice(tens, min(counts["nps_out_of_range"], len(tens)), replace=False)):
        surveys.loc[pos, "nps"] = 11
        record("surveys", pos, f"{surveys.loc[pos, 'customer_id']} {surveys.loc[pos, 'response_date']}",
               "out of range", "nps of 10 typed as 11 (scale 0-10): the value is blanked, the answer kept")
    out["surveys"] = surveys
    return _Defects(tables=out, prospects=prospects["customer_id"].tolist(), records=records)
