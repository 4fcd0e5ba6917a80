r"""Pareto/NBD model (帕累托/负二项模型): Schmittlein, Morrison & Colombo (1987).

While alive, a customer buys at a Poisson rate :math:`\lambda`; her unobserved lifetime is exponential
with rate :math:`\mu` (she can leave at any moment, not only after a purchase as in BG/NBD). Across
customers

.. math::
    \lambda \sim \text{Gamma}(r, \alpha), \qquad \mu \sim \text{Gamma}(s, \beta)

(shape, rate; ``alpha`` and ``beta`` in the time unit). Mean purchase rate :math:`r/\alpha` per time
unit; mean dropout rate :math:`s/\beta`.

Likelihood of :math:`x` repeat purchases, the last at age :math:`t_x`, observed up to age :math:`T`
(Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related expressions", eq. 22):

.. math::
    L = \frac{\Gamma(r+x)\,\alpha^r \beta^s}{\Gamma(r)} \left[ \frac{1}{(\alpha+T)^{r+x}(\beta+T)^s}
    + \frac{s}{r+s+x} A_0 \right],

with, for :math:`\alpha \ge \beta`,

.. math::
    A_0 = \frac{{}_2F_1\!\left(r+s+x, s+1; r+s+x+1; \frac{\alpha-\beta}{\alpha+t_x}\right)}
    {(\alpha+t_x)^{r+s+x}} - \frac{{}_2F_1\!\left(r+s+x, s+1; r+s+x+1; \frac{\alpha-\beta}{\alpha+T}\right)}
    {(\alpha+T)^{r+s+x}}

and, for :math:`\alpha < \beta`, the same with :math:`\alpha \leftrightarrow \beta` and second parameter
:math:`r+x`. Numerics: Euler's transformation
:math:`{}_2F_1(a,b;c;z) = (1-z)^{c-a-b}\,{}_2F_1(c-a,c-b;c;z)` turns each term into
:math:`(\alpha+t)^{-(r+x)}(\beta+t)^{-s}\,{}_2F_1(1, r+x; r+s+x+1; z)` (for :math:`\alpha \ge \beta`) or
:math:`(\alpha+t)^{1-r-x}(\beta+t)^{-s-1}\,{}_2F_1(1, s+1; r+s+x+1; z)` (for :math:`\alpha < \beta`), with
:math:`0 \le z < 1`: series of positive terms that :func:`scipy.special.hyp2f1` evaluates accurately, and
no huge powers. The difference of the two terms is taken in log space.

References
----------
Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are they and what
will they do next? *Management Science* 33(1), 1-24. Fader, P. S. & Hardie, B. G. S. (2005). A note on
deriving the Pareto/NBD model and related expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import gammaln, hyp2f1

from crmbook.models._fitting import (
    check_rft,
    compress,
    maximise,
    resolve_time_unit,
    standard_errors,
    subsample,
)
from crmbook.models.bgnbd import _distinct_pairs, _horizon
from crmbook.models.errors import ModelFitError

__all__ = ["ParetoNBD", "fit_pareto_nbd", "pareto_nbd_loglik"]

_NAMES = ("r", "alpha", "s", "beta")


def _log_term(r, alpha, s, beta, x, t):
    """log of 2F1(r+s+x, ., r+s+x+1; z) / (max(alpha, beta) + t)^(r+s+x), via Euler's transformation."""
    c = r + s + x + 1
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        return -(r + x) * np.log(alpha + t) - s * np.log(beta + t) + np.log(hyp2f1(1.0, r + x, c, z))
    z = (beta - alpha) / (beta + t)
    return (1 - r - x) * np.log(alpha + t) - (s + 1) * np.log(beta + t) + np.log(hyp2f1(1.0, s + 1, c, z))


def _log_a0(r, alpha, s, beta, x, t_x, big_t, pairs=None):
    if pairs is None:
        l1 = _log_term(r, alpha, s, beta, x, t_x)
        l2 = _log_term(r, alpha, s, beta, x, big_t)
    else:  # each term depends on (x, t_x) or (x, T) only: evaluate 2F1 once per distinct pair
        (c1, p1), (c2, p2) = pairs
        l1 = _log_term(r, alpha, s, beta, *p1)[c1]
        l2 = _log_term(r, alpha, s, beta, *p2)[c2]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(l1 > l2, l1 + np.log1p(-np.exp(l2 - l1)), -np.inf)


def _loglik(theta, x, t_x, big_t, pairs=None):
    r, alpha, s, beta = np.exp(theta)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    left = np.log(s / (r + s + x)) + _log_a0(r, alpha, s, beta, x, t_x, big_t, pairs)
    return head + np.logaddexp(alive, left)


def pareto_nbd_loglik(params: dict[str, float], frequency: Any, recency: Any, T: Any) -> np.ndarray:
    """Per-customer Pareto/NBD log-likelihood (module formula)."""
    x, t_x, big_t = check_rft(frequency, recency, T)
    return _loglik(np.log([params[k] for k in _NAMES]), x, t_x, big_t)


def _pow_ratio(u, e):
    r"""``(1 - u**e) / e`` for ``0 < u <= 1``, with its limit ``-ln u`` at ``e = 0``."""
    log_u = np.log(u)
    if abs(e) < 1e-10:
        return -log_u
    return -np.expm1(e * log_u) / e


