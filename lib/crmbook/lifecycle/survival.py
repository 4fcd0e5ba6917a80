r"""Survival of customers (客户生存分析): the Kaplan–Meier curve of customer lifetime.

**Lifetime** runs from a customer's first order. A customer has *churned* when they have not ordered for
more than ``inactive_days`` at ``as_of``; their lifetime ends at their last order (the last sign of life).
A customer still active is **censored**: we know only that their lifetime is at least ``as_of`` minus the
first order. Kaplan–Meier uses both:

.. math::
    \hat S(t) = \prod_{t_j \le t} \left(1 - \frac{d_j}{n_j}\right)

with :math:`d_j` churn events at time :math:`t_j` and :math:`n_j` customers still at risk just before it
(neither churned nor censored earlier). Greenwood's variance gives the bands; the **median lifetime** is
the first :math:`t` with :math:`\hat S(t) \le 0.5`, with its confidence interval (Brookmeyer–Crowley, on
the log-log scale). Groups (acquisition channels) are compared with the log-rank test.

The estimator is statsmodels' (:class:`statsmodels.duration.survfunc.SurvfuncRight`, :func:`survdiff`):
lifelines pins pandas < 3. Lifetimes are whole days; customers who signed up but never bought have no
lifetime and are counted in ``attrs["no_purchase"]``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.tables import require_columns

__all__ = ["customer_lifetimes", "kaplan_meier", "km_by_group", "logrank_test", "survival_at"]


def customer_lifetimes(facts: CustomerFacts, *, inactive_days: int) -> pd.DataFrame:
    """One row per buying customer: ``customer_id, duration_days, churned`` (and the customer's
    ``acquisition_channel`` when known).

    ``churned`` is True when the last order is more than ``inactive_days`` before ``as_of``; then
    ``duration_days`` is last minus first order, else (censored) ``as_of`` minus the first order.
    """
    if int(inactive_days) <= 0:
        raise ValueError(f"inactive_days must be positive, got {inactive_days!r}")
    b = facts.base
    buyers = b[b["frequency"] > 0]
    since = (facts.as_of - buyers["last_order"]).dt.days.to_numpy()
    churned = since > int(inactive_days)
    end = np.where(churned, buyers["last_order"].to_numpy(dtype="datetime64[D]"),
                   np.datetime64(facts.as_of, "D"))
    duration = (end - buyers["first_order"].to_numpy(dtype="datetime64[D]")).astype(np.int64)
    out = pd.DataFrame({"customer_id": buyers["customer_id"].to_numpy(), "duration_days": duration,
                        "churned": churned})
    if "acquisition_channel" in facts.customers.columns:
        ch = facts.customers.set_index("customer_id")["acquisition_channel"]
        out["acquisition_channel"] = ch.reindex(out["customer_id"]).astype("object").fillna("unknown").to_numpy()
    out.attrs.update(as_of=facts.as_of, inactive_days=int(inactive_days), no_purchase=int(len(b) - len(buyers)))
    return out


def _fit(durations: np.ndarray, events: np.ndarray):
    from statsmodels.duration.survfunc import SurvfuncRight

    with warnings.catch_warnings():  # log(-log(0)) at the curve's end: statsmodels' bands are NaN there
        warnings.simplefilter("ignore", RuntimeWarning)
        return SurvfuncRight(np.asarray(durations, dtype=float), np.asarray(events, dtype=float))


def kaplan_meier(durations: Any, events: Any, *, alpha: float = 0.05) -> pd.DataFrame:
    """The Kaplan–Meier estimate at each event time.

    Parameters
    ----------
    durations : array-like
        Time to the event or to censoring (non-negative).
    events : array-like of bool
        True for an observed event (churn), False for a censored time.
    alpha : float
        1 - the confidence level of the pointwise bands (Greenwood variance, log-log transform).

    Returns
    -------
    DataFrame
        ``time, at_risk, events, survival, se, lower, upper``; ``attrs``: ``n``, ``events`` (total),
        ``median`` with ``median_lower`` and ``median_upper`` (NaN when the curve never reaches 0.5 or the
        bound is not reached), ``alpha``.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError(f"durations and events must be 1-d and of the same length, got {t.shape} and {e.shape}")
    if len(t) == 0:
        raise ValueError("kaplan_meier: no customer to estimate a survival curve from")
    if np.isnan(t).any() or (t < 0).any():
        raise ValueError(f"durations: {int(np.isnan(t).sum() + (t < 0).sum())} missing or negative value(s)")
    if not e.any():
        raise ValueError("kaplan_meier: no event (every customer is censored); the curve stays at 1")
    sf = _fit(t, e)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lower, upper = _greenwood_band(sf, alpha)
        med = float(sf.quantile(0.5))
        lo, hi = sf.quantile_ci(0.5, alpha=alpha)
    out = pd.DataFrame({"time": sf.surv_times, "at_risk": sf.n_risk.astype(int), "events": sf.n_events.astype(int),
                        "survival": sf.surv_prob, "se": sf.surv_prob_se, "lower": lower, "upper": upper})
    reached = bool((sf.surv_prob <= 0.5).any())
    out.attrs.update(n=int(len(t)), total_events=int(e.sum()), alpha=float(alpha),
                     median=med if reached else float("nan"),
                     median_lower=float(lo) if lo is not None and np.isfinite(lo) else float("nan"),
                     median_upper=float(hi) if hi is not None and np.isfinite(hi) and reached else float("nan"))
    return out


