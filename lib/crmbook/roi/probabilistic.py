r"""Probabilistic CLV (概率模型客户终身价值): BG/NBD (or Pareto/NBD) purchases x Gamma-Gamma spend.

Over a horizon of :math:`H` time units, with :math:`E[X(t)\mid x, t_x, T]` the model's expected purchases
of a customer by :math:`t`, :math:`E[M \mid x, \bar m]` the Gamma-Gamma expected order value, :math:`g` the
gross margin rate and :math:`\delta` the discount rate per time unit (from the yearly rate :math:`d`:
:math:`\delta = (1+d)^{u/365.25} - 1` for a unit of :math:`u` days):

.. math::
    \mathrm{CLV}_i = \sum_{k=1}^{H} \frac{E[X(k)] - E[X(k-1)]}{(1+\delta)^k}\; E[M_i]\; g

Over a long horizon the increments are taken over steps of several units (at most :data:`MAX_STEPS`
evaluations of :math:`E[X(t)]`; a 60-month horizon is 20 quarterly steps), each step's purchases spread
evenly over its units for discounting; up to :data:`MAX_STEPS` units every unit is its own step (exact).

The models are fitted by :mod:`crmbook.models` (shared with the lifecycle topic). Customers who made no
repeat purchase get the population's mean order value :math:`p\gamma/(q-1)` (the Gamma-Gamma prediction at
:math:`x = 0`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts

__all__ = ["MAX_STEPS", "UNIT_DAYS", "unit_discount", "horizon_units", "probabilistic_clv", "probabilistic_clv_or_reason"]

#: Days per time unit of the models.
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}


def unit_discount(yearly: float, time_unit: str) -> float:
    r"""The discount rate per time unit equivalent to ``yearly``: :math:`(1+d)^{u/365.25} - 1`.
    ``unit_discount(0.10, "M")`` = 0.00797 (a month of 30.4375 days)."""
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {', '.join(UNIT_DAYS)}, got {time_unit!r}")
    return (1.0 + float(yearly)) ** (UNIT_DAYS[time_unit] / 365.25) - 1.0


#: At most this many evaluations of the expected purchases over a horizon (see :func:`_steps`).
MAX_STEPS: int = 24


def _steps(horizon: int) -> list[tuple[int, int]]:
    """``(start, end)`` unit ranges covering ``1 .. horizon``: one unit each up to :data:`MAX_STEPS` units,
    else steps of ``ceil(horizon / MAX_STEPS)`` units (the last one shorter)."""
    size = max(1, -(-horizon // MAX_STEPS))
    return [(k, min(k + size - 1, horizon)) for k in range(1, horizon + 1, size)]


def _step_discount(start: int, end: int, delta: float) -> float:
    """The mean discount factor of units ``start .. end``: exact for a one-unit step; for a longer step the
    purchases are taken as spread evenly over its units (a tiny error next to the model's own)."""
    k = np.arange(start, end + 1, dtype=float)
    return float(np.mean((1.0 + delta) ** -k))


def probabilistic_clv(facts: CustomerFacts, *, horizon: int = 12, time_unit: str = "M",
                      discount: float = 0.10, margin_rate: float = 1.0, model: str = "bgnbd",
                      summary: pd.DataFrame | None = None):
    """Per buying customer: expected purchases, expected order value and discounted CLV over ``horizon``.

    Parameters
    ----------
    horizon : int
        Time units ahead (12 months by default).
    time_unit : str
        ``"D"``, ``"W"`` or ``"M"`` (30.4375 days).
    discount : float
        Yearly discount rate.
    margin_rate : float
        Gross margin per unit of revenue (1.0: the CLV is revenue).
    model : str
        ``"bgnbd"`` or ``"pareto_nbd"`` for the purchases.
    summary : DataFrame, optional
        A ready :func:`crmbook.models.customer_summary` in the same time unit.

    Returns
    -------
    (DataFrame, purchases model, Gamma-Gamma model)
        The frame is indexed like the summary (``customer_id``): ``frequency, recency, T, monetary_value,
        p_alive, expected_purchases, expected_value, clv``; ``attrs``: ``horizon``, ``time_unit``,
        ``discount``, ``margin_rate``, ``model``, ``gg_excluded`` (customers the spend model was not fitted
        on: no repeat purchase), ``nonpositive_spend`` (repeat buyers with a mean repeat value <= 0).
    """
    from crmbook import models

    if int(horizon) < 1:
        raise ValueError(f"horizon must be at least 1 time unit, got {horizon!r}")
    s = summary if summary is not None else models.facts_summary(facts, time_unit=time_unit)
    if model not in ("bgnbd", "pareto_nbd"):
        raise ValueError(f"model must be 'bgnbd' or 'pareto_nbd', got {model!r}")
    fit = getattr(models, f"fit_{model}")
    purchases = fit(s["frequency"], s["recency"], s["T"])
    repeat = s["frequency"] > 0
    positive = repeat & (s["monetary_value"] > 0)
    gg = models.fit_gamma_gamma(s.loc[positive, "frequency"], s.loc[positive, "monetary_value"])
    f, r, t = s["frequency"].to_numpy(float), s["recency"].to_numpy(float), s["T"].to_numpy(float)
    delta = unit_discount(discount, time_unit)
    prev = np.zeros(len(s))
    discounted = np.zeros(len(s))
    for start, end in _steps(int(horizon)):
        cum = np.asarray(purchases.expected_purchases(end, f, r, t), dtype=float)
        discounted += (cum - prev) * _step_discount(start, end, delta)
        prev = cum
    p, q, gamma = gg.params["p"], gg.params["q"], gg.params["gamma"]
    value = np.full(len(s), p * gamma / (q - 1.0))
    value[positive.to_numpy()] = np.asarray(gg.expected_spend(s.loc[positive, "frequency"],
                                                              s.loc[positive, "monetary_value"]), dtype=float)
    out = s[["frequency", "recency", "T", "monetary_value"]].copy()
    out["p_alive"] = np.asarray(purchases.p_alive(f, r, t), dtype=float)
    out["expected_purchases"] = prev
    out["expected_value"] = value
    out["clv"] = discounted * value * float(margin_rate)
    out.attrs.update(horizon=int(horizon), time_unit=time_unit, discount=float(discount),
                     margin_rate=float(margin_rate), model=model, gg_excluded=int((~repeat).sum()),
                     nonpositive_spend=int((repeat & ~positive).sum()))
    return out, purchases, gg


def probabilistic_clv_or_reason(facts: CustomerFacts, **options):
    """:func:`probabilistic_clv`, or ``(None, None, None, reason)`` when the models cannot be fitted on this
    data (too few repeat buyers, a fit that does not converge, the models package without a model): the
    reason is said in the report, never hidden. Returns ``(frame, purchases, spend, None)`` otherwise."""
    from crmbook import models

    try:
        return (*probabilistic_clv(facts, **options), None)
    except (ImportError, AttributeError, ValueError, models.ModelFitError) as exc:
        return None, None, None, f"{type(exc).__name__}: {exc}"


def horizon_units(years: float, time_unit: str) -> int:
    """Whole time units in ``years`` years (``horizon_units(5, "M")`` = 60)."""
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {', '.join(UNIT_DAYS)}, got {time_unit!r}")
    return max(1, round(float(years) * 365.25 / UNIT_DAYS[time_unit]))
