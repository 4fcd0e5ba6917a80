"""ModelFitError: which model, how many customers, the last parameters and why, in one message."""

from __future__ import annotations

import numpy as np
import pytest

from crmbook.models import ModelFitError
from crmbook.models._fitting import maximise


def test_message_names_model_customers_parameters_and_reason():
    err = ModelFitError("BG/NBD", 1234, "the optimiser did not converge (ABNORMAL)", {"r": 0.5, "alpha": 3.25})
    assert str(err) == ("BG/NBD fit on 1,234 customers failed: the optimiser did not converge (ABNORMAL). "
                        "Last parameters: r=0.5, alpha=3.25")
    assert (err.model, err.n, err.params) == ("BG/NBD", 1234, {"r": 0.5, "alpha": 3.25})
    assert "not started" in str(ModelFitError("sBG", 10, "nobody left"))


def test_a_parameter_running_away_is_refused():
    """-LL = -theta decreases forever as theta grows: the optimum is at the bound, so not identified."""
    with pytest.raises(ModelFitError, match="the estimate of p ran to the edge of the allowed range") as err:
        maximise("Test", 5, ["p"], lambda th: (-th[0], np.array([-1.0])), [(1.0,)], jac=True, scale=1.0)
    assert err.value.params["p"] > 1e7


def test_no_convergence_reports_the_optimisers_message():
    """A gradient that contradicts the function (it points the wrong way) makes every line search fail:
    the fit stops with a large gradient and the error carries L-BFGS-B's own message."""
    def wrong(theta):
        return float(np.sum((theta - 1.0) ** 2)), -2.0 * (theta - 1.0)
    with pytest.raises(ModelFitError, match=r"Test fit on 7 customers failed: the optimiser did not converge "
                                            r"\(ABNORMAL") as err:
        maximise("Test", 7, ["u", "v"], wrong, [(0.5, 4.0)], jac=True, scale=1.0)
    assert set(err.value.params) == {"u", "v"}