@dataclass(frozen=True)
class ParetoNBD:
    r"""A fitted Pareto/NBD model (formulas in :mod:`crmbook.models.pareto_nbd`).

    Attributes
    ----------
    params : dict
        ``r``, ``alpha`` (purchase rate, gamma shape and rate), ``s``, ``beta`` (dropout rate, gamma
        shape and rate); ``alpha`` and ``beta`` in the time unit.
    loglik, n, time_unit, converged, standard_errors, message
        As for :class:`crmbook.models.BGNBD`.
    """

    params: dict[str, float]
    loglik: float
    n: int
    time_unit: str
    converged: bool = True
    standard_errors: dict[str, float] = field(default_factory=dict)
    message: str = ""

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        r"""Probability that each customer is still alive at age ``T`` (Fader & Hardie 2005 note, eq. 18):

        .. math::
            P(\text{alive} \mid x, t_x, T) = \left[1 + \frac{s}{r+s+x}(\alpha+T)^{r+x}(\beta+T)^s A_0
            \right]^{-1}.

        Unlike BG/NBD, a one-time buyer's P(alive) falls as she stays silent (dropout can happen at any
        moment). Ages in the model's time unit.
        """
        r, alpha, s, beta = (self.params[k] for k in _NAMES)
        x, t_x, big_t = check_rft(frequency, recency, T)
        log_odds = (np.log(s / (r + s + x)) + (r + x) * np.log(alpha + big_t) + s * np.log(beta + big_t)
                    + _log_a0(r, alpha, s, beta, x, t_x, big_t))
        return 1.0 / (1.0 + np.exp(log_odds))

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        r"""Expected purchases in the next ``t`` time units given the history (FH 2005 note, eq. 21):

        .. math::
            E[Y(t) \mid x,t_x,T] = \frac{(r+x)(\beta+T)}{(\alpha+T)(s-1)}
            \left[1 - \left(\frac{\beta+T}{\beta+T+t}\right)^{s-1}\right] P(\text{alive} \mid x,t_x,T)

        (at :math:`s = 1` the bracket over :math:`s-1` becomes :math:`\ln\frac{\beta+T+t}{\beta+T}`).
        """
        r, alpha, s, beta = (self.params[k] for k in _NAMES)
        x, t_x, big_t = check_rft(frequency, recency, T)
        t = _horizon(t)
        ratio = _pow_ratio((beta + big_t) / (beta + big_t + t), s - 1)
        return (r + x) * (beta + big_t) / (alpha + big_t) * ratio * self.p_alive(x, t_x, big_t)

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        r"""Expected repeat purchases of a new customer in her first ``t`` time units (FH 2005 note, eq. 17):

        .. math:: E[X(t)] = \frac{r\beta}{\alpha(s-1)}\left[1 - \left(\frac{\beta}{\beta+t}\right)^{s-1}\right].
        """
        r, alpha, s, beta = (self.params[k] for k in _NAMES)
        t = _horizon(t)
        return r * beta / alpha * _pow_ratio(beta / (beta + t), s - 1)


def fit_pareto_nbd(frequency: Any, recency: Any, T: Any, *, time_unit: str | None = None,
                   weights: Any = None) -> ParetoNBD:
    r"""Fit the Pareto/NBD model by maximum likelihood (formula in :mod:`crmbook.models.pareto_nbd`).

    Identical rows are compressed with weights; L-BFGS-B over :math:`\ln(r,\alpha,s,\beta)` (numerical
    gradient) from three starts (on a systematic subsample when there are many distinct rows, the best
    then refined on all of them).

    Parameters
    ----------
    frequency, recency, T, time_unit, weights
        As for :func:`crmbook.models.fit_bgnbd`.

    Returns
    -------
    ParetoNBD

    Raises
    ------
    ModelFitError
        No repeat buyers, or no convergence. ValueError: bad input, naming the rows.
    """
    unit = resolve_time_unit(time_unit, frequency, recency, T)
    x, t_x, big_t = check_rft(frequency, recency, T)
    n = len(x)
    if n == 0:
        raise ModelFitError("Pareto/NBD", 0, "no customers")
    if not (x > 0).any():
        raise ModelFitError("Pareto/NBD", n, "no customer made a repeat purchase (frequency is 0 for all), so "
                                             "the purchase and dropout rates cannot be told apart")
    (x, t_x, big_t), w = compress(x, t_x, big_t, weights=None if weights is None else np.asarray(weights, float))

    def objective(rows):
        xs, txs, ts, ws = x[rows], t_x[rows], big_t[rows], w[rows] * (w.sum() / w[rows].sum())
        pairs = (_distinct_pairs(xs, txs), _distinct_pairs(xs, ts))

        def neg(theta):
            with np.errstate(all="ignore"):
                value = -(ws * _loglik(theta, xs, txs, ts, pairs)).sum()
            return value if np.isfinite(value) else np.inf
        return neg

    neg = objective(slice(None))
    sub = subsample(len(x))

    rate = max(np.dot(w, x) / max(np.dot(w, big_t), 1e-12), 1e-8)
    span = max(np.average(big_t, weights=w), 1e-8)
    starts = [(1.0, 1.0 / rate, 1.0, span), (0.5, 0.5 / rate, 0.5, span), (2.0, 2.0 / rate, 1.0, 3 * span)]
    params, loglik, theta, message = maximise("Pareto/NBD", n, _NAMES, neg, starts, jac=False, scale=w.sum(),
                                              coarse=None if sub is None else objective(sub))
    se = dict(zip(_NAMES, map(float, standard_errors(neg, theta, jac=False)), strict=True))
    return ParetoNBD(params=params, loglik=loglik, n=n, time_unit=unit, standard_errors=se, message=message)
