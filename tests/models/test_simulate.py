"""The simulators agree with the models' closed forms (each checks the other)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import crmbook.models.simulate as simulate_module
from crmbook.models import BGNBD, simulate_bgnbd, simulate_gamma_gamma

PARAMS = {"r": 0.8, "alpha": 8.0, "a": 0.8, "b": 3.0}


def test_mean_frequency_and_share_alive_match_the_formulas():
    """50,000 customers aged 52 weeks. E[X(52)] (FHL 2005 eq. 9) is the mean simulated frequency, and by
    the law of total expectation E[1{alive}] = E[P(alive | x, t_x, T)]: the simulated share still alive
    equals the mean of the closed-form P(alive) over the simulated histories. Both within 4 standard
    errors of the simulated mean (seeded)."""
    sim = simulate_bgnbd(PARAMS, 52.0, n=50_000, seed=5)
    bg = BGNBD(params=PARAMS, loglik=0.0, n=1, time_unit="W")
    se_x = sim.frequency.std() / np.sqrt(len(sim))
    assert abs(sim.frequency.mean() - bg.expected_purchases_new(52.0)) < 4 * se_x
    pa = bg.p_alive(sim.frequency, sim.recency, sim["T"])
    se_a = sim.alive.std() / np.sqrt(len(sim))
    assert abs(sim.alive.mean() - pa.mean()) < 4 * se_a
    # one-time buyers are alive by construction (dropout only after a repeat purchase)
    assert sim.alive[sim.frequency == 0].all()
    assert (sim.recency <= sim["T"]).all() and ((sim.recency > 0) == (sim.frequency > 0)).all()


def test_gamma_gamma_simulation_has_the_model_mean():
    """E[zbar] = E[p / nu] = p * gamma / (q - 1) = 6 * 175 / 3 = 350 for any x; 40,000 draws within
    4 standard errors."""
    z = simulate_gamma_gamma({"p": 6.0, "q": 4.0, "gamma": 175.0}, np.full(40_000, 3.0), seed=9)
    assert abs(z.mean() - 350.0) < 4 * z.std() / np.sqrt(len(z))


def test_seeded_and_checked():
    a = simulate_bgnbd(PARAMS, 10.0, n=100, seed=1)
    assert a.equals(simulate_bgnbd(PARAMS, 10.0, n=100, seed=1))
    assert a.attrs["time_unit"] == "W"
    with pytest.raises(ValueError, match="n \\(the number of customers\\) is needed"):
        simulate_bgnbd(PARAMS, 10.0, seed=1)
    with pytest.raises(TypeError):
        simulate_bgnbd(PARAMS, 10.0, n=3)  # no seed: refused


def test_docstring_examples():
    result = doctest.testmod(simulate_module)
    assert result.attempted >= 2 and result.failed == 0
