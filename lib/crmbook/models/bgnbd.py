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
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1

from crmbook.models._fitting import (
    check_rft,
    codes_of,
    compress,
    maximise,
    resolve_time_unit,
    standard_errors,
    subsample,
)
from crmbook.models.errors import ModelFitError

__all__ = ["BGNBD", "fit_bgnbd", "bgnbd_loglik"]

_NAMES = ("r", "alpha", "a", "b")


def bgnbd_loglik(params: dict[str, float], frequency: Any, recency: Any, T: Any) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood :math:`\\ln L(r,\\alpha,a,b \\mid x,t_x,T)` (module formula)."""
    x, t_x, big_t = check_rft(frequency, recency, T)
    return _Design(x, t_x, big_t).rows(np.log([params[k] for k in _NAMES]))[0]


class _Design:
    """Compressed customer rows, factorised so that every term that depends on one column only is
    computed once per distinct value (a few hundred values of x, a few thousand of t_x and T) instead of
    once per row; only the mixing of the two likelihood terms is done per row."""

    def __init__(self, x, t_x, big_t, w=None):
        self.x, self.w = x, np.ones(len(x)) if w is None else w
        self.ix, self.ux = codes_of(x)
        self.it, self.ut = codes_of(t_x)
        self.iT, self.uT = codes_of(big_t)
        self.wx = np.bincount(self.ix, weights=self.w, minlength=len(self.ux))
        self.upos = self.ux > 0
        self.bx1 = np.where(self.upos, self.ux - 1, 0.0)  # b + x - 1 = b + bx1 where x > 0

    def _parts(self, theta):
        r, alpha, a, b = np.exp(theta)
        with np.errstate(divide="ignore"):
            c4 = np.where(self.upos, np.log(a) - np.log(b + self.bx1), -np.inf)  # per distinct x
        rx = r + self.x
        log_t = np.log(alpha + self.uT)[self.iT]
        log_tx = np.log(alpha + self.ut)[self.it]
        a3 = -rx * log_t
        d = c4[self.ix] - rx * (log_tx - log_t)  # a4 - a3; -inf when x == 0
        e = np.exp(-np.abs(d))  # numpy's exp and log1p are vectorised; scipy's expit/log_expit are not
        tail = a3 + np.maximum(d, 0.0) + np.log1p(e)  # logaddexp(a3, a4)
        w4 = np.where(d >= 0, 1.0, e) / (1.0 + e)  # expit(d): share of the "dropped out after t_x" term
        return (r, alpha, a, b), rx, log_t, log_tx, tail, w4

    def _per_x(self, r, alpha, a, b):
        ux = self.ux
        ll = gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + betaln(a, b + ux) - betaln(a, b)
        d_r = digamma(r + ux) - digamma(r) + np.log(alpha)
        d_a = digamma(a + b) - digamma(a + b + ux)
        d_b = d_a + digamma(b + ux) - digamma(b)
        inv_b = np.where(self.upos, 1.0 / (b + self.bx1), 0.0)
        return ll, d_r, d_a, d_b, inv_b

    def rows(self, theta):
        """Per-row log-likelihood and its gradient in log-parameters, shape (4, n)."""
        (r, alpha, a, b), rx, log_t, log_tx, tail, w4 = self._parts(theta)
        ll_x, d_r, d_a, d_b, inv_b = self._per_x(r, alpha, a, b)
        ix, w3 = self.ix, 1.0 - w4
        g_r = d_r[ix] - w3 * log_t - w4 * log_tx
        g_alpha = r / alpha - rx * (w3 / (alpha + self.uT[self.iT]) + w4 / (alpha + self.ut[self.it]))
        g_a = d_a[ix] + w4 / a
        g_b = d_b[ix] - w4 * inv_b[ix]
        return ll_x[ix] + tail, np.stack([g_r * r, g_alpha * alpha, g_a * a, g_b * b])

    def total(self, theta):
        """``(-sum w LL, -sum w dLL/dtheta)``: the objective of the fit."""
        (r, alpha, a, b), rx, log_t, log_tx, tail, w4 = self._parts(theta)
        ll_x, d_r, d_a, d_b, inv_b = self._per_x(r, alpha, a, b)
        w, wx = self.w, self.wx
        ww4 = w * w4
        ww3 = w - ww4
        wrx = w * rx
        ll = (wx * ll_x).sum() + (w * tail).sum()
        g_r = (wx * d_r).sum() - (ww3 * log_t).sum() - (ww4 * log_tx).sum()
        inv_t = (1.0 / (alpha + self.uT))[self.iT]
        inv_tx = (1.0 / (alpha + self.ut))[self.it]
        g_alpha = r / alpha * wx.sum() - (wrx * (inv_t + w4 * (inv_tx - inv_t))).sum()
        w4_x = np.bincount(self.ix, weights=ww4, minlength=len(self.ux))
        g_a = (wx * d_a).sum() + w4_x.sum() / a
        g_b = (wx * d_b).sum() - (w4_x * inv_b).sum()
        return -ll, -np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])


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
        return self._p_alive(*check_rft(frequency, recency, T))

    def _p_alive(self, x, t_x, big_t):
        r, alpha, a, b = (self.params[k] for k in _NAMES)
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

        def bracket(x, big_t):
            z = t / (alpha + big_t + t)
            return ((a + b + x - 1) / (a - 1)
                    * (1.0 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)))

        if t.ndim == 0:  # the hypergeometric part depends on (x, T) only: evaluate it once per distinct pair
            codes, pairs = _distinct_pairs(x, big_t)
            head = bracket(*pairs)[codes]
        else:
            head = bracket(x, big_t)
        return head * self._p_alive(x, t_x, big_t)

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


def _distinct_pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Codes of the distinct (x, y) pairs (hash-based, no sort) and the pairs themselves."""
    cx, ux = pd.factorize(x)
    cy, uy = pd.factorize(y)
    codes, keys = pd.factorize(cx.astype(np.int64) * len(uy) + cy)
    return codes, (np.asarray(ux)[keys // len(uy)], np.asarray(uy)[keys % len(uy)])


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

    neg = _Design(x, t_x, big_t, w).total
    sub = subsample(len(x))
    coarse = None if sub is None else _Design(x[sub], t_x[sub], big_t[sub], w[sub] * (w.sum() / w[sub].sum())).total

    rate = max(np.dot(w, x) / max(np.dot(w, big_t), 1e-12), 1e-8)  # repeat purchases per unit of age
    starts = [(1.0, 1.0 / rate, 1.0, 1.0), (0.3, 0.3 / rate, 0.5, 2.0), (3.0, 3.0 / rate, 2.0, 5.0)]
    params, loglik, theta, message = maximise("BG/NBD", n, _NAMES, neg, starts, jac=True, scale=w.sum(),
                                              coarse=coarse)
    se = dict(zip(_NAMES, map(float, standard_errors(neg, theta, jac=True)), strict=True))
    return BGNBD(params=params, loglik=loglik, n=n, time_unit=unit, standard_errors=se, message=message)
