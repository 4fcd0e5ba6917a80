r"""Orders: when customers buy (BG/NBD), how much (Gamma-Gamma), what, through which channel, at what margin.

**Purchasing (BG/NBD).** While alive, customer *i* buys as a Poisson process with rate
:math:`\lambda_i = m_c\, m_a\, \lambda^0_i`, :math:`\lambda^0_i \sim \mathrm{Gamma}(r, \alpha)`
(shape :math:`r`, rate :math:`\alpha` in days, :data:`BGNBD`: r = 0.8, alpha = 60, mean
:math:`r/\alpha` = 0.0133 orders/day, about 4.9 a year). After each repeat purchase the customer drops
out for good with probability

.. math:: p_i = \operatorname{expit}\big(\operatorname{logit}(p^0_i) - \beta_s s_i\big) \cdot d_a,
   \qquad p^0_i \sim \mathrm{Beta}(a, b)

(a = 0.8, b = 3, :math:`\beta_s` = 0.8 = :data:`SATISFACTION_CHURN_EFFECT`): one standard deviation
less satisfaction multiplies the odds of dropping out by :math:`e^{0.8} \approx 2.2`. For retail
customers :math:`m_a = d_a = 1`; business accounts buy more often (:math:`m_a` = 2-3) and drop out less
(:math:`d_a` = 0.3), see :data:`ACCOUNT_TYPES`. The first order is on the sign-up day; the repeat orders
are drawn by :func:`crmbook.sample.processes._bgnbd_purchases`.

**Spend (Gamma-Gamma).** Each order's value is :math:`z \sim \mathrm{Gamma}(p, \nu_i)` (shape p, rate
:math:`\nu_i`), :math:`\nu_i \sim \mathrm{Gamma}(q, \gamma)`, so a customer's mean order value is
:math:`p/\nu_i` and the population mean is :math:`p\gamma/(q-1)` (:data:`GAMMA_GAMMA`: p = 6, q = 4,
gamma = 175, mean 350 CNY). Revenue = :math:`z \cdot v_a` (order-size multiplier of the account type:
franchisee 10, agent 6, key_account 25).

**Category and channel.** Each customer has category preferences
:math:`\pi_i \sim \mathrm{Dirichlet}(3 w)` (:math:`w` the weights of :data:`CATEGORIES`), and each order's
category is drawn from them. A retail customer has a preferred order channel (``store`` for store
sign-ups, else online 55 %, app 30 %, store 15 %) and uses a uniformly drawn one on 25 % of orders;
business accounts order through their account type's order channel.

**Margin.** Gross margin depends on the category (:data:`CATEGORIES`, 22 % electronics to 62 %
beauty); business accounts get a price discount :math:`d`, so
``cost_of_goods = revenue * (1 - margin) / (1 - d) * LogNormal(0, 0.05)``; a franchisee buying
electronics loses money on every order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmbook.sample.columns import _ids, _iso_column, _pick, _take
from crmbook.sample.company import (
    ACCOUNT_TYPES,
    BGNBD,
    CATEGORIES,
    CHANNELS,
    GAMMA_GAMMA,
    SATISFACTION_CHURN_EFFECT,
    _column,
)
from crmbook.sample.customers import _ACQ_CHANNELS, _CustomerBase
from crmbook.sample.days import _History
from crmbook.sample.processes import _bgnbd_purchases, _expit

__all__: list[str] = []

#: Order channels: the retail ones (codes 0-2, drawn by preference) then the business accounts' ones.
_ORDER_CHANNELS = ("online", "app", "store", "b2b", "agent")


@dataclass(frozen=True)
class _Buying:
    """Each customer's purchase and spend process as drawn (one entry per customer)."""

    lam: np.ndarray  # purchase rate lambda_i per day
    p0: np.ndarray  # dropout probability before the satisfaction effect
    p: np.ndarray  # dropout probability after each repeat purchase
    repeats: np.ndarray  # number of repeat purchases
    alive_end: np.ndarray  # still alive at the end of the history
    died: np.ndarray  # ~alive_end
    dropout_day: np.ndarray  # day of the purchase after which they dropped out, -1 if alive
    repeat_cust: np.ndarray  # customer index of each repeat purchase
    repeat_t: np.ndarray  # its time, in days after the sign-up
    nu: np.ndarray  # Gamma-Gamma spend rate nu_i
    a_size: np.ndarray  # order-size multiplier v_a
    a_disc: np.ndarray  # price discount d of the account type
    cat_cum: np.ndarray  # cumulative category preferences, one row per customer
    pref_channel: np.ndarray  # index into the retail order channels


@dataclass(frozen=True)
class _OrderLines:
    """Orders as arrays, one entry per order: customer index, day, revenue, cost of goods, category (index
    into CATEGORIES), channel (index into ``_ORDER_CHANNELS``), converted by a campaign."""

    cust: np.ndarray
    day: np.ndarray
    value: np.ndarray
    cogs: np.ndarray
    cat: np.ndarray
    chan: np.ndarray
    campaign: np.ndarray


