r"""Good and bad customers (好客户与坏客户): what sets the unprofitable customers apart, and what to do.

The course's bad customers "只向企业购买较少的产品或服务，但要求却很多": they buy little and ask for much. The
comparison sets the buying customers with a profit below zero against the others on what they buy
(orders, average order value, gross margin rate), what they ask for (service contacts, complaints) and
how they are served (main order channel, account type); a group with fewer than ``min_group`` customers
is not compared (its averages say little).

Each unprofitable customer then gets **one** action of the playbook (``playbooks/good_bad.yaml``), by the
first rule that applies:

1. ``new`` - signed up in the last 12 months and would be profitable without its acquisition cost: not
   paid back *yet*; give it time;
2. ``let_go`` - no order in the last 12 months: nothing left to fix, stop spending on it;
3. ``reprice`` - a gross margin rate below half of the profitable customers' (deep discounts or cheap
   products): reprice, cut the discount;
4. ``service_level`` - the retention (service) cost is its largest allocated cost: change the service
   level (self-service, chat before phone, charge for premium support);
5. ``cheaper_channel`` - the direct cost (visits, deliveries) is its largest: move it to a cheaper channel
   (online ordering, fewer visits, a minimum order);
6. ``reprice`` again for the rest (small buyers whose share of the overheads is larger than what they
   bring: minimum order value or a service fee).

Profitable customers are ``profitable``: protect and grow them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.playbook import load_playbook
from crmbook.positions import customer_rows

__all__ = ["MIN_GROUP", "GOOD_BAD_PLAYBOOK", "SERVICE_TYPES", "customer_profile", "compare_good_bad",
           "channel_mix", "unprofitable_actions"]

#: The fewest customers a group needs to be compared.
MIN_GROUP = 30

#: Contact types counted as service requests.
SERVICE_TYPES: tuple[str, ...] = ("service_call", "chat", "complaint")

#: The playbook of actions per group.
GOOD_BAD_PLAYBOOK = load_playbook("crmbook.costing", "good_bad")

_RECENT_DAYS = 365


def customer_profile(facts: CustomerFacts, pnl: pd.DataFrame, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per customer with orders: what they buy, ask for and cost.

    Returns
    -------
    DataFrame
        Index ``customer_id`` (customers with at least one order): ``profitable`` (bool: profit >= 0),
        ``profit, revenue, orders, order_value`` (average), ``margin_rate`` (gross margin / revenue),
        ``service_contacts``, ``complaints`` (NaN without a contacts table), ``retention_cost,
        direct_cost, acquisition_cost, indirect_cost``, ``recent_signup`` (signed up in the last 12
        months), ``recency_days``, and ``account_type`` / ``acquisition_channel`` when known. Customers
        without a profit (missing cost of goods) are left out and counted in ``attrs["left_out"]``.
    """
    buying = (pnl["orders"] > 0).to_numpy()
    left_out = int(pnl.loc[buying, "profit"].isna().sum())
    kept = buying & pnl["profit"].notna().to_numpy()
    b = pnl[kept]
    out = pd.DataFrame(index=b.index)
    out["profitable"] = b["profit"] >= 0
    for col in ("profit", "revenue", "orders", "retention_cost", "direct_cost", "acquisition_cost", "indirect_cost"):
        out[col] = b[col]
    out["order_value"] = b["revenue"] / b["orders"]
    out["margin_rate"] = np.where(b["revenue"] > 0, b["gross_margin"] / b["revenue"].where(b["revenue"] > 0, 1), np.nan)
    # the P&L of these facts has a row per customer, in their order: values are taken at the kept rows
    # instead of looked up by text id
    rows = np.flatnonzero(kept) if pnl.index.equals(facts.customer_index) else None
    n = len(facts.customers)
    if contacts is not None and {"customer_id", "type"} <= set(contacts.columns):
        k = contacts
        if "contact_date" in k.columns:
            k = k[~(pd.to_datetime(k["contact_date"], errors="coerce") > facts.as_of)]
        t = k["type"].astype(str)
        service, complaint = t.isin(SERVICE_TYPES).to_numpy(), (t == "complaint").to_numpy()
        if rows is not None:
            at = customer_rows(facts, k["customer_id"])
            known = at >= 0
            out["service_contacts"] = np.bincount(at[known & service], minlength=n)[rows]
            out["complaints"] = np.bincount(at[known & complaint], minlength=n)[rows]
        else:
            cid = k["customer_id"].astype(str)
            out["service_contacts"] = cid[service].value_counts().reindex(out.index, fill_value=0)
            out["complaints"] = cid[complaint].value_counts().reindex(out.index, fill_value=0)
    else:
        out["service_contacts"] = np.nan
        out["complaints"] = np.nan
    base = facts.base
    if rows is not None:
        recency = np.full(n, np.nan)
        recency[customer_rows(facts, base["customer_id"])] = base["recency_days"].to_numpy(dtype=float)
        out["recency_days"] = recency[rows]
    else:
        out["recency_days"] = base.set_index("customer_id")["recency_days"].reindex(out.index)
    c = facts.customers

    def on_kept(values: pd.Series) -> pd.Series:
        """A column of the customers at the profile's rows."""
        if rows is not None:
            return values.iloc[rows].set_axis(out.index)
        return values.set_axis(c["customer_id"]).reindex(out.index)

    if "signup_date" in c.columns:
        out["recent_signup"] = on_kept((facts.as_of - c["signup_date"]).dt.days < _RECENT_DAYS).fillna(False)
    else:
        out["recent_signup"] = False
    for col in ("account_type", "acquisition_channel"):
        if col in c.columns:
            out[col] = on_kept(c[col])
    out.attrs["left_out"] = left_out
    return out


