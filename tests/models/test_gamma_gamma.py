"""Gamma-Gamma: the published CDNOW estimates, hand-checked formulas, exclusions, bad values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

from crmbook.models import GammaGamma, ModelFitError, fit_gamma_gamma, simulate_gamma_gamma
from crmbook.models.gamma_gamma import _Design


def test_cdnow_estimates_match_the_paper(cdnow_monetary):
    """Fader, Hardie & Lee (2005, "RFM and CLV"), CDNOW: p = 6.25, q = 3.74, gamma = 15.44, fitted on the
    946 customers with a repeat purchase; the 1,411 one-time buyers of the file are excluded and counted."""
    d = cdnow_monetary
    gg = fit_gamma_gamma(d.frequency, d.monetary_value)
    for name, published in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg.params[name] == pytest.approx(published, rel=0.01), name
    assert gg.n == 946 and gg.excluded == {"no_repeat_purchase": 1411, "nonpositive_value": 0}
    assert gg.n + sum(gg.excluded.values()) == len(d)
    # population mean spend p * gamma / (q - 1) = 6.25 * 15.44 / 2.74 = 35.2
    assert gg.mean_spend == pytest.approx(35.2, abs=0.1)


def test_expected_spend_by_hand():
    """p = 2, q = 3, gamma = 10: population mean = 2 * 10 / 2 = 10.
    x = 4, zbar = 20: p (gamma + x zbar) / (p x + q - 1) = 2 * 90 / 10 = 18
    (= 2/10 * 10 + 8/10 * 20, the weighted mean). x = 0: the population mean, whatever zbar says."""
    gg = GammaGamma(params={"p": 2.0, "q": 3.0, "gamma": 10.0}, loglik=0.0, n=1)
    assert gg.expected_spend([4, 0], [20.0, 0.0]) == pytest.approx([18.0, 10.0])
    assert gg.mean_spend == 10.0


def test_loglik_by_hand():
    """x = 1, p = 1, q = 1, gamma = 1, zbar = 1: f = Gamma(2)/(Gamma(1)Gamma(1)) * 1 * 1 * 1 / 2^2 = 1/4
    (the marginal of an exponential spend with an exponential-gamma rate: 1 / (1 + z)^2 at z = 1)."""
    ll = _Design(np.array([1.0]), np.array([1.0])).rows(np.zeros(3))[0]
    assert np.exp(ll[0]) == pytest.approx(0.25)
    x, m = np.array([2.0, 5.0]), np.array([3.0, 7.0])
    p, q, g = 1.5, 2.5, 4.0
    expected = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g) + (p * x - 1) * np.log(m)
                + p * x * np.log(x) - (p * x + q) * np.log(g + x * m))
    assert _Design(x, m).rows(np.log([p, q, g]))[0] == pytest.approx(expected)


def test_gradient_and_weighted_total(cdnow_monetary):
    """The per-row gradient equals central differences, and the weighted total the fit uses equals the
    weighted sum of the rows (value and gradient)."""
    d = cdnow_monetary[cdnow_monetary.frequency > 0]
    x, m = d.frequency.to_numpy(float), d.monetary_value.to_numpy(float)
    w = np.random.default_rng(1).integers(1, 4, size=len(x)).astype(float)
    design = _Design(x, m, w)
    theta = np.log([4.0, 2.5, 20.0])
    rows, g = design.rows(theta)
    neg_total, neg_grad = design.total(theta)
    assert -neg_total == pytest.approx(np.dot(w, rows), rel=1e-12)
    assert -neg_grad == pytest.approx(g @ w, rel=1e-10)
    h = 1e-6
    for k in range(3):
        e = np.eye(3)[k] * h
        fd = (np.dot(w, design.rows(theta + e)[0]) - np.dot(w, design.rows(theta - e)[0])) / (2 * h)
        assert (g @ w)[k] == pytest.approx(fd, rel=1e-6)


def test_recovers_simulated_parameters():
    """20,000 customers with 1..10 repeat purchases and the sample generator's retail parameters
    (p 6, q 4, gamma 175): each estimate within 3 of its Hessian standard errors of the truth
    (a two-sided 3-sigma check per parameter; the seed is fixed, so the test is reproducible)."""
    truth = {"p": 6.0, "q": 4.0, "gamma": 175.0}
    x = np.random.default_rng(7).integers(1, 11, size=20_000).astype(float)
    z = simulate_gamma_gamma(truth, x, seed=8)
    gg = fit_gamma_gamma(x, z)
    for k, v in truth.items():
        assert abs(gg.params[k] - v) < 3 * gg.standard_errors[k], (k, gg.params[k], gg.standard_errors[k])


def test_no_repeat_buyers_is_a_clear_error():
    with pytest.raises(ModelFitError, match="Gamma-Gamma fit on 3 customers failed: no customer has a repeat"):
        fit_gamma_gamma([0, 0, 0], [0.0, 0.0, 0.0])


def test_nonpositive_values_raise_or_are_counted():
    idx = pd.Index(["a", "b", "c", "d", "e"], name="customer_id")
    x = pd.Series([1, 2, 3, 0, 2], index=idx)
    m = pd.Series([10.0, -5.0, 12.0, 0.0, 8.0], index=idx)
    with pytest.raises(ValueError, match=r"zero or negative in 1 row\(s\): b"):
        fit_gamma_gamma(x, m)
    # 300 simulated repeat buyers plus one one-time buyer and one negative mean value (a refund)
    x2 = np.r_[np.random.default_rng(3).integers(1, 6, size=300), 0, 2].astype(float)
    m2 = np.r_[simulate_gamma_gamma({"p": 6.0, "q": 4.0, "gamma": 175.0}, x2[:300], seed=4), 0.0, -40.0]
    gg = fit_gamma_gamma(x2, m2, drop_nonpositive=True)
    assert gg.excluded == {"no_repeat_purchase": 1, "nonpositive_value": 1} and gg.n == 300
    assert gg.params == fit_gamma_gamma(x2[:300], m2[:300]).params
    with pytest.raises(ValueError, match=r"monetary_value: missing or infinite values in 1 row\(s\): c"):
        fit_gamma_gamma(x, m.where(m.index != "c"))


def test_identical_values_cannot_identify_the_model():
    """Every customer's mean value is the same 10.0: the likelihood keeps rising as p grows (no spread
    within or across customers), so there is no finite maximum and the fit must refuse."""
    with pytest.raises(ModelFitError, match="Gamma-Gamma fit on 50 customers failed"):
        fit_gamma_gamma(np.full(50, 3.0), np.full(50, 10.0))