def _draw_buying(rng: np.random.Generator, base: _CustomerBase, purchase_rate: float = 1.0) -> _Buying:
    """Draw lambda, p and the BG/NBD repeat purchases, then nu, category and channel preferences.

    ``purchase_rate`` multiplies every lambda (the Gamma's rate becomes alpha / purchase_rate); at 1 the
    draws are the documented ones, at any value the same random numbers are used."""
    n, acct, retail = base.n, base.acct, base.retail
    a_rate = _column(ACCOUNT_TYPES, "rate_multiplier")[acct]
    a_drop = _column(ACCOUNT_TYPES, "dropout_multiplier")[acct]
    c_rate = np.where(retail, _column(CHANNELS, "rate_multiplier")[base.chan], 1.0)
    lam0 = rng.gamma(BGNBD["r"], purchase_rate / BGNBD["alpha"], n)
    lam = lam0 * c_rate * a_rate
    p0 = rng.beta(BGNBD["a"], BGNBD["b"], n)
    p0 = np.clip(p0, 1e-9, 1 - 1e-9)
    p = _expit(np.log(p0 / (1 - p0)) - SATISFACTION_CHURN_EFFECT * base.satisfaction) * a_drop

    idx, t, k_repeat, alive_end, dropout_t = _bgnbd_purchases(rng, lam, p, base.horizon)
    died = ~alive_end
    dropout_day = np.where(died, base.signup + np.floor(np.nan_to_num(dropout_t)).astype("int64"), -1)

    nu = rng.gamma(GAMMA_GAMMA["q"], 1.0 / GAMMA_GAMMA["gamma"], n)
    a_size = _column(ACCOUNT_TYPES, "order_multiplier")[acct]
    a_disc = _column(ACCOUNT_TYPES, "discount")[acct]
    cat_pref = rng.dirichlet(_column(CATEGORIES, "weight") * 3.0, n)
    cat_cum = np.cumsum(cat_pref, axis=1)
    pref_channel = np.where(base.acq_code == _ACQ_CHANNELS.index("store"), 2, rng.choice(3, n, p=[0.55, 0.30, 0.15]))
    return _Buying(lam=lam, p0=p0, p=p, repeats=k_repeat, alive_end=alive_end, died=died,
                   dropout_day=dropout_day, repeat_cust=idx, repeat_t=t, nu=nu, a_size=a_size, a_disc=a_disc,
                   cat_cum=cat_cum, pref_channel=pref_channel)


def _draw_orders(rng: np.random.Generator, base: _CustomerBase, buying: _Buying, cust: np.ndarray,
                 day: np.ndarray, campaign: bool) -> _OrderLines:
    """Draw value, category, channel and cost of goods of orders by ``cust`` on ``day`` (unrounded)."""
    value = rng.gamma(GAMMA_GAMMA["p"], 1.0 / buying.nu[cust]) * buying.a_size[cust]
    draw = rng.random(cust.size)
    cat = np.zeros(cust.size, dtype="int8")  # the first category whose cumulative preference reaches draw
    for j in range(len(CATEGORIES)):
        cat += draw > buying.cat_cum[:, j][cust]
    cat = np.minimum(cat, len(CATEGORIES) - 1)
    switch = rng.random(cust.size) < 0.25
    other = rng.integers(0, 3, cust.size)
    ch = np.where(switch, other, buying.pref_channel[cust]).astype("int8")
    b2b = np.array([_ORDER_CHANNELS.index(a["order_channel"]) if a["order_channel"] else -1
                    for a in ACCOUNT_TYPES.values()], dtype="int8")[base.acct[cust]]
    ch = np.where(b2b >= 0, b2b, ch)
    margin = _column(CATEGORIES, "margin")[cat]
    cogs = value * (1 - margin) / (1 - buying.a_disc[cust]) * rng.lognormal(0.0, 0.05, cust.size)
    return _OrderLines(cust=cust, day=day, value=value, cogs=cogs, cat=cat, chan=ch,
                       campaign=np.full(cust.size, campaign))


def _draw_organic_orders(rng: np.random.Generator, base: _CustomerBase, buying: _Buying) -> _OrderLines:
    """Every customer's first order (on the sign-up day), then the repeat orders, unsorted and unrounded."""
    cust = np.concatenate((np.arange(base.n), buying.repeat_cust))
    repeat_day = base.signup[buying.repeat_cust] + np.floor(buying.repeat_t).astype("int64")
    day = np.concatenate((base.signup, repeat_day))
    return _draw_orders(rng, base, buying, cust, day, campaign=False)


def _merge_orders(organic: _OrderLines, converted: _OrderLines) -> _OrderLines:
    """All orders, money rounded to cents (revenue at least 0.01), sorted by day then customer."""
    cust, day, value, cogs, cat, chan, campaign = (
        np.concatenate((getattr(organic, f), getattr(converted, f)))
        for f in ("cust", "day", "value", "cogs", "cat", "chan", "campaign"))
    value = np.maximum(np.round(value, 2), 0.01)
    cogs = np.round(cogs, 2)
    srt = np.argsort(day * (cust.max(initial=0) + 1) + cust, kind="stable")  # by day, then customer
    cust, day, value, cogs, cat, chan, campaign = (
        x[srt] for x in (cust, day, value, cogs, cat, chan, campaign))
    return _OrderLines(cust=cust, day=day, value=value, cogs=cogs, cat=cat, chan=chan, campaign=campaign)


def _orders_table(orders: _OrderLines, cust_ids: np.ndarray, history: _History) -> pd.DataFrame:
    """The orders table: ``O000001``, ... in date order."""
    o_width = max(6, len(str(orders.cust.size)))
    return pd.DataFrame({
        "order_id": _ids("O", np.arange(1, orders.cust.size + 1), o_width),
        "customer_id": _take(cust_ids, orders.cust),
        "order_date": _iso_column(history.d0, orders.day),
        "revenue": orders.value,
        "cost_of_goods": orders.cogs,
        "channel": _pick(_ORDER_CHANNELS, orders.chan),
        "category": _pick(list(CATEGORIES), orders.cat),
    })
