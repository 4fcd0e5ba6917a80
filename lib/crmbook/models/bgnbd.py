r"""BG/NBD model (beta-geometric / negative binomial, 购买频次与流失模型): Fader, Hardie & Lee (2005).

While alive, a customer buys at a Poisson rate :math:`\lambda` (purchases per time unit); after each
purchase she drops out with probability :math:`p`. Across customers

.. math::
    \lambda \sim \text{Gamma}(r, \alpha) \;(\text{shape } r,\ \text{rate } \alpha), \qquad
    p \sim \text{Beta}(a, b).

``r`` and ``alpha`` describe how often customers buy (mean rate :math:`r/\alpha` purchases per time unit),
``a`` and ``b`` how fast they leave (mean dropout probability after a purchase :math:`a/(a+b)`).

The likelihood of a customer's history — :math:`x` repeat purchases, the last at age :math:`t_x`, observed
up to age :math:`T` (all ages in the fit's time unit) — is (FHL 2005, eq. 6)

.. math::
    L(r,\alpha,a,b \mid x,t_x,T) = \frac{B(a,b+x)}{B(a,b)} \frac{\Gamma(r+x)\,\alpha^r}{\Gamma(r)}
    \left[ \frac{1}{(\alpha+T)^{r+x}} + \delta_{x>0} \frac{a}{b+x-1} \frac{1}{(\alpha+t_x)^{r+x}} \right].

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from crmbook.models._fitting import check_rft, compress, maximise, resolve_time_unit, standard_errors
from crmbook.models.errors import ModelFitError

__all__ = ["BGNBD", "fit_bgnbd", "bgnbd_loglik"]

_NAMES = ("r", "alpha", "a", "b")


def bgnbd_loglik(params: dict[str, float], frequency: Any, recency: Any, T: Any) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood :math:`\\ln L(r,\\alpha,a,b \\mid x,t_x,T)` (module formula)."""
    x, t_x, big_t = check_rft(frequency, recency, T)
    return _loglik_and_grad(np.log([params[k] for k in _NAMES]), x, t_x, big_t, grad=False)


def _loglik_and_grad(theta, x, t_x, big_t, grad=True):
    r, alpha, a, b = np.exp(theta)
    rx = r + x
    a1 = gammaln(rx) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -rx * np.log(alpha + big_t)
    pos = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(pos, np.log(a) - np.log(np.where(pos, b + x - 1, 1.0)) - rx * np.log(alpha + t_x), -np.inf)
    tail = np.logaddexp(a3, a4)
    ll = a1 + a2 + tail
    if not grad:
        return ll
    w4 = np.exp(a4 - tail)  # share of the "still alive at t_x, dropped since" term; 0 when x == 0
    w3 = 1.0 - w4
    d_r = digamma(rx) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + big_t) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * rx / (alpha + big_t) - w4 * rx / (alpha + t_x)
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
    d_a = psi_ab - psi_abx + w4 / a
    with np.errstate(divide="ignore", invalid="ignore"):
        d_b = psi_ab + digamma(b + x) - digamma(b) - psi_abx - np.where(pos, w4 / np.where(pos, b + x - 1, 1.0), 0.0)
    return ll, np.stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b])


