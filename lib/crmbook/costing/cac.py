r"""Customer acquisition cost (客户获取成本, CAC) and retention cost (客户维护成本) per period.

.. math::
    \text{CAC}_{c,t} = \frac{\text{acquisition spend}_{c,t}}{\text{new customers}_{c,t}}, \qquad
    \text{retention cost}_t = \frac{\text{retention spend}_t}{\text{active customers}_t}

**Attribution rule.** A period's acquisition spend is the sum of the cost pools of kind ``acquisition``
in its months; its new customers are those whose ``signup_date`` falls in it (the acquisition event;
prospects who never bought count, as the spend won them too). When the costs table says which
acquisition channel a cost was spent on (a column ``acquisition_channel`` or ``channel`` whose values are
acquisition channels of the customers), each channel's CAC is its own spend over its own new customers.
Otherwise the spend cannot be told apart by channel and is shared **pro rata to new customers**: every
channel then has the period's average CAC, and ``attrs["by_channel"]`` is ``False`` - the table shows
where the new customers came from, not which channel is cheaper. The new customers are never all
customers: dividing by the whole base hides the cost of winning one.

A period's retention spend is the sum of the pools of kind ``retention``; its active customers are those
with at least one order in it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.positions import order_rows

from .allocation import clean_costs
from .drivers import month_codes

__all__ = ["PERIODS", "UNKNOWN_CHANNEL", "cac", "cac_summary", "retention_cost"]

#: Period lengths: a calendar ``year`` (``YYYY``) or ``month`` (``YYYY-MM``).
PERIODS: tuple[str, ...] = ("year", "month")

#: The channel of customers without an ``acquisition_channel``.
UNKNOWN_CHANNEL = "unknown"


def _period(month: pd.Series, period: str) -> pd.Series:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")
    return month.str[:4] if period == "year" else month


def _period_codes(dates: pd.Series, period: str) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(_period(month_codes(dates), period), sort=True)``, with the months named and cut to
    periods once per distinct month instead of once per row (the same codes and names)."""
    months = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    valid = ~np.isnat(months)
    number = months[valid].astype(np.int64)
    codes = np.full(len(months), -1, dtype=np.int64)
    if not len(number):
        return pd.factorize(_period(month_codes(dates), period), sort=True)
    offset = number - number.min()
    present = np.bincount(offset) > 0
    distinct = np.flatnonzero(present) + number.min()  # the months that occur, in order
    labels = pd.Series([str(m)[:7] for m in distinct.astype("datetime64[M]")], dtype=object)
    period_codes, names = pd.factorize(_period(labels, period), sort=True)
    codes[valid] = period_codes[(np.cumsum(present) - 1)[offset]]
    return codes, names


def _distinct_per_period(codes: np.ndarray, customer: np.ndarray, periods: int, customers: int) -> np.ndarray:
    """How many distinct customers each period has (``codes[k]``: row ``k``'s period, ``customer[k]``
    its customer's position): the rows taken period by period (a counting sort of the few period codes),
    each period's customers marked on one array of the customers and counted."""
    codes = np.asarray(codes, dtype=np.int16 if periods < 2 ** 15 else np.int64)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(periods + 1))
    customer = np.asarray(customer)[order]
    seen = np.zeros(customers, dtype=bool)
    counts = np.zeros(periods, dtype=np.int64)
    for p in range(periods):
        rows = customer[bounds[p]:bounds[p + 1]]
        seen[rows] = True
        counts[p] = np.count_nonzero(seen)
        seen[rows] = False
    return counts


def _spend_channel_column(costs: pd.DataFrame, channels: set[str]) -> str | None:
    for col in ("acquisition_channel", "channel"):
        if col in costs.columns:
            values = set(costs[col].dropna().astype(str))
            if values and values <= channels:
                return col
    return None


