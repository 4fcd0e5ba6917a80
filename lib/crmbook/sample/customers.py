r"""Customers: when they sign up, through which channel, how satisfied, referred by whom; the customers table.

**Acquisition.** Sign-ups arrive over the whole history with density
:math:`f(t) \propto e^{g t}`, :math:`g = \ln(1 + \text{growth})` per year (:data:`ACQUISITION_GROWTH`
= 25 % more sign-ups each year), so revenue grows year over year. Each customer's first order is on the
sign-up day. The account type is drawn with the shares of :data:`ACCOUNT_TYPES`. Retail customers come
through an acquisition channel whose quality differs (:data:`CHANNELS`: a purchase-rate multiplier
:math:`m_c` and a shift :math:`\mu_c` of satisfaction); business accounts come through ``direct_sales``.
``referral`` customers name an earlier customer as ``referred_by``, picked with weight :math:`e^{s_j}`
(satisfied customers refer more).

**Satisfaction.** A latent satisfaction :math:`s_i \sim N(\mu_c, 1)` per customer (:math:`\mu_c = 0` for
business accounts) drives the survey answers, the complaints and the dropout.

**The table.** Gender F 52 %, M 44 %, other 1 %, unknown 3 % (business accounts: unknown); age at
sign-up :math:`\sim N(35, 11)` clipped to 18 .. 75 minus the years left to the end (birth dates of retail
customers only); region with the customer shares of :data:`REGIONS`; member tier by total spend; names,
phones and e-mails from :mod:`crmbook.sample.personal`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from crmbook.sample.columns import _ids, _iso_column, _pick, _take
from crmbook.sample.company import (
    _MEMBER_TIERS,
    ACCOUNT_TYPES,
    ACQUISITION_GROWTH,
    CHANNELS,
    REGIONS,
    _column,
)
from crmbook.sample.days import _History
from crmbook.sample.personal import _personal_data

__all__: list[str] = []

#: Acquisition channels as written: the retail channels of CHANNELS, then the business accounts' one.
_ACQ_CHANNELS = (*CHANNELS, "direct_sales")


@dataclass(frozen=True)
class _CustomerBase:
    """The customers as acquired, one entry per customer in sign-up order (index i is ``C{i + 1}``)."""

    n: int
    signup: np.ndarray  # sign-up day (day number), ascending
    horizon: np.ndarray  # days observed: end - signup + 1, >= 1
    acct: np.ndarray  # index into ACCOUNT_TYPES
    retail: np.ndarray  # account type is retail
    chan: np.ndarray  # index into CHANNELS (used for retail customers only)
    acq_code: np.ndarray  # index into _ACQ_CHANNELS: the channel for retail customers, else direct_sales
    satisfaction: np.ndarray  # latent satisfaction s_i
    referrer: np.ndarray  # index of the referring customer, -1 if none


def _draw_customer_base(rng: np.random.Generator, n: int, end_idx: int) -> _CustomerBase:
    """Sign-up days, account types, acquisition channels, satisfaction and referrers."""
    g = np.log1p(ACQUISITION_GROWTH) / 365.25
    total_days = end_idx + 1
    u = rng.random(n)
    signup = np.floor(np.log1p(u * np.expm1(g * total_days)) / g).astype("int64")
    signup = np.sort(np.clip(signup, 0, end_idx))
    horizon = end_idx - signup + 1  # days observed, >= 1

    acct = rng.choice(len(ACCOUNT_TYPES), n, p=_column(ACCOUNT_TYPES, "share"))
    retail = acct == 0
    chan_names = list(CHANNELS)
    chan = rng.choice(len(chan_names), n, p=_column(CHANNELS, "share"))
    referral_code = chan_names.index("referral")
    # the very first customers have nobody to be referred by
    earlier = np.searchsorted(signup, signup, side="left")
    chan[(chan == referral_code) & (earlier == 0)] = chan_names.index("store")
    acq_code = np.where(retail, chan, _ACQ_CHANNELS.index("direct_sales"))
    sat_mean = _column(CHANNELS, "satisfaction_mean")[chan]
    sat_mean = np.where(retail, sat_mean, 0.0)
    satisfaction = rng.normal(sat_mean, 1.0)

    referred = retail & (chan == referral_code)
    weights = np.cumsum(np.exp(satisfaction))
    draws = rng.random(n)
    referrer = np.full(n, -1, dtype="int64")
    ref_idx = np.flatnonzero(referred)
    m = earlier[ref_idx]
    pick = np.searchsorted(weights, draws[ref_idx] * weights[m - 1], side="right")
    referrer[ref_idx] = np.minimum(pick, m - 1)
    return _CustomerBase(n=n, signup=signup, horizon=horizon, acct=acct, retail=retail, chan=chan,
                         acq_code=acq_code, satisfaction=satisfaction, referrer=referrer)


def _customer_ids(n: int) -> pa.Array:
    """``C00001``, ``C00002``, ... (at least five digits), as an Arrow string array."""
    width = max(5, len(str(n)))
    return pa.array(_ids("C", np.arange(1, n + 1), width))


def _customers_table(rng: np.random.Generator, base: _CustomerBase, history: _History, cust_ids: pa.Array,
                     o_cust: np.ndarray, o_value: np.ndarray) -> pd.DataFrame:
    """Draw gender, age, region and personal data; the customers table (tier from the orders' revenue)."""
    n, retail, d0 = base.n, base.retail, history.d0
    g_names = ["F", "M", "other", "unknown"]
    gender = np.where(retail, rng.choice(4, n, p=[0.52, 0.44, 0.01, 0.03]), g_names.index("unknown"))
    years_left = base.horizon / 365.25
    age = np.clip(rng.normal(35.0, 11.0, n), 18.0, 75.0 - years_left)
    birth = base.signup - np.floor(age * 365.25).astype("int64") - 1
    region = rng.choice(len(REGIONS), n, p=_column(REGIONS, "customer_share"))
    spend = np.bincount(o_cust, weights=o_value, minlength=n)
    tier_bounds = np.array([b for b, _ in _MEMBER_TIERS])
    tier = np.searchsorted(tier_bounds, spend, side="right") - 1
    names, phones, emails = _personal_data(rng, retail)
    return pd.DataFrame({
        "customer_id": _take(cust_ids, np.arange(n)),
        "signup_date": _iso_column(d0, base.signup),
        "acquisition_channel": _pick(_ACQ_CHANNELS, base.acq_code),
        "region": _pick(list(REGIONS), region),
        "gender": _pick(g_names, gender),
        "birth_date": _iso_column(d0, birth, missing=~retail),
        "member_tier": _pick([t for _, t in _MEMBER_TIERS], tier),
        "referred_by": _take(cust_ids, base.referrer, missing=base.referrer < 0),
        "account_type": _pick(list(ACCOUNT_TYPES), base.acct),
        "name": names,
        "phone": phones,
        "email": emails,
    })
