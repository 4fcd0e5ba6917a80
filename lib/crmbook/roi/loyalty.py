r"""Loyalty-programme ROI (会员计划投资回报率): members against comparable non-members.

Members (a ``member_tier`` above the base tier) are compared with non-members who behaved alike **before**:
customers are put in strata of the same pre-period behaviour (orders in year 1, the 12 months before the
last 12, capped at :data:`MAX_ORDERS`; revenue quintile of year 1; account type when known), and within
each stratum the members' year-0 revenue and margin are compared with the non-members'. The programme's
estimated effect is the members-weighted mean of the stratum differences:

.. math::
    \hat\Delta = \sum_s \frac{n^{M}_s}{n^{M}} \bigl(\bar y^{M}_s - \bar y^{N}_s\bigr), \qquad
    \mathrm{ROI} = \frac{\hat\Delta_{margin} - \text{cost per member}}{\text{cost per member}}

**Selection bias.** Matching removes differences in what was measured before; it does not remove why a
customer became a member. Where tiers are *awarded for spend* (as in the case company), a customer who
spends more this year is promoted *because* of it, so the difference is an upper bound on the programme's
effect, not its effect. Only a random hold-out (a control group, as for campaigns) measures the effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts, window_mask
from crmbook.positions import customer_rows, order_rows

__all__ = ["MAX_ORDERS", "BASE_TIER", "loyalty_comparison", "loyalty_comparison_or_reason"]

#: Pre-period order counts above this are one stratum.
MAX_ORDERS: int = 5

#: The tier that means "not a member" ("" : the most common tier).
BASE_TIER: str = "bronze"


def loyalty_comparison(facts: CustomerFacts, *, tier_column: str = "member_tier", base_tier: str = BASE_TIER,
                       cost_per_member: float = 0.0) -> pd.DataFrame:
    """Members vs matched non-members: year-0 revenue and margin, naive and matched differences.

    Customers considered: those whose first order is before year 0 (they have a pre-period). Margin is
    revenue minus ``cost_of_goods`` (revenue itself when orders have none: ``attrs["margin_basis"]``).

    Returns
    -------
    DataFrame
        Two rows, ``measure`` = ``revenue`` and ``margin`` (per customer, year 0), with ``members,
        non_members, member_mean, non_member_mean, naive_difference, matched_difference,
        matched_members``; ``attrs``: ``base_tier``, ``unmatched_members`` (members in a stratum without
        any non-member, left out of the matched difference and counted), ``strata``, ``cost_per_member``,
        ``roi`` (``nan`` unless ``cost_per_member > 0``), ``margin_basis``.

    Raises
    ------
    ValueError
        No ``tier_column`` in customers, or no member / no non-member among the customers considered.
    """
    c = facts.customers
    if tier_column not in c.columns or c[tier_column].notna().sum() == 0:
        raise ValueError(f"customers: no {tier_column!r} column with values (the loyalty tier); the loyalty "
                         "comparison needs it")
    tiers = c.set_index("customer_id")[tier_column].astype("string").str.strip()
    base = base_tier or str(tiers.mode().iloc[0])
    o = facts.orders
    pre_start = facts.as_of - pd.DateOffset(years=1)
    first = facts.base.set_index("customer_id")["first_order"]
    pop = first.index[first <= pre_start]
    if "cost_of_goods" in o.columns:
        margin = o["revenue"] - pd.to_numeric(o["cost_of_goods"], errors="coerce").fillna(0.0)
        basis = "cost_of_goods"
    else:
        margin, basis = o["revenue"], "revenue"
    y0, y1 = window_mask(o["order_date"], facts.as_of, 0), window_mask(o["order_date"], facts.as_of, 1)
    # customers as their rows in ``facts.customers``: the groupbys run on integers (the same groups, rows in
    # the same order, so the same sums) and the lookups are takes
    rows = order_rows(facts)
    at = pd.Index(customer_rows(facts, pop))
    r0, r1 = rows[y0.to_numpy()], rows[y1.to_numpy()]

    def per_customer(values: pd.Series, fill: float) -> pd.Series:
        return pd.Series(values.reindex(at).to_numpy(), index=pop).fillna(fill)

    d = pd.DataFrame(index=pop)
    d["member"] = (tiers.iloc[at].fillna(base) != base).to_numpy()
    d["revenue"] = per_customer(o.loc[y0, "revenue"].groupby(r0).sum(), 0.0)
    d["margin"] = per_customer(margin[y0].groupby(r0).sum(), 0.0)
    pre_orders = per_customer(o.loc[y1, "revenue"].groupby(r1).size(), 0).clip(upper=MAX_ORDERS)
    pre_revenue = per_customer(o.loc[y1, "revenue"].groupby(r1).sum(), 0.0)
    band = pd.Series(0, index=pop)
    buying = pre_revenue > 0
    if buying.sum() >= 5:
        band[buying] = pd.qcut(pre_revenue[buying].rank(method="first"), 5, labels=False) + 1
    d["stratum"] = pre_orders.astype(int).astype(str) + "|" + band.astype(str)
    if "account_type" in c.columns:
        d["stratum"] += "|" + pd.Series(c["account_type"].iloc[at].to_numpy(), index=pop).fillna("").astype(str)
    n_m, n_n = int(d["member"].sum()), int((~d["member"]).sum())
    if n_m == 0 or n_n == 0:
        raise ValueError(f"loyalty comparison: {n_m} member(s) and {n_n} non-member(s) (base tier {base!r}) "
                         "among customers with a pre-period; both groups are needed")
    g = d.groupby(["stratum", "member"])[["revenue", "margin"]].mean().unstack("member")
    counts = d.groupby(["stratum", "member"]).size().unstack("member").fillna(0)
    both = counts.index[(counts.get(True, 0) > 0) & (counts.get(False, 0) > 0)]
    weights = counts.loc[both, True] / counts.loc[both, True].sum() if len(both) else pd.Series(dtype=float)
    rows = []
    for measure in ("revenue", "margin"):
        diff = (g.loc[both, (measure, True)] - g.loc[both, (measure, False)]) if len(both) else pd.Series(dtype=float)
        rows.append({"measure": measure, "members": n_m, "non_members": n_n,
                     "member_mean": d.loc[d["member"], measure].mean(),
                     "non_member_mean": d.loc[~d["member"], measure].mean(),
                     "matched_difference": float((diff * weights).sum()) if len(both) else np.nan,
                     "matched_members": int(counts.loc[both, True].sum()) if len(both) else 0})
    out = pd.DataFrame(rows)
    out["naive_difference"] = out["member_mean"] - out["non_member_mean"]
    out = out[["measure", "members", "non_members", "member_mean", "non_member_mean", "naive_difference",
               "matched_difference", "matched_members"]]
    effect = float(out.loc[out["measure"] == "margin", "matched_difference"].iloc[0])
    cost = float(cost_per_member)
    out.attrs.update(base_tier=base, unmatched_members=n_m - int(out["matched_members"].iloc[0]),
                     strata=int(len(both)), cost_per_member=cost, margin_basis=basis,
                     roi=(effect - cost) / cost if cost > 0 else float("nan"), tier_column=tier_column)
    return out


def loyalty_comparison_or_reason(facts: CustomerFacts, **options) -> tuple[pd.DataFrame | None, str | None]:
    """:func:`loyalty_comparison`, or ``(None, reason)`` when the data does not allow it (no tier column,
    no member or no non-member with a pre-period): the report says why instead of failing."""
    try:
        return loyalty_comparison(facts, **options), None
    except ValueError as exc:
        return None, str(exc)
