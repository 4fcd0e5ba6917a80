"""Pareto/NBD: the published CDNOW estimates, the hypergeometric numerics, hand-checked limits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from crmbook.models import ModelFitError, ParetoNBD, fit_pareto_nbd
from crmbook.models.pareto_nbd import pareto_nbd_loglik


def test_cdnow_estimates_match_the_published_ones(cdnow):
    """Fader, Hardie & Lee (2005) report for CDNOW (2,357 customers, weeks) r = 0.553, alpha = 10.58,
    s = 0.606, beta = 11.67, LL = -9595.0 (also lifetimes' documented estimates)."""
    m = fit_pareto_nbd(cdnow.frequency, cdnow.recency, cdnow["T"], time_unit="W")
    for name, published in {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}.items():
        assert m.params[name] == pytest.approx(published, rel=0.01), name
    assert m.loglik == pytest.approx(-9595.0, abs=0.1)


def _likelihood_by_integration(r, alpha, s, beta, x, t_x, big_t):
    """The Pareto/NBD likelihood from its definition (FH 2005 note, eq. 5 mixed over gamma lambda, mu):
    L(lambda, mu) = lambda^x mu e^{-(lambda+mu) tau} integrated over death times t_x < tau <= T, plus
    lambda^x e^{-(lambda+mu) T} for still alive. Mixing over the gammas first gives, per tau,
    Gamma(r+x)/Gamma(r) alpha^r / (alpha+tau)^(r+x) * s beta^s / (beta+tau)^(s+1)."""
    from scipy.special import gammaln
    c = np.exp(gammaln(r + x) - gammaln(r)) * alpha ** r * beta ** s
    alive = c / ((alpha + big_t) ** (r + x) * (beta + big_t) ** s)
    dead = quad(lambda tau: c * s / ((alpha + tau) ** (r + x) * (beta + tau) ** (s + 1)), t_x, big_t)[0]
    return alive + dead


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.61, 11.7), (0.8, 3.0, 1.4, 40.0), (2.0, 50.0, 0.3, 2.0)])
@pytest.mark.parametrize("history", [(0, 0.0, 39.0), (2, 30.43, 38.86), (12, 5.0, 60.0), (40, 38.0, 39.0)])
def test_likelihood_equals_numerical_integration(params, history):
    """The closed form with the Euler-transformed 2F1 (both branches alpha >= beta and alpha < beta)
    equals the likelihood integrated numerically from its definition."""
    r, alpha, s, beta = params
    ll = pareto_nbd_loglik(dict(zip(("r", "alpha", "s", "beta"), params, strict=True)), *map(np.atleast_1d, history))
    assert np.exp(ll[0]) == pytest.approx(_likelihood_by_integration(r, alpha, s, beta, *history), rel=1e-7)


def test_p_alive_and_expectation_limits():
    """P(alive) at T = t_x is 1 (A0 = 0); a one-time buyer's P(alive) falls with T; E[X(t)] of a new
    customer at s = 1 is r beta / alpha * ln((beta + t) / beta) (limit of the general formula), here
    1 * 10 / 5 * ln(2) with t = 10."""
    m = ParetoNBD(params={"r": 1.0, "alpha": 5.0, "s": 1.0, "beta": 10.0}, loglik=0.0, n=1, time_unit="W")
    assert m.p_alive(3, 20.0, 20.0)[0] == pytest.approx(1.0)
    pa = m.p_alive([0, 0, 0], [0.0, 0.0, 0.0], [1.0, 10.0, 50.0])
    assert pa[0] > pa[1] > pa[2]
    assert m.expected_purchases_new(10.0) == pytest.approx(2 * np.log(2))
    near = ParetoNBD(params={"r": 1.0, "alpha": 5.0, "s": 1.0 + 1e-7, "beta": 10.0}, loglik=0.0, n=1, time_unit="W")
    assert near.expected_purchases_new(10.0) == pytest.approx(2 * np.log(2), rel=1e-6)
    # a new customer's conditional expectation equals the unconditional one
    assert m.expected_purchases(10.0, 0, 0.0, 0.0)[0] == pytest.approx(m.expected_purchases_new(10.0))


def test_no_repeat_buyers_is_a_clear_error():
    with pytest.raises(ModelFitError, match="Pareto/NBD fit on 2 customers failed: no customer made a repeat"):
        fit_pareto_nbd([0, 0], [0.0, 0.0], [3.0, 4.0], time_unit="W")
