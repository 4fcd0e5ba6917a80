"""Shared machinery of the model fits: input checks, compression of identical rows, the optimiser.

Private to :mod:`crmbook.models`. Every fit maximises a log-likelihood over the logarithms of its
(positive) parameters with :func:`scipy.optimize.minimize` (L-BFGS-B, bounded in log space), from several
starting points; the best optimum wins. Identical customer rows are fitted once with a weight (their
count), terms that depend on one column only are computed once per distinct value, and with many
distinct rows the multi-start search runs on a systematic subsample whose best optimum is then refined
on all rows: a BG/NBD fit on 100,000 customers takes a fraction of a second (benchmarks/bench_models.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from crmbook.models.errors import ModelFitError

#: Length of one time unit in days: "D" day, "W" week (7 days), "M" month (30.4375 days = 365.25 / 12).
TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}

#: Bounds of every log-parameter: the parameters stay within [e^-18, e^18] (about 1.5e-8 .. 6.6e7).
_LOG_BOUND = 18.0


def unit_days(time_unit: str) -> float:
    """Days in ``time_unit`` ("D", "W" or "M"); a clear error for anything else."""
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {', '.join(map(repr, TIME_UNITS))} "
                         f"(day, 7-day week, 30.4375-day month), got {time_unit!r}")
    return TIME_UNITS[time_unit]


def resolve_time_unit(time_unit: str | None, *columns: Any) -> str:
    """The time unit of a fit: the argument, else the ``attrs["time_unit"]`` that a summary column carries.

    A column from :func:`crmbook.models.customer_summary` carries its unit; plain arrays carry none, and
    then ``time_unit`` must be given (a rate per day and a rate per week differ by a factor of 7).
    """
    found = {c.attrs["time_unit"] for c in columns if isinstance(c, pd.Series) and "time_unit" in c.attrs}
    if len(found) > 1:
        raise ValueError(f"the columns carry different time units: {sorted(found)}")
    if time_unit is None:
        if not found:
            raise ValueError("time_unit is not known: pass time_unit='D', 'W' or 'M' (the unit of recency "
                             "and T), or columns of a customer_summary, which carry it")
        time_unit = found.pop()
    elif found and time_unit not in found:
        raise ValueError(f"time_unit={time_unit!r} but the summary columns are in {found.pop()!r}")
    unit_days(time_unit)
    return time_unit


def _labels(values: Any, n: int) -> np.ndarray:
    return np.asarray(values.index) if isinstance(values, pd.Series) and len(values.index) == n else np.arange(n)


def _name_rows(labels: np.ndarray, mask: np.ndarray, limit: int = 5) -> str:
    bad = labels[mask]
    shown = ", ".join(map(str, bad[:limit])) + (" ..." if len(bad) > limit else "")
    return f"{len(bad):,} row(s): {shown}"


def as_float(name: str, values: Any, labels: np.ndarray | None = None) -> np.ndarray:
    """``values`` as a 1-d float array; NaN or infinite entries raise a ValueError naming the rows."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: numbers were expected ({exc})") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise ValueError(f"{name}: a one-dimensional column was expected, got shape {arr.shape}")
    if labels is None:
        labels = _labels(values, len(arr))
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name}: missing or infinite values in {_name_rows(labels, bad)}")
    return arr