@dataclass(frozen=True)
class BGNBD:
    r"""A fitted BG/NBD model (see the module docstring for the model and the likelihood).

    Attributes
    ----------
    params : dict
        ``r``, ``alpha`` (gamma shape and rate of the purchase rate; ``alpha`` is in the time unit),
        ``a``, ``b`` (beta parameters of the dropout probability after each purchase).
    standard_errors : dict
        Asymptotic standard errors of the parameters (inverse observed information, delta method).
    loglik : float
        Maximum log-likelihood.
    n : int
        Customers fitted.
    time_unit : str
        Unit of recency, T and every ``t`` ("D" day, "W" 7-day week, "M" 30.4375-day month).
    converged : bool
        Always True for a returned model (a fit that does not converge raises :class:`ModelFitError`).
    message : str
        The optimiser's final message.
    """

    params: dict[str, float]
    loglik: float
    n: int
    time_unit: str
    converged: bool = True
    standard_errors: dict[str, float] = field(default_factory=dict)
    message: str = ""

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        r"""Probability that each customer is still alive at age ``T`` (存活概率)
        (Fader, Hardie & Lee, "Computing P(alive) using the BG/NBD model", 2008 note):

        .. math::
            P(\text{alive} \mid x, t_x, T) = \frac{1}{1 + \delta_{x>0} \frac{a}{b+x-1}
            \left(\frac{\alpha+T}{\alpha+t_x}\right)^{r+x}}.

        A customer with no repeat purchase (``frequency == 0``) gets exactly 1: in the BG/NBD story a
        customer can drop out only right after a purchase that follows the first one, so someone who has
        not bought again cannot have left yet (a known weakness of the model; the Pareto/NBD, where dropout
        can happen at any time, gives such customers a P(alive) that falls with T).
        Ages in the model's time unit.
        """
        r, alpha, a, b = (self.params[k] for k in _NAMES)
        x, t_x, big_t = check_rft(frequency, recency, T)
        pos = x > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = (np.log(a) - np.log(np.where(pos, b + x - 1, 1.0))
                        + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x)))
        return np.where(pos, 1.0 / (1.0 + np.exp(np.where(pos, log_odds, 0.0))), 1.0)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        r"""Expected purchases in the next ``t`` time units given the history, FHL 2005 eq. (10):

        .. math::
            E[Y(t) \mid x,t_x,T] = \frac{\dfrac{a+b+x-1}{a-1}\left[1 - \left(\dfrac{\alpha+T}{\alpha+T+t}
            \right)^{r+x} {}_2F_1\!\left(r+x, b+x; a+b+x-1; \dfrac{t}{\alpha+T+t}\right)\right]}
            {1 + \delta_{x>0} \dfrac{a}{b+x-1}\left(\dfrac{\alpha+T}{\alpha+t_x}\right)^{r+x}}.

        ``t`` is a number or an array broadcast against the customers (same time unit as the fit).
        """
        r, alpha, a, b = (self.params[k] for k in _NAMES)
        x, t_x, big_t = check_rft(frequency, recency, T)
        t = _horizon(t)
        z = t / (alpha + big_t + t)
        head = (a + b + x - 1) / (a - 1)
        body = 1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * body * self.p_alive(x, t_x, big_t)

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        r"""Expected purchases of a new customer in her first ``t`` time units, FHL 2005 eq. (9):

        .. math::
            E[X(t)] = \frac{a+b-1}{a-1}\left[1 - \left(\frac{\alpha}{\alpha+t}\right)^r
            {}_2F_1\!\left(r, b; a+b-1; \frac{t}{\alpha+t}\right)\right].

        Repeat purchases only (the first purchase at time 0 is not counted), as in the paper.
        """
        r, alpha, a, b = (self.params[k] for k in _NAMES)
        t = _horizon(t)
        return (a + b - 1) / (a - 1) * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def _horizon(t: Any) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError(f"t (the horizon, in the model's time unit) must be finite and >= 0, got {t}")
    return t


def fit_bgnbd(frequency: Any, recency: Any, T: Any, *, time_unit: str | None = None,
              weights: Any = None) -> BGNBD:
    r"""Fit the BG/NBD model by maximum likelihood (FHL 2005; formula in :mod:`crmbook.models.bgnbd`).

    Identical ``(frequency, recency, T)`` rows are fitted once with their count as weight; the analytic
    gradient drives L-BFGS-B over :math:`\ln(r, \alpha, a, b)` from three starts.

    Parameters
    ----------
    frequency, recency, T : array-like
        Per customer: repeat purchases :math:`x`, age at the last purchase :math:`t_x`, age at the end of
        the observation :math:`T` (lifetimes conventions; :func:`crmbook.models.customer_summary`).
    time_unit : {"D", "W", "M"}, optional
        Unit of recency and T. Taken from the columns of a customer summary when omitted; required for
        plain arrays.
    weights : array-like, optional
        Customers each row stands for (default 1 each).

    Returns
    -------
    BGNBD
        The fitted model.

    Raises
    ------
    ModelFitError
        No customer bought twice (the dropout process is not identified), or the optimiser did not converge.
    ValueError
        Bad input (missing values, negative or inconsistent recency / T), naming the rows.

    Examples
    --------
    >>> import numpy as np
    >>> bg = fit_bgnbd(np.array([0, 1, 3, 0, 2]), np.array([0, 4.0, 9.0, 0, 6.0]),
    ...                np.array([10.0, 10, 12, 8, 9]), time_unit="W")
    >>> sorted(bg.params)
    ['a', 'alpha', 'b', 'r']
    """
    unit = resolve_time_unit(time_unit, frequency, recency, T)
    x, t_x, big_t = check_rft(frequency, recency, T)
    n = len(x)
    w_in = None if weights is None else np.asarray(weights, dtype=float)
    if n == 0:
        raise ModelFitError("BG/NBD", 0, "no customers")
    if not (x > 0).any():
        raise ModelFitError("BG/NBD", n, "no customer made a repeat purchase (frequency is 0 for all), so "
                                         "the purchase and dropout processes cannot be told apart")
    (x, t_x, big_t), w = compress(x, t_x, big_t, weights=w_in)

    def neg(theta):
        ll, g = _loglik_and_grad(theta, x, t_x, big_t)
        return -np.dot(w, ll), -(g @ w)

    rate = max(np.dot(w, x) / max(np.dot(w, big_t), 1e-12), 1e-8)  # repeat purchases per unit of age
    starts = [(1.0, 1.0 / rate, 1.0, 1.0), (0.3, 0.3 / rate, 0.5, 2.0), (3.0, 3.0 / rate, 2.0, 5.0)]
    params, loglik, theta, message = maximise("BG/NBD", n, _NAMES, neg, starts, jac=True, scale=w.sum())
    se = dict(zip(_NAMES, map(float, standard_errors(neg, theta, jac=True)), strict=True))
    return BGNBD(params=params, loglik=loglik, n=n, time_unit=unit, standard_errors=se, message=message)
