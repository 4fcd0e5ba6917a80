r"""Satisfaction → loyalty (满意度 → 忠诚度): do the customers who answer better buy again?

Each surveyed customer's **latest answer whose follow-up is complete** (at least ``churn_days`` between
the answer and the analysis date) is joined with what the customer did afterwards:

- ``repurchase_90`` / ``repurchase_180``: an order within 90 / 180 days after the answer;
- ``spend_180``: revenue of the orders in those 180 days;
- ``churned``: no order at all within ``churn_days`` (default 365) after the answer.

One answer per customer, so no customer weighs more for answering often; customers whose answers are all
too recent are left out and counted (``attrs["too_recent"]``).

**Adjusting for the obvious confounders.** Long-standing and big customers may both answer more kindly and
buy more, which would make satisfaction look like a cause when it is not. The adjusted effect is a
**logistic regression**

.. math:: \operatorname{logit} P(\text{outcome}_i) = \beta_0 + \beta\, \text{score}_i
          + \gamma_1 \log(1 + \text{tenure}_i) + \gamma_2 \log(1 + \text{prior revenue}_i)

with tenure in days at the answer and the revenue of the 365 days up to the answer (covariates
standardized; :data:`LOYALTY_ADJUST`). It is fitted
by Newton-Raphson (maximum likelihood); the standard error of :math:`\beta` comes from the inverse of
the information matrix, the interval is :math:`\beta \pm z\,\text{se}`, and :math:`e^\beta` is the odds
ratio per score point. The chain is **supported** when the adjusted interval excludes no effect with the
expected sign (fewer churn, more repurchase for higher scores), **contradicted** when it excludes it with
the other sign, and **not shown** otherwise. An observational link, however adjusted, is not proof of
cause: customers are not assigned their satisfaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from crmbook.facts import CustomerFacts
from crmbook.positions import customer_rows, order_rows
from crmbook.tables import require_columns

from .scores import CONFIDENCE, CSAT_SATISFIED, mean_interval, nps_group, wilson_interval

__all__ = ["CHURN_DAYS", "LOYALTY_ADJUST", "LOYALTY_WINDOWS", "NPS_GROUPS", "logistic_fit", "loyalty_by", "loyalty_effect",
           "loyalty_outcomes"]

#: Repurchase windows (days after the answer).
LOYALTY_WINDOWS: tuple[int, ...] = (90, 180)
#: A customer with no order this many days after the answer counts as churned.
CHURN_DAYS = 365
#: NPS groups in reading order.
NPS_GROUPS: tuple[str, ...] = ("promoter", "passive", "detractor")
#: The confounders adjusted for: tenure and prior value. The prior number of orders is reported but not
#: adjusted for: with a lasting satisfaction it is itself partly a result of it (satisfied customers stayed
#: and ordered more before the answer), so adjusting for it would take away part of the effect measured.
LOYALTY_ADJUST: tuple[str, ...] = ("tenure_days", "prior_revenue")


def loyalty_outcomes(surveys: pd.DataFrame, facts: CustomerFacts, *, windows: Sequence[int] = LOYALTY_WINDOWS,
                     churn_days: int = CHURN_DAYS) -> pd.DataFrame:
    """One row per surveyed customer: the latest answer with complete follow-up and what followed.

    Returns
    -------
    DataFrame
        ``customer_id, response_date, nps, csat, nps_group, satisfied`` (csat >= 4), ``repurchase_<w>`` per
        window, ``spend_<max window>``, ``churned``, ``tenure_days, prior_revenue, prior_orders``.
        ``attrs``: ``too_recent`` (customers left out), ``answers`` (answers considered).
    """
    require_columns(surveys, "surveys", ["customer_id", "response_date"])
    windows = sorted(int(w) for w in windows)
    horizon = max([*windows, int(churn_days)])
    as_of = facts.as_of
    s = surveys[[c for c in ("customer_id", "response_date", "nps", "csat") if c in surveys.columns]].copy()
    s["customer_id"] = s["customer_id"].astype(str)
    s["response_date"] = pd.to_datetime(s["response_date"])
    # each answer's customer row (a lookup against the unique customer ids answers ``isin``); customers are
    # then integer positions (no merge or groupby on text ids)
    n = len(facts.customers)
    s["_row"] = customer_rows(facts, s["customer_id"])
    s = s[(s["_row"] >= 0).to_numpy() & s["response_date"].notna().to_numpy()]
    scored = s[[c for c in ("nps", "csat") if c in s.columns]].notna().any(axis=1)
    s = s[scored]
    complete = s["response_date"] + pd.Timedelta(days=horizon) <= as_of
    latest = s[complete].sort_values(["customer_id", "response_date"], kind="stable").groupby("customer_id").tail(1)
    # latest has one row per customer, all answered
    too_recent = int(np.count_nonzero(np.bincount(s["_row"].to_numpy(), minlength=n))) - len(latest)
    out = latest.set_index("customer_id")
    at = out.pop("_row").to_numpy()  # each surveyed customer's row in the customers
    s = s.drop(columns="_row")
    o = facts.orders
    where = np.full(n, -1, dtype=np.int64)  # each customer's row in ``latest`` (-1: none)
    where[at] = np.arange(len(out))
    row = where[order_rows(facts)]
    # the surveyed customers' orders in the inner merge's order: by customer (as ``latest``), then in their
    # own order; the sums below are then added up exactly as before (a groupby's float sums depend on it)
    take = np.flatnonzero(row >= 0)
    take = take[np.argsort(row[take], kind="stable")]
    row = row[take]
    order_date = o["order_date"].to_numpy()[take]
    revenue = o["revenue"].to_numpy()[take]
    days = pd.Series(order_date - out["response_date"].to_numpy()[row]).dt.days.to_numpy()
    every = pd.RangeIndex(len(out))

    def total(values) -> np.ndarray:
        """The float values summed per customer (a groupby's sum, in the orders' order), 0 without orders."""
        return pd.Series(values).groupby(row).sum().reindex(every, fill_value=0.0).to_numpy()

    def count(flags) -> np.ndarray:
        """How many orders of each customer have the flag."""
        return np.bincount(row[flags], minlength=len(out))

    for w in windows:
        out[f"repurchase_{w}"] = count((days > 0) & (days <= w)) > 0
    spend = np.where((days > 0) & (days <= windows[-1]), revenue, 0.0)
    out[f"spend_{windows[-1]}"] = total(spend)
    out["churned"] = count((days > 0) & (days <= churn_days)) == 0
    prior = (days <= 0) & (days > -365)
    out["prior_revenue"] = total(np.where(prior, revenue, 0.0))
    out["prior_orders"] = count(prior).astype(int)
    base = facts.base
    first_order = base["first_order"].to_numpy()
    first_of = np.empty(n, dtype=first_order.dtype)  # each customer's first order, by customer row
    first_of[customer_rows(facts, base["customer_id"])] = first_order
    first = first_of[at]
    c = facts.customers
    start = (pd.Series(c["signup_date"].to_numpy()[at], index=out.index) if "signup_date" in c.columns
             else pd.Series(pd.NaT, index=out.index)).fillna(pd.Series(first, index=out.index))
    out["tenure_days"] = (out["response_date"] - start).dt.days.clip(lower=0).astype(float)
    if "nps" in out.columns:
        out["nps_group"] = nps_group(out["nps"])
    if "csat" in out.columns:
        csat = pd.to_numeric(out["csat"], errors="coerce")
        out["satisfied"] = (csat >= CSAT_SATISFIED).where(csat.notna())
    out = out.reset_index()
    out.attrs.update(too_recent=too_recent, answers=len(s), windows=tuple(windows), churn_days=int(churn_days))
    return out


def loyalty_by(outcomes: pd.DataFrame, by: str = "nps_group", *, confidence: float = CONFIDENCE,
               order: Sequence[str] | None = NPS_GROUPS) -> pd.DataFrame:
    """Later behaviour per group of ``by`` (``nps_group`` or ``satisfied``), each with its interval.

    Returns
    -------
    DataFrame
        ``group, n`` and, for each ``repurchase_*`` and ``churned``, the rate with ``_low`` / ``_high``
        (Wilson), and ``spend_*`` (mean) with its *t* interval.
    """
    require_columns(outcomes, "outcomes", [by, "churned"])
    rates = [c for c in outcomes.columns if c.startswith("repurchase_")] + ["churned"]
    spends = [c for c in outcomes.columns if c.startswith("spend_")]
    rows = []
    for group, part in outcomes[outcomes[by].notna()].groupby(outcomes[by].astype(object), sort=False):
        row: dict[str, Any] = {"group": group, "n": len(part)}
        for col in rates:
            k = int(part[col].sum())
            row[col] = k / len(part)
            row[f"{col}_low"], row[f"{col}_high"] = wilson_interval(k, len(part), confidence)
        for col in spends:
            row[col] = float(part[col].mean())
            row[f"{col}_low"], row[f"{col}_high"] = mean_interval(part[col], confidence)
        rows.append(row)
    out = pd.DataFrame(rows)
    if by == "satisfied":
        order = (True, False)
    if order is not None and len(out):
        rank = {g: i for i, g in enumerate(order)}
        out = out.sort_values("group", key=lambda s: s.map(lambda g: rank.get(g, len(rank))), kind="stable")
    return out.reset_index(drop=True)


def logistic_fit(X: np.ndarray, y: np.ndarray, *, max_iter: int = 50, tol: float = 1e-10) -> dict[str, np.ndarray]:
    r"""Maximum-likelihood logistic regression by Newton-Raphson: ``{"coef", "se"}`` (intercept first).

    .. math:: \beta \leftarrow \beta + (X^\top W X)^{-1} X^\top (y - p), \quad W = \operatorname{diag}(p(1-p))

    ``X`` without the intercept column (it is added). Raises ``ValueError`` when the outcome does not
    vary or the fit does not converge (separation).
    """
    X = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])
    y = np.asarray(y, dtype=float)
    if len(np.unique(y)) < 2:
        raise ValueError("logistic_fit: the outcome does not vary (all 0 or all 1)")
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = expit(X @ beta)
        info = X.T @ (X * (p * (1 - p))[:, None])
        step = np.linalg.solve(info, X.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    else:
        raise ValueError("logistic_fit: Newton-Raphson did not converge (perfect separation?)")
    p = expit(X @ beta)
    info = X.T @ (X * (p * (1 - p))[:, None])
    return {"coef": beta, "se": np.sqrt(np.diag(np.linalg.inv(info)))}


def _verdict(low: float, high: float, expected_sign: int) -> str:
    if low > 0 or high < 0:
        sign = 1 if low > 0 else -1
        return "supports" if sign == expected_sign else "contradicts"
    return "not_shown"


def loyalty_effect(outcomes: pd.DataFrame, *, outcome: str = "churned", score: str = "nps",
                   adjust: Sequence[str] = LOYALTY_ADJUST, confidence: float = CONFIDENCE) -> dict[str, Any]:
    """The effect of one score point on ``outcome``, unadjusted and adjusted (module docstring).

    Returns
    -------
    dict
        ``outcome, score, n, coef, se, low, high, odds_ratio, or_low, or_high`` (adjusted), ``coef_raw``
        (unadjusted), ``expected`` (-1 for churn, +1 for repurchase), ``verdict`` (``supports``,
        ``contradicts``, ``not_shown``), ``left_out`` (rows without the score).
    """
    require_columns(outcomes, "outcomes", [outcome, score, *adjust])
    d = outcomes[[outcome, score, *adjust]].copy()
    d[score] = pd.to_numeric(d[score], errors="coerce")
    d = d.dropna()
    y = d[outcome].astype(float).to_numpy()
    x = d[score].astype(float).to_numpy()
    cov = np.log1p(d[list(adjust)].astype(float).clip(lower=0).to_numpy())
    sd = cov.std(axis=0)
    cov = (cov - cov.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    cov = cov[:, sd > 0]
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    adjusted = logistic_fit(np.column_stack([x, cov]), y)
    raw = logistic_fit(x[:, None], y)
    coef, se = float(adjusted["coef"][1]), float(adjusted["se"][1])
    low, high = coef - z * se, coef + z * se
    expected = -1 if outcome == "churned" else 1
    return {"outcome": outcome, "score": score, "n": len(d), "coef": coef, "se": se, "low": low, "high": high,
            "odds_ratio": float(np.exp(coef)), "or_low": float(np.exp(low)), "or_high": float(np.exp(high)),
            "coef_raw": float(raw["coef"][1]), "expected": expected, "verdict": _verdict(low, high, expected),
            "left_out": len(outcomes) - len(d)}