_COMPARED = ("orders", "order_value", "revenue", "margin_rate", "service_contacts", "complaints",
             "retention_cost", "direct_cost", "recent_signup")


def compare_good_bad(profile: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Profitable against unprofitable customers, measure by measure.

    Returns
    -------
    DataFrame
        ``measure, profitable_mean, unprofitable_mean, ratio`` (unprofitable / profitable): the mean per customer
        of each measure (the share for ``recent_signup``); measures without data are left out. ``attrs``:
        ``groups`` (customers per group), ``compared`` (False when a group is smaller than ``min_group``:
        then the table is empty), ``min_group``.
    """
    groups = {"profitable": int(profile["profitable"].sum()), "unprofitable": int((~profile["profitable"]).sum())}
    compared = min(groups.values()) >= min_group
    rows = []
    if compared:
        for m in _COMPARED:
            if m not in profile.columns or profile[m].isna().all():
                continue
            values = profile[m].astype(float)
            good = float(values[profile["profitable"]].mean())
            bad = float(values[~profile["profitable"]].mean())
            rows.append({"measure": m, "profitable_mean": good, "unprofitable_mean": bad,
                         "ratio": bad / good if good else np.nan})
    out = pd.DataFrame(rows, columns=["measure", "profitable_mean", "unprofitable_mean", "ratio"])
    out.attrs.update(groups=groups, compared=compared, min_group=int(min_group))
    return out


def channel_mix(profile: pd.DataFrame, by: pd.Series, *, min_group: int = MIN_GROUP,
                name: str = "channel") -> pd.DataFrame:
    """Share of unprofitable customers per value of ``by`` (a channel, an account type); values with
    fewer than ``min_group`` customers are pooled into ``"other"`` (``attrs["pooled"]`` names them).

    Returns
    -------
    DataFrame
        ``<name>, customers, unprofitable, unprofitable_share``, by unprofitable share (highest first).
    """
    placed = by.reindex(profile.index)
    g = placed.astype(object).where(placed.notna(), "unknown")
    counts = g.value_counts()
    small = sorted(counts[counts < min_group].index.astype(str))
    g = g.where(~g.isin(small), "other")
    df = pd.DataFrame({name: g.to_numpy(), "bad": (~profile["profitable"]).to_numpy()})
    out = df.groupby(name).agg(customers=("bad", "size"), unprofitable=("bad", "sum")).reset_index()
    out["unprofitable"] = out["unprofitable"].astype(int)
    out["unprofitable_share"] = out["unprofitable"] / out["customers"]
    out = out.sort_values(["unprofitable_share", name], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs.update(pooled=small, min_group=int(min_group))
    return out


def unprofitable_actions(profile: pd.DataFrame) -> pd.Series:
    """The playbook group of each customer by the rules of the module docstring (``profitable`` for the
    profitable ones)."""
    p = profile
    good_rate = p.loc[p["profitable"], "margin_rate"].median()
    threshold = 0.5 * good_rate if pd.notna(good_rate) else -np.inf
    bad = ~p["profitable"]
    new = bad & p["recent_signup"].astype(bool) & (p["profit"] + p["acquisition_cost"] >= 0)
    lapsed = bad & ~new & (p["recency_days"] > _RECENT_DAYS)
    low_margin = bad & ~new & ~lapsed & (p["margin_rate"] < threshold)
    rest = bad & ~new & ~lapsed & ~low_margin
    service = rest & (p["retention_cost"] >= p[["direct_cost", "indirect_cost", "acquisition_cost"]].max(axis=1))
    channel = rest & ~service & (p["direct_cost"] >= p[["indirect_cost", "acquisition_cost"]].max(axis=1))
    out = pd.Series("profitable", index=p.index, dtype=object)
    out[bad] = "reprice"
    out[channel] = "cheaper_channel"
    out[service] = "service_level"
    out[low_margin] = "reprice"
    out[lapsed] = "let_go"
    out[new] = "new"
    return out.rename("action_group")
