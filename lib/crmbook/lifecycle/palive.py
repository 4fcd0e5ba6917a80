r"""Probability alive (客户存活概率): each customer's P(alive) and expected purchases under BG/NBD.

The BG/NBD model (Fader, Hardie & Lee 2005), fitted by maximum likelihood in the shared package
:mod:`crmbook.models`, says that while alive a customer buys at a Poisson rate :math:`\lambda` and after
each *repeat* purchase drops out with probability :math:`p`. For a customer with :math:`x` repeat
purchases, the last at age :math:`t_x`, observed until age :math:`T`:

.. math::
    P(\text{alive} \mid x, t_x, T) = \left[1 + \mathbb{1}_{x>0}\,\frac{a}{b + x - 1}
        \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}\right]^{-1}

so a one-time buyer (:math:`x = 0`) has P(alive) = 1: in BG/NBD a customer can drop out only right after a
repeat purchase, so silence after a single purchase says nothing about dropout — only that the purchase
rate may be low. The rule-based stage and P(alive) then disagree on purpose; :func:`stage_agreement` shows
where.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.tables import require_columns

__all__ = ["P_ALIVE_BANDS", "p_alive_table", "stage_agreement", "agreement_facts"]

#: Bands of P(alive): low below 0.3, middle from 0.3 to 0.7, high from 0.7.
P_ALIVE_BANDS: tuple[tuple[str, float, float], ...] = (("low", 0.0, 0.3), ("middle", 0.3, 0.7), ("high", 0.7, 1.01))

_DAYS = {"D": 1.0, "W": 7.0, "M": 30.4375}


def p_alive_table(facts: CustomerFacts, *, time_unit: str = "W", horizon_days: int = 90) -> pd.DataFrame:
    """Fit BG/NBD on every buying customer and give each one's P(alive) and expected purchases.

    Parameters
    ----------
    facts : CustomerFacts
        Orders up to ``as_of``.
    time_unit : str
        ``"D"``, ``"W"`` or ``"M"``: the unit of recency and age in the fit.
    horizon_days : int
        The coming period, in days, for the expected purchases.

    Returns
    -------
    DataFrame
        ``customer_id, frequency, recency, T, p_alive, expected_purchases`` (buying customers, in id order);
        ``attrs``: ``params`` (r, alpha, a, b), ``loglik``, ``converged``, ``time_unit``, ``horizon_days``, ``n``.
    """
    from crmbook.models import customer_summary, fit_bgnbd

    if time_unit not in _DAYS:
        raise ValueError(f"time_unit must be one of {sorted(_DAYS)}, got {time_unit!r}")
    # the orders' customers as their rank in id order (integers sort as the ids do), so the summary's
    # sorted customers are the same rows as with the text ids, without hashing and sorting every order's id
    ids = facts.customers["customer_id"]
    by_id = ids.argsort().to_numpy()
    rank = np.empty(len(ids), dtype=np.int64)
    rank[by_id] = np.arange(len(ids))
    o = facts.orders
    coded = pd.DataFrame({"customer_id": rank[facts.order_rows], "order_date": o["order_date"].to_numpy(),
                          "revenue": o["revenue"].to_numpy()}, index=o.index)
    s = customer_summary(coded, facts.as_of, time_unit=time_unit)
    model = fit_bgnbd(s["frequency"], s["recency"], s["T"])
    t = float(horizon_days) / _DAYS[time_unit]
    out = pd.DataFrame({"customer_id": ids.iloc[by_id[s.index.to_numpy()]].astype(str).to_numpy(),
                        "frequency": s["frequency"].to_numpy(),
                        "recency": s["recency"].to_numpy(), "T": s["T"].to_numpy()})
    out["p_alive"] = np.asarray(model.p_alive(s["frequency"], s["recency"], s["T"]), dtype=float)
    out["expected_purchases"] = np.asarray(model.expected_purchases(t, s["frequency"], s["recency"], s["T"]),
                                           dtype=float)
    out = out.sort_values("customer_id").reset_index(drop=True)
    out.attrs.update(params=dict(model.params), loglik=float(model.loglik), converged=bool(model.converged),
                     time_unit=time_unit, horizon_days=int(horizon_days), n=int(len(out)))
    return out


def _band(p: pd.Series) -> pd.Series:
    out = pd.Series("low", index=p.index, dtype=object)
    for name, lo, hi in P_ALIVE_BANDS:
        out[(p >= lo) & (p < hi)] = name
    return out


def stage_agreement(stages: pd.DataFrame, palive: pd.DataFrame) -> pd.DataFrame:
    """Buying customers by rule-based stage (rows) and P(alive) band (columns ``low, middle, high``), with the
    mean P(alive) per stage (column ``mean_p_alive``) and the stage's customers (``customers``)."""
    require_columns(stages, "stages", ["customer_id", "stage"])
    require_columns(palive, "p_alive", ["customer_id", "p_alive"])
    from .stages import STAGES

    m = stages[["customer_id", "stage"]].merge(palive[["customer_id", "p_alive"]], on="customer_id", how="inner")
    m["band"] = _band(m["p_alive"])
    bands = [b[0] for b in P_ALIVE_BANDS]
    table = pd.crosstab(m["stage"], m["band"]).reindex(columns=bands, fill_value=0)
    order = [s for s in STAGES if s in table.index]
    table = table.reindex(order).astype(int)
    table["customers"] = table[bands].sum(axis=1)
    table["mean_p_alive"] = m.groupby("stage")["p_alive"].mean().reindex(order)
    table.index.name = "stage"
    return table.reset_index()


def agreement_facts(stages: pd.DataFrame, palive: pd.DataFrame) -> dict[str, Any]:
    """Where the rules and the model agree: ``lapsed`` (lapsed buyers), ``lapsed_high`` (of them with P(alive)
    at least 0.7), ``lapsed_one_time`` (lapsed one-time buyers, P(alive) = 1 by the model), ``active``,
    ``active_low`` (active with P(alive) below 0.3), ``agree_share`` (active with P(alive) ≥ 0.3 or lapsed
    with P(alive) < 0.7, over all buyers)."""
    m = stages[["customer_id", "stage", "orders"]].merge(palive[["customer_id", "p_alive", "frequency"]],
                                                         on="customer_id", how="inner")
    lapsed = m["stage"] == "lapsed"
    active = m["stage"].isin(["new", "repeat", "loyal", "won_back"])
    agree = (active & (m["p_alive"] >= 0.3)) | (lapsed & (m["p_alive"] < 0.7)) | (m["stage"] == "at_risk")
    return {"buyers": int(len(m)), "lapsed": int(lapsed.sum()), "lapsed_high": int((lapsed & (m["p_alive"] >= 0.7)).sum()),
            "lapsed_one_time": int((lapsed & (m["frequency"] == 0)).sum()), "active": int(active.sum()),
            "active_low": int((active & (m["p_alive"] < 0.3)).sum()),
            "agree_share": float(agree.mean()) if len(m) else float("nan"),
            "one_time_p_alive": float(m.loc[m["frequency"] == 0, "p_alive"].mean()) if (m["frequency"] == 0).any()
            else float("nan")}
