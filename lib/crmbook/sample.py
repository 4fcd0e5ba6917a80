r"""The case company: a deterministic, seeded generator of every crmbook table.

The fictional company **Hexi Home (禾喜家居)** sells home, kitchen, apparel, beauty and electronics goods
in five regions of China, online, through its app and in its stores, to consumers (``retail``) and to a
few business accounts (``franchisee``, ``agent``, ``key_account``). Its history runs from
:data:`START` to :data:`END`. Every table is drawn from a known process, so an analysis of the data can be
checked against the truth (written beside the tables as ``truth.json``). Time is measured in days.

**Acquisition.** Sign-ups arrive over the whole history with density
:math:`f(t) \propto e^{g t}`, :math:`g = \ln(1 + \text{growth})` per year (:data:`ACQUISITION_GROWTH`
= 25 % more sign-ups each year), so revenue grows year over year. Each customer's first order is on the
sign-up day. Retail customers come through an acquisition channel whose quality differs
(:data:`CHANNELS`: a purchase-rate multiplier :math:`m_c` and a shift :math:`\mu_c` of satisfaction);
business accounts come through ``direct_sales``. ``referral`` customers name an earlier customer as
``referred_by``, picked with weight :math:`e^{s_j}` (satisfied customers refer more).

**Satisfaction.** A latent satisfaction :math:`s_i \sim N(\mu_c, 1)` per customer drives the survey
answers, the complaints and the dropout.

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
(:math:`d_a` = 0.3), see :data:`ACCOUNT_TYPES`.

**Spend (Gamma-Gamma).** Each order's value is :math:`z \sim \mathrm{Gamma}(p, \nu_i)` (shape p, rate
:math:`\nu_i`), :math:`\nu_i \sim \mathrm{Gamma}(q, \gamma)`, so a customer's mean order value is
:math:`p/\nu_i` and the population mean is :math:`p\gamma/(q-1)` (:data:`GAMMA_GAMMA`: p = 6, q = 4,
gamma = 175, mean 350 CNY). Revenue = :math:`z \cdot v_a` (order-size multiplier of the account type:
franchisee 10, agent 6, key_account 25).

**Margin.** Gross margin depends on the category (:data:`CATEGORIES`, 22 % electronics to 62 %
beauty); business accounts get a price discount :math:`d`, so
``cost_of_goods = revenue * (1 - margin) / (1 - d) * LogNormal(0, 0.05)``; a franchisee buying
electronics loses money on every order.

**Contacts (cost to serve).** Per year while the customer is active (sign-up to dropout + 90 days):
service calls :math:`0.6\,e^{-0.4 s}`, chats 0.8, complaints :math:`0.12\,e^{-s}`, and sales visits to
business accounts (key_account 12, franchisee 6, agent 4). 5 % of retail customers are
*high-maintenance* (service calls x8, complaints x4): with visits and low-margin discounts they make
the whale curve, a minority whose cost to serve exceeds their gross margin.

**Surveys.** 15 % of orders are followed by a ``post_purchase`` survey and 25 % of service calls and
complaints by an ``after_service`` one (1-10 days later). With the occasion's latent
:math:`x = s_i + o + \varepsilon`, :math:`\varepsilon \sim N(0, 0.6)` (:math:`o` = -0.6 after a
complaint, -0.5 more if it was unresolved):
NPS = clip(round(7.3 + 2.2x), 0, 10), CSAT = clip(round(3.6 + 0.9x), 1, 5),
CES = clip(round(3.4 - 1.1x + N(0, 0.6)), 1, 7), rating_k = clip(round(3.5 + w_k x + N(0, 0.7)), 1, 5)
with loadings w = quality 0.9, service 0.7, delivery 0.5, price 0.3 (:data:`SURVEY`).

**Campaigns.** Each campaign (:data:`CAMPAIGNS`) picks members at random among the retail customers
signed up 60 days or more before its start and splits them at random into treatment and control. A
member *responds* when they order in the campaign window; organically that happens (BG/NBD) with
probability
:math:`\pi_i = \mathbb{1}[\text{alive at start}](1 - e^{-\lambda_i w})`. The campaign converts a
treated member who would not have bought with probability :math:`u` (one extra order), so the true
uplift of the response rate is :math:`u\,\overline{(1-\pi_i)}` and of revenue per member
:math:`u\,\overline{(1-\pi_i) v_a p/\nu_i}` (both in ``truth.json``). One campaign has :math:`u = 0`.

**Costs.** Monthly pools (:data:`COST_POOLS`) built from the activity: marketing = 120 per new customer
+ campaign costs + fixed; sales = visit costs + fixed; service = service-contact costs + fixed; logistics
= 18 per order + 2 % of revenue; admin = fixed + 3 % of revenue. The fixed parts are an amount per month
per 1000 customers signed up so far, so they grow with the company.

**Market.** :data:`REGIONS` gives each region's share of potential customers, the company's share of
its customers and the market spend per potential customer per year, so penetration and market share
differ by region.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_N_CUSTOMERS",
    "DEFAULT_SEED",
    "START",
    "END",
    "SAMPLE_DIR",
    "FORMATS",
    "BGNBD",
    "GAMMA_GAMMA",
    "SATISFACTION_CHURN_EFFECT",
    "ACQUISITION_GROWTH",
    "CHANNELS",
    "ACCOUNT_TYPES",
    "CATEGORIES",
    "REGIONS",
    "SURVEY",
    "CONTACT_RATES",
    "CAMPAIGNS",
    "COST_POOLS",
    "SampleData",
    "generate",
    "write_sample",
]

#: Number of customers of the committed sample.
DEFAULT_N_CUSTOMERS = 4000
#: Seed of the committed sample.
DEFAULT_SEED = 20251231
#: First day of the history.
START = "2022-01-01"
#: Last day of the history (the sample's default ``as_of``).
END = "2025-12-31"
#: The committed sample folder, anchored on this file (not on the working directory). It exists in a
#: clone installed with ``pip install -e .``; a wheel does not carry it (``data.check("sample")`` then
#: raises a FileNotFoundError that says how to install).
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "datasets" / "sample"
#: File formats :func:`write_sample` writes, with their file extensions.
FORMATS = {"csv": "csv", "parquet": "parquet", "xlsx": "xlsx"}

#: BG/NBD heterogeneity: lambda ~ Gamma(shape r, rate alpha) per day; dropout p ~ Beta(a, b).
BGNBD = {"r": 0.8, "alpha": 60.0, "a": 0.8, "b": 3.0}
#: Gamma-Gamma spend: order value ~ Gamma(shape p, rate nu), nu ~ Gamma(shape q, rate gamma).
GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 175.0}
#: beta_s in logit(p_i) = logit(p0_i) - beta_s * s_i: satisfaction lowers the dropout odds.
SATISFACTION_CHURN_EFFECT = 0.8
#: Sign-ups grow by this share each year (exponential intensity).
ACQUISITION_GROWTH = 0.25

#: Retail acquisition channels: share of retail sign-ups, purchase-rate multiplier m_c, satisfaction mean mu_c.
CHANNELS = {
    "store": {"share": 0.30, "rate_multiplier": 1.0, "satisfaction_mean": 0.1},
    "online_ads": {"share": 0.28, "rate_multiplier": 0.7, "satisfaction_mean": -0.25},
    "social_media": {"share": 0.20, "rate_multiplier": 0.8, "satisfaction_mean": -0.1},
    "referral": {"share": 0.15, "rate_multiplier": 1.4, "satisfaction_mean": 0.4},
    "events": {"share": 0.07, "rate_multiplier": 1.1, "satisfaction_mean": 0.0},
}

#: Account types: share of customers, rate multiplier m_a, dropout multiplier d_a, order-size multiplier
#: v_a, price discount d (lowers the margin), sales visits per year, order channel.
ACCOUNT_TYPES = {
    "retail": {"share": 0.945, "rate_multiplier": 1.0, "dropout_multiplier": 1.0, "order_multiplier": 1.0,
               "discount": 0.0, "visits_per_year": 0.0, "order_channel": None},
    "franchisee": {"share": 0.025, "rate_multiplier": 2.0, "dropout_multiplier": 0.3, "order_multiplier": 10.0,
                   "discount": 0.25, "visits_per_year": 6.0, "order_channel": "b2b"},
    "agent": {"share": 0.020, "rate_multiplier": 1.5, "dropout_multiplier": 0.3, "order_multiplier": 6.0,
              "discount": 0.15, "visits_per_year": 4.0, "order_channel": "agent"},
    "key_account": {"share": 0.010, "rate_multiplier": 3.0, "dropout_multiplier": 0.3, "order_multiplier": 25.0,
                    "discount": 0.20, "visits_per_year": 12.0, "order_channel": "b2b"},
}

#: Product categories: gross margin at list price and the average share of purchases.
CATEGORIES = {
    "home": {"margin": 0.45, "weight": 0.30},
    "kitchen": {"margin": 0.40, "weight": 0.20},
    "apparel": {"margin": 0.55, "weight": 0.20},
    "beauty": {"margin": 0.62, "weight": 0.12},
    "electronics": {"margin": 0.22, "weight": 0.18},
}

#: Regions: share of the potential market, share of the company's customers, market spend per potential
#: customer per year (CNY). Potential customers = market_share * n_customers * MARKET_SIZE_FACTOR.
REGIONS = {
    "East": {"market_share": 0.30, "customer_share": 0.38, "spend_per_head": 2200.0},
    "South": {"market_share": 0.22, "customer_share": 0.24, "spend_per_head": 2100.0},
    "North": {"market_share": 0.22, "customer_share": 0.18, "spend_per_head": 1900.0},
    "Central": {"market_share": 0.14, "customer_share": 0.12, "spend_per_head": 1500.0},
    "West": {"market_share": 0.12, "customer_share": 0.08, "spend_per_head": 1300.0},
}
_MARKET_SIZE_FACTOR = 25

#: Survey model (see the module docstring).
SURVEY = {
    "post_purchase_rate": 0.15, "after_service_rate": 0.25, "noise_sd": 0.6,
    "complaint_effect": -0.6, "unresolved_effect": -0.5,
    "nps": {"intercept": 7.3, "slope": 2.2}, "csat": {"intercept": 3.6, "slope": 0.9},
    "ces": {"intercept": 3.4, "slope": -1.1, "noise_sd": 0.6},
    "ratings": {"quality": 0.9, "service": 0.7, "delivery": 0.5, "price": 0.3},
    "rating_intercept": 3.5, "rating_noise_sd": 0.7, "comment_rate": 0.3,
}

#: Contacts per year while active: base rate, satisfaction slope (rate * exp(slope * s)), channel, mean
#: cost (Gamma with shape 4), median response hours (log-normal, sd 0.8), P(resolved).
CONTACT_RATES = {
    "service_call": {"rate": 0.6, "satisfaction_slope": -0.4, "channel": "phone", "cost": 30.0,
                     "response_hours": 2.0, "resolved": 0.90},
    "chat": {"rate": 0.8, "satisfaction_slope": 0.0, "channel": "online", "cost": 6.0,
             "response_hours": 0.2, "resolved": 0.85},
    "complaint": {"rate": 0.12, "satisfaction_slope": -1.0, "channel": "phone", "cost": 150.0,
                  "response_hours": 18.0, "resolved": None},
    "visit": {"rate": None, "satisfaction_slope": 0.0, "channel": "field", "cost": 450.0,
              "response_hours": None, "resolved": None},
}
#: Share of retail customers who are high-maintenance, and their multipliers.
_HIGH_MAINTENANCE = {"share": 0.05, "service_call": 8.0, "complaint": 4.0}
#: Days a customer keeps contacting the company after dropping out.
_CONTACT_TAIL_DAYS = 90

#: Campaigns: start, length (days), channel, fixed cost, cost per treated member, share of the eligible
#: customers who become members, treatment share, true incremental conversion u of would-be non-buyers.
CAMPAIGNS = (
    {"campaign_id": "CMP2023A", "start": "2023-09-01", "days": 30, "channel": "sms", "fixed_cost": 3000.0,
     "unit_cost": 2.0, "member_share": 0.5, "treatment_share": 0.7, "uplift": 0.04},
    {"campaign_id": "CMP2024B", "start": "2024-11-01", "days": 21, "channel": "email", "fixed_cost": 1500.0,
     "unit_cost": 0.5, "member_share": 0.5, "treatment_share": 0.7, "uplift": 0.0},
    {"campaign_id": "CMP2025C", "start": "2025-06-01", "days": 30, "channel": "app_push", "fixed_cost": 5000.0,
     "unit_cost": 5.0, "member_share": 0.8, "treatment_share": 0.5, "uplift": 0.10},
)
_CAMPAIGN_MIN_TENURE_DAYS = 60

#: Monthly cost pools: kind, driver, fixed amount per month per 1000 customers signed up so far, variable rates.
COST_POOLS = {
    "marketing": {"kind": "acquisition", "driver": "new_customers", "fixed_per_1000": 2000.0,
                  "per_new_customer": 120.0},
    "sales": {"kind": "direct", "driver": "visits", "fixed_per_1000": 4000.0},
    "service": {"kind": "retention", "driver": "contacts", "fixed_per_1000": 2000.0},
    "logistics": {"kind": "direct", "driver": "orders", "per_order": 18.0, "revenue_share": 0.02},
    "admin": {"kind": "indirect", "driver": "revenue", "fixed_per_1000": 6000.0, "revenue_share": 0.03},
}

_MEMBER_TIERS = ((0.0, "bronze"), (2000.0, "silver"), (8000.0, "gold"), (30000.0, "platinum"))

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
_GIVEN = list("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕鹏辉婷浩宇轩然欣怡梓涵子墨晨阳思远")
_CITIES = ["杭州", "苏州", "南京", "广州", "深圳", "北京", "天津", "武汉", "长沙", "成都", "重庆", "西安", "合肥", "宁波"]
_FIRMS = ["恒达", "嘉禾", "鑫源", "瑞丰", "华美", "宏图", "永盛", "天成", "锦程", "德信", "中联", "盛世"]
_TRADES = ["商贸", "贸易", "家居", "供应链", "实业"]
_COMMENTS = {
    "promoter": ["质量很好，会再买", "Great quality, fast delivery", "客服很耐心", "Love it, told my friends",
                 "物流很快", "性价比高", "Very happy with the service"],
    "passive": ["还可以", "OK overall", "价格有点贵", "Delivery a bit slow", "包装一般", "Fine, nothing special"],
    "detractor": ["质量太差了", "Never again", "客服不回复", "退货太麻烦", "Broke after a week", "等了两周才到货",
                  "Too expensive for the quality"],
}


@dataclass
class SampleData:
    """The generated case company: its tables and the truth behind them.

    Attributes
    ----------
    tables : dict of str to DataFrame
        One frame per table of :data:`crmbook.data.SCHEMAS`, with the schema's column names; dates are
        ISO strings ``YYYY-MM-DD``, empty optional values are missing (NaN/None).
    truth : dict
        JSON-serialisable: the true parameters, per-campaign true uplifts, summary figures and, under
        ``"customers"``, per-customer truths as columns (lists aligned on ``customer_id``).
    """

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------

def _day0(date: str) -> np.datetime64:
    return np.datetime64(date, "D")


def _iso(start: np.datetime64, days: np.ndarray) -> np.ndarray:
    """Day offsets from ``start`` -> ISO date strings (object array)."""
    return (start + np.asarray(days, dtype="int64")).astype("datetime64[D]").astype(str).astype(object)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _gamma_mean(rng: np.random.Generator, mean: np.ndarray | float, size: int, shape: float = 4.0) -> np.ndarray:
    return rng.gamma(shape, np.asarray(mean) / shape, size)


def _events(rng: np.random.Generator, rate_per_day: np.ndarray, first: np.ndarray,
            length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A Poisson process per customer on days [first, first + length): (customer index, day)."""
    counts = rng.poisson(rate_per_day * length)
    idx = np.repeat(np.arange(len(first)), counts)
    days = first[idx] + np.floor(rng.random(idx.size) * length[idx]).astype("int64")
    return idx, days


