r"""Contacts: service calls, chats and complaints that follow satisfaction, sales visits, campaign touches.

While the customer is active (sign-up to dropout + 90 days, at most the end of the history), contacts of
each type arrive as a Poisson process with a yearly rate (:data:`CONTACT_RATES`):

.. math:: \text{service calls } 0.6\,e^{-0.4 s_i}, \quad \text{chats } 0.8, \quad
   \text{complaints } 0.12\,e^{-s_i},

and sales visits to business accounts (key_account 12, franchisee 6, agent 4 a year). 5 % of retail
customers are *high-maintenance* (service calls x8, complaints x4): with visits and low-margin discounts
they make the whale curve, a minority whose cost to serve exceeds their gross margin.

Each contact costs :math:`\mathrm{Gamma}(4)` around the type's mean cost (visits :math:`\mathrm{Gamma}(6)`),
is answered after :math:`\mathrm{LogNormal}(\ln h, 0.8)` hours (:math:`h` the median) and is resolved with
the type's probability; a complaint is resolved with probability :math:`\operatorname{expit}(0.8 + 0.6 s_i)`
and comes by phone 50 %, online 35 %, in store 15 %. Every treated campaign member gets one
``campaign_touch`` at the campaign's start, costing the campaign's unit cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmbook.sample.company import (
    _CONTACT_TAIL_DAYS,
    _HIGH_MAINTENANCE,
    ACCOUNT_TYPES,
    CONTACT_RATES,
    _column,
)
from crmbook.sample.customers import _CustomerBase
from crmbook.sample.days import _History, _iso
from crmbook.sample.orders import _Buying
from crmbook.sample.processes import _events, _expit, _gamma_mean

__all__: list[str] = []


@dataclass(frozen=True)
class _ContactDraws:
    """The contacts as drawn: ``raw`` has one row per contact, by day, customer and type, with columns
    ``_c`` (customer index), ``_d`` (day), type, channel, cost, response_hours, resolved."""

    raw: pd.DataFrame
    high_maint: np.ndarray  # per customer: high-maintenance


def _draw_contacts(rng: np.random.Generator, base: _CustomerBase, buying: _Buying, history: _History,
                   touches: list[tuple]) -> _ContactDraws:
    """Draw who is high-maintenance, then the service calls, chats, complaints and visits."""
    n, signup, satisfaction, end_idx = base.n, base.signup, base.satisfaction, history.end_idx
    # day on which the customer stops contacting (dropout + tail)
    died, dropout_day = buying.died, buying.dropout_day
    active_until = np.where(died, np.minimum(dropout_day + _CONTACT_TAIL_DAYS, end_idx), end_idx)
    high_maint = base.retail & (rng.random(n) < _HIGH_MAINTENANCE["share"])
    length = (active_until - signup + 1).astype(float)
    parts = []
    for ctype in ("service_call", "chat", "complaint"):
        spec = CONTACT_RATES[ctype]
        rate = spec["rate"] / 365.25 * np.exp(spec["satisfaction_slope"] * satisfaction)
        if ctype in _HIGH_MAINTENANCE:
            rate = rate * np.where(high_maint, _HIGH_MAINTENANCE[ctype], 1.0)
        ci, cd = _events(rng, rate, signup, length)
        cost = _gamma_mean(rng, spec["cost"], ci.size)
        hours = rng.lognormal(np.log(spec["response_hours"]), 0.8, ci.size)
        if spec["resolved"] is None:  # complaints: satisfied customers' issues get resolved more often
            res_p = _expit(0.8 + 0.6 * satisfaction[ci])
        else:
            res_p = np.full(ci.size, spec["resolved"])
        resolved = rng.random(ci.size) < res_p
        if ctype == "complaint":
            chan_c = np.array(["phone", "online", "store"], dtype=object)[rng.choice(3, ci.size, p=[0.5, 0.35, 0.15])]
        else:
            chan_c = np.full(ci.size, spec["channel"], dtype=object)
        parts.append(pd.DataFrame({"_c": ci, "_d": cd, "type": ctype, "channel": chan_c, "cost": cost,
                                   "response_hours": hours, "resolved": resolved}))
    visits_per_year = _column(ACCOUNT_TYPES, "visits_per_year")[base.acct]
    ci, cd = _events(rng, visits_per_year / 365.25, signup, length)
    parts.append(pd.DataFrame({"_c": ci, "_d": cd, "type": "visit", "channel": "field",
                               "cost": _gamma_mean(rng, CONTACT_RATES["visit"]["cost"], ci.size, shape=6.0),
                               "response_hours": np.nan, "resolved": None}))
    for members_t, c_start, spec in touches:
        parts.append(pd.DataFrame({"_c": members_t, "_d": np.full(members_t.size, c_start), "type": "campaign_touch",
                                   "channel": spec["channel"], "cost": spec["unit_cost"],
                                   "response_hours": np.nan, "resolved": None}))
    contacts_raw = pd.concat(parts, ignore_index=True)
    contacts_raw["cost"] = contacts_raw["cost"].astype(float).round(2)
    contacts_raw["response_hours"] = contacts_raw["response_hours"].astype(float).round(1)
    contacts_raw = contacts_raw.sort_values(["_d", "_c", "type"], kind="stable").reset_index(drop=True)
    contacts_raw["resolved"] = contacts_raw["resolved"].astype(object)
    return _ContactDraws(raw=contacts_raw, high_maint=high_maint)


def _contacts_table(contacts: _ContactDraws, cust_ids: np.ndarray, history: _History) -> pd.DataFrame:
    """The contacts table, in date order."""
    raw = contacts.raw
    return pd.DataFrame({
        "customer_id": cust_ids[raw["_c"].to_numpy()],
        "contact_date": _iso(history.d0, raw["_d"].to_numpy()),
        "type": raw["type"].to_numpy(dtype=object),
        "channel": raw["channel"].to_numpy(dtype=object),
        "cost": raw["cost"].to_numpy(),
        "response_hours": raw["response_hours"].to_numpy(),
        "resolved": raw["resolved"].to_numpy(dtype=object),
    })