def _greenwood_band(sf, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise bands on the log(-log S) scale from statsmodels' Greenwood standard errors."""
    from scipy.stats import norm

    s, se = sf.surv_prob, sf.surv_prob_se
    z = norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(s))
        width = z * se / np.abs(s * np.log(s))
        lower = np.exp(-np.exp(theta + width))
        upper = np.exp(-np.exp(theta - width))
    lower = np.where(np.isfinite(lower), lower, np.where(s >= 1, 1.0, 0.0))
    upper = np.where(np.isfinite(upper), upper, np.where(s >= 1, 1.0, 0.0))
    return lower, upper


def survival_at(curve: pd.DataFrame, times: Any) -> np.ndarray:
    """:math:`\\hat S(t)` of a :func:`kaplan_meier` curve at ``times`` (a step function; 1 before the first
    event)."""
    require_columns(curve, "curve", ["time", "survival"])
    t = np.atleast_1d(np.asarray(times, dtype=float))
    idx = np.searchsorted(curve["time"].to_numpy(), t, side="right") - 1
    s = curve["survival"].to_numpy()
    return np.where(idx >= 0, s[np.clip(idx, 0, None)], 1.0)


def km_by_group(lifetimes: pd.DataFrame, *, by: str = "acquisition_channel", min_customers: int = 30,
                alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """A :func:`kaplan_meier` curve per group (``lifetimes`` from :func:`customer_lifetimes`); groups with
    fewer than ``min_customers`` customers or no churn event are left out (the result's keys say which are in)."""
    require_columns(lifetimes, "lifetimes", ["duration_days", "churned", by])
    out = {}
    for g, part in lifetimes.groupby(by, sort=True):
        if len(part) >= min_customers and part["churned"].any():
            out[str(g)] = kaplan_meier(part["duration_days"], part["churned"], alpha=alpha)
    return out


def logrank_test(lifetimes: pd.DataFrame, *, by: str = "acquisition_channel", min_customers: int = 30) -> dict[str, Any]:
    """Log-rank test that every group shares one survival curve: ``chi2``, ``df``, ``p_value``, ``groups``
    (statsmodels' :func:`~statsmodels.duration.survfunc.survdiff`); groups below ``min_customers`` left out
    and counted in ``left_out``."""
    from statsmodels.duration.survfunc import survdiff

    require_columns(lifetimes, "lifetimes", ["duration_days", "churned", by])
    size = lifetimes[by].value_counts()
    keep = size[size >= min_customers].index
    part = lifetimes[lifetimes[by].isin(keep)]
    if len(keep) < 2:
        return {"chi2": float("nan"), "df": 0, "p_value": float("nan"), "groups": len(keep),
                "left_out": int(len(lifetimes) - len(part))}
    chi2, p = survdiff(part["duration_days"].to_numpy(dtype=float), part["churned"].to_numpy(dtype=float),
                       part[by].astype(str).to_numpy())
    return {"chi2": float(chi2), "df": int(len(keep) - 1), "p_value": float(p), "groups": int(len(keep)),
            "left_out": int(len(lifetimes) - len(part))}
