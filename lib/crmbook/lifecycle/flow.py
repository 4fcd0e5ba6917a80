r"""Customer flow (客户流转): how customers move between lifecycle stages from one date to another.

The **transition matrix** counts, for every customer who was a customer at the first date ``start``, the
stage at ``start`` (row) against the stage at ``end`` (column):

.. math::
    N_{jk} = \#\{i : \text{stage}_i(\text{start}) = j,\ \text{stage}_i(\text{end}) = k\}, \qquad
    P_{jk} = N_{jk} / \textstyle\sum_k N_{jk}

so each row sums to the customers in stage ``j`` at ``start`` and the rates of a row sum to 1. Customers
who signed up between the two dates are not in any row; they are counted by their stage at ``end`` in
``attrs["joined"]`` (where the new customers came in). Win-backs are the customers who were ``lapsed`` (or
``at_risk``) at ``start`` and are active at ``end``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import as_date
from crmbook.facts import CustomerFacts

from ._coded import coded
from .stages import PHASES, STAGE_PHASE, STAGES, _check_rules, _stage_codes

__all__ = ["ACTIVE_STAGES", "transition_matrix", "transition_rates", "flow_facts", "phase_matrix"]

#: Stages of a customer who bought recently.
ACTIVE_STAGES: tuple[str, ...] = ("new", "repeat", "loyal", "won_back")


def transition_matrix(facts: CustomerFacts, start: Any, end: Any | None = None, *, at_risk_days: int,
                      inactive_days: int, loyal_orders: int = 5) -> pd.DataFrame:
    """Customers by stage at ``start`` (rows) and at ``end`` (columns, default the facts' ``as_of``).

    Returns
    -------
    DataFrame
        Counts, index and columns :data:`crmbook.lifecycle.STAGES` (every stage, zeros included). ``attrs``:
        ``start``, ``end``, ``joined`` (a Series: customers who signed up after ``start``, by stage at
        ``end``) and the thresholds.
    """
    d0 = as_date(start, name="start")
    d1 = facts.as_of if end is None else as_date(end, name="end")
    if not d0 < d1:
        raise ValueError(f"start ({d0.date()}) must be before end ({d1.date()})")
    if d1 > facts.as_of:
        raise ValueError(f"end ({d1.date()}) is after the analysis date {facts.as_of.date()}")
    rules = dict(at_risk_days=at_risk_days, inactive_days=inactive_days, loyal_orders=loyal_orders)
    _check_rules(at_risk_days, inactive_days, loyal_orders)
    c = coded(facts)
    args = (int(at_risk_days), int(inactive_days), int(loyal_orders))
    s0, s1 = _stage_codes(c, d0, *args), _stage_codes(c, d1, *args)
    order = list(STAGES)
    pos = {st: i for i, st in enumerate(order)}
    k0 = pd.Series(s0["stage"]).map(pos).to_numpy()
    k1 = pd.Series(s1["stage"]).map(pos).to_numpy()
    at0, at1 = s0["member"], s1["member"]
    both = at0 & at1
    n = len(order)
    cells = np.bincount(k0[both] * n + k1[both], minlength=n * n).reshape(n, n)
    counts = pd.DataFrame(cells.astype(int), index=pd.Index(order, name="from"), columns=pd.Index(order, name="to"))
    joined = pd.Series(np.bincount(k1[at1 & ~at0], minlength=n).astype(int), index=pd.Index(order, name="stage"))
    counts.attrs.update(start=d0, end=d1, joined=joined, **rules)
    return counts


def transition_rates(matrix: pd.DataFrame) -> pd.DataFrame:
    """Each row of a :func:`transition_matrix` as shares of its row total (rows of zero customers: NaN)."""
    totals = matrix.sum(axis=1)
    out = matrix.div(totals.where(totals > 0), axis=0)
    out.attrs.update(matrix.attrs)
    return out


def phase_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """The transition matrix summed into the four phases (引入期, 成长期, 成熟期, 衰退期)."""
    phase_of = pd.Index([STAGE_PHASE[s] for s in matrix.columns])
    by_column = matrix.T.groupby(phase_of).sum().T
    out = by_column.groupby(pd.Index([STAGE_PHASE[s] for s in by_column.index])).sum()
    out = out.reindex(index=list(PHASES), columns=list(PHASES), fill_value=0)
    out.index.name, out.columns.name = "from", "to"
    return out


def flow_facts(matrix: pd.DataFrame) -> dict[str, Any]:
    """The figures a reader needs from a transition matrix.

    ``customers_start`` (customers at ``start``), ``stayed_active`` (active at both dates),
    ``active_start``, ``lapsed_from_active`` (active at start, lapsed at end), ``won_back`` (lapsed or at
    risk at start, active at end), ``at_risk_start``, ``lapsed_start``, ``joined`` (signed up in between),
    ``joined_active``, ``start``, ``end``.
    """
    act = list(ACTIVE_STAGES)
    gone = ["at_risk", "lapsed"]
    joined = matrix.attrs.get("joined", pd.Series(dtype=int))
    return {
        "start": matrix.attrs.get("start"), "end": matrix.attrs.get("end"),
        "customers_start": int(matrix.to_numpy().sum()),
        "active_start": int(matrix.loc[act].to_numpy().sum()),
        "stayed_active": int(matrix.loc[act, act].to_numpy().sum()),
        "lapsed_from_active": int(matrix.loc[act, "lapsed"].sum()),
        "at_risk_start": int(matrix.loc["at_risk"].sum()),
        "lapsed_start": int(matrix.loc["lapsed"].sum()),
        "won_back": int(matrix.loc[gone, act].to_numpy().sum()),
        "prospects_converted": int(matrix.loc["prospect", act].sum()),
        "prospects_start": int(matrix.loc["prospect"].sum()),
        "joined": int(joined.sum()),
        "joined_active": int(joined.reindex(act, fill_value=0).sum()),
    }
