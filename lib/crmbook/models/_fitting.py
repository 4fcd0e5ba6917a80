"""Shared machinery of the model fits: input checks, compression of identical rows, the optimiser.

Private to :mod:`crmbook.models`. Every fit maximises a log-likelihood over the logarithms of its
(positive) parameters with :func:`scipy.optimize.minimize` (L-BFGS-B, bounded in log space), from several
starting points; the best optimum wins. Identical customer rows are fitted once with a weight (their
count), which is what makes a fit on 100,000 customers take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

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


def compress(*columns: np.ndarray, weights: np.ndarray | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """Identical rows of ``columns`` once, with their count (or summed ``weights``) as weight."""
    stacked = np.column_stack(columns)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    w = np.ones(len(stacked)) if weights is None else np.asarray(weights, dtype=float)
    counts = np.bincount(inverse.ravel(), weights=w, minlength=len(unique))
    return [unique[:, j].copy() for j in range(unique.shape[1])], counts


def maximise(model: str, n: int, names: Sequence[str], neg_loglik: Callable[[np.ndarray], Any],
             starts: Sequence[Sequence[float]], *, jac: bool, scale: float) -> tuple[dict[str, float], float,
                                                                                        np.ndarray, str]:
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

    Returns
    -------
    params, loglik, theta, message
        The parameters (natural scale), the maximum log-likelihood, the optimum in log space and the
        optimiser's message.
    """
    def objective(theta):
        out = neg_loglik(theta)
        return (out[0] / scale, out[1] / scale) if jac else out / scale

    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(names)
    results = []
    for start in starts:
        theta0 = np.clip(np.log(np.asarray(start, dtype=float)), -_LOG_BOUND + 1, _LOG_BOUND - 1)
        with np.errstate(all="ignore"):
            res = minimize(objective, theta0, jac=jac, method="L-BFGS-B", bounds=bounds,
                           options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9})
        if np.isfinite(res.fun):
            results.append(res)
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

    The Hessian of -LL in log space is taken by central differences (of the analytic gradient when
    ``jac``); ``se(param) = param * sqrt(diag(H^-1))``. NaN where the Hessian is not positive definite.
    """
    k, h = len(theta), 1e-4
    if jac:
        g = lambda t: np.asarray(neg_loglik(t)[1])  # noqa: E731
        hess = np.array([(g(theta + h * e) - g(theta - h * e)) / (2 * h) for e in np.eye(k)])
    else:
        f = lambda t: float(neg_loglik(t))  # noqa: E731
        hess = np.empty((k, k))
        for i, ei in enumerate(np.eye(k)):
            for j, ej in enumerate(np.eye(k)):
                hess[i, j] = (f(theta + h * ei + h * ej) - f(theta + h * ei - h * ej)
                              - f(theta - h * ei + h * ej) + f(theta - h * ei - h * ej)) / (4 * h * h)
    hess = (hess + hess.T) / 2
    try:
        cov = np.linalg.inv(hess)
        var = np.diag(cov)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    return np.where(var > 0, np.exp(theta) * np.sqrt(np.abs(var)), np.nan)
