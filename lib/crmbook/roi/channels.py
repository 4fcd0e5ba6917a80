r"""Channel effectiveness (渠道效果): what each communication channel costs and what it earns.

Per channel of the contacts (phone, e-mail, SMS, WeChat, app push, visits ...):

.. math::
    \text{cost per contact} = \frac{\sum \text{cost}}{\text{contacts}}, \qquad
    \text{response rate} = \frac{\#\{\text{contacts followed by an order within } w \text{ days}\}}{\text{contacts}}

and, for the channels of campaigns with a control group,
:math:`\text{incremental revenue per unit of cost} = \sum \Delta v \cdot n_T / \sum \text{campaign cost}`.
A response rate without a control group is not an effect: customers who are contacted often buy anyway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.positions import index_in
from crmbook.tables import require_columns

__all__ = ["RESPONSE_DAYS", "channel_effectiveness"]

#: Days after a contact within which an order counts as a response.
RESPONSE_DAYS: int = 30


def _responses(contacts: pd.DataFrame, orders: pd.DataFrame, days: int) -> pd.Series:
    """Whether each contact (row of ``contacts``) is followed by an order of its customer within ``days``."""
    by_day = _responses_by_day(contacts, orders, days)
    if by_day is not None:
        return by_day
    c = contacts[["customer_id", "contact_date"]].copy()
    c["_row"] = np.arange(len(c))
    c = c.sort_values("contact_date", kind="stable")
    o = orders[["customer_id", "order_date"]].sort_values("order_date", kind="stable")
    # the first order on or after the contact's day (same-day orders count: the contact came first or not,
    # the day is the finest grain the data has)
    nxt = pd.merge_asof(c, o, left_on="contact_date", right_on="order_date", by="customer_id",
                        direction="forward")
    hit = (nxt["order_date"] - nxt["contact_date"]).dt.days <= days
    return pd.Series(hit.to_numpy(), index=nxt["_row"].to_numpy()).sort_index()


def _responses_by_day(contacts: pd.DataFrame, orders: pd.DataFrame, days: int) -> pd.Series | None:
    """:func:`_responses` when every date is a whole day and the ids are Arrow text (else None): each
    order is a number ``customer * span + day`` (customers coded by the contacts' ids), sorted once; a
    contact is answered when the first order number at or after its own is of the same customer and at most
    ``days`` days later - the first order on or after the contact's day, as the as-of merge finds it."""
    ids, order_ids = contacts["customer_id"], orders["customer_id"]
    c_days, o_days = _whole_days(contacts["contact_date"]), _whole_days(orders["order_date"])
    if c_days is None or o_days is None or not (_arrow_text(ids) and _arrow_text(order_ids)):
        return None
    codes, uniques = pd.factorize(ids)
    o_codes = index_in(pd.Series(uniques), order_ids)  # -1: a customer never contacted
    mine = o_codes >= 0
    first = int(min(c_days.min(), o_days[mine].min())) if mine.any() and len(c_days) else 0
    span = int(max(c_days.max(), o_days[mine].max() if mine.any() else 0)) - first + days + 2 if len(c_days) else 1
    if (len(uniques) + 1) * span >= 2 ** 62:
        return None
    numbers = np.sort(o_codes[mine].astype(np.int64) * span + (o_days[mine] - first))
    asked = codes.astype(np.int64) * span + (c_days - first)
    by_number = np.argsort(asked)  # searched in order: several times faster than in the contacts' order
    at = np.empty(len(asked), dtype=np.intp)
    at[by_number] = np.searchsorted(numbers, asked[by_number])
    nxt = numbers[np.minimum(at, len(numbers) - 1)] if len(numbers) else np.zeros(len(asked), dtype=np.int64)
    hit = (at < len(numbers)) & (nxt <= asked + days) & (codes >= 0)
    return pd.Series(hit, index=pd.RangeIndex(len(contacts)))


def _whole_days(dates: pd.Series) -> np.ndarray | None:
    """Days since 1970-01-01 of dates that are all whole days (no time of day, none missing), else None."""
    if not pd.api.types.is_datetime64_dtype(dates) or dates.isna().any():
        return None
    ns = dates.to_numpy(dtype="datetime64[ns]").view(np.int64)
    day = ns // 86_400_000_000_000
    return day if (ns == day * 86_400_000_000_000).all() else None


def _arrow_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def channel_effectiveness(contacts: pd.DataFrame | None, orders: pd.DataFrame, *,
                          campaign_results: pd.DataFrame | None = None,
                          response_days: int = RESPONSE_DAYS, as_of=None) -> pd.DataFrame:
    """Per channel: contacts, cost, cost per contact, response rate and, where a campaign of that channel
    had a control group, the incremental revenue per unit of campaign cost.

    Parameters
    ----------
    contacts : DataFrame or None
        ``customer_id, contact_date, channel`` (``cost``, ``type``); contacts without a channel are counted
        under ``attrs["no_channel"]``, those without a cost count as cost unknown (``cost_known`` share).
    orders : DataFrame
        ``customer_id, order_date`` (the shared facts' orders).
    campaign_results : DataFrame, optional
        :func:`crmbook.roi.campaign_results`; its campaigns judged against a control (status ``ok``) give
        ``incremental_revenue_per_cost`` of their channel.
    response_days : int
        Response window after a contact (:data:`RESPONSE_DAYS`).
    as_of : date, optional
        Contacts later than ``as_of - response_days`` have not had their full window: they are left out of
        the response rate (counted in ``open_window``).

    Returns
    -------
    DataFrame
        ``channel, contacts, cost, cost_per_contact, response_rate, open_window, campaigns,
        campaign_cost, incremental_revenue, incremental_revenue_per_cost, per_cost_low, per_cost_high,
        has_control``, sorted by cost; ``per_cost_low`` / ``per_cost_high`` carry the campaigns' revenue-uplift
        intervals (summed over the channel's campaigns) through the same ratio.
    """
    rows = pd.DataFrame(columns=["channel", "contacts", "cost", "cost_per_contact", "response_rate",
                                 "open_window"])
    no_channel = 0
    if contacts is not None and len(contacts):
        require_columns(contacts, "contacts", ["customer_id", "contact_date"])
        c = contacts.copy()
        c["customer_id"] = c["customer_id"].astype(str)
        c["contact_date"] = pd.to_datetime(c["contact_date"], errors="coerce")
        channel = c["channel"] if "channel" in c.columns else pd.Series(np.nan, index=c.index)
        no_channel = int(channel.isna().sum())
        c = c[channel.notna() & c["contact_date"].notna()].reset_index(drop=True)
        c["channel"] = c["channel"].astype(str)
        c["cost"] = pd.to_numeric(c["cost"], errors="coerce") if "cost" in c.columns else np.nan
        c["responded"] = _responses(c, orders, int(response_days)).to_numpy()
        closed = (np.ones(len(c), dtype=bool) if as_of is None
                  else (c["contact_date"] <= pd.Timestamp(as_of) - pd.Timedelta(days=int(response_days))).to_numpy())
        c["closed"] = closed
        c["responded_closed"] = c["responded"].astype(float).where(c["closed"])
        g = c.groupby("channel")
        rows = pd.DataFrame({"contacts": g.size(), "cost": g["cost"].sum(min_count=1),
                             "response_rate": g["responded_closed"].mean(),
                             "open_window": g["closed"].apply(lambda s: int((~s).sum()))})
        rows["cost_per_contact"] = rows["cost"] / g["cost"].count()
        rows = rows.reset_index()
    camp = pd.DataFrame(columns=["channel", "campaigns", "campaign_cost", "incremental_revenue", "_low", "_high"])
    if campaign_results is not None and len(campaign_results):
        ok = campaign_results[campaign_results["status"] == "ok"].dropna(subset=["channel"])
        if len(ok):
            g = ok.groupby(ok["channel"].astype(str))
            low, high = ok["revenue_low"] * ok["treated"], ok["revenue_high"] * ok["treated"]
            camp = pd.DataFrame({"campaigns": g.size(), "campaign_cost": g["cost"].sum(),
                                 "incremental_revenue": g["incremental_revenue"].sum(),
                                 "_low": low.groupby(ok["channel"].astype(str)).sum(),
                                 "_high": high.groupby(ok["channel"].astype(str)).sum()}).reset_index()
    out = rows.merge(camp, on="channel", how="outer")
    out["has_control"] = out["campaigns"].fillna(0) > 0
    out["campaigns"] = out["campaigns"].fillna(0).astype(int)
    out["contacts"] = out["contacts"].fillna(0).astype(int)
    priced = out["campaign_cost"].where(out["campaign_cost"] > 0)
    out["incremental_revenue_per_cost"] = out["incremental_revenue"] / priced
    # the interval of each campaign's revenue uplift, summed over the channel's campaigns (a conservative
    # bound: the campaigns' errors are not assumed to cancel)
    out["per_cost_low"], out["per_cost_high"] = out["_low"] / priced, out["_high"] / priced
    cols = ["channel", "contacts", "cost", "cost_per_contact", "response_rate", "open_window", "campaigns",
            "campaign_cost", "incremental_revenue", "incremental_revenue_per_cost", "per_cost_low", "per_cost_high",
            "has_control"]
    out = out[cols].sort_values(["cost", "channel"], ascending=[False, True], na_position="last",
                                kind="stable").reset_index(drop=True)
    out.attrs.update(no_channel=no_channel, response_days=int(response_days))
    return out
