r"""Shifted-beta-geometric retention model (sBG, 合约客户留存模型): Fader & Hardie (2007).

For contractual customers who renew (or not) once per period. Each customer has a constant churn
probability :math:`\theta` per period; across customers :math:`\theta \sim \text{Beta}(\alpha, \beta)`.
Because the customers with high :math:`\theta` leave first, the cohort's retention rate *rises* with
tenure even though no one's own churn changes. With :math:`T` the period in which a customer leaves,

.. math::
    P(T = t) = \frac{B(\alpha+1, \beta+t-1)}{B(\alpha, \beta)}, \qquad
    S(t) = P(T > t) = \frac{B(\alpha, \beta+t)}{B(\alpha, \beta)}, \qquad
    r_t = \frac{S(t)}{S(t-1)} = \frac{\beta+t-1}{\alpha+\beta+t-1}.

A cohort of :math:`n_0` customers of whom :math:`n_t` are still active after :math:`t` periods
(:math:`t = 1, \dots, m`) has the log-likelihood

.. math::
    LL(\alpha, \beta) = \sum_{t=1}^{m} (n_{t-1} - n_t) \ln P(T = t) + n_m \ln S(m).

``alpha`` and ``beta``: the mean churn probability is :math:`\alpha/(\alpha+\beta)`; the smaller
:math:`\alpha + \beta`, the more customers differ (and the faster retention rises). Time is counted in
whatever periods the counts are in (years in the paper's example).

References
----------
Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal of Interactive
Marketing* 21(1), 76-90.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import betaln

from crmbook.models._fitting import maximise, standard_errors
from crmbook.models.errors import ModelFitError

__all__ = ["SBG", "fit_sbg"]

_NAMES = ("alpha", "beta")


def _periods(t: Any) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(t != np.round(t)):
        raise ValueError(f"t must be whole numbers of periods >= 0, got {t}")
    return t


@dataclass(frozen=True)
class SBG:
    r"""A fitted shifted-beta-geometric model (formulas in :mod:`crmbook.models.sbg`).

    Attributes
    ----------
    params : dict
        ``alpha``, ``beta`` of the beta distribution of the per-period churn probability.
    loglik : float
        Maximum log-likelihood.
    n : int
        Customers at the start of the cohort (:math:`n_0`).
    periods : int
        Periods observed (:math:`m`).
    standard_errors : dict
        Asymptotic standard errors (inverse observed information, delta method).
    """

    params: dict[str, float]
    loglik: float
    n: int
    periods: int
    converged: bool = True
    standard_errors: dict[str, float] = field(default_factory=dict)
    message: str = ""

    def survival(self, t: Any) -> np.ndarray:
        r"""Share of the cohort still active after ``t`` periods: :math:`S(t) = B(\alpha, \beta+t)/B(\alpha,\beta)`."""
        a, b = self.params["alpha"], self.params["beta"]
        return np.exp(betaln(a, b + _periods(t)) - betaln(a, b))

    def retention(self, t: Any) -> np.ndarray:
        r"""Retention rate in period ``t`` (``t >= 1``): :math:`r_t = (\beta+t-1)/(\alpha+\beta+t-1)`."""
        a, b = self.params["alpha"], self.params["beta"]
        t = _periods(t)
        if np.any(t < 1):
            raise ValueError("retention(t) is defined for periods t >= 1")
        return (b + t - 1) / (a + b + t - 1)

    def churn_probability(self, t: Any) -> np.ndarray:
        r"""Probability of leaving in period ``t`` (``t >= 1``): :math:`P(T=t) = B(\alpha+1, \beta+t-1)/B(\alpha,\beta)`."""
        a, b = self.params["alpha"], self.params["beta"]
        t = _periods(t)
        if np.any(t < 1):
            raise ValueError("churn_probability(t) is defined for periods t >= 1")
        return np.exp(betaln(a + 1, b + t - 1) - betaln(a, b))


def fit_sbg(alive_counts: Any) -> SBG:
    r"""Fit the sBG model to one cohort's survivor counts by maximum likelihood (:mod:`crmbook.models.sbg`).

    Parameters
    ----------
    alive_counts : sequence of int
        :math:`n_0, n_1, \dots, n_m`: customers at the start and still active after each period
        (whole numbers, not increasing, :math:`n_0 > 0`, at least two values).

    Returns
    -------
    SBG

    Raises
    ------
    ValueError
        Counts that are missing, negative, not whole, increasing, or too few.
    ModelFitError
        Nobody left (or everybody left in the first period): the heterogeneity cannot be estimated; or no
        convergence.

    Examples
    --------
    Fader & Hardie (2007), "regular" segment, years 0..7 of their Table 1: alpha = 0.704, beta = 1.182.

    >>> m = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(m.params["alpha"], 3), round(m.params["beta"], 3)
    (0.704, 1.182)
    """
    n = np.asarray(alive_counts, dtype=float).ravel()
    if len(n) < 2:
        raise ValueError(f"alive_counts: at least two counts (start and after one period) are needed, got {len(n)}")
    if not np.all(np.isfinite(n)) or np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError(f"alive_counts must be whole numbers >= 0, got {n.tolist()}")
    if n[0] <= 0:
        raise ValueError("alive_counts: the cohort must start with at least one customer")
    rising = np.flatnonzero(np.diff(n) > 0)
    if len(rising):
        raise ValueError(f"alive_counts must not increase (survivors cannot come back); it rises after "
                         f"period(s) {', '.join(map(str, rising))}")
    lost = -np.diff(n)
    m = len(lost)
    if lost.sum() == 0:
        raise ModelFitError("sBG", int(n[0]), "nobody left the cohort, so the churn probability cannot be "
                                              "estimated (its maximum-likelihood value is 0)")
    if n[1] == 0:
        raise ModelFitError("sBG", int(n[0]), "everybody left in the first period, so the churn "
                                              "probability cannot be told apart from 1")
    t = np.arange(1, m + 1, dtype=float)

    def neg(theta):
        a, b = np.exp(theta)
        log_p = betaln(a + 1, b + t - 1) - betaln(a, b)
        log_s = betaln(a, b + m) - betaln(a, b)
        return -(np.dot(lost, log_p) + n[-1] * log_s)

    starts = [(1.0, 1.0), (0.5, 3.0), (3.0, 0.5)]
    params, loglik, theta, message = maximise("sBG", int(n[0]), _NAMES, neg, starts, jac=False, scale=n[0])
    se = dict(zip(_NAMES, map(float, standard_errors(neg, theta, jac=False)), strict=True))
    return SBG(params=params, loglik=loglik, n=int(n[0]), periods=m, standard_errors=se, message=message)
