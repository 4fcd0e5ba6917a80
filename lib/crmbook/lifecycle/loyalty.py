r"""Loyalty programme and referrals (会员等级、积分与推荐): tiers, tier movement, referrals, points liability.

**Member tiers (会员等级).** A tier rule (:class:`TierRule`) puts a customer in the highest tier whose
threshold their *basis* reaches:

.. math:: \text{tier}_i(t) = \max\{k : x_i(t) \ge \theta_k\}

where :math:`x_i(t)` is, as the course describes the upgrade rules, the customer's **spend** (revenue),
number of **orders**, or number of customers they **referred**, counted up to date :math:`t` (over their
whole history, or over the ``window_months`` before :math:`t` when tiers must be re-earned each period,
so that a customer can move down). A customers table usually holds only the *current* tier
(``member_tier``); the tiers at two dates, and so the movement between tiers, are **derived** from the
rule, and :func:`tier_check` says how often the rule reproduces the recorded tier at ``as_of``.

**Retention per tier (各等级留存率).** Of the customers who bought in the 12 months before ``start``
(the active customers at ``start``), the share who bought again in the 12 months after:

.. math:: \text{retention}_k = \frac{\#\{i \in k : \text{bought in } (start - 12m, start] \wedge
          \text{bought in } (start, start + 12m]\}}{\#\{i \in k : \text{bought in } (start - 12m, start]\}}

grouped by the tier each customer held **at start** (derived): grouping by today's tier would be
circular, since a customer who bought a lot this year was promoted for it.

**Referrals (推荐).** Referred customers (``referred_by`` given) are compared with the other customers of
the same account types on two first-year measures, counted from each customer's first order and only for
customers whose first order is at least a year before ``as_of``: the **first-year repeat rate** (a second
order within 365 days) and **first-year revenue**. Each comes with its n and a 95 % interval (Wilson for a
rate, Student's t for a mean; the differences: Newcombe's hybrid score interval and Welch's interval).

**Points (积分).** From the optional ``points`` ledger: points earned, redeemed and expired, and the
outstanding balance at ``as_of`` with its liability

.. math:: \text{liability} = v \times \sum_{\text{entries} \le \text{as\_of}} \text{points}

(:math:`v` the value of one point at redemption, a parameter), the redemption rate
:math:`\text{redeemed}/\text{earned}` and the breakage :math:`\text{expired}/\text{earned}`.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import Context
from crmbook.data.schemas import POINT_KINDS
from crmbook.facts import CustomerFacts
from crmbook.intervals import mean_interval, newcombe_interval, welch_interval, wilson_interval
from crmbook.language import Narrative, catalogue, join_names, money
from crmbook.tables import format_table, map_distinct, require_columns

__all__ = [  # PACKAGE is left out: the lifecycle package exports its own (the same name)
    "TIER_BASES",
    "TierRule",
    "TIER_RULE",
    "VALUE_PER_POINT",
    "wilson_interval",
    "newcombe_interval",
    "mean_interval",
    "welch_interval",
    "tier_basis",
    "derive_tiers",
    "tier_check",
    "tier_movement",
    "tier_summary",
    "tier_retention",
    "referral_comparison",
    "referral_yield",
    "top_referrers",
    "points_summary",
    "points_by_month",
    "loyalty_facts",
    "loyalty_narrative",
    "loyalty_summary",
    "loyalty_note",
    "loyalty_table",
]

#: The package whose catalogue (``text/``) and column labels this module uses.
PACKAGE = "crmbook.lifecycle"
#: What a tier can be earned by (the course: spend, number of orders, referrals).
TIER_BASES = ("spend", "orders", "referrals")
#: z of a two-sided 95 % interval.
#: Value of one point at redemption (CNY 0.01: 1,000 points = CNY 10), the sample's rule; a parameter.
VALUE_PER_POINT = 0.01

_NEW = "new"  # row of the movement matrix: customers who signed up after start
_NONE = "none"  # below the lowest threshold: no tier


@dataclass(frozen=True)
class TierRule:
    """An upgrade rule: which basis earns the tiers, from which threshold, over which window.

    Parameters
    ----------
    thresholds : mapping of str to float
        Tier -> lowest basis value that reaches it, ascending (the first is usually 0: everyone's tier).
    basis : {"spend", "orders", "referrals"}
        Revenue, number of orders, or number of customers referred.
    window_months : int, optional
        Count the basis over the ``window_months`` before the date only (tiers re-earned each period, a
        customer can move down); ``None`` counts the whole history (tiers only go up).
    """

    thresholds: Mapping[str, float] = field(default_factory=dict)
    basis: str = "spend"
    window_months: int | None = None

    def __post_init__(self) -> None:
        if self.basis not in TIER_BASES:
            raise ValueError(f"TierRule: basis must be one of {', '.join(TIER_BASES)}, got {self.basis!r}")
        values = [float(v) for v in self.thresholds.values()]
        if not values or any(b <= a for a, b in zip(values, values[1:], strict=False)):
            raise ValueError(f"TierRule: thresholds must be a non-empty mapping tier -> value, strictly "
                             f"ascending, got {dict(self.thresholds)!r}")
        if self.window_months is not None and int(self.window_months) < 1:
            raise ValueError(f"TierRule: window_months must be at least 1 (or None), got {self.window_months!r}")

    @classmethod
    def from_text(cls, thresholds: str, basis: str = "spend", window_months: int | None = None) -> TierRule:
        """A rule from notebook parameters: ``"bronze:0, silver:2000, gold:8000"`` (tier:lowest value, lowest
        first; ``=`` may stand for ``:``), the basis, and ``window_months`` (0 or None: the whole history).

        The notebook's default uses ``:``: Papermill does not read a parameter line holding more than one ``=``.
        """
        pairs = {}
        for item in str(thresholds).split(","):
            name, sep, value = item.replace("=", ":").partition(":")
            try:
                pairs[name.strip()] = float(value)
            except ValueError:
                sep = ""
            if not sep or not name.strip():
                raise ValueError(f"tier thresholds must read like 'bronze:0, silver:2000, gold:8000', got "
                                 f"{thresholds!r} (the part {item.strip()!r})")
        return cls(pairs, basis=basis, window_months=int(window_months) if window_months else None)

    @property
    def tiers(self) -> tuple[str, ...]:
        """The tiers, lowest first."""
        return tuple(str(t) for t in self.thresholds)


#: The case company's rule (truth.json ``member_tiers``): lifetime spend of CNY 0 / 2,000 / 8,000 / 30,000.
TIER_RULE = TierRule({"bronze": 0.0, "silver": 2000.0, "gold": 8000.0, "platinum": 30000.0})


# ---- intervals --------------------------------------------------------------------------------------

# ---- tiers ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Arrays:
    """The facts as integer arrays (customers in the order of ``facts.customers``; days since 1970)."""

    ids: np.ndarray  # customer ids (object)
    cust: np.ndarray  # per order: position of its customer
    day: np.ndarray  # per order: day number
    revenue: np.ndarray  # per order
    start: np.ndarray  # per customer: sign-up day (first order when missing; huge when neither)
    first: np.ndarray  # per customer: first order day (huge when none)
    referrer: np.ndarray  # per customer: position of the referrer, -1 none, -2 unknown id


_NEVER = np.iinfo(np.int64).max // 2
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _days(values: pd.Series) -> np.ndarray:
    d = pd.to_datetime(values, errors="coerce").to_numpy().astype("datetime64[D]")
    out = d.astype("int64")
    out[np.isnat(d)] = _NEVER
    return out


def _positions(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """Position in ``keys`` (unique ids) of each of ``values`` (-1: not found); in Arrow when both are Arrow
    text (about five times faster than a pandas index look-up on Arrow strings)."""
    from crmbook.data.arrow import _arrow_text

    k, v = _arrow_text(keys), _arrow_text(values)
    if k is not None and v is not None:
        import pyarrow.compute as pc

        return pc.index_in(v, value_set=k.cast(v.type)).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.Index(keys.astype(str)).get_indexer(values.astype(str))


def _arrays(facts: CustomerFacts) -> _Arrays:
    """:class:`_Arrays` of ``facts``, computed once per facts object."""
    if facts in _CACHE:
        return _CACHE[facts]
    c, o = facts.customers, facts.orders
    n = len(c)
    cust = facts.order_rows  # each order's customer, found once by the facts (read-only)
    day = _days(o["order_date"])
    first = np.full(n, _NEVER, dtype=np.int64)
    np.minimum.at(first, cust, day)
    start = _days(c["signup_date"]) if "signup_date" in c.columns else np.full(n, _NEVER, dtype=np.int64)
    start = np.where(start == _NEVER, first, start)
    referrer = np.full(n, -1, dtype=np.int64)
    if "referred_by" in c.columns:
        given = c["referred_by"].notna().to_numpy()
        found = _positions(c["customer_id"], c.loc[given, "referred_by"])
        referrer[given] = np.where(found >= 0, found, -2)
    out = _Arrays(ids=c["customer_id"].to_numpy(dtype=object), cust=cust, day=day,
                  revenue=o["revenue"].to_numpy(dtype=float), start=start, first=first, referrer=referrer)
    _CACHE[facts] = out
    return out


def _day(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.normalize(), "D").astype("int64"))


def _at(facts: CustomerFacts, at: Any) -> pd.Timestamp:
    ts = facts.as_of if at is None else pd.Timestamp(at)
    if pd.isna(ts) or ts > facts.as_of:
        raise ValueError(f"the date must be on or before as_of {facts.as_of:%Y-%m-%d}, got {at!r}")
    return ts


def _basis_values(facts: CustomerFacts, at: pd.Timestamp, rule: TierRule) -> tuple[np.ndarray, np.ndarray]:
    """(basis value per customer, existed at ``at``) as arrays in customers order."""
    a = _arrays(facts)
    n, hi = len(a.ids), _day(at)
    lo = _day(at - pd.DateOffset(months=int(rule.window_months))) if rule.window_months else None
    if rule.basis == "referrals":
        if "referred_by" not in facts.customers.columns:
            raise ValueError("customers: a tier rule by referrals needs the column 'referred_by'")
        inside = (a.referrer >= 0) & (a.start <= hi)
        if lo is not None:
            inside &= a.start > lo
        x = np.bincount(a.referrer[inside], minlength=n).astype(float)
    else:
        inside = a.day <= hi
        if lo is not None:
            inside &= a.day > lo
        weights = a.revenue[inside] if rule.basis == "spend" else None
        x = np.bincount(a.cust[inside], weights=weights, minlength=n).astype(float)
    return x, a.start <= hi


def tier_basis(facts: CustomerFacts, at: Any = None, rule: TierRule = TIER_RULE) -> pd.Series:
    """Each customer's basis value at date ``at`` (default ``as_of``): spend, orders or referrals counted up to
    ``at`` (over the rule's window when it has one).

    Returns
    -------
    Series
        Float values indexed by ``customer_id``, for the customers who existed at ``at`` (signed up on or
        before it), in the order of ``facts.customers``.
    """
    x, existed = _basis_values(facts, _at(facts, at), rule)
    ids = _arrays(facts).ids[existed]
    return pd.Series(x[existed], index=pd.Index(ids, name="customer_id"), name=rule.basis)


def _tier_codes(x: np.ndarray, rule: TierRule) -> np.ndarray:
    """Position of each value's tier in ``rule.tiers`` (-1: below the lowest threshold)."""
    bounds = np.array([float(v) for v in rule.thresholds.values()])
    return np.searchsorted(bounds, x, side="right") - 1


def derive_tiers(facts: CustomerFacts, at: Any = None, rule: TierRule = TIER_RULE) -> pd.DataFrame:
    """The tier each customer holds at ``at`` (default ``as_of``) under ``rule`` (derived, not recorded).

    Returns
    -------
    DataFrame
        ``customer_id, basis, tier`` (``basis`` the value compared with the thresholds; ``tier`` missing
        below the lowest threshold), the customers who existed at ``at``, in the order of ``facts.customers``.
    """
    x, existed = _basis_values(facts, _at(facts, at), rule)
    code = _tier_codes(x[existed], rule)
    names = np.array([*rule.tiers, None], dtype=object)
    return pd.DataFrame({"customer_id": _arrays(facts).ids[existed], "basis": x[existed],
                         "tier": names[np.where(code >= 0, code, len(rule.tiers))]})


def tier_check(facts: CustomerFacts, rule: TierRule = TIER_RULE) -> dict[str, Any]:
    """How well ``rule`` reproduces the recorded ``customers.member_tier`` at ``as_of``.

    Returns
    -------
    dict
        ``customers`` (with a recorded tier), ``agree`` (derived tier = recorded), ``agree_share``,
        ``unknown_tiers`` (recorded tiers the rule does not name) and ``crosstab`` (recorded x derived
        counts, DataFrame; ``-`` no derived tier). ``customers`` is 0 when there is no ``member_tier`` column.
    """
    c = facts.customers
    if "member_tier" not in c.columns or c["member_tier"].notna().sum() == 0:
        return {"customers": 0, "agree": 0, "agree_share": np.nan, "unknown_tiers": [], "crosstab": pd.DataFrame()}
    x, _ = _basis_values(facts, facts.as_of, rule)
    code = _tier_codes(x, rule)
    derived = np.array([*rule.tiers, "-"], dtype=object)[np.where(code >= 0, code, len(rule.tiers))]
    recorded = c["member_tier"].astype("string")
    has = recorded.notna().to_numpy()
    rec = recorded[has].astype(str).to_numpy(dtype=object)
    d = derived[has]
    agree = int((d == rec).sum())
    unknown = sorted(set(rec) - set(rule.tiers))
    ct = pd.crosstab(pd.Series(rec, name="member_tier"), pd.Series(d, name="tier"))
    ct = ct.reindex(index=[t for t in [*rule.tiers, *unknown] if t in ct.index],
                    columns=[t for t in [*rule.tiers, "-"] if t in ct.columns]).fillna(0).astype(int)
    return {"customers": int(has.sum()), "agree": agree, "agree_share": agree / int(has.sum()),
            "unknown_tiers": unknown, "crosstab": ct}


def _start(facts: CustomerFacts, start: Any) -> pd.Timestamp:
    return facts.as_of - pd.DateOffset(years=1) if start is None else _at(facts, start)


def tier_movement(facts: CustomerFacts, start: Any = None, rule: TierRule = TIER_RULE) -> pd.DataFrame:
    """Movement between tiers from ``start`` (default: 12 months before ``as_of``) to ``as_of``, both derived.

    Returns
    -------
    DataFrame
        One row per tier at ``start`` (``from_tier``; a last row ``new`` for customers who signed up after
        ``start``; a first row and column ``none`` when some customers are below the lowest threshold),
        one column per tier at ``as_of`` with the number of customers, and ``customers`` (the
        row total: every customer who existed at ``start`` is in exactly one row). ``attrs``: ``start``,
        ``up``, ``down``, ``same`` (customers who moved up, down, stayed), ``derived`` (True).
    """
    s = _start(facts, start)
    x0, existed0 = _basis_values(facts, s, rule)
    x1, existed1 = _basis_values(facts, facts.as_of, rule)
    k = len(rule.tiers)
    c0 = np.where(existed0, _tier_codes(x0, rule), k)[existed1]  # k: new since start; -1: no tier
    c1 = _tier_codes(x1, rule)[existed1]
    extra = [_NONE] if (c0 == -1).any() or (c1 == -1).any() else []
    shift = len(extra)
    rows, cols = [*extra, *rule.tiers, _NEW], [*extra, *rule.tiers]
    counts = np.zeros((len(rows), len(cols)), dtype=np.int64)
    np.add.at(counts, (c0 + shift, c1 + shift), 1)
    out = pd.DataFrame(counts, columns=cols)
    out.insert(0, "from_tier", rows)
    out["customers"] = counts.sum(axis=1)
    old = c0 < k
    delta = c1[old] - c0[old]
    out.attrs.update(start=s, up=int((delta > 0).sum()), down=int((delta < 0).sum()), same=int((delta == 0).sum()),
                     derived=True)
    return out


def _bought(facts: CustomerFacts, lo: pd.Timestamp, hi: pd.Timestamp) -> np.ndarray:
    """Per customer: bought in ``(lo, hi]``."""
    a = _arrays(facts)
    inside = (a.day > _day(lo)) & (a.day <= _day(hi))
    return np.bincount(a.cust[inside], minlength=len(a.ids)) > 0


def tier_summary(facts: CustomerFacts, rule: TierRule = TIER_RULE) -> pd.DataFrame:
    """Size and spend of each tier at ``as_of``: the recorded ``member_tier`` when there is one, else derived.

    Returns
    -------
    DataFrame
        ``tier, customers, customer_share, buyers_12m`` (customers who bought in the 12 months ending at
        ``as_of``), ``revenue`` (those 12 months), ``revenue_share, revenue_per_customer``; tiers in the
        rule's order, then unknown ones. ``attrs["derived"]``: whether the tiers were derived.
    """
    c = facts.customers
    a = _arrays(facts)
    recorded = "member_tier" in c.columns and c["member_tier"].notna().any()
    if recorded:
        tier = c["member_tier"].astype("string").to_numpy(dtype=object, na_value=None)
    else:
        x, _ = _basis_values(facts, facts.as_of, rule)
        code = _tier_codes(x, rule)
        tier = np.array([*rule.tiers, None], dtype=object)[np.where(code >= 0, code, len(rule.tiers))]
    lo, hi = _day(facts.as_of - pd.DateOffset(years=1)), _day(facts.as_of)
    inside = (a.day > lo) & (a.day <= hi)
    rev = np.bincount(a.cust[inside], weights=a.revenue[inside], minlength=len(a.ids))
    buyer = np.bincount(a.cust[inside], minlength=len(a.ids)) > 0
    frame = pd.DataFrame({"tier": tier, "revenue": rev, "buyer": buyer}).dropna(subset=["tier"])
    g = frame.groupby("tier")
    out = pd.DataFrame({"customers": g.size(), "buyers_12m": g["buyer"].sum().astype(int),
                        "revenue": g["revenue"].sum()})
    order = [t for t in rule.tiers if t in out.index] + sorted(t for t in out.index if t not in rule.tiers)
    out = out.loc[order]
    out["customer_share"] = out["customers"] / out["customers"].sum()
    total = out["revenue"].sum()
    out["revenue_share"] = out["revenue"] / total if total else np.nan
    out["revenue_per_customer"] = out["revenue"] / out["customers"]
    out = out.rename_axis("tier").reset_index()[["tier", "customers", "customer_share", "buyers_12m", "revenue",
                                                 "revenue_share", "revenue_per_customer"]]
    out.attrs["derived"] = not recorded
    return out


def tier_retention(facts: CustomerFacts, start: Any = None, rule: TierRule = TIER_RULE) -> pd.DataFrame:
    """Twelve-month retention per tier held at ``start`` (derived; default 12 months before ``as_of``).

    Returns
    -------
    DataFrame
        ``tier, active_customers`` (bought in the 12 months before ``start``), ``retained`` (of them, bought
        in the 12 months after ``start``, at most up to ``as_of``), ``retention, retention_low,
        retention_high`` (Wilson 95 %); one row per tier with active customers. ``attrs``: ``start``, ``end``.
    """
    s = _start(facts, start)
    end = min(s + pd.DateOffset(years=1), facts.as_of)
    x, _ = _basis_values(facts, s, rule)
    code = _tier_codes(x, rule)
    active = _bought(facts, s - pd.DateOffset(years=1), s)
    kept = _bought(facts, s, end)
    rows = []
    for i, tier in enumerate(rule.tiers):
        mask = active & (code == i)
        n, k = int(mask.sum()), int((mask & kept).sum())
        if n == 0:
            continue
        lo, hi = wilson_interval(k, n)
        rows.append({"tier": tier, "active_customers": n, "retained": k, "retention": k / n,
                     "retention_low": lo, "retention_high": hi})
    out = pd.DataFrame(rows, columns=["tier", "active_customers", "retained", "retention", "retention_low",
                                      "retention_high"])
    out.attrs.update(start=s, end=end)
    return out


# ---- referrals --------------------------------------------------------------------------------------

def _first_year(facts: CustomerFacts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(eligible, repeat, revenue) per customer: eligible when the first order is at least 365 days before
    ``as_of``; repeat = a second order within 365 days of the first; revenue of those 365 days (the first
    order's day included)."""
    a = _arrays(facts)
    n = len(a.ids)
    eligible = a.first <= _day(facts.as_of) - 365
    since = a.day - a.first[a.cust]
    inside = since < 365
    orders = np.bincount(a.cust[inside], minlength=n)
    revenue = np.bincount(a.cust[inside], weights=a.revenue[inside], minlength=n)
    return eligible, orders >= 2, revenue


def referral_comparison(facts: CustomerFacts, *, same_account_types: bool = True) -> pd.DataFrame:
    """Referred customers against the others: first-year repeat rate and first-year revenue, with n and 95 %
    intervals.

    Only customers whose first order is at least 365 days before ``as_of`` count (so everyone had a full
    first year). With ``same_account_types`` (and an ``account_type`` column) the others are limited to the
    account types the referred customers have (referrals are consumers; a key account would inflate the
    others' revenue). A customer whose ``referred_by`` names nobody in customers still counts as referred.

    Returns
    -------
    DataFrame
        Rows ``referral_group`` = ``referred``, ``others``, ``difference``; columns ``customers, repeat_rate,
        repeat_low, repeat_high, first_year_revenue, revenue_low, revenue_high`` (the difference row: referred
        minus others, Newcombe and Welch intervals, ``customers`` missing). Empty when no customer is referred
        (or there is no ``referred_by`` column).
    """
    cols = ["referral_group", "customers", "repeat_rate", "repeat_low", "repeat_high", "first_year_revenue", "revenue_low",
            "revenue_high"]
    c = facts.customers
    if "referred_by" not in c.columns or c["referred_by"].notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    eligible, repeat, revenue = _first_year(facts)
    is_referred = _arrays(facts).referrer != -1
    referred = eligible & is_referred
    others = eligible & ~is_referred
    if same_account_types and "account_type" in c.columns:
        acct = c["account_type"].astype("string")
        others &= acct.isin(set(acct[referred].dropna())).to_numpy()
    rows = []
    parts = {"referred": referred, "others": others}
    for name, mask in parts.items():
        n, k = int(mask.sum()), int(repeat[mask].sum())
        lo, hi = wilson_interval(k, n)
        mlo, mhi = mean_interval(revenue[mask])
        rows.append({"referral_group": name, "customers": n, "repeat_rate": k / n if n else np.nan, "repeat_low": lo,
                     "repeat_high": hi, "first_year_revenue": revenue[mask].mean() if n else np.nan,
                     "revenue_low": mlo, "revenue_high": mhi})
    dlo, dhi = newcombe_interval(repeat[referred].sum(), referred.sum(), repeat[others].sum(), others.sum())
    _, wlo, whi = welch_interval(revenue[referred], revenue[others])
    rows.append({"referral_group": "difference", "customers": np.nan,
                 "repeat_rate": rows[0]["repeat_rate"] - rows[1]["repeat_rate"], "repeat_low": dlo, "repeat_high": dhi,
                 "first_year_revenue": rows[0]["first_year_revenue"] - rows[1]["first_year_revenue"],
                 "revenue_low": wlo, "revenue_high": whi})
    return pd.DataFrame(rows, columns=cols)


def referral_yield(facts: CustomerFacts, *, reward_per_referral: float | None = None) -> dict[str, Any]:
    r"""What the referral programme brought (推荐计划的产出), as numbers.

    .. math:: \text{referred per referrer} = \frac{\#\text{referred}}{\#\text{referrers}}, \qquad
              \text{revenue per reward} = \frac{\text{revenue of referred customers}}{\text{reward} \times \#\text{referred}}

    Returns
    -------
    dict
        ``customers``, ``referrers`` (customers who referred at least one), ``referrer_share`` (of all
        customers), ``referred`` (customers referred), ``referred_share``, ``referred_per_referrer``,
        ``referred_last_12m`` and ``new_last_12m`` (sign-ups in the 12 months ending at ``as_of``),
        ``referred_revenue`` (revenue to date of the referred customers), ``referred_revenue_share``,
        ``unknown_referrers`` (``referred_by`` ids not in customers), and, with ``reward_per_referral``,
        ``reward_cost`` and ``revenue_per_reward``. Empty dict without a ``referred_by`` column.
    """
    c = facts.customers
    if "referred_by" not in c.columns:
        return {}
    a = _arrays(facts)
    n = len(a.ids)
    monetary = np.bincount(a.cust, weights=a.revenue, minlength=n)
    is_referred = a.referrer != -1
    revenue, total = float(monetary[is_referred].sum()), float(monetary.sum())
    out: dict[str, Any] = {
        "customers": n, "referrers": int(np.unique(a.referrer[a.referrer >= 0]).size),
        "referred": int(is_referred.sum()), "unknown_referrers": int((a.referrer == -2).sum()),
        "referred_revenue": revenue, "referred_revenue_share": revenue / total if total else np.nan,
    }
    out["referrer_share"] = out["referrers"] / n if n else np.nan
    out["referred_share"] = out["referred"] / n if n else np.nan
    out["referred_per_referrer"] = out["referred"] / out["referrers"] if out["referrers"] else np.nan
    if "signup_date" in c.columns:
        recent = (a.start > _day(facts.as_of - pd.DateOffset(years=1))) & (a.start <= _day(facts.as_of))
        out["new_last_12m"] = int(recent.sum())
        out["referred_last_12m"] = int((recent & is_referred).sum())
    if reward_per_referral is not None:
        cost = float(reward_per_referral) * out["referred"]
        out["reward_cost"] = cost
        out["revenue_per_reward"] = revenue / cost if cost else np.nan
    return out


def top_referrers(facts: CustomerFacts, n: int = 10) -> pd.DataFrame:
    """The customers who referred the most (then whose referrals spent the most).

    Returns
    -------
    DataFrame
        ``customer_id, referred`` (customers they referred), ``referred_revenue`` (those customers' revenue
        to date), ``monetary`` (the referrer's own revenue to date) and ``member_tier`` when known; at most
        ``n`` rows.
    """
    c = facts.customers
    cols = ["customer_id", "referred", "referred_revenue", "monetary"]
    if "referred_by" not in c.columns or c["referred_by"].notna().sum() == 0:
        return pd.DataFrame(columns=cols)
    a = _arrays(facts)
    size = len(a.ids)
    monetary = np.bincount(a.cust, weights=a.revenue, minlength=size)
    has = a.referrer >= 0
    referred = np.bincount(a.referrer[has], minlength=size)
    brought = np.bincount(a.referrer[has], weights=monetary[has], minlength=size)
    who = np.flatnonzero(referred > 0)
    out = pd.DataFrame({"customer_id": a.ids[who], "referred": referred[who], "referred_revenue": brought[who],
                        "monetary": monetary[who]})
    if "member_tier" in c.columns:
        out["member_tier"] = c["member_tier"].to_numpy(dtype=object)[who]
        cols = [*cols, "member_tier"]
    out = out.sort_values(["referred", "referred_revenue", "customer_id"], ascending=[False, False, True])
    return out.head(int(n))[cols].reset_index(drop=True)


# ---- points -----------------------------------------------------------------------------------------

def _ledger(points: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    require_columns(points, "points", ["customer_id", "date", "points", "kind"])
    p = points[["customer_id", "date", "points", "kind"]].copy()
    p["date"] = pd.to_datetime(p["date"], errors="coerce")
    p["points"] = pd.to_numeric(p["points"], errors="coerce")
    p["kind"] = p["kind"].astype("string")
    bad = p["date"].isna() | p["points"].isna() | ~p["kind"].isin(POINT_KINDS)
    sign = p["kind"].map({"earn": 1, "redeem": -1, "expire": -1}).astype("float64")
    bad |= np.sign(p["points"]).astype("float64") != sign
    if bad.any():
        rows = ", ".join(map(str, p.index[bad][:5]))
        raise ValueError(f"points: {int(bad.sum())} entr(ies) without a valid date, points or kind, or with the "
                         f"wrong sign for their kind (earn > 0; redeem, expire < 0), e.g. rows {rows}; load the "
                         "data with crmbook.data.load to set them aside")
    return p[p["date"] <= as_of]


def points_summary(points: pd.DataFrame, as_of: Any, *, value_per_point: float = VALUE_PER_POINT) -> dict[str, Any]:
    r"""Points earned, redeemed and expired up to ``as_of``, the outstanding balance and its liability.

    .. math:: \text{outstanding} = \text{earned} - \text{redeemed} - \text{expired}, \quad
              \text{liability} = v \cdot \text{outstanding}

    Parameters
    ----------
    points : DataFrame
        The ledger (``customer_id, date, points, kind``), as :func:`crmbook.data.load` gives it.
    as_of : date
        Entries after it are left out (and counted).
    value_per_point : float
        Money value of one point at redemption.

    Returns
    -------
    dict
        ``entries`` (used), ``entries_after_as_of``, ``members`` (customers with an entry), ``earned``,
        ``redeemed``, ``expired`` (positive numbers of points), ``outstanding``, ``liability``,
        ``value_per_point``, ``redemption_rate`` (redeemed / earned), ``breakage`` (expired / earned),
        ``members_with_balance``, ``negative_balances`` (members whose balance is below zero: entries
        missing from the ledger), ``first``, ``last`` (dates).
    """
    as_of = pd.Timestamp(as_of)
    p = _ledger(points, as_of)
    by_kind = p.groupby("kind")["points"].sum()
    earned = float(by_kind.get("earn", 0.0))
    redeemed, expired = float(-by_kind.get("redeem", 0.0)), float(-by_kind.get("expire", 0.0))
    balance = p.groupby("customer_id")["points"].sum()
    outstanding = float(balance.sum())
    return {
        "entries": len(p), "entries_after_as_of": len(points) - len(p), "members": int(balance.size),
        "earned": earned, "redeemed": redeemed, "expired": expired, "outstanding": outstanding,
        "value_per_point": float(value_per_point), "liability": outstanding * float(value_per_point),
        "redemption_rate": redeemed / earned if earned else np.nan,
        "breakage": expired / earned if earned else np.nan,
        "members_with_balance": int((balance > 0).sum()), "negative_balances": int((balance < 0).sum()),
        "first": p["date"].min() if len(p) else pd.NaT, "last": p["date"].max() if len(p) else pd.NaT,
    }


def points_by_month(points: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """Points earned, redeemed and expired per month up to ``as_of``, with the balance at each month's end.

    Returns
    -------
    DataFrame
        ``month`` (``YYYY-MM``), ``earned, redeemed, expired`` (positive), ``balance`` (outstanding points at
        the month's end); every month from the first entry to ``as_of``.
    """
    as_of = pd.Timestamp(as_of)
    p = _ledger(points, as_of)
    cols = ["month", "earned", "redeemed", "expired", "balance"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    months = p["date"].dt.to_period("M")
    wide = p.groupby([months, "kind"])["points"].sum().unstack("kind").reindex(columns=list(POINT_KINDS)).fillna(0.0)
    full = pd.period_range(months.min(), as_of.to_period("M"), freq="M")
    wide = wide.reindex(full, fill_value=0.0)
    out = pd.DataFrame({"month": full.astype(str), "earned": wide["earn"].to_numpy(),
                        "redeemed": -wide["redeem"].to_numpy(), "expired": -wide["expire"].to_numpy()})
    out["balance"] = (out["earned"] - out["redeemed"] - out["expired"]).cumsum()
    return out


# ---- facts and words --------------------------------------------------------------------------------

def _say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"loyalty.{key}", ctx, count, **values)


def loyalty_facts(facts: CustomerFacts, points: pd.DataFrame | None = None, *, rule: TierRule = TIER_RULE,
                  value_per_point: float = VALUE_PER_POINT, reward_per_referral: float | None = None
                  ) -> dict[str, Any]:
    """Everything :func:`loyalty_narrative` says, as numbers and names (no text).

    Returns
    -------
    dict
        ``tiers`` (:func:`tier_summary`), ``check`` (:func:`tier_check`), ``movement``
        (:func:`tier_movement`), ``retention`` (:func:`tier_retention`), ``referrals``
        (:func:`referral_comparison`), ``yield`` (:func:`referral_yield`), ``points``
        (:func:`points_summary`, None without a ledger), ``has_tiers``, ``has_referrals``, ``rule``.
    """
    c = facts.customers
    has_tiers = "member_tier" in c.columns and c["member_tier"].notna().any()
    out: dict[str, Any] = {"rule": rule, "has_tiers": bool(has_tiers)}
    out["check"] = tier_check(facts, rule)
    out["tiers"] = tier_summary(facts, rule)
    out["movement"] = tier_movement(facts, None, rule)
    out["retention"] = tier_retention(facts, None, rule)
    out["has_referrals"] = "referred_by" in c.columns and c["referred_by"].notna().any()
    out["referrals"] = referral_comparison(facts)
    out["yield"] = referral_yield(facts, reward_per_referral=reward_per_referral)
    out["points"] = None if points is None else points_summary(points, facts.as_of, value_per_point=value_per_point)
    return out


def loyalty_narrative(lf: dict[str, Any], ctx: Context) -> Narrative:
    """The loyalty programme in sentences (``lf`` from :func:`loyalty_facts`), in ``ctx``'s language."""
    out: list[str] = []
    rule, check = lf["rule"], lf["check"]
    tiers = lf["tiers"]
    basis = _say(f"basis.{rule.basis}", ctx)
    if not lf["has_tiers"]:
        out.append(_say("no_tier_column", ctx, basis=basis))
    elif check["customers"]:
        ranked = tiers[tiers["tier"].isin(rule.tiers)]  # the top tier of the rule (recorded names it knows)
        top = (ranked if len(ranked) else tiers).iloc[-1]
        out.append(_say("tiers", ctx, count=len(tiers), tiers=join_names(tiers["tier"], ctx),
                        top=str(top["tier"]), top_share=top["customer_share"], top_revenue=top["revenue_share"]))
        key = "derived_ok" if check["agree_share"] >= 0.95 else "derived_weak"
        out.append(_say(key, ctx, basis=basis, agree=check["agree_share"]))
    mv = lf["movement"]
    out.append(_say("movement", ctx, start=f"{mv.attrs['start']:%Y-%m-%d}", up=mv.attrs["up"],
                    down=mv.attrs["down"], same=mv.attrs["same"]))
    ret = lf["retention"]
    if len(ret) >= 2:
        lo, hi = ret.iloc[0], ret.iloc[-1]
        out.append(_say("retention", ctx, low_tier=str(lo["tier"]), low=lo["retention"], low_n=int(lo["active_customers"]),
                        high_tier=str(hi["tier"]), high=hi["retention"], high_n=int(hi["active_customers"])))
    ref = lf["referrals"]
    if not lf["has_referrals"] or ref.empty:
        out.append(_say("no_referrals", ctx))
    else:
        a, b, d = ref.iloc[0], ref.iloc[1], ref.iloc[2]
        clear = "clear" if (d["repeat_low"] > 0 or d["repeat_high"] < 0) else "unclear"
        out.append(_say(f"referral_repeat_{clear}", ctx, referred=a["repeat_rate"], others=b["repeat_rate"],
                        n_referred=int(a["customers"]), n_others=int(b["customers"]),
                        low=d["repeat_low"] * 100, high=d["repeat_high"] * 100))
        clear = "clear" if (d["revenue_low"] > 0 or d["revenue_high"] < 0) else "unclear"
        out.append(_say(f"referral_revenue_{clear}", ctx, referred=money(a["first_year_revenue"], ctx),
                        others=money(b["first_year_revenue"], ctx), low=money(d["revenue_low"], ctx),
                        high=money(d["revenue_high"], ctx)))
        y = lf["yield"]
        out.append(_say("yield", ctx, referrers=y["referrers"], referred=y["referred"],
                        per=y["referred_per_referrer"], share=y["referred_revenue_share"]))
    pts = lf["points"]
    if pts is None:
        out.append(_say("no_points", ctx))
    else:
        out.append(_say("points", ctx, earned=pts["earned"], redeemed=pts["redeemed"], expired=pts["expired"],
                        redemption=pts["redemption_rate"], breakage=pts["breakage"]))
        out.append(_say("liability", ctx, outstanding=pts["outstanding"], members=pts["members_with_balance"],
                        value=money(pts["value_per_point"], ctx, 2),
                        liability=money(pts["liability"], ctx, 2)))
        if pts["negative_balances"]:
            out.append(_say("negative_balances", ctx, count=pts["negative_balances"]))
    return Narrative(out, lead=catalogue("crmbook").label("lead.interpretation", ctx), language=ctx.language,
                     bullets=True)


def loyalty_summary(lf: dict[str, Any], ctx: Context) -> list[str]:
    """The loyalty findings for the summary, only those the numbers support: the points liability (when
    there is a ledger) and the referred customers' first-year repeat rate when the 95 % interval of the
    difference excludes zero (an unclear difference is left to the section)."""
    out: list[str] = []
    pts = lf["points"]
    if pts is not None and pts["earned"]:
        out.append(catalogue(PACKAGE).say("summary.points", ctx, outstanding=pts["outstanding"],
                                          liability=money(pts["liability"], ctx, 2),
                                          value=money(pts["value_per_point"], ctx, 2),
                                          redemption=pts["redemption_rate"], breakage=pts["breakage"]))
    ref = lf["referrals"]
    if lf["has_referrals"] and not ref.empty:
        a, b, d = ref.iloc[0], ref.iloc[1], ref.iloc[2]
        if d["repeat_low"] > 0 or d["repeat_high"] < 0:
            key = "summary.referrals_more" if d["repeat_low"] > 0 else "summary.referrals_less"
            out.append(catalogue(PACKAGE).say(key, ctx, referred=a["repeat_rate"], others=b["repeat_rate"],
                                              low=d["repeat_low"] * 100, high=d["repeat_high"] * 100))
    return out


def loyalty_note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence ``loyalty.<key>`` of the catalogue as a :class:`Narrative` (``"no_points"``,
    ``"no_referrals"`` ...), for a section that has nothing else to show."""
    return Narrative([_say(key, ctx, **values)], language=ctx.language)


_GROUP_COLUMNS = ("referral_group", "from_tier")


def loyalty_table(df: pd.DataFrame, ctx: Context, **options: Any):
    """A loyalty table shown to a reader: the codes of ``referral_group`` (referred / others / difference) and the
    ``new`` row of the movement matrix in words, headers and values by the declared column kinds
    (``options`` go to :func:`crmbook.tables.format_table`)."""
    out = df.copy()
    for col in _GROUP_COLUMNS:
        if col in out.columns:
            out[col] = map_distinct(out[col], lambda v: _say(f"group.{v}", ctx) if v in ("referred", "others", "difference", _NEW, _NONE)
                                    else v)
    return format_table(out, ctx, package=PACKAGE, **options)
