r"""Campaigns: random members, a random treatment/control split, a known incremental conversion.

Each campaign (:data:`CAMPAIGNS`) picks members at random among the retail customers signed up 60 days
or more before its start (a share ``member_share`` of them) and splits them at random into treatment
(``treatment_share``) and control. A member *responds* when they order in the campaign window of
:math:`w` days; organically that happens (BG/NBD) with probability

.. math:: \pi_i = \mathbb{1}[\text{alive at start}]\,(1 - e^{-\lambda_i w}).

The campaign converts a treated member who would not have bought with probability :math:`u` (one extra
order on a uniform day of the window, drawn like any order), so the true uplift of the response rate is
:math:`u\,\overline{(1-\pi_i)}` and of revenue per member :math:`u\,\overline{(1-\pi_i) v_a p/\nu_i}`
(both in ``truth.json``). One campaign has :math:`u = 0`. A campaign costs ``fixed_cost`` plus
``unit_cost`` per treated member, and each treated member gets a ``campaign_touch`` contact. Campaigns
falling outside the history, or with fewer than 10 eligible customers, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crmbook.sample.columns import _pick, _take
from crmbook.sample.company import _CAMPAIGN_MIN_TENURE_DAYS, CAMPAIGNS, GAMMA_GAMMA
from crmbook.sample.customers import _CustomerBase
from crmbook.sample.days import _day0, _History
from crmbook.sample.orders import _Buying, _OrderLines
from crmbook.sample.truth import _r

__all__: list[str] = []


@dataclass(frozen=True)
class _CampaignDraws:
    """The campaigns run, as drawn."""

    rows: list[dict[str, Any]]  # rows of the campaigns table
    members: list[tuple]  # per campaign: (spec, members, treated, start day, end day)
    touches: list[tuple]  # per campaign: (treated members, start day, spec)
    truth: list[dict[str, Any]]  # per campaign: the true uplifts, for truth.json
    extra_cust: np.ndarray  # customer of each order the campaigns converted
    extra_day: np.ndarray  # its day


def _order_keys(cust: np.ndarray, day: np.ndarray | int, end_idx: int) -> np.ndarray:
    """One key per (customer, day), ordered by customer then day: ``cust * (end_idx + 2) + day``."""
    return cust.astype("int64", copy=False) * (end_idx + 2) + day


def _window(key_sorted: np.ndarray, members: np.ndarray, c_start: int, c_end: int,
            end_idx: int) -> tuple[np.ndarray, np.ndarray]:
    """Per member, the positions ``lo:hi`` of their orders on days ``c_start..c_end`` in ``key_sorted``."""
    lo = np.searchsorted(key_sorted, _order_keys(members, c_start, end_idx), side="left")
    hi = np.searchsorted(key_sorted, _order_keys(members, c_end, end_idx), side="right")
    return lo, hi


def _draw_campaigns(rng: np.random.Generator, base: _CustomerBase, buying: _Buying, history: _History,
                    o_cust: np.ndarray, o_day: np.ndarray) -> _CampaignDraws:
    """Draw members, treatment and conversions of each campaign; ``o_cust``, ``o_day`` the organic orders."""
    d0, end_idx = history.d0, history.end_idx
    retail, signup, died, dropout_day = base.retail, base.signup, buying.died, buying.dropout_day
    key_sorted = np.sort(_order_keys(o_cust, o_day, end_idx))
    campaign_rows, member_frames, campaign_truth, touch_frames = [], [], [], []
    extra = {"cust": [], "day": []}
    for spec in CAMPAIGNS:
        c_start = int((_day0(spec["start"]) - d0).astype(int))
        c_end = c_start + spec["days"] - 1
        if c_start - _CAMPAIGN_MIN_TENURE_DAYS < 0 or c_end > end_idx:
            continue
        eligible = np.flatnonzero(retail & (signup <= c_start - _CAMPAIGN_MIN_TENURE_DAYS))
        if eligible.size < 10:
            continue
        members = np.sort(rng.choice(eligible, int(round(spec["member_share"] * eligible.size)), replace=False))
        treated = rng.random(members.size) < spec["treatment_share"]
        lo, hi = _window(key_sorted, members, c_start, c_end, end_idx)
        organic = hi > lo
        converted = treated & ~organic & (rng.random(members.size) < spec["uplift"])
        conv_days = c_start + rng.integers(0, spec["days"], members.size)
        extra["cust"].append(members[converted])
        extra["day"].append(conv_days[converted])
        alive_at_start = ~died[members] | (dropout_day[members] >= c_start)
        pi = alive_at_start * (1.0 - np.exp(-buying.lam[members] * spec["days"]))
        mean_value = GAMMA_GAMMA["p"] / buying.nu[members] * buying.a_size[members]
        n_treated = int(treated.sum())
        cost = spec["fixed_cost"] + spec["unit_cost"] * n_treated
        campaign_rows.append({"campaign_id": spec["campaign_id"], "channel": spec["channel"],
                              "start_date": str(d0 + c_start), "end_date": str(d0 + c_end),
                              "cost": round(cost, 2)})
        member_frames.append((spec, members, treated, c_start, c_end))
        touch_frames.append((members[treated], c_start, spec))
        campaign_truth.append({
            "campaign_id": spec["campaign_id"], "window_days": spec["days"], "uplift_u": spec["uplift"],
            "treatment_share": spec["treatment_share"], "members": int(members.size), "treated": n_treated,
            "true_response_uplift": _r(spec["uplift"] * np.mean(1 - pi)),
            "true_revenue_uplift_per_member": _r(spec["uplift"] * np.mean((1 - pi) * mean_value), 4),
            "expected_control_response_rate": _r(np.mean(pi)),
            "incremental_orders": int(converted.sum()),
        })
    ex_cust = np.concatenate(extra["cust"]) if extra["cust"] else np.zeros(0, dtype="int64")
    ex_day = np.concatenate(extra["day"]) if extra["day"] else np.zeros(0, dtype="int64")
    return _CampaignDraws(rows=campaign_rows, members=member_frames, touches=touch_frames,
                          truth=campaign_truth, extra_cust=ex_cust, extra_day=ex_day)


def _campaigns_table(campaigns: _CampaignDraws) -> pd.DataFrame:
    """The campaigns table: one row per campaign run."""
    return pd.DataFrame(campaigns.rows, columns=["campaign_id", "channel", "start_date", "end_date", "cost"])


def _campaign_members_table(campaigns: _CampaignDraws, orders: _OrderLines, cust_ids: pa.Array,
                            end_idx: int) -> pd.DataFrame:
    """The campaign_members table: group, and whether and for how much the member ordered in the window."""
    key = _order_keys(orders.cust, orders.day, end_idx)
    kord = np.argsort(key, kind="stable")
    key_sorted, val_cum = key[kord], np.concatenate(([0.0], np.cumsum(orders.value[kord])))
    mframes = []
    for spec, members, treated, c_start, c_end in campaigns.members:
        lo, hi = _window(key_sorted, members, c_start, c_end, end_idx)
        mframes.append(pd.DataFrame({
            "campaign_id": spec["campaign_id"],
            "customer_id": _take(cust_ids, members),
            "group": _pick(["control", "treatment"], treated.astype("int64")),
            "responded": hi > lo,
            "revenue": np.round(val_cum[hi] - val_cum[lo], 2),
        }))
    return (pd.concat(mframes, ignore_index=True) if mframes else
            pd.DataFrame(columns=["campaign_id", "customer_id", "group", "responded", "revenue"]))
