"""The case company, Hexi Home (禾喜家居): its history, customers, channels, products and true parameters.

The fictional company **Hexi Home (禾喜家居)** sells home, kitchen, apparel, beauty and electronics goods
in five regions of China, online, through its app and in its stores, to consumers (``retail``) and to a
few business accounts (``franchisee``, ``agent``, ``key_account``). Its history runs from
:data:`START` to :data:`END`; time is measured in days.

This module draws nothing: it holds every number the generator draws from, each with what it means. The
module that draws a table says how its numbers are used, formula first (:mod:`crmbook.sample.customers`,
:mod:`~crmbook.sample.orders`, :mod:`~crmbook.sample.contacts`, :mod:`~crmbook.sample.surveys`,
:mod:`~crmbook.sample.campaigns`, :mod:`~crmbook.sample.costs`, :mod:`~crmbook.sample.market`), and
``truth.json`` repeats the values beside the tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_N_CUSTOMERS",
    "DEFAULT_SEED",
    "START",
    "END",
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
]

#: Number of customers of the committed sample.
DEFAULT_N_CUSTOMERS = 4000
#: Seed of the committed sample.
DEFAULT_SEED = 20251231
#: First day of the history.
START = "2022-01-01"
#: Last day of the history (the sample's default ``as_of``).
END = "2025-12-31"

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

#: Survey model (see :mod:`crmbook.sample.surveys`).
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
#: Days a retail customer must have been signed up before a campaign's start to be eligible.
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

#: Member tiers: (lowest total spend, tier), ascending.
_MEMBER_TIERS = ((0.0, "bronze"), (2000.0, "silver"), (8000.0, "gold"), (30000.0, "platinum"))


def _column(table: dict[str, dict[str, Any]], field: str) -> np.ndarray:
    """``field`` of every entry of a table above (``ACCOUNT_TYPES``, ``CHANNELS``, ...), in its order."""
    return np.array([row[field] for row in table.values()])
