r"""Seeded draws from the BG/NBD and Gamma-Gamma processes (模型模拟): tests, benchmarks and teaching.

:func:`simulate_bgnbd` draws, per customer, :math:`\lambda \sim \text{Gamma}(r, \alpha)` and
:math:`p \sim \text{Beta}(a, b)`; repeat purchases arrive as a Poisson process of rate :math:`\lambda`
after the first purchase at age 0, and after each one the customer leaves with probability :math:`p`. So
the number of purchases she would make before leaving is :math:`K \sim \text{Geometric}(p)`
(:math:`K \ge 1`), the purchases she makes by age :math:`T` are :math:`x = \min(N(T), K)` with
:math:`N(T) \sim \text{Poisson}(\lambda T)`, and — since, given :math:`N(T) = k`, the arrival times are
:math:`k` sorted uniforms on :math:`(0, T)` — her last purchase is at
:math:`t_x = T \cdot \text{Beta}(x, k - x + 1)` (the :math:`x`-th order statistic). Exact and vectorised.

:func:`simulate_gamma_gamma` draws :math:`\nu \sim \text{Gamma}(q, \gamma)` per customer and the mean of
her :math:`x` purchase values, :math:`\bar z \sim \text{Gamma}(px, x\nu)` (shape, rate): the mean of
:math:`x` independent Gamma(:math:`p`, :math:`\nu`) values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["simulate_bgnbd", "simulate_gamma_gamma"]


def simulate_bgnbd(params: Mapping[str, float], T: Any, *, n: int | None = None, seed: int,
                   time_unit: str = "W") -> pd.DataFrame:
    r"""Frequency, recency and T of customers drawn from the BG/NBD process (module docstring).

    Parameters
    ----------
    params : mapping
        ``r``, ``alpha``, ``a``, ``b`` (``alpha`` in ``time_unit``).
    T : float or array-like
        Age of each customer at the end of the observation (one value for all, or one per customer).
    n : int, optional
        Number of customers (needed when ``T`` is one number).
    seed : int
        Seed of the random generator (required: the draw is reproducible).
    time_unit : {"D", "W", "M"}
        The unit of ``T`` and ``alpha``, stated in ``attrs["time_unit"]``.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T`` and the drawn ``lambda_``, ``p_`` and ``alive`` (still alive at
        ``T``), one row per customer.

    Examples
    --------
    >>> sim = simulate_bgnbd({"r": 0.5, "alpha": 5.0, "a": 0.8, "b": 2.5}, 52.0, n=3, seed=1)
    >>> list(sim.columns)
    ['frequency', 'recency', 'T', 'lambda_', 'p_', 'alive']
    """
    rng = np.random.default_rng(seed)
    big_t = np.asarray(T, dtype=float)
    if big_t.ndim == 0:
        if n is None:
            raise ValueError("n (the number of customers) is needed when T is one number")
        big_t = np.full(n, float(big_t))
    elif n is not None and n != len(big_t):
        raise ValueError(f"n={n} but T has {len(big_t)} values")
    if np.any(~np.isfinite(big_t)) or np.any(big_t < 0):
        raise ValueError("T must be finite and >= 0")
    m = len(big_t)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], size=m)
    p = rng.beta(params["a"], params["b"], size=m)
    k_max = rng.geometric(p)  # purchases until (and including) the one after which she leaves
    k = rng.poisson(lam * big_t)
    x = np.minimum(k, k_max)
    t_x = np.zeros(m)
    pos = x > 0
    t_x[pos] = big_t[pos] * rng.beta(x[pos], k[pos] - x[pos] + 1)
    out = pd.DataFrame({"frequency": x.astype(float), "recency": t_x, "T": big_t, "lambda_": lam, "p_": p,
                        "alive": k < k_max})
    out.attrs["time_unit"] = time_unit
    return out


def simulate_gamma_gamma(params: Mapping[str, float], frequency: Any, *, seed: int) -> np.ndarray:
    r"""Mean repeat-purchase value :math:`\bar z` per customer under Gamma-Gamma (0 when frequency is 0).

    Parameters
    ----------
    params : mapping
        ``p``, ``q``, ``gamma``.
    frequency : array-like
        Repeat purchases :math:`x` per customer.
    seed : int
        Seed of the random generator.

    Examples
    --------
    >>> float(simulate_gamma_gamma({"p": 6.0, "q": 4.0, "gamma": 175.0}, [0, 2], seed=1)[0])
    0.0
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(params["q"], 1.0 / params["gamma"], size=len(x))
    pos = x > 0
    z = np.zeros(len(x))
    z[pos] = rng.gamma(params["p"] * x[pos], 1.0 / (x[pos] * nu[pos]))
    return z
