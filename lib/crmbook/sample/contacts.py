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
import pyarrow as pa

from crmbook.sample.columns import _iso_column, _pick, _take
from crmbook.sample.company import (
    _CONTACT_TAIL_DAYS,
    _HIGH_MAINTENANCE,
    ACCOUNT_TYPES,
    CONTACT_RATES,
    _column,
)
from crmbook.sample.customers import _CustomerBase
from crmbook.sample.days import _History
from crmbook.sample.orders import _Buying
from crmbook.sample.processes import _events, _expit, _gamma_mean

__all__: list[str] = []


#: Contact types as written, in alphabetical order (the contacts are sorted by day, customer, type).
_CONTACT_TYPES = ("campaign_touch", "chat", "complaint", "service_call", "visit")
_RESOLVED = np.array([None, False, True], dtype=object)  # resolved code + 1: missing, False, True


@dataclass(frozen=True)
class _ContactDraws:
    """The contacts as drawn, one entry per contact, sorted by day, customer and type: customer index,
    day, type (index into ``_CONTACT_TYPES``), channel (index into ``channels``), cost (rounded to cents),
    response hours (rounded to 0.1, NaN if none), resolved (-1 none, 0 no, 1 yes)."""

    cust: np.ndarray
    day: np.ndarray
    ctype: np.ndarray
    chan: np.ndarray
    channels: tuple[str, ...]
    cost: np.ndarray
    hours: np.ndarray
    resolved: np.ndarray
    high_maint: np.ndarray  # per customer: high-maintenance

    def of_type(self, *types: str) -> np.ndarray:
        """Mask of the contacts of these types."""
        return np.isin(self.ctype, [_CONTACT_TYPES.index(t) for t in types])


def _draw_contacts(rng: np.random.Generator, base: _CustomerBase, buying: _Buying, history: _History,
                   touches: list[tuple]) -> _ContactDraws:
    """Draw who is high-maintenance, then the service calls, chats, complaints and visits."""
    n, signup, satisfaction, end_idx = base.n, base.signup, base.satisfaction, history.end_idx
    # day on which the customer stops contacting (dropout + tail)
    died, dropout_day = buying.died, buying.dropout_day
    active_until = np.where(died, np.minimum(dropout_day + _CONTACT_TAIL_DAYS, end_idx), end_idx)
    high_maint = base.retail & (rng.random(n) < _HIGH_MAINTENANCE["share"])
    length = (active_until - signup + 1).astype(float)
    channels = ["phone", "online", "store", "field"]
    parts = []  # (customer, day, type, channel, cost, hours, resolved), in the order drawn

    def part(ci, cd, ctype, chan, cost, hours, resolved):
        size = ci.size
        parts.append((ci, cd, np.full(size, _CONTACT_TYPES.index(ctype), dtype="int8"),
                      np.broadcast_to(np.asarray(chan, dtype="int8"), size), np.broadcast_to(cost, size),
                      np.broadcast_to(hours, size), np.broadcast_to(np.asarray(resolved, dtype="int8"), size)))

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
            chan_c = rng.choice(3, ci.size, p=[0.5, 0.35, 0.15])  # phone, online, store
        else:
            chan_c = channels.index(spec["channel"])
        part(ci, cd, ctype, chan_c, cost, hours, resolved)
    visits_per_year = _column(ACCOUNT_TYPES, "visits_per_year")[base.acct]
    ci, cd = _events(rng, visits_per_year / 365.25, signup, length)
    part(ci, cd, "visit", channels.index("field"),
         _gamma_mean(rng, CONTACT_RATES["visit"]["cost"], ci.size, shape=6.0), np.nan, -1)
    for members_t, c_start, spec in touches:
        if spec["channel"] not in channels:
            channels.append(spec["channel"])
        part(members_t, np.full(members_t.size, c_start), "campaign_touch", channels.index(spec["channel"]),
             float(spec["unit_cost"]), np.nan, -1)
    cust, day, ctype, chan, cost, hours, resolved = (np.concatenate([p[i] for p in parts]) for i in range(7))
    srt = np.lexsort((ctype, cust, day))  # stable: equal keys keep the order drawn
    return _ContactDraws(cust=cust[srt], day=day[srt], ctype=ctype[srt], chan=chan[srt], channels=tuple(channels),
                         cost=np.round(cost[srt].astype(float), 2), hours=np.round(hours[srt].astype(float), 1),
                         resolved=resolved[srt], high_maint=high_maint)


def _contacts_table(contacts: _ContactDraws, cust_ids: pa.Array, history: _History) -> pd.DataFrame:
    """The contacts table, in date order."""
    return pd.DataFrame({
        "customer_id": _take(cust_ids, contacts.cust),
        "contact_date": _iso_column(history.d0, contacts.day),
        "type": _pick(_CONTACT_TYPES, contacts.ctype),
        "channel": _pick(contacts.channels, contacts.chan),
        "cost": contacts.cost,
        "response_hours": contacts.hours,
        "resolved": _RESOLVED[contacts.resolved.astype("int64") + 1],
    })