def _r(x: float, digits: int = 6) -> float:
    return round(float(x), digits)


def _rounded(values: np.ndarray, digits: int = 6) -> list:
    out = np.round(np.asarray(values, dtype=float), digits)
    listed = out.tolist()
    if not np.isfinite(out).all():
        listed = [v if np.isfinite(v) else None for v in listed]
    return listed


def _bgnbd_purchases(rng: np.random.Generator, lam: np.ndarray, p: np.ndarray,
                     horizon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Repeat purchases of the BG/NBD story, exactly, for customers observed ``horizon`` days each.

    While alive a customer buys as a Poisson process of rate ``lam`` per day; after each repeat purchase
    they drop out with probability ``p``. Drawn as: N ~ Poisson(lam * horizon) purchase times uniform on
    [0, horizon) (the Poisson process if the customer never dropped out), J ~ Geometric(p) the repeat
    purchase after which they drop out; the customer makes the first min(N, J) of the N purchases and is
    alive at the end when J > N.

    Returns
    -------
    customer, t : ndarray
        Customer index and time (days after the first purchase) of each repeat purchase, sorted by
        customer then time.
    repeats, alive : ndarray
        Per customer: number of repeat purchases, alive at the end of the horizon.
    dropout_t : ndarray
        Per customer: time of the purchase after which they dropped out (NaN if alive).
    """
    n = lam.size
    n_poisson = rng.poisson(lam * horizon)
    n_until_drop = rng.geometric(np.clip(p, 1e-12, 1.0))
    repeats = np.minimum(n_poisson, n_until_drop)
    alive = n_until_drop > n_poisson
    idx = np.repeat(np.arange(n), n_poisson)
    t = rng.random(idx.size) * horizon[idx]
    order = np.lexsort((t, idx))
    idx, t = idx[order], t[order]
    offsets = np.concatenate(([0], np.cumsum(n_poisson)[:-1]))
    keep = (np.arange(idx.size) - offsets[idx]) < repeats[idx]
    dropout_t = np.full(n, np.nan)
    died = ~alive
    dropout_t[died] = t[(offsets + n_until_drop - 1)[died]]
    return idx[keep], t[keep], repeats, alive, dropout_t


def _personal_data(rng: np.random.Generator, retail: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """Fictional names (company names for business accounts), 11-digit phones and example.com e-mails."""
    n = retail.size
    surname = rng.integers(0, len(_SURNAMES), n)
    given1 = rng.integers(0, len(_GIVEN), n)
    given2 = rng.integers(0, len(_GIVEN), n)
    two = rng.random(n) < 0.6
    city, firm, trade = (rng.integers(0, len(x), n) for x in (_CITIES, _FIRMS, _TRADES))
    names = [
        (_SURNAMES[surname[i]] + _GIVEN[given1[i]] + (_GIVEN[given2[i]] if two[i] else "")) if retail[i]
        else f"{_CITIES[city[i]]}{_FIRMS[firm[i]]}{_TRADES[trade[i]]}有限公司"
        for i in range(n)
    ]
    phone_prefix = np.array(["13", "15", "18"])[rng.integers(0, 3, n)]
    phone_rest = rng.integers(0, 10**9, n)
    phones = [f"{phone_prefix[i]}{phone_rest[i]:09d}" for i in range(n)]
    letters = rng.integers(0, 26, (n, 6))
    n_letters = rng.integers(3, 7, n)
    emails = [
        ("".join(chr(97 + c) for c in letters[i, :n_letters[i]]) if retail[i] else "purchasing")
        + f"{i + 1}@example.com"
        for i in range(n)
    ]
    return names, phones, emails


# --------------------------------------------------------------------------------------------------
# the generator
# --------------------------------------------------------------------------------------------------

def generate(n_customers: int = DEFAULT_N_CUSTOMERS, seed: int = DEFAULT_SEED, start: str = START,
             end: str = END) -> SampleData:
    """Generate the case company's tables and their truth.

    The processes and their true parameters are described in the module docstring (:mod:`crmbook.sample`)
    and repeated in ``truth``. The result depends only on the arguments (numpy ``PCG64`` seeded with
    ``seed``).

    Parameters
    ----------
    n_customers : int
        Number of customers (at least 50).
    seed : int
        Random seed.
    start, end : str
        First and last day of the history, ``YYYY-MM-DD``; at least three years apart is needed for
        year-over-year comparisons. Campaigns falling outside the history are left out.

    Returns
    -------
    SampleData
        ``tables`` (customers, orders, surveys, contacts, costs, campaigns, campaign_members, market) and
        ``truth``.

    Examples
    --------
    >>> data = generate(300, seed=1)
    >>> sorted(data.tables)[:3]
    ['campaign_members', 'campaigns', 'contacts']
    """
    if not isinstance(n_customers, int | np.integer) or n_customers < 50:
        raise ValueError(f"generate: n_customers must be an integer >= 50, got {n_customers!r}")
    d0, d1 = _day0(start), _day0(end)
    end_idx = int((d1 - d0).astype(int))
    if end_idx < 365:
        raise ValueError(f"generate: the history {start}..{end} must span at least a year")
    rng = np.random.Generator(np.random.PCG64(seed))
    n = int(n_customers)

    # ---- acquisition ------------------------------------------------------------------------------
    g = np.log1p(ACQUISITION_GROWTH) / 365.25
    total_days = end_idx + 1
    u = rng.random(n)
    signup = np.floor(np.log1p(u * np.expm1(g * total_days)) / g).astype("int64")
    signup = np.sort(np.clip(signup, 0, end_idx))
    horizon = end_idx - signup + 1  # days observed, >= 1

    acct_names = list(ACCOUNT_TYPES)
    acct = rng.choice(len(acct_names), n, p=[ACCOUNT_TYPES[a]["share"] for a in acct_names])
    retail = acct == 0
    chan_names = list(CHANNELS)
    chan = rng.choice(len(chan_names), n, p=[CHANNELS[c]["share"] for c in chan_names])
    referral_code = chan_names.index("referral")
    # the very first customers have nobody to be referred by
    earlier = np.searchsorted(signup, signup, side="left")
    chan[(chan == referral_code) & (earlier == 0)] = chan_names.index("store")
    acq_channel = np.where(retail, np.array(chan_names, dtype=object)[chan], "direct_sales")
    sat_mean = np.array([CHANNELS[c]["satisfaction_mean"] for c in chan_names])[chan]
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

    # ---- purchasing: BG/NBD ----------------------------------------------------------------------
    a_rate = np.array([ACCOUNT_TYPES[a]["rate_multiplier"] for a in acct_names])[acct]
    a_drop = np.array([ACCOUNT_TYPES[a]["dropout_multiplier"] for a in acct_names])[acct]
    c_rate = np.where(retail, np.array([CHANNELS[c]["rate_multiplier"] for c in chan_names])[chan], 1.0)
    lam0 = rng.gamma(BGNBD["r"], 1.0 / BGNBD["alpha"], n)
    lam = lam0 * c_rate * a_rate
    p0 = rng.beta(BGNBD["a"], BGNBD["b"], n)
    p0 = np.clip(p0, 1e-9, 1 - 1e-9)
    p = _expit(np.log(p0 / (1 - p0)) - SATISFACTION_CHURN_EFFECT * satisfaction) * a_drop

    idx, t, k_repeat, alive_end, dropout_t = _bgnbd_purchases(rng, lam, p, horizon)
    died = ~alive_end
    dropout_day = np.where(died, signup + np.floor(np.nan_to_num(dropout_t)).astype("int64"), -1)

    o_cust = np.concatenate((np.arange(n), idx))
    o_day = np.concatenate((signup, signup[idx] + np.floor(t).astype("int64")))
    o_campaign = np.zeros(o_cust.size, dtype=bool)

    # ---- spend: Gamma-Gamma ----------------------------------------------------------------------
    nu = rng.gamma(GAMMA_GAMMA["q"], 1.0 / GAMMA_GAMMA["gamma"], n)
    a_size = np.array([ACCOUNT_TYPES[a]["order_multiplier"] for a in acct_names])[acct]
    a_disc = np.array([ACCOUNT_TYPES[a]["discount"] for a in acct_names])[acct]
    cat_names = list(CATEGORIES)
    cat_w = np.array([CATEGORIES[c]["weight"] for c in cat_names])
    cat_pref = rng.dirichlet(cat_w * 3.0, n)
    cat_cum = np.cumsum(cat_pref, axis=1)

    retail_channels = np.array(["online", "app", "store"], dtype=object)
    pref_channel = np.where(acq_channel == "store", 2, rng.choice(3, n, p=[0.55, 0.30, 0.15]))

    def order_details(cust: np.ndarray) -> tuple[np.ndarray, ...]:
        value = rng.gamma(GAMMA_GAMMA["p"], 1.0 / nu[cust]) * a_size[cust]
        draw = rng.random(cust.size)
        cat = np.minimum((draw[:, None] > cat_cum[cust]).sum(axis=1), len(cat_names) - 1)
        switch = rng.random(cust.size) < 0.25
        other = rng.integers(0, 3, cust.size)
        ch = retail_channels[np.where(switch, other, pref_channel[cust])]
        b2b = np.array([ACCOUNT_TYPES[a]["order_channel"] or "" for a in acct_names], dtype=object)[acct[cust]]
        ch = np.where(b2b != "", b2b, ch)
        margin = np.array([CATEGORIES[c]["margin"] for c in cat_names])[cat]
        cogs = value * (1 - margin) / (1 - a_disc[cust]) * rng.lognormal(0.0, 0.05, cust.size)
        return value, cogs, np.array(cat_names, dtype=object)[cat], ch

    o_value, o_cogs, o_cat, o_chan = order_details(o_cust)

    # ---- campaigns ---------------------------------------------------------------------------------
    # day on which the customer stops contacting (dropout + tail), for contacts and campaign eligibility
    active_until = np.where(died, np.minimum(dropout_day + _CONTACT_TAIL_DAYS, end_idx), end_idx)
    key = o_cust.astype("int64") * (end_idx + 2) + o_day
    key_sorted = np.sort(key)
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
        lo = np.searchsorted(key_sorted, members * (end_idx + 2) + c_start, side="left")
        hi = np.searchsorted(key_sorted, members * (end_idx + 2) + c_end, side="right")
        organic = hi > lo
        converted = treated & ~organic & (rng.random(members.size) < spec["uplift"])
        conv_days = c_start + rng.integers(0, spec["days"], members.size)
        extra["cust"].append(members[converted])
        extra["day"].append(conv_days[converted])
        alive_at_start = ~died[members] | (dropout_day[members] >= c_start)
        pi = alive_at_start * (1.0 - np.exp(-lam[members] * spec["days"]))
        mean_value = GAMMA_GAMMA["p"] / nu[members] * a_size[members]
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
    ex_value, ex_cogs, ex_cat, ex_chan = order_details(ex_cust)
    o_cust = np.concatenate((o_cust, ex_cust))
    o_day = np.concatenate((o_day, ex_day))
    o_value = np.concatenate((o_value, ex_value))
    o_cogs = np.concatenate((o_cogs, ex_cogs))
    o_cat = np.concatenate((o_cat, ex_cat))
    o_chan = np.concatenate((o_chan, ex_chan))
    o_campaign = np.concatenate((o_campaign, np.ones(ex_cust.size, dtype=bool)))
    o_value = np.maximum(np.round(o_value, 2), 0.01)
    o_cogs = np.round(o_cogs, 2)
    srt = np.lexsort((o_cust, o_day))
    o_cust, o_day, o_value, o_cogs, o_cat, o_chan, o_campaign = (
        x[srt] for x in (o_cust, o_day, o_value, o_cogs, o_cat, o_chan, o_campaign))

    # ---- customers -----------------------------------------------------------------------------------
    width = max(5, len(str(n)))
    cust_ids = np.array([f"C{i + 1:0{width}d}" for i in range(n)], dtype=object)
    g_names = ["F", "M", "other", "unknown"]
    gender = np.array(g_names, dtype=object)[rng.choice(4, n, p=[0.52, 0.44, 0.01, 0.03])]
    gender = np.where(retail, gender, "unknown")
    years_left = horizon / 365.25
    age = np.clip(rng.normal(35.0, 11.0, n), 18.0, 75.0 - years_left)
    birth = signup - np.floor(age * 365.25).astype("int64") - 1
    birth_iso = np.where(retail, _iso(d0, birth), None)
    reg_names = list(REGIONS)
    region = np.array(reg_names, dtype=object)[rng.choice(len(reg_names), n,
                                                          p=[REGIONS[r]["customer_share"] for r in reg_names])]
    spend = np.bincount(o_cust, weights=o_value, minlength=n)
    tier_bounds = np.array([b for b, _ in _MEMBER_TIERS])
    tier = np.array([t for _, t in _MEMBER_TIERS], dtype=object)[np.searchsorted(tier_bounds, spend,
                                                                                   side="right") - 1]
    names, phones, emails = _personal_data(rng, retail)
    customers = pd.DataFrame({
        "customer_id": cust_ids,
        "signup_date": _iso(d0, signup),
        "acquisition_channel": acq_channel,
        "region": region,
        "gender": gender,
        "birth_date": birth_iso,
        "member_tier": tier,
        "referred_by": np.where(referrer >= 0, cust_ids[np.maximum(referrer, 0)], None),
        "account_type": np.array(acct_names, dtype=object)[acct],
        "name": np.array(names, dtype=object),
        "phone": np.array(phones, dtype=object),
        "email": np.array(emails, dtype=object),
    })

    o_width = max(6, len(str(o_cust.size)))
    orders = pd.DataFrame({
        "order_id": [f"O{i + 1:0{o_width}d}" for i in range(o_cust.size)],
        "customer_id": cust_ids[o_cust],
        "order_date": _iso(d0, o_day),
        "revenue": o_value,
        "cost_of_goods": o_cogs,
        "channel": o_chan,
        "category": o_cat,
    })

    # ---- contacts ----------------------------------------------------------------------------------
    high_maint = retail & (rng.random(n) < _HIGH_MAINTENANCE["share"])
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
    visits_per_year = np.array([ACCOUNT_TYPES[a]["visits_per_year"] for a in acct_names])[acct]
    ci, cd = _events(rng, visits_per_year / 365.25, signup, length)
    parts.append(pd.DataFrame({"_c": ci, "_d": cd, "type": "visit", "channel": "field",
                               "cost": _gamma_mean(rng, CONTACT_RATES["visit"]["cost"], ci.size, shape=6.0),
                               "response_hours": np.nan, "resolved": None}))
    for members_t, c_start, spec in touch_frames:
        parts.append(pd.DataFrame({"_c": members_t, "_d": np.full(members_t.size, c_start), "type": "campaign_touch",
                                   "channel": spec["channel"], "cost": spec["unit_cost"],
                                   "response_hours": np.nan, "resolved": None}))
    contacts_raw = pd.concat(parts, ignore_index=True)
    contacts_raw["cost"] = contacts_raw["cost"].astype(float).round(2)
    contacts_raw["response_hours"] = contacts_raw["response_hours"].astype(float).round(1)
    contacts_raw = contacts_raw.sort_values(["_d", "_c", "type"], kind="stable").reset_index(drop=True)
    contacts_raw["resolved"] = contacts_raw["resolved"].astype(object)
    contacts = pd.DataFrame({
        "customer_id": cust_ids[contacts_raw["_c"].to_numpy()],
        "contact_date": _iso(d0, contacts_raw["_d"].to_numpy()),
        "type": contacts_raw["type"].to_numpy(dtype=object),
        "channel": contacts_raw["channel"].to_numpy(dtype=object),
        "cost": contacts_raw["cost"].to_numpy(),
        "response_hours": contacts_raw["response_hours"].to_numpy(),
        "resolved": contacts_raw["resolved"].to_numpy(dtype=object),
    })

    # ---- surveys -----------------------------------------------------------------------------------
    sv = SURVEY
    take_o = rng.random(o_cust.size) < sv["post_purchase_rate"]
    svc = contacts_raw[contacts_raw["type"].isin(["service_call", "complaint"])]
    take_c = rng.random(len(svc)) < sv["after_service_rate"]
    svc = svc[take_c]
    s_cust = np.concatenate((o_cust[take_o], svc["_c"].to_numpy()))
    s_base = np.concatenate((o_day[take_o], svc["_d"].to_numpy()))
    s_day = s_base + 1 + rng.integers(0, 10, s_base.size)
    occasion = np.concatenate((np.zeros(int(take_o.sum())),
                               np.where(svc["type"].to_numpy() == "complaint", sv["complaint_effect"], 0.0)
                               + np.where(svc["resolved"].to_numpy() == False,  # noqa: E712
                                          sv["unresolved_effect"], 0.0)))
    s_cat = np.concatenate((np.full(int(take_o.sum()), "post_purchase", dtype=object),
                            np.full(len(svc), "after_service", dtype=object)))
    ok = s_day <= end_idx
    s_cust, s_day, occasion, s_cat = s_cust[ok], s_day[ok], occasion[ok], s_cat[ok]
    x = satisfaction[s_cust] + occasion + rng.normal(0.0, sv["noise_sd"], s_cust.size)

    def scale(intercept: float, slope: float, lo: int, hi: int, noise: float = 0.0) -> np.ndarray:
        val = intercept + slope * x + (rng.normal(0.0, noise, x.size) if noise else 0.0)
        return np.clip(np.round(val), lo, hi).astype("int64")

    nps = scale(sv["nps"]["intercept"], sv["nps"]["slope"], 0, 10)
    surveys = {"customer_id": cust_ids[s_cust], "response_date": _iso(d0, s_day), "nps": nps,
               "csat": scale(sv["csat"]["intercept"], sv["csat"]["slope"], 1, 5),
               "ces": scale(sv["ces"]["intercept"], sv["ces"]["slope"], 1, 7, sv["ces"]["noise_sd"])}
    for attr, w in sv["ratings"].items():
        surveys[f"rating_{attr}"] = scale(sv["rating_intercept"], w, 1, 5, sv["rating_noise_sd"])
    band = np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor"))
    has_comment = rng.random(nps.size) < sv["comment_rate"]
    pick_c = rng.integers(0, 1000, nps.size)
    surveys["comment"] = np.array([
        _COMMENTS[b][k % len(_COMMENTS[b])] if h else None for b, k, h in zip(band, pick_c, has_comment, strict=True)
    ], dtype=object)
    surveys["category"] = s_cat
    surveys = pd.DataFrame(surveys)
    s_order = np.lexsort((s_cust, s_day))
    surveys = surveys.iloc[s_order].reset_index(drop=True)

    # ---- campaign members ----------------------------------------------------------------------------
    key = o_cust.astype("int64") * (end_idx + 2) + o_day
    kord = np.argsort(key, kind="stable")
    key_sorted, val_cum = key[kord], np.concatenate(([0.0], np.cumsum(o_value[kord])))
    mframes = []
    for spec, members, treated, c_start, c_end in member_frames:
        lo = np.searchsorted(key_sorted, members * (end_idx + 2) + c_start, side="left")
        hi = np.searchsorted(key_sorted, members * (end_idx + 2) + c_end, side="right")
        mframes.append(pd.DataFrame({
            "campaign_id": spec["campaign_id"],
            "customer_id": cust_ids[members],
            "group": np.where(treated, "treatment", "control").astype(object),
            "responded": hi > lo,
            "revenue": np.round(val_cum[hi] - val_cum[lo], 2),
        }))
    campaign_members = (pd.concat(mframes, ignore_index=True) if mframes else
                        pd.DataFrame(columns=["campaign_id", "customer_id", "group", "responded", "revenue"]))
    campaigns = pd.DataFrame(campaign_rows, columns=["campaign_id", "channel", "start_date", "end_date", "cost"])

    # ---- costs ----------------------------------------------------------------------------------------
    first_month = np.datetime64(start, "M")
    months = np.arange(first_month, np.datetime64(end, "M") + 1).astype(str)
    mi = {mth: i for i, mth in enumerate(months)}

    def per_month(days: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        codes = ((d0 + np.asarray(days, dtype="int64")).astype("datetime64[M]") - first_month).astype("int64")
        return np.bincount(codes, weights=weights, minlength=len(months))

    size_k = np.cumsum(per_month(signup)) / 1000.0  # the fixed parts grow with the customers so far
    new_cust = per_month(signup)
    n_orders_m = per_month(o_day)
    rev_m = per_month(o_day, o_value)
    cdays = contacts_raw["_d"].to_numpy()
    ctype = contacts_raw["type"].to_numpy()
    ccost = contacts_raw["cost"].to_numpy()
    visit_m = per_month(cdays[ctype == "visit"], ccost[ctype == "visit"])
    service_types = np.isin(ctype, ["service_call", "chat", "complaint"])
    service_m = per_month(cdays[service_types], ccost[service_types])
    camp_m = np.zeros(len(months))
    for row in campaign_rows:
        camp_m[mi[row["start_date"][:7]]] += row["cost"]
    cp = COST_POOLS
    pools = {
        "marketing": cp["marketing"]["fixed_per_1000"] * size_k + cp["marketing"]["per_new_customer"] * new_cust
        + camp_m,
        "sales": cp["sales"]["fixed_per_1000"] * size_k + visit_m,
        "service": cp["service"]["fixed_per_1000"] * size_k + service_m,
        "logistics": cp["logistics"]["per_order"] * n_orders_m + cp["logistics"]["revenue_share"] * rev_m,
        "admin": cp["admin"]["fixed_per_1000"] * size_k + cp["admin"]["revenue_share"] * rev_m,
    }
    noise = rng.lognormal(0.0, 0.03, (len(pools), len(months)))
    cost_rows = []
    for j, (pool, amount) in enumerate(pools.items()):
        for i, mth in enumerate(months):
            cost_rows.append({"period": mth, "pool": pool, "amount": round(float(amount[i] * noise[j, i]), 2),
                              "kind": cp[pool]["kind"], "driver": cp[pool]["driver"]})
    costs = pd.DataFrame(cost_rows).sort_values(["period", "pool"], kind="stable").reset_index(drop=True)

    # ---- market ---------------------------------------------------------------------------------------
    potential = {r: int(round(REGIONS[r]["market_share"] * n * _MARKET_SIZE_FACTOR)) for r in reg_names}
    market = pd.DataFrame({
        "region": reg_names,
        "potential_customers": [potential[r] for r in reg_names],
        "market_revenue": [round(potential[r] * REGIONS[r]["spend_per_head"], 2) for r in reg_names],
    })

    tables = {"customers": customers, "orders": orders, "surveys": surveys, "contacts": contacts,
              "costs": costs, "campaigns": campaigns, "campaign_members": campaign_members, "market": market}

    # ---- truth ----------------------------------------------------------------------------------------
    margin = np.bincount(o_cust, weights=o_value - o_cogs, minlength=n)
    serve = np.bincount(contacts_raw["_c"].to_numpy(), weights=ccost, minlength=n)
    contribution = margin - serve
    years = (d0 + o_day).astype("datetime64[Y]").astype(int) + 1970
    rev_year = {int(y): _r(o_value[years == y].sum(), 2) for y in np.unique(years)}
    gm_year = {int(y): _r((o_value - o_cogs)[years == y].sum(), 2) for y in np.unique(years)}
    cost_year = costs.groupby(costs["period"].str[:4])["amount"].sum()
    op_year = {y: _r(gm_year[y] - cost_year.get(str(y), 0.0), 2) for y in gm_year}
    truth = {
        "generator": {"module": "crmbook.sample", "n_customers": n, "seed": int(seed), "start": start,
                      "end": end, "time_unit": "days", "company": "Hexi Home (禾喜家居)"},
        "acquisition": {"growth_per_year": ACQUISITION_GROWTH, "channels": CHANNELS,
                        "account_types": ACCOUNT_TYPES},
        "bgnbd": {**BGNBD, "rate_unit": "per day", "mean_rate_per_day": _r(BGNBD["r"] / BGNBD["alpha"]),
                  "satisfaction_churn_effect": SATISFACTION_CHURN_EFFECT,
                  "dropout_formula": "p = expit(logit(p0) - beta_s * satisfaction) * dropout_multiplier",
                  "rate_formula": "lambda = lambda0 * channel rate_multiplier * account rate_multiplier",
                  "note": "first order on the signup day; dropout possible after each repeat order"},
        "gamma_gamma": {**GAMMA_GAMMA, "mean_order_value": _r(GAMMA_GAMMA["p"] * GAMMA_GAMMA["gamma"]
                                                             / (GAMMA_GAMMA["q"] - 1), 4),
                        "note": "retail order value; business accounts multiply by order_multiplier; "
                                "campaign-converted orders use the same distribution"},
        "categories": CATEGORIES,
        "cogs_formula": "revenue * (1 - margin) / (1 - discount) * LogNormal(0, 0.05)",
        "satisfaction": {"distribution": "Normal(channel satisfaction_mean, 1)", "survey": SURVEY},
        "contacts": {"rates_per_year": CONTACT_RATES, "high_maintenance": _HIGH_MAINTENANCE,
                     "tail_days_after_dropout": _CONTACT_TAIL_DAYS},
        "campaigns": campaign_truth,
        "cost_pools": COST_POOLS,
        "member_tiers": {t: b for b, t in _MEMBER_TIERS},
        "market": {r: {**REGIONS[r], "potential_customers": potential[r],
                       "customers": int((region == r).sum()),
                       "penetration": _r((region == r).sum() / potential[r])} for r in reg_names},
        "summary": {
            "customers": n, "orders": int(o_cust.size), "campaign_orders": int(o_campaign.sum()),
            "surveys": len(surveys), "contacts": len(contacts),
            "alive_at_end_share": _r(alive_end.mean()),
            "revenue_by_year": rev_year, "gross_margin_by_year": gm_year,
            "operating_profit_by_year": op_year,
            "customers_with_negative_contribution": int((contribution < 0).sum()),
            "gross_margin_total": _r(margin.sum(), 2), "contact_cost_total": _r(serve.sum(), 2),
        },
        "customers": {
            "customer_id": list(cust_ids),
            "lambda_per_day": _rounded(lam),
            "p0": _rounded(p0),
            "p": _rounded(p),
            "nu": _rounded(nu, 8),
            "mean_order_value": _rounded(GAMMA_GAMMA["p"] / nu * a_size, 2),
            "satisfaction": _rounded(satisfaction, 4),
            "high_maintenance": high_maint.tolist(),
            "alive_at_end": alive_end.tolist(),
            "dropout_date": np.where(died, _iso(d0, np.maximum(dropout_day, 0)), None).tolist(),
            "repeat_orders": k_repeat.tolist(),
            "contribution": _rounded(contribution, 2),
        },
    }
    return SampleData(tables=tables, truth=truth)


# --------------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------------

def _truth_json(truth: dict[str, Any]) -> str:
    """``truth`` as indented JSON, with each per-customer column on one line (keeps the file small)."""
    head = {k: v for k, v in truth.items() if k != "customers"}
    text = json.dumps(head, ensure_ascii=False, indent=1)
    columns = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                          for k, v in truth.get("customers", {}).items())
    return text[:-2] + ',\n "customers": {\n' + columns + "\n }\n}\n"


def write_sample(out: str | Path, fmt: str = "csv", n_customers: int = DEFAULT_N_CUSTOMERS,
                 seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate the case company and write one file per table plus ``truth.json`` into ``out``.

    CSV files are UTF-8 without BOM, comma-separated, ``\\n`` line ends, no index, dates ``YYYY-MM-DD``,
    money rounded to 2 decimals, booleans ``True``/``False``, missing values empty; the same arguments
    give the same bytes. Parquet and Excel (``.xlsx``, one sheet named like the table) hold the same
    frames (dates as ISO text).

    Parameters
    ----------
    out : str or Path
        Folder to write into (created if needed; existing table files are overwritten).
    fmt : {"csv", "parquet", "xlsx"}
        File format of the tables.
    n_customers, seed : int
        Passed to :func:`generate`.

    Returns
    -------
    list of Path
        The files written: ``<table>.<ext>`` for every table, then ``truth.json``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"write_sample: fmt must be one of {sorted(FORMATS)}, got {fmt!r}")
    data = generate(n_customers=n_customers, seed=seed)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in data.tables.items():
        path = folder / f"{name}.{FORMATS[fmt]}"
        if fmt == "csv":
            frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        elif fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_excel(path, index=False, sheet_name=name[:31])
        paths.append(path)
    truth_path = folder / "truth.json"
    truth_path.write_text(_truth_json(data.truth), encoding="utf-8")
    paths.append(truth_path)
    return paths
