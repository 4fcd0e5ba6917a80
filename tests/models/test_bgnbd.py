"""BG/NBD: the published CDNOW estimates, hand-checked formulas, edge cases and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmbook.models import ModelFitError, customer_summary, fit_bgnbd
from crmbook.models.bgnbd import BGNBD, bgnbd_loglik


def test_cdnow_estimates_match_the_paper(cdnow):
    """Fader, Hardie & Lee (2005), CDNOW 1/10 sample, 2,357 customers, 39 weeks: r = 0.243,
    alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4 (their Table / Figure 1)."""
    bg = fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow["T"], time_unit="W")
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert bg.params[name] == pytest.approx(published, rel=0.01), name
    assert bg.loglik == pytest.approx(-9582.4, abs=0.1)
    assert bg.n == 2357 and bg.time_unit == "W" and bg.converged


def test_cdnow_conditional_expectation(cdnow):
    """FHL 2005 (section 4): customer 1 (x = 2, t_x = 30.43, T = 38.86) is expected to make 1.226
    purchases in the next 39 weeks."""
    bg = fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow["T"], time_unit="W")
    assert bg.expected_purchases(39, 2, 30.43, 38.86)[0] == pytest.approx(1.226, abs=5e-4)
    # vectorised over customers and over horizons
    e = bg.expected_purchases(np.array([[39.0], [78.0]]), cdnow.frequency, cdnow.recency, cdnow["T"])
    assert e.shape == (2, 2357) and np.all(e[1] > e[0])


def test_p_alive_and_expectations_by_hand():
    """r = 1, alpha = 2, a = 1, b = 3, customer x = 2, t_x = 2, T = 6:
    P(alive) = 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)) = 1 / (1 + 1/4 * 2^3) = 1/3.
    New customer, r = 1, alpha = 1, a = 2, b = 1, t = 1: 2F1(1, 1; 2; 1/2) = -ln(1/2)/(1/2) = 2 ln 2,
    E[X(1)] = (a+b-1)/(a-1) * (1 - (1/2)^1 * 2 ln 2) = 2 (1 - ln 2) = 0.6137."""
    bg = BGNBD(params={"r": 1.0, "alpha": 2.0, "a": 1.0, "b": 3.0}, loglik=0.0, n=1, time_unit="W")
    assert bg.p_alive(2, 2.0, 6.0)[0] == pytest.approx(1 / 3)
    bg2 = BGNBD(params={"r": 1.0, "alpha": 1.0, "a": 2.0, "b": 1.0}, loglik=0.0, n=1, time_unit="W")
    assert bg2.expected_purchases_new(1.0) == pytest.approx(2 * (1 - np.log(2)))
    # a customer with no history at age 0 is a new customer
    assert bg2.expected_purchases(1.0, 0, 0.0, 0.0)[0] == pytest.approx(2 * (1 - np.log(2)))


def test_loglik_by_hand():
    """x = 0, T = 3, r = 1, alpha = 1, a = 1, b = 1: L = (alpha/(alpha+T))^r = 1/4.
    x = 1, t_x = 1, T = 3, same parameters: B(1,2)/B(1,1) * Gamma(2) * 1 * [1/4^2 + 1/1 * 1/2^2]
    = 1/2 * (1/16 + 1/4) = 5/32."""
    p = {"r": 1.0, "alpha": 1.0, "a": 1.0, "b": 1.0}
    ll = bgnbd_loglik(p, [0, 1], [0.0, 1.0], [3.0, 3.0])
    assert np.exp(ll) == pytest.approx([1 / 4, 5 / 32])


def test_analytic_gradient_matches_finite_differences(cdnow):
    """The per-row gradient and the weighted total the fit uses both equal central differences of the
    log-likelihood (and the total equals the weighted sum of the rows)."""
    from crmbook.models.bgnbd import _Design
    x, t_x, big_t = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.random.default_rng(0).integers(1, 4, size=len(x)).astype(float)
    design = _Design(x, t_x, big_t, w)
    theta = np.log([0.5, 3.0, 0.9, 2.0])
    rows, g = design.rows(theta)
    neg_total, neg_grad = design.total(theta)
    assert -neg_total == pytest.approx(np.dot(w, rows), rel=1e-12)
    assert -neg_grad == pytest.approx(g @ w, rel=1e-10)
    h = 1e-6
    for k in range(4):
        e = np.eye(4)[k] * h
        fd = (np.dot(w, design.rows(theta + e)[0]) - np.dot(w, design.rows(theta - e)[0])) / (2 * h)
        assert (g @ w)[k] == pytest.approx(fd, rel=1e-6)


def test_one_time_buyer_is_alive_for_sure(cdnow):
    """Under BG/NBD dropout happens only right after a repeat purchase: x = 0 gives P(alive) = 1 at
    any age, while a repeat buyer silent for long gets less."""
    bg = fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow["T"], time_unit="W")
    assert np.all(bg.p_alive([0, 0], [0.0, 0.0], [1.0, 500.0]) == 1.0)
    assert bg.p_alive(3, 1.0, 38.0)[0] < 0.2


def test_no_repeat_buyers_is_a_clear_error():
    with pytest.raises(ModelFitError) as err:
        fit_bgnbd([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 3.0, 1.0], time_unit="W")
    assert err.value.model == "BG/NBD" and err.value.n == 3
    assert "no customer made a repeat purchase" in str(err.value)


@pytest.mark.parametrize("x, t_x, T, message", [
    ([1, 2], [-1.0, 2.0], [5.0, 5.0], "recency (age at the last purchase) must be >= 0; violated in 1 row(s): c1"),
    ([1, 2], [1.0, 6.0], [5.0, 5.0], "recency must not exceed T (age at the end of the period); violated in 1 row(s): c2"),
    ([1, np.nan], [1.0, 2.0], [5.0, 5.0], "frequency: missing or infinite values in 1 row(s): c2"),
    ([1, 2], [1.0, 2.0], [np.nan, 5.0], "T: missing or infinite values in 1 row(s): c1"),
    ([1.5, 2], [1.0, 2.0], [5.0, 5.0], "frequency must be a whole number"),
    ([0, 2], [1.0, 2.0], [5.0, 5.0], "recency must be 0 when frequency is 0"),
])
def test_bad_input_names_the_rows(x, t_x, T, message):
    idx = pd.Index(["c1", "c2"], name="customer_id")
    with pytest.raises(ValueError) as err:
        fit_bgnbd(pd.Series(x, index=idx), pd.Series(t_x, index=idx), pd.Series(T, index=idx), time_unit="W")
    assert message in str(err.value)


def test_time_unit_is_explicit():
    """Plain arrays need a unit; summary columns carry theirs; a contradicting unit is refused.
    A rate fitted in days is 7 times a rate in weeks: alpha (a time scale) scales by 7, r, a, b not."""
    x, t_x, big_t = [0, 1, 3, 0, 2, 5], [0, 4.0, 9.0, 0, 6.0, 11.0], [10.0, 10, 12, 8, 9, 12]
    with pytest.raises(ValueError, match="time_unit is not known"):
        fit_bgnbd(x, t_x, big_t)
    weeks = fit_bgnbd(x, t_x, big_t, time_unit="W")
    days = fit_bgnbd(np.array(x), np.array(t_x) * 7, np.array(big_t) * 7, time_unit="D")
    assert days.params["alpha"] == pytest.approx(7 * weeks.params["alpha"], rel=1e-4)
    assert days.params["r"] == pytest.approx(weeks.params["r"], rel=1e-4)
    orders = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "B", "C"],
                           "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-05", "2025-01-20",
                                                         "2025-03-01", "2025-02-10"]),
                           "revenue": 1.0})
    s = customer_summary(orders, "2025-04-01", time_unit="D")
    with pytest.raises(ValueError, match="time_unit='W' but the summary columns are in 'D'"):
        fit_bgnbd(s.frequency, s.recency, s["T"], time_unit="W")


def test_weights_equal_repeated_rows(cdnow):
    """Compression is exact: 2 rows with weight 3 fit as 6 rows."""
    sub = cdnow.iloc[:400]
    w = fit_bgnbd(sub.frequency, sub.recency, sub["T"], time_unit="W", weights=np.full(400, 3.0))
    rep = pd.concat([sub] * 3)
    r = fit_bgnbd(rep.frequency, rep.recency, rep["T"], time_unit="W")
    for k in w.params:
        assert w.params[k] == pytest.approx(r.params[k], rel=1e-6)
    assert w.loglik == pytest.approx(r.loglik)


def test_subsample_search_gives_the_full_data_optimum(monkeypatch):
    """Above COARSE_ROWS distinct rows the starts run on a systematic subsample and only the best is refined
    on all rows. 30,000 simulated customers with continuous ages: the estimate equals the one of the plain
    multi-start on all rows (COARSE_ROWS raised above the row count) to 1e-6 relative, and so does LL."""
    import crmbook.models._fitting as fitting
    from crmbook.models import simulate_bgnbd
    T = np.random.default_rng(4).uniform(10, 150, size=30_000)
    sim = simulate_bgnbd({"r": 0.6, "alpha": 6.0, "a": 0.7, "b": 2.5}, T, seed=4)
    quick = fit_bgnbd(sim.frequency, sim.recency, sim["T"])
    monkeypatch.setattr(fitting, "COARSE_ROWS", 10**9)
    plain = fit_bgnbd(sim.frequency, sim.recency, sim["T"])
    for k in quick.params:
        assert quick.params[k] == pytest.approx(plain.params[k], rel=1e-6)
    assert quick.loglik == pytest.approx(plain.loglik, rel=1e-12)


def test_compression_is_exact():
    """compress keeps each distinct row once with its count: the same rows and counts as numpy's
    np.unique(axis=0) (which sorts), checked on 5,000 rows drawn from a small grid (many repeats)."""
    from crmbook.models._fitting import compress
    rng = np.random.default_rng(0)
    cols = [rng.integers(0, 4, 5000).astype(float), rng.integers(0, 6, 5000) / 7, rng.integers(0, 5, 5000) * 1.5]
    (a, b, c), w = compress(*cols)
    ours = sorted(zip(a, b, c, w, strict=True))
    rows, counts = np.unique(np.column_stack(cols), axis=0, return_counts=True)
    assert ours == [(*r, float(k)) for r, k in zip(map(tuple, rows), counts, strict=True)]
    assert w.sum() == 5000
