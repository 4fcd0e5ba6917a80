"""Shifted-beta-geometric: Fader & Hardie (2007)'s published example and hand-checked formulas."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import crmbook.models.sbg as sbg_module
from crmbook.models import SBG, ModelFitError, fit_sbg

#: Fader & Hardie (2007), "How to project customer retention", Table 1: active customers out of 1,000 at
#: the start of years 0..12 (the paper fits years 0..7 and projects the rest).
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]


@pytest.mark.parametrize("counts, alpha, beta", [(HIGH_END, 0.668, 3.806), (REGULAR, 0.704, 1.182)])
def test_published_estimates(counts, alpha, beta):
    """Fitted on years 0..7 the paper reports high end alpha = 0.668, beta = 3.806 and regular
    alpha = 0.704, beta = 1.182; we reproduce them to the 3 decimals printed."""
    m = fit_sbg(counts[:8])
    assert round(m.params["alpha"], 3) == alpha and round(m.params["beta"], 3) == beta
    assert m.n == 1000 and m.periods == 7


@pytest.mark.parametrize("counts", [HIGH_END, REGULAR])
def test_projection_of_years_8_to_12(counts):
    """The paper's point: the sBG fitted on 7 years projects years 8..12 closely. The projected survivors
    1000 * S(t) for t = 8..12 are within 5% of the actual counts, and the projected retention rate rises
    with tenure, as the actual one does."""
    m = fit_sbg(counts[:8])
    actual = np.array(counts[8:], dtype=float)
    projected = 1000 * m.survival(np.arange(8, 13))
    assert np.all(np.abs(projected / actual - 1) < 0.05)
    assert np.all(np.diff(m.retention(np.arange(1, 13))) > 0)


def test_formulas_by_hand():
    """alpha = 1, beta = 1 (churn probability uniform on (0, 1)): S(t) = B(1, 1+t)/B(1, 1) = 1/(1+t);
    P(T = 1) = 1/2, P(T = 2) = B(2, 2)/B(1, 1) = 1/6; r_2 = S(2)/S(1) = (1/3)/(1/2) = 2/3 = (b+1)/(a+b+1)."""
    m = SBG(params={"alpha": 1.0, "beta": 1.0}, loglik=0.0, n=1, periods=1)
    assert m.survival([0, 1, 2, 9]) == pytest.approx([1, 1 / 2, 1 / 3, 1 / 10])
    assert m.churn_probability([1, 2]) == pytest.approx([1 / 2, 1 / 6])
    assert m.retention(2) == pytest.approx(2 / 3)


def test_bad_counts_and_unidentified_cohorts():
    with pytest.raises(ValueError, match=r"must not increase .* rises after period\(s\) 1"):
        fit_sbg([100, 80, 85])
    with pytest.raises(ValueError, match="at least two counts"):
        fit_sbg([100])
    with pytest.raises(ValueError, match="whole numbers"):
        fit_sbg([100, 80.5])
    with pytest.raises(ModelFitError, match="sBG fit on 100 customers failed: nobody left"):
        fit_sbg([100, 100, 100])
    with pytest.raises(ModelFitError, match="everybody left in the first period"):
        fit_sbg([100, 0, 0])


def test_docstring_examples():
    result = doctest.testmod(sbg_module)
    assert result.attempted >= 2 and result.failed == 0
