r"""Gamma-Gamma model of spend per purchase (客单价模型): Fader, Hardie & Lee (2005), "RFM and CLV".

A customer's purchase values :math:`z_1, \dots, z_x` are gamma distributed around her own mean:
:math:`z_j \sim \text{Gamma}(p, \nu)` (shape :math:`p`, rate :math:`\nu`, so her mean spend is
:math:`p/\nu`), and across customers :math:`\nu \sim \text{Gamma}(q, \gamma)`. Spend is assumed
independent of the purchase and dropout processes. ``p`` is how regular a customer's order values are,
``q`` and ``gamma`` how mean spend differs across customers; the population mean spend per purchase is
:math:`p\gamma/(q-1)` (money units; needs :math:`q > 1`).

The likelihood of a customer's mean repeat-purchase value :math:`\bar z` over :math:`x` purchases is

.. math::
    f(\bar z \mid p, q, \gamma; x) = \frac{\Gamma(px+q)}{\Gamma(px)\,\Gamma(q)}
    \frac{\gamma^q\, \bar z^{\,px-1}\, x^{px}}{(\gamma + x \bar z)^{px+q}},

and the conditional expected spend per purchase (a weighted mean of the population mean and her own) is

.. math::
    E[Z \mid p,q,\gamma; \bar z, x] = \frac{q-1}{px+q-1}\,\frac{p\gamma}{q-1} + \frac{px}{px+q-1}\,\bar z
    = \frac{p(\gamma + x\bar z)}{px+q-1}.

Only customers with at least one repeat purchase (``frequency > 0``) inform the fit: the first purchase is
left out of :math:`\bar z` (lifetimes conventions), so a one-time buyer has no value to fit. They are
excluded and counted (``excluded``). Values must be positive: zero or negative mean values (returns,
free orders) are an error naming the customers, or, with ``drop_nonpositive=True``, excluded and counted.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer base
analysis. *Journal of Marketing Research* 42(4), 415-430. Fader, P. S. & Hardie, B. G. S. (2013). The
Gamma-Gamma model of monetary value (note).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import digamma, gammaln

from crmbook.models._fitting import (
    _labels,
    _name_rows,
    as_float,
    codes_of,
    compress,
    maximise,
    standard_errors,
    subsample,
)
from crmbook.models.errors import ModelFitError

__all__ = ["GammaGamma", "fit_gamma_gamma"]

_NAMES = ("p", "q", "gamma")


class _Design:
    """Compressed (x, zbar) rows; the gamma functions are evaluated once per distinct x, the constant
    sums once, so an evaluation costs one log and one division per row."""

    def __init__(self, x, m, w=None):
        self.x, self.m, self.w = x, m, np.ones(len(x)) if w is None else w
        self.ix, self.ux = codes_of(x)
        self.wx = np.bincount(self.ix, weights=self.w, minlength=len(self.ux))
        self.xm, self.wxr = x * m, self.w * x
        log_m, log_x = np.log(m), np.log(x)
        self.s_xlogm = (self.wxr * log_m).sum()
        self.s_logm = (self.w * log_m).sum()
        self.s_xlogx = (self.wxr * log_x).sum()
        self.log_m, self.log_x = log_m, log_x

    def rows(self, theta):
        """Per-row log-likelihood and its gradient in log-parameters, shape (3, n)."""
        p, q, g = np.exp(theta)
        x, px = self.x, p * self.x
        log_gxm = np.log(g + self.xm)
        ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + (px - 1) * self.log_m
              + px * self.log_x - (px + q) * log_gxm)
        psi = digamma(px + q)
        d_p = x * (psi - digamma(px) + self.log_m + self.log_x - log_gxm)
        d_q = psi - digamma(q) + np.log(g) - log_gxm
        d_g = q / g - (px + q) / (g + self.xm)
        return ll, np.stack([d_p * p, d_q * q, d_g * g])

    def total(self, theta):
        """``(-sum w LL, -sum w dLL/dtheta)``: the objective of the fit."""
        p, q, g = np.exp(theta)
        ux, wx, w, wxr = self.ux, self.wx, self.w, self.wxr
        pux = p * ux
        w_all = wx.sum()
        log_gxm = np.log(g + self.xm)
        inv_gxm = 1.0 / (g + self.xm)
        s_l, s_xl = (w * log_gxm).sum(), (wxr * log_gxm).sum()
        psi = digamma(pux + q)
        ll = ((wx * (gammaln(pux + q) - gammaln(pux))).sum() - w_all * gammaln(q) + w_all * q * np.log(g)
              + p * self.s_xlogm - self.s_logm + p * self.s_xlogx - p * s_xl - q * s_l)
        d_p = (wx * ux * (psi - digamma(pux))).sum() + self.s_xlogm + self.s_xlogx - s_xl
        d_q = (wx * psi).sum() - w_all * digamma(q) + w_all * np.log(g) - s_l
        d_g = w_all * q / g - p * (wxr * inv_gxm).sum() - q * (w * inv_gxm).sum()
        return -ll, -np.array([d_p * p, d_q * q, d_g * g])


@dataclass(frozen=True)
class GammaGamma:
    r"""A fitted Gamma-Gamma spend model (formulas in :mod:`crmbook.models.gamma_gamma`).

    Attributes
    ----------
    params : dict
        ``p``, ``q``, ``gamma`` (``gamma`` in money units).
    loglik : float
        Maximum log-likelihood.
    n : int
        Customers fitted (frequency > 0 and a positive value).
    excluded : dict
        Customers left out and why: ``{"no_repeat_purchase": k, "nonpositive_value": m}``.
    standard_errors : dict
        Asymptotic standard errors (inverse observed information, delta method).
    """

    params: dict[str, float]
    loglik: float
    n: int
    excluded: dict[str, int] = field(default_factory=dict)
    converged: bool = True
    standard_errors: dict[str, float] = field(default_factory=dict)
    message: str = ""

    @property
    def mean_spend(self) -> float:
        r"""Population mean spend per purchase :math:`p\gamma/(q-1)` (infinite when :math:`q \le 1`)."""
        p, q, g = (self.params[k] for k in _NAMES)
        return p * g / (q - 1) if q > 1 else float("inf")

    def expected_spend(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        r"""Conditional expected spend per purchase :math:`p(\gamma + x\bar z)/(px+q-1)` per customer.

        A customer with ``frequency == 0`` gets the population mean :math:`p\gamma/(q-1)` (her
        ``monetary_value`` is ignored: under lifetimes conventions it is 0 for her).
        """
        p, q, g = (self.params[k] for k in _NAMES)
        n = np.size(frequency)
        labels = _labels(frequency, n)
        x = as_float("frequency", frequency, labels)
        m = as_float("monetary_value", monetary_value, labels if np.size(monetary_value) == n else None)
        if (x < 0).any():
            raise ValueError(f"frequency must be >= 0; violated in {_name_rows(labels, x < 0)}")
        m = np.where(x > 0, m, 0.0)
        return p * (g + x * m) / (p * x + q - 1)


def fit_gamma_gamma(frequency: Any, monetary_value: Any, *, drop_nonpositive: bool = False,
                    weights: Any = None) -> GammaGamma:
    r"""Fit the Gamma-Gamma spend model by maximum likelihood (formula in :mod:`crmbook.models.gamma_gamma`).

    Parameters
    ----------
    frequency : array-like
        Repeat purchases per customer :math:`x`.
    monetary_value : array-like
        Mean value of the repeat purchases :math:`\bar z` (money units).
    drop_nonpositive : bool
        ``False`` (default): a customer with ``frequency > 0`` and a zero or negative value is an error
        naming the customers. ``True``: such customers are excluded and counted in ``excluded``.
    weights : array-like, optional
        Customers each row stands for.

    Returns
    -------
    GammaGamma
        The fitted model; ``excluded`` counts the one-time buyers (and dropped non-positive values).

    Raises
    ------
    ModelFitError
        No customer with a repeat purchase, or no convergence.
    ValueError
        Missing values; zero or negative values (unless ``drop_nonpositive``).
    """
    n_all = np.size(frequency)
    labels = _labels(frequency, n_all)
    x = as_float("frequency", frequency, labels)
    m = as_float("monetary_value", monetary_value, labels if np.size(monetary_value) == n_all else None)
    if len(x) != len(m):
        raise ValueError(f"frequency and monetary_value lengths differ: {len(x)} and {len(m)}")
    if (x < 0).any() or (x != np.round(x)).any():
        bad = (x < 0) | (x != np.round(x))
        raise ValueError(f"frequency must be a whole number >= 0; violated in {_name_rows(labels, bad)}")
    w = np.ones(n_all) if weights is None else np.asarray(weights, dtype=float)
    repeat = x > 0
    nonpositive = repeat & (m <= 0)
    if nonpositive.any() and not drop_nonpositive:
        raise ValueError(f"monetary_value must be > 0 for customers with repeat purchases (the Gamma-Gamma "
                         f"model needs positive spend); zero or negative in {_name_rows(labels, nonpositive)}. "
                         f"Fix the data or pass drop_nonpositive=True to exclude and count them")
    use = repeat & ~nonpositive
    excluded = {"no_repeat_purchase": int((~repeat).sum()), "nonpositive_value": int(nonpositive.sum())}
    n = int(use.sum())
    if n == 0:
        raise ModelFitError("Gamma-Gamma", n_all, "no customer has a repeat purchase with a positive value "
                                                  "(frequency > 0), so spend per purchase cannot be estimated")
    (xu, mu), wu = compress(x[use], m[use], weights=w[use])

    neg = _Design(xu, mu, wu).total
    sub = subsample(len(xu))
    coarse = None if sub is None else _Design(xu[sub], mu[sub], wu[sub] * (wu.sum() / wu[sub].sum())).total

    mean, var = np.average(mu, weights=wu), np.average((mu - np.average(mu, weights=wu)) ** 2, weights=wu)
    starts = [(1.0, 2.0, mean), (5.0, 3.0, 2.0 * mean / 5.0), (1.0, 1.0 + mean ** 2 / max(var, 1e-12), mean)]
    params, loglik, theta, message = maximise("Gamma-Gamma", n, _NAMES, neg, starts, jac=True, scale=wu.sum(),
                                              coarse=coarse)
    se = dict(zip(_NAMES, map(float, standard_errors(neg, theta, jac=True)), strict=True))
    return GammaGamma(params=params, loglik=loglik, n=n, excluded=excluded, standard_errors=se, message=message)