def check_rft(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check frequency / recency / T columns (lifetimes conventions) and return them as float arrays.

    Rules, each failing with a ValueError that names the rows (index labels of a Series, else positions):
    equal lengths; no missing values; frequency a whole number >= 0; 0 <= recency <= T; recency == 0 when
    frequency == 0 and recency > 0 when frequency > 0 (a repeat purchase happens after the first).
    """
    n = np.size(frequency)
    labels = _labels(frequency, n)
    x = as_float("frequency", frequency, labels)
    t_x = as_float("recency", recency, labels if np.size(recency) == n else None)
    big_t = as_float("T", T, labels if np.size(T) == n else None)
    if not len(x) == len(t_x) == len(big_t):
        raise ValueError(f"frequency, recency and T must have one value per customer; got lengths "
                         f"{len(x)}, {len(t_x)}, {len(big_t)}")
    checks = [
        (x < 0, "frequency (number of repeat purchases) must be >= 0"),
        (x != np.round(x), "frequency must be a whole number"),
        (t_x < 0, "recency (age at the last purchase) must be >= 0"),
        (t_x > big_t * (1 + 1e-12) + 1e-12, "recency must not exceed T (age at the end of the period)"),
        ((x == 0) & (t_x != 0), "recency must be 0 when frequency is 0 (no repeat purchase)"),
        ((x > 0) & (t_x == 0), "recency must be > 0 when frequency > 0 (repeats follow the first purchase)"),
    ]
    for mask, message in checks:
        if mask.any():
            raise ValueError(f"{message}; violated in {_name_rows(labels, mask)}")
    return x, t_x, big_t


def codes_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, distinct)`` with ``distinct[codes] == values``: hash-based (pandas.factorize), no sort."""
    codes, distinct = pd.factorize(np.asarray(values))
    return codes.astype(np.intp), np.asarray(distinct)


def compress(*columns: np.ndarray, weights: np.ndarray | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """Identical rows of ``columns`` once, with their count (or summed ``weights``) as weight.

    Each column is coded by its distinct values, the codes are combined into one integer key (injective:
    mixed radix) and the keys are coded again; all hash-based, much faster than ``np.unique(axis=0)``.
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    for col in columns:
        codes, distinct = codes_of(col)
        key = key * max(len(distinct), 1) + codes  # < n ** 3 < 2 ** 63 for n < 2 million rows
    codes, keys = codes_of(key)
    first = np.empty(len(keys), dtype=np.intp)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)  # the first row of each distinct key
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    counts = np.bincount(codes, weights=w, minlength=len(keys))
    return [np.asarray(col)[first] for col in columns], counts


#: Above this many distinct rows the multi-start search runs on a systematic subsample (see maximise).
COARSE_ROWS = 20_000


def subsample(n_rows: int) -> np.ndarray | None:
    """Every k-th row (k = ceil(n / 5,000)) when there are more than :data:`COARSE_ROWS` rows, else None."""
    if n_rows <= COARSE_ROWS:
        return None
    return np.arange(0, n_rows, int(np.ceil(n_rows / 5_000)))


def maximise(model: str, n: int, names: Sequence[str], neg_loglik: Callable[[np.ndarray], Any],
             starts: Sequence[Sequence[float]], *, jac: bool, scale: float,
             coarse: Callable[[np.ndarray], Any] | None = None) -> tuple[dict[str, float], float, np.ndarray, str]:
    """Maximise a log-likelihood over log-parameters from several starts; raise ModelFitError on failure.

    Parameters
    ----------
    neg_loglik : callable
        ``theta -> -LL`` (or ``(-LL, -dLL/dtheta)`` when ``jac``), ``theta`` the log-parameters.
    starts : sequence
        Starting parameters (natural scale).
    scale : float
        The objective is divided by ``scale`` (the number of customers) so that the optimiser's tolerances
        mean the same for 100 and for 100,000 customers.
    coarse : callable, optional
        The same objective on a systematic subsample of the rows (weights scaled up). When given, the
        starts are run on it, and only its best optimum is refined on the full objective: the multi-start
        search costs a fraction, and the estimate is still the full data's maximum (to the tolerance).

    Returns
    -------
    params, loglik, theta, message
        The parameters (natural scale), the maximum log-likelihood, the optimum in log space and the
        optimiser's message.
    """
    def scaled(fn):
        def objective(theta):
            out = fn(theta)
            return (out[0] / scale, out[1] / scale) if jac else out / scale
        return objective

    objective = scaled(neg_loglik)
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(names)
    options = {"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9}
    results = []
    # one BLAS thread: L-BFGS-B's tiny vector operations only lose time waking threads on a busy machine
    with np.errstate(all="ignore"), threadpool_limits(limits=1, user_api="blas"):
        search = objective if coarse is None else scaled(coarse)
        for start in starts:
            theta0 = np.clip(np.log(np.asarray(start, dtype=float)), -_LOG_BOUND + 1, _LOG_BOUND - 1)
            res = minimize(search, theta0, jac=jac, method="L-BFGS-B", bounds=bounds, options=options)
            if np.isfinite(res.fun):
                results.append(res)
        if coarse is not None and results:
            theta0 = np.clip(min(results, key=lambda r: r.fun).x, -_LOG_BOUND, _LOG_BOUND)
            res = minimize(objective, theta0, jac=jac, method="L-BFGS-B", bounds=bounds, options=options)
            results = [res] if np.isfinite(res.fun) else []
    if not results:
        raise ModelFitError(model, n, "the log-likelihood was not finite at any starting point",
                            dict(zip(names, np.asarray(starts[0], dtype=float), strict=True)))
    best = min(results, key=lambda r: r.fun)
    params = dict(zip(names, map(float, np.exp(best.x)), strict=True))
    grad = _gradient(objective, best.x, jac)
    at_bound = np.abs(best.x) >= _LOG_BOUND - 1e-6
    if at_bound.any():
        which = ", ".join(np.asarray(names)[at_bound])
        raise ModelFitError(model, n, f"the estimate of {which} ran to the edge of the allowed range "
                                      f"(e^±{_LOG_BOUND:g}): the data cannot identify the model", params)
    if not best.success and np.max(np.abs(grad)) > 1e-5:
        raise ModelFitError(model, n, f"the optimiser did not converge ({best.message}; largest gradient "
                                      f"{np.max(np.abs(grad)):.2g})", params)
    return params, float(-best.fun * scale), best.x, str(best.message)


def _gradient(objective, theta, jac, h=1e-6):
    if jac:
        return np.asarray(objective(theta)[1])
    return np.array([(objective(theta + h * e) - objective(theta - h * e)) / (2 * h) for e in np.eye(len(theta))])


def standard_errors(neg_loglik: Callable[[np.ndarray], Any], theta: np.ndarray, *, jac: bool) -> np.ndarray:
    """Asymptotic standard errors of the natural parameters from the observed information (delta method).

    The Hessian of -LL in log space is taken by finite differences (forward differences of the analytic
    gradient when ``jac``, central differences of -LL otherwise); ``se(param) = param * sqrt(diag(H^-1))``. NaN where the Hessian is not positive definite.
    """
    k, h = len(theta), 1e-4
    if jac:  # forward differences of the analytic gradient: k + 1 evaluations
        g = lambda t: np.asarray(neg_loglik(t)[1])  # noqa: E731
        g0 = g(theta)
        hess = np.array([(g(theta + h * e) - g0) / h for e in np.eye(k)])
    else:
        f = lambda t: float(neg_loglik(t))  # noqa: E731
        hess = np.empty((k, k))
        f0, eye = f(theta), np.eye(k)
        for i in range(k):  # central differences; the matrix is symmetric, so j >= i only
            hess[i, i] = (f(theta + 2 * h * eye[i]) - 2 * f0 + f(theta - 2 * h * eye[i])) / (4 * h * h)
            for j in range(i + 1, k):
                ei, ej = h * eye[i], h * eye[j]
                hess[i, j] = hess[j, i] = (f(theta + ei + ej) - f(theta + ei - ej)
                                           - f(theta - ei + ej) + f(theta - ei - ej)) / (4 * h * h)
    hess = (hess + hess.T) / 2
    try:
        cov = np.linalg.inv(hess)
        var = np.diag(cov)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    return np.where(var > 0, np.exp(theta) * np.sqrt(np.abs(var)), np.nan)
