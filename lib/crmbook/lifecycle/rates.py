r"""Lifecycle rates (留存率, 流失率, 复购率, 唤醒率) with their exact definitions and period.

The period is the 12 months ending at ``as_of`` (``as_of - 12 months < date <= as_of``, "this year"),
compared with the 12 months before it ("last year"), the windows of :mod:`crmbook.facts`:

.. math::
    \text{retention} = \frac{|B_{-1} \cap B_0|}{|B_{-1}|}, \qquad
    \text{churn} = 1 - \text{retention} = \frac{|B_{-1} \setminus B_0|}{|B_{-1}|}

with :math:`B_0` the customers with an order this year and :math:`B_{-1}` those with an order last year
(new customers of this year are in neither numerator nor denominator);

.. math::
    \text{repeat-purchase rate} = \frac{\#\{i \in B_0 : \text{at least 2 orders this year}\}}{|B_0|},
    \qquad
    \text{reactivation} = \frac{\#\{i \in L : i \in B_0\}}{|L|}

with :math:`L` the customers who were *lapsed* at the start of the period (no order for more than
``inactive_days`` on that date, :mod:`crmbook.lifecycle.stages`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts, year_window

from ._coded import coded, day_number
from .stages import _stage_codes

__all__ = ["lifecycle_rates", "rates_table"]


def lifecycle_rates(facts: CustomerFacts, *, inactive_days: int, at_risk_days: int | None = None,
                    loyal_orders: int = 5) -> dict[str, Any]:
    """Retention, churn, repeat-purchase and reactivation rates of the 12 months ending at ``as_of``.

    Returns
    -------
    dict
        ``retention, churn, repeat_rate, reactivation`` (shares 0-1, NaN when their denominator is empty),
        the counts behind each (``last_year_buyers, retained, churned, this_year_buyers, repeat_buyers,
        lapsed_at_start, reactivated, new_this_year``) and the period (``start``, ``end``, ``previous_start``).
    """
    c = coded(facts)
    as_of = facts.as_of
    start, end = year_window(as_of, 0)
    prev_start, _ = year_window(as_of, 1)
    d_start, d_end, d_prev = day_number(start), day_number(end), day_number(prev_start)
    this = (c.day > d_start) & (c.day <= d_end)
    last = (c.day > d_prev) & (c.day <= d_start)
    per = np.bincount(c.code[this], minlength=c.n)
    b0, b1 = per > 0, np.bincount(c.code[last], minlength=c.n) > 0
    before = np.bincount(c.code[c.day <= d_start], minlength=c.n) > 0
    at_start = _stage_codes(c, start, int(at_risk_days or inactive_days), int(inactive_days), int(loyal_orders))
    lapsed = at_start["member"] & (at_start["stage"] == "lapsed")
    retained, reactivated = int((b1 & b0).sum()), int((lapsed & b0).sum())
    n0, n1, repeat = int(b0.sum()), int(b1.sum()), int((per >= 2).sum())

    def share(num: int, den: int) -> float:
        return num / den if den else float("nan")

    return {
        "start": start, "end": end, "previous_start": prev_start, "inactive_days": int(inactive_days),
        "last_year_buyers": n1, "retained": retained, "churned": n1 - retained,
        "retention": share(retained, n1), "churn": share(n1 - retained, n1),
        "this_year_buyers": n0, "repeat_buyers": repeat, "repeat_rate": share(repeat, n0),
        "lapsed_at_start": int(lapsed.sum()), "reactivated": reactivated,
        "reactivation": share(reactivated, int(lapsed.sum())), "new_this_year": int((b0 & ~before).sum()),
    }


def rates_table(rates: dict[str, Any]) -> pd.DataFrame:
    """The four rates as rows: ``rate, value, numerator, denominator`` (codes; the display names them)."""
    rows = [("retention", rates["retained"], rates["last_year_buyers"]),
            ("churn", rates["churned"], rates["last_year_buyers"]),
            ("repeat_rate", rates["repeat_buyers"], rates["this_year_buyers"]),
            ("reactivation", rates["reactivated"], rates["lapsed_at_start"])]
    return pd.DataFrame({"rate": [r[0] for r in rows], "value": [rates[r[0]] for r in rows],
                         "numerator": np.array([r[1] for r in rows], dtype=int),
                         "denominator": np.array([r[2] for r in rows], dtype=int)})
