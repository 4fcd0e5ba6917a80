r"""The budgeted contact plan (预算约束下的联系计划): which action for which customer, as a 0/1 integer program.

Each candidate :math:`j` is one action for one customer, with a cost :math:`c_j`, an expected value
:math:`v_j` and a channel. Choose :math:`x_j \in \{0, 1\}` to

.. math::
    \max_x \sum_j (v_j - c_j)\,x_j \quad\text{s.t.}\quad
    \sum_{j \in \text{customer } i} x_j \le 1 \;\; \forall i, \qquad
    \sum_j c_j x_j \le B, \qquad
    \sum_{j \in \text{channel } k} x_j \le K_k \;\; \forall k \text{ with a capacity}

- :math:`v_j - c_j` is the action's **net expected value**: what it is expected to bring back minus what it
  costs (a candidate that does not cover its cost is never chosen);
- at most one action per customer in one plan (a customer is not called, visited and texted the same week);
- :math:`B` is the budget of the plan period; :math:`K_k` the capacity of channel :math:`k` (calls a week
  for ``phone``, visits for ``field``).

Solved exactly with SciPy and HiGHS: the LP relaxation, reduced-cost fixing, then ``milp`` (branch and
bound) on the few variables the LP leaves open (:func:`_solve`). A sort by value, or by value per cost, is
*not* optimal in general: with a budget and a capacity both binding, the best plan can skip a customer with
a better ratio to fit two that use the budget better (``tests/plan/test_optimise.py`` shows such a case).

What the budget buys at the margin (:func:`budget_curve`): the plan re-solved at other budgets; the slope
between two budgets is the net value one more unit of money buys (the LP dual of the budget constraint is
the same figure for the relaxed problem, but the re-solve is exact for the 0/1 plan).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from crmbook.tables import require_columns

__all__ = ["CANDIDATE_COLUMNS", "optimise_plan", "budget_curve", "curve_budgets"]

#: Columns a candidate table needs (one row per customer and action).
CANDIDATE_COLUMNS: tuple[str, ...] = ("customer_id", "action", "channel", "cost", "expected_value")
#: Branch-and-bound nodes the search may explore after the LP (then the best plan found, with its gap to the
#: bound). A count, not seconds, so that the same data gives the same plan on any machine and any load.
NODE_LIMIT: int = 2_000
#: Seconds after which the search stops whatever the nodes (a safeguard; a plan that stops here says so by
#: its gap, and may then differ between runs).
SAFETY_SECONDS: float = 120.0
#: Most candidates left free after reduced-cost fixing for which the branch and bound is run.
MAX_FREE: int = 3_000
#: Most candidates joining the LP in one round of column generation.
ENTER: int = 3_000


def _check(candidates: pd.DataFrame, budget: float, capacity: Mapping[str, float] | None) -> pd.DataFrame:
    require_columns(candidates, "candidates", list(CANDIDATE_COLUMNS))
    if not np.isfinite(float(budget)) or float(budget) < 0:
        raise ValueError(f"budget must be a number >= 0, got {budget!r}")
    for channel, cap in (capacity or {}).items():
        if cap is not None and (not np.isfinite(float(cap)) or float(cap) < 0):
            raise ValueError(f"capacity of channel {channel!r} must be a number >= 0, got {cap!r}")
    c = candidates.reset_index(drop=True)
    cost = pd.to_numeric(c["cost"], errors="coerce")
    value = pd.to_numeric(c["expected_value"], errors="coerce")
    bad = cost.isna() | value.isna() | (cost < 0)
    if bad.any():
        raise ValueError(f"candidates: {int(bad.sum())} row(s) without a cost >= 0 and an expected value "
                         f"(rows {', '.join(map(str, c.index[bad][:5]))})")
    return c


def _rows(codes: np.ndarray, cost: np.ndarray, chan: np.ndarray, cols: np.ndarray, n_cust: int,
          caps: list[tuple[int, float]], budget: float, n_cols: int | None = None) -> tuple[Any, np.ndarray]:
    """Constraint rows over ``n_cols`` candidates (default ``len(cost)``): one per customer code (``codes[i]``
    is the customer of candidate ``cols[i]``), the budget, each capacity; and their upper bounds."""
    m = len(cost) if n_cols is None else int(n_cols)
    rows = [sparse.csr_matrix((np.ones(len(cols)), (codes, cols)), shape=(n_cust, m)),
            sparse.csr_matrix(cost[None, :])]
    upper = [np.ones(n_cust), np.array([float(budget)])]
    for k, cap in caps:
        rows.append(sparse.csr_matrix((chan == k).astype(float)[None, :]))
        upper.append(np.array([float(cap)]))
    return sparse.vstack(rows, format="csc"), np.concatenate(upper)


def _fill(picked: np.ndarray, v: np.ndarray, a: Any, ub: np.ndarray, cost: np.ndarray,
          budget_row: int | None = None) -> np.ndarray:
    """A feasible plan improved greedily: candidates not yet in it, best net value per cost first, added
    while every row (customer, budget, capacity) has room.

    ``budget_row`` (the row of ``a`` holding each candidate's cost) lets the scan stop once the budget left
    is below the cheapest candidate still to come: none of them could be added. The scan runs on Python
    floats (the same IEEE double arithmetic as NumPy's, so the same plan), one candidate at a time."""
    out = picked.tolist()
    left = (ub - np.asarray(a[:, picked].sum(axis=1)).ravel()).tolist()
    order = np.argsort(-(v / np.maximum(cost, 1e-9)), kind="stable")
    cheapest = np.minimum.accumulate(cost[order][::-1])[::-1].tolist() if budget_row is not None else None
    indptr, indices, data = a.indptr.tolist(), a.indices.tolist(), a.data.tolist()
    for p, j in enumerate(order.tolist()):
        if cheapest is not None and left[budget_row] - cheapest[p] < -1e-9:
            break  # every candidate still to come costs more than the budget left
        if out[j]:
            continue
        lo, hi = indptr[j], indptr[j + 1]
        rows, use = indices[lo:hi], data[lo:hi]
        if all(left[r] - u >= -1e-9 for r, u in zip(rows, use, strict=True)):
            for r, u in zip(rows, use, strict=True):
                left[r] -= u
            out[j] = True
    return np.array(out, dtype=bool)


def _solve(c: pd.DataFrame, budget: float, capacity: Mapping[str, float] | None,
           node_limit: int = NODE_LIMIT, exact: bool = True,
           state: dict[str, Any] | None = None) -> tuple[np.ndarray, float, float, float]:
    """Chosen flags, the objective, the LP dual of the budget (net value of one more unit of money) and the
    proven gap to the optimum (0 when optimal).

    1. The LP relaxation by **column generation**: solved (HiGHS) on the candidates with the best net value
       per cost; a candidate left out whose reduced cost :math:`v_j - \\pi_i - \\lambda c_j - \\mu_k` (customer,
       budget and capacity duals) is positive joins, until none is: then the LP is optimal for all.
    2. A feasible plan: the LP's whole ones, filled greedily (:func:`_fill`); its gap to the LP bound.
    3. **Reduced-cost fixing**: a candidate whose reduced cost exceeds the gap keeps its LP value in every
       optimal plan; the 0/1 program is solved by branch and bound (``milp``) on the others (when ``exact``
       and they are at most :data:`MAX_FREE`), for at most ``node_limit`` nodes; otherwise the plan of
       step 2 and its gap to the bound.
    """
    net = (c["expected_value"] - c["cost"]).to_numpy(float)
    chosen = np.zeros(len(c), dtype=bool)
    worth = np.flatnonzero(net > 1e-12)
    if len(worth) == 0:
        return chosen, 0.0, 0.0, 0.0
    sub = c.iloc[worth]
    v, cost = net[worth], sub["cost"].to_numpy(float)
    codes, _ = pd.factorize(sub["customer_id"].astype(str))
    n_cust = int(codes.max()) + 1
    names = [str(k) for k, cap in (capacity or {}).items() if cap is not None]
    chan = pd.Index(names).get_indexer(sub["channel"].astype(str))  # -1: a channel without capacity
    caps = [(i, float(capacity[k])) for i, k in enumerate(names)]
    ratio = v / np.maximum(cost, 1e-9)
    order = np.argsort(-ratio, kind="stable")
    reach = int(np.searchsorted(np.cumsum(cost[order]), 2.0 * float(budget))) + 1
    cols = np.sort(order[:max(reach, 2000)])
    if state is not None and state.get("n") == len(v):  # the columns of a solve at another budget
        cols = np.union1d(cols, state["cols"])
    while True:
        # a customer row only for customers with two or more columns: for one column its bound x <= 1 is
        # the same constraint (and its dual is that bound's); customers without a column have slack rows
        cc = codes[cols]
        counts = np.bincount(cc, minlength=n_cust)
        multi = np.flatnonzero(counts >= 2)
        local = np.full(n_cust, -1)
        local[multi] = np.arange(len(multi))
        in_row = local[cc] >= 0
        a, ub = _rows(local[cc][in_row], cost[cols], chan[cols], np.flatnonzero(in_row), len(multi), caps, budget,
                      n_cols=len(cols))
        lp = linprog(-v[cols], A_ub=a, b_ub=ub, bounds=(0, 1), method="highs-ds",
                     options={"presolve": False})  # presolve costs ten times the solve here
        if lp.status != 0:
            raise RuntimeError(f"the contact plan could not be solved: {lp.message}")
        y = -lp.ineqlin.marginals
        pi = np.zeros(n_cust)
        pi[multi] = y[:len(multi)]
        single = ~in_row
        pi[cc[single]] = -lp.upper.marginals[single]
        lam, mu = float(y[len(multi)]), np.append(y[len(multi) + 1:], 0.0)
        rc = v - pi[codes] - lam * cost - mu[chan]  # chan -1 (no capacity) -> the appended 0
        inside = np.zeros(len(v), dtype=bool)
        inside[cols] = True
        enter = np.flatnonzero(~inside & (rc > 1e-9))
        if not len(enter):
            break
        cols = np.sort(np.concatenate([cols, enter[np.argsort(-rc[enter])][:ENTER]]))
    if state is not None:
        state.update(n=len(v), cols=cols)
    x = np.zeros(len(v))
    x[cols] = lp.x
    bound = float(-lp.fun)
    a_all, ub = _rows(codes, cost, chan, np.arange(len(v)), n_cust, caps, budget)
    incumbent = _fill(x > 1 - 1e-9, v, a_all, ub, cost, budget_row=n_cust)
    gap = bound - float(v[incumbent].sum())
    integral = (x > 1 - 1e-9) | (x < 1e-9)
    fixed = integral & (np.abs(rc) > gap + 1e-9)
    free = np.flatnonzero(~fixed)
    if exact and gap > 1e-9 * max(1.0, abs(bound)) and len(free) <= MAX_FREE:
        ones = fixed & (x > 0.5)
        rest = ub - np.asarray(a_all[:, ones].sum(axis=1)).ravel()
        res = milp(-v[free], constraints=LinearConstraint(a_all[:, free], -np.inf, rest + 1e-9),
                   integrality=np.ones(len(free)), bounds=Bounds(0, 1),
                   options={"node_limit": int(node_limit), "time_limit": SAFETY_SECONDS,
                            "mip_rel_gap": 1e-7})
        if res.x is not None:
            pick = ones.copy()
            pick[free] = res.x > 0.5
            if v[pick].sum() >= v[incumbent].sum():
                incumbent = pick
            if res.status == 0:
                bound = float(v[incumbent].sum())
    chosen[worth] = incumbent
    value = float(net[chosen].sum())
    return chosen, value, lam, max(bound - value, 0.0)


def optimise_plan(candidates: pd.DataFrame, *, budget: float,
                  capacity: Mapping[str, float] | None = None, node_limit: int = NODE_LIMIT) -> pd.DataFrame:
    """The best plan: at most one action per customer, within ``budget`` and each channel's ``capacity``.

    Parameters
    ----------
    candidates : DataFrame
        :data:`CANDIDATE_COLUMNS` (one row per customer and action) and any other columns (kept).
    budget : float
        Money the plan may spend (sum of the chosen actions' costs).
    capacity : mapping channel -> int, optional
        The most actions a channel can take in the plan period (``{"phone": 200}``); a channel not named
        has no limit.
    node_limit : int
        Branch-and-bound nodes after the LP (:data:`NODE_LIMIT`); the plan found by then is returned with
        its ``optimality_gap``.

    Returns
    -------
    DataFrame
        The chosen candidates (all their columns) plus ``net_value = expected_value - cost``, best net value
        first. ``attrs``: ``budget``, ``capacity``, ``cost`` (spent), ``net_value`` (the objective),
        ``budget_dual`` (LP dual of the budget), ``optimality_gap`` (at most this much net value short of
        the optimum: 0 when proven optimal, else the distance to the LP bound when the search hit
        ``node_limit``), ``expected_value``, ``candidates`` (rows given), ``not_worth`` (candidates whose expected value does
        not cover their cost, never chosen), ``customers`` (with at least one candidate).
    """
    c = _check(candidates, budget, capacity)
    chosen, objective, dual, gap = _solve(c, budget, capacity, node_limit)
    out = c[chosen].copy()
    out["net_value"] = out["expected_value"] - out["cost"]
    out = out.sort_values(["net_value", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs.update(budget=float(budget), capacity=dict(capacity or {}), cost=float(out["cost"].sum()),
                     net_value=objective, budget_dual=dual, optimality_gap=gap, expected_value=float(out["expected_value"].sum()),
                     candidates=int(len(c)), customers=int(c["customer_id"].nunique()),
                     not_worth=int(((c["expected_value"] - c["cost"]) <= 1e-12).sum()))
    return out


def budget_curve(candidates: pd.DataFrame, budgets: Sequence[float], *,
                 capacity: Mapping[str, float] | None = None, node_limit: int = 200,
                 exact: bool | None = None, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's net value at each budget, and what the last step of budget bought.

    .. math:: \\text{marginal}_k = \\frac{V(B_k) - V(B_{k-1})}{B_k - B_{k-1}}

    Returns
    -------
    DataFrame
        ``budget, cost, net_value, actions, budget_dual, gap`` (``gap``: at most this far below the best plan
        at that budget; ``exact`` runs the branch and bound at each budget, default only for at most 20,000
        candidates; ``plan``: a plan of :func:`optimise_plan` on the same candidates gives its budget's
        row), the LP dual of the budget at that budget: net value
        of one more unit of money in the relaxed plan), ``marginal_value`` (net value per unit of money of the
        step from the previous budget, exact for the 0/1 plan; missing for the first), budgets in increasing
        order.
    """
    c = _check(candidates, 0.0, capacity)
    if exact is None:  # the branch and bound at every budget only for small plans
        exact = len(c) <= 20_000
    rows, state = [], {}
    for b in sorted({float(x) for x in budgets}):
        if plan is not None and np.isclose(float(plan.attrs.get("budget", np.nan)), b):
            a = plan.attrs  # the plan already solved at this budget (with its own time limit): the same row
            rows.append({"budget": b, "cost": a["cost"], "net_value": a["net_value"], "actions": int(len(plan)),
                         "budget_dual": a["budget_dual"], "gap": a["optimality_gap"]})
            continue
        chosen, objective, dual, gap = _solve(c, b, capacity, node_limit, exact=exact, state=state)
        rows.append({"budget": b, "cost": float(c.loc[chosen, "cost"].sum()), "net_value": objective,
                     "actions": int(chosen.sum()), "budget_dual": dual, "gap": gap})
    out = pd.DataFrame(rows, columns=["budget", "cost", "net_value", "actions", "budget_dual", "gap"])
    out["marginal_value"] = out["net_value"].diff() / out["budget"].diff()
    return out


def curve_budgets(budget: float, step: float, candidates: int, *, small: int = 20_000) -> list[float]:
    """Budgets for :func:`budget_curve` around ``budget``: three steps either side for up to ``small``
    candidates, one step either side above (each budget is one more solve); never below 0."""
    if step <= 0:
        raise ValueError(f"budget_step must be positive, got {step!r}")
    k = 3 if candidates <= small else 1
    return sorted(b for b in {float(budget) + i * float(step) for i in range(-k, k + 1)} if b > 0)