def cac(facts: CustomerFacts, costs: pd.DataFrame, *, period: str = "year") -> pd.DataFrame:
    """CAC per acquisition channel and period (see the module docstring for the attribution rule).

    Parameters
    ----------
    facts : CustomerFacts
        Customers (``signup_date``, ``acquisition_channel``) at the analysis date.
    costs : DataFrame
        The costs table (pools of kind ``acquisition`` are the acquisition spend).
    period : str
        ``"year"`` (calendar year ``YYYY``) or ``"month"`` (``YYYY-MM``).

    Returns
    -------
    DataFrame
        ``acquisition_channel, period, acquisition_spend, new_customers, cac``, by period then channel;
        ``cac`` is missing where a period has spend but no new customer (its spend is on a row with
        ``acquisition_channel == "unknown"`` and ``new_customers == 0``). ``attrs``: ``rule`` (the
        attribution rule in words), ``by_channel`` (bool), ``period``.
    """
    c = facts.customers
    if "signup_date" not in c.columns:
        raise ValueError("customers: CAC needs 'signup_date' (the acquisition date of each customer)")
    channel = (c["acquisition_channel"].astype(object).where(c["acquisition_channel"].notna(), UNKNOWN_CHANNEL)
               if "acquisition_channel" in c.columns else pd.Series(UNKNOWN_CHANNEL, index=c.index))
    known = c["signup_date"].notna()
    # new customers per (period, channel): counted on integer codes, then the few distinct pairs grouped
    # as the customers were (the same index, the same counts)
    p_codes, p_names = _period_codes(c.loc[known, "signup_date"], period)
    ch_codes, ch_names = pd.factorize(channel[known].astype(str), sort=True)
    pair = p_codes.astype(np.int64) * max(len(ch_names), 1) + ch_codes
    counts = np.bincount(pair, minlength=len(p_names) * len(ch_names)) if len(pair) else np.zeros(0, np.int64)
    hit = np.flatnonzero(counts)
    new = pd.DataFrame({"acquisition_channel": np.asarray(ch_names, dtype=object)[hit % max(len(ch_names), 1)],
                        "period": np.asarray(p_names, dtype=object)[hit // max(len(ch_names), 1)],
                        "customers": counts[hit]})
    new_n = new.groupby(["period", "acquisition_channel"])["customers"].sum().rename("new_customers")
    clean = clean_costs(costs, facts.as_of)
    acq_rows = clean["kind"] == "acquisition"
    by_col = _spend_channel_column(costs, set(new["acquisition_channel"]))
    if by_col is not None:
        raw = costs[costs["kind"].astype(str).str.strip().str.lower() == "acquisition"] if "kind" in costs.columns \
            else costs.iloc[0:0]
        month = pd.to_datetime(raw["period"].astype(str).str[:7], format="%Y-%m", errors="coerce").dt.strftime("%Y-%m")
        keep = (month <= facts.as_of.strftime("%Y-%m")).to_numpy()
        raw, month = raw[keep], month[keep]
        spend = pd.to_numeric(raw["amount"], errors="coerce").groupby(
            [_period(month, period).to_numpy(), raw[by_col].astype(str).to_numpy()]).sum()
        spend.index.names = ["period", "acquisition_channel"]
        out = pd.concat([spend.rename("acquisition_spend"), new_n], axis=1).fillna(0.0)
        rule = ("acquisition spend of each channel (the costs table's column "
                f"'{by_col}') / its customers who signed up in the period")
    else:
        spend_p = clean[acq_rows].groupby(_period(clean.loc[acq_rows, "period"], period))["amount"].sum()
        per_period_new = new_n.groupby(level="period").sum()
        out = new_n.to_frame()
        share = new_n / per_period_new.reindex(new_n.index.get_level_values("period")).to_numpy()
        out["acquisition_spend"] = share.to_numpy() * spend_p.reindex(
            new_n.index.get_level_values("period")).fillna(0.0).to_numpy()
        orphan = spend_p[~spend_p.index.isin(per_period_new.index)]
        if len(orphan):
            extra = pd.DataFrame({"new_customers": 0, "acquisition_spend": orphan.to_numpy()},
                                 index=pd.MultiIndex.from_arrays([orphan.index, [UNKNOWN_CHANNEL] * len(orphan)],
                                                                 names=["period", "acquisition_channel"]))
            out = pd.concat([out, extra])
        rule = ("the period's acquisition spend (cost pools of kind 'acquisition') / the customers who signed "
                "up in it; the costs table does not split the spend by channel, so it is shared pro rata to "
                "each channel's new customers (every channel gets the period's average CAC)")
    out = out.reset_index()
    out["new_customers"] = out["new_customers"].astype(int)
    out["cac"] = np.where(out["new_customers"] > 0,
                          out["acquisition_spend"] / out["new_customers"].where(out["new_customers"] > 0, 1), np.nan)
    out = out.sort_values(["period", "acquisition_channel"], kind="stable").reset_index(drop=True)
    out = out[["acquisition_channel", "period", "acquisition_spend", "new_customers", "cac"]]
    out.attrs.update(rule=rule, by_channel=by_col is not None, period=period)
    return out


def cac_summary(table: pd.DataFrame) -> pd.DataFrame:
    """All channels together per period, from :func:`cac`: ``period, acquisition_spend, new_customers,
    cac``."""
    g = table.groupby("period", sort=True)[["acquisition_spend", "new_customers"]].sum().reset_index()
    g["cac"] = np.where(g["new_customers"] > 0, g["acquisition_spend"] / g["new_customers"].where(
        g["new_customers"] > 0, 1), np.nan)
    g.attrs.update(table.attrs)
    return g


def retention_cost(facts: CustomerFacts, costs: pd.DataFrame, *, period: str = "year") -> pd.DataFrame:
    """Retention spend per active customer and period.

    Returns
    -------
    DataFrame
        ``period, retention_spend, active_customers, retention_cost`` (spend / active customers; missing
        for a period without active customers), by period.
    """
    clean = clean_costs(costs, facts.as_of)
    ret = clean["kind"] == "retention"
    spend = clean[ret].groupby(_period(clean.loc[ret, "period"], period))["amount"].sum()
    o = facts.orders
    p_codes, p_names = _period_codes(o["order_date"], period)
    counts = _distinct_per_period(p_codes, order_rows(facts), len(p_names), len(facts.customers))
    active = pd.Series(counts, index=np.asarray(p_names, dtype=object))
    periods = sorted(set(spend.index) | set(active.index))
    out = pd.DataFrame({"period": periods})
    out["retention_spend"] = spend.reindex(periods).fillna(0.0).to_numpy()
    out["active_customers"] = active.reindex(periods).fillna(0).astype(int).to_numpy()
    out["retention_cost"] = np.where(out["active_customers"] > 0, out["retention_spend"]
                                     / out["active_customers"].where(out["active_customers"] > 0, 1), np.nan)
    return out
