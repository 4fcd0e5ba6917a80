r"""Confidence intervals (置信区间) the topics share: one implementation of each, checked once.

- :func:`wilson_interval`: Wilson's score interval of a proportion :math:`\hat p = x/n`,
  :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}` (Wilson 1927); good
  also for small n and for rates near 0 or 1, where the normal (Wald) interval fails.
- :func:`newcombe_interval`: Newcombe's hybrid score interval of a difference of two independent
  proportions (Newcombe 1998, method 10), from the two Wilson intervals :math:`(l_i, u_i)`:
  :math:`\bigl(d - \sqrt{(\hat p_1-l_1)^2 + (u_2-\hat p_2)^2},\ d + \sqrt{(u_1-\hat p_1)^2 + (\hat p_2-l_2)^2}\bigr)`.
- :func:`mean_interval`: Student's t interval of a mean, :math:`\bar x \pm t_{n-1}\, s/\sqrt n`.
- :func:`welch_interval`: Welch's t interval of a difference of two means, :math:`\nu` by the
  Welch–Satterthwaite equation.

``confidence`` is the two-sided level (0.95 for 95 %); a multiple-comparison correction passes its
adjusted level (Bonferroni over m comparisons: ``1 - 0.05 / m``). A shared module: it imports no topic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy.special import ndtri, stdtrit

__all__ = ["CONFIDENCE", "mean_interval", "newcombe_interval", "welch_interval", "wilson_interval", "z_value"]

#: The default two-sided confidence level.
CONFIDENCE = 0.95


def z_value(confidence: float = CONFIDENCE) -> float:
    """The standard normal quantile of a two-sided ``confidence`` (1.96 for 0.95)."""
    if not 0 < float(confidence) < 1:
        raise ValueError(f"confidence must be between 0 and 1 (0.95 for 95 %), got {confidence!r}")
    return float(ndtri(0.5 + float(confidence) / 2))


def wilson_interval(successes: float, n: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's score interval of ``successes / n``, within [0, 1]; ``(nan, nan)`` when ``n`` is 0.

    Raises
    ------
    ValueError
        ``successes`` outside ``0..n``, or ``confidence`` outside (0, 1).
    """
    if n <= 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ValueError(f"wilson_interval: successes must be between 0 and n={n}, got {successes}")
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_interval(x1: float, n1: float, x2: float, n2: float,
                      confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Newcombe's hybrid score interval of ``x1/n1 - x2/n2``; ``(nan, nan)`` when a group is empty.

    Newcombe's (1998) example 56/70 against 48/80 gives (0.0524, 0.3339).
    """
    if n1 <= 0 or n2 <= 0:
        return (math.nan, math.nan)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def mean_interval(values: Iterable[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student's t interval of the mean of ``values`` (missing values left out); ``(nan, nan)`` below two."""
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    x = x[~np.isnan(x)]
    z_value(confidence)  # checks the level
    if x.size < 2:
        return (math.nan, math.nan)
    half = float(stdtrit(x.size - 1, 0.5 + confidence / 2)) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return (float(x.mean()) - half, float(x.mean()) + half)


def welch_interval(a: Iterable[float], b: Iterable[float],
                   confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """``(difference, low, high)``: Welch's t interval of ``mean(a) - mean(b)``.

    The difference is ``nan`` when a group is empty; the bounds are ``nan`` with fewer than two values in
    a group, and equal the difference when both groups have no spread.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    z_value(confidence)
    if a.size == 0 or b.size == 0:
        return (math.nan, math.nan, math.nan)
    d = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return (d, math.nan, math.nan)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return (d, d, d)
    nu = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = float(stdtrit(nu, 0.5 + confidence / 2)) * se
    return (d, d - half, d + half)
