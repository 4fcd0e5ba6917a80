"""Demographics and the customer portrait (客户画像): who the customers are, how they buy, what they are worth.

Age bands from birth dates, the demographic attributes of customers (and of consumers only: age and
gender describe people, not businesses), per-group summaries and their stand-out groups, the portrait of
each segment and its purchase mix. Everything is read from the shared customer facts
(:class:`crmbook.facts.CustomerFacts`); the sentences are in :mod:`crmbook.segmentation.narrative`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import as_date
from crmbook.facts import CustomerFacts
from crmbook.positions import order_rows, rows_of, spread
from crmbook.tables import require_columns

from .rfm import RFM_SEGMENT_ORDER

__all__ = [
    "AGE_BANDS",
    "CONSUMER_ACCOUNT_TYPES",
    "DEMOGRAPHIC_COLUMNS",
    "age_bands",
    "customer_attributes",
    "consumer_attributes",
    "demographic_summary",
    "demographic_summaries",
    "demographic_highlights",
    "MIN_GROUP_SIZE",
    "PORTRAIT_MIN_INDEX",
    "PORTRAIT_ATTRIBUTES",
    "over_representation",
    "customer_portrait",
    "purchase_mix",
]

#: Age bands: lower edges in full years; the last band is open ("65+").
AGE_BANDS: tuple[int, ...] = (0, 25, 35, 45, 55, 65)
#: ``account_type`` values of consumers: age and gender describe people, so the demographic breakdown
#: is done on these customers (business accounts have no age or gender).
CONSUMER_ACCOUNT_TYPES: tuple[str, ...] = ("retail",)
#: Demographic dimensions, in ``customers`` (``age_band`` is derived from ``birth_date``).
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = ("age_band", "gender", "region", "acquisition_channel")
#: The smallest group a portrait or a demographic highlight may name (customers): below it a share is
#: noise (31 customers of gender "other" or 17 aged 65+ would otherwise "stand out").
MIN_GROUP_SIZE = 50
#: A portrait names an attribute value only when it is at least this over-represented (index = share in
#: the segment / share in the whole base): 1.2 = 20% more common than in the base.
PORTRAIT_MIN_INDEX = 1.2
#: The attributes a portrait reads (those present in ``customers``): ``business`` ("yes" for an
#: ``account_type`` outside :data:`CONSUMER_ACCOUNT_TYPES`: key accounts, agents, franchisees are too few
#: one by one to pass :data:`MIN_GROUP_SIZE`), ``age_band`` (from ``birth_date``), gender, region, channel.
PORTRAIT_ATTRIBUTES: tuple[str, ...] = ("business", "age_band", "gender", "region", "acquisition_channel")


def age_bands(birth_dates: pd.Series, as_of: Any, *, bands: Sequence[int] = AGE_BANDS) -> pd.Series:
    """Age band of each birth date at ``as_of`` (age in full years; the last band is open, e.g. "65+").

    Bands are ``[lower edge, next edge)``: with the default edges 0, 25, 35, 45, 55, 65 the labels are
    ``"<25", "25-34", "35-44", "45-54", "55-64", "65+"``. Missing or future birth dates give a missing band.

    Returns
    -------
    Series
        Ordered categorical, same index as ``birth_dates``.
    """
    as_of = as_date(as_of)
    edges = [int(b) for b in bands]
    if edges != sorted(edges) or len(set(edges)) != len(edges) or len(edges) < 2:
        raise ValueError(f"bands must be at least two increasing ages, got {bands!r}")
    b = birth_dates if pd.api.types.is_datetime64_any_dtype(birth_dates) else pd.to_datetime(birth_dates,
                                                                                           errors="coerce")
    age = as_of.year - b.dt.year - ((b.dt.month > as_of.month) | ((b.dt.month == as_of.month)
                                                                  & (b.dt.day > as_of.day))).astype(int)
    age = age.where(b <= as_of)
    labels = ([f"<{edges[1]}"] if edges[0] == 0 else [f"{edges[0]}-{edges[1] - 1}"])
    labels += [f"{lo}-{hi - 1}" for lo, hi in zip(edges[1:-1], edges[2:], strict=True)] + [f"{edges[-1]}+"]
    cut = pd.cut(age, bins=[*edges, np.inf], right=False, labels=labels)
    return cut.rename("age_band")


def customer_attributes(facts: CustomerFacts, *, birth_col: str = "birth_date",
                        columns: Sequence[str] = ("gender", "region", "acquisition_channel", "account_type",
                                                  "member_tier"),
                        bands: Sequence[int] = AGE_BANDS) -> pd.DataFrame:
    """The demographic attributes of each customer: ``age_band`` (when there is a birth date column) and the
    ``columns`` that exist in ``customers``. Missing optional columns are simply absent from the result
    (``attrs["absent"]`` lists them).

    Returns
    -------
    DataFrame
        ``customer_id`` plus the available attribute columns, one row per customer (signed up by ``as_of``).
    """
    c = facts.customers
    out = c[["customer_id"]].copy()
    absent = []
    if birth_col in c.columns:
        out["age_band"] = age_bands(c[birth_col], facts.as_of, bands=bands).array
    else:
        absent.append("age_band")
    for col in columns:
        if col in c.columns:
            out[col] = c[col].to_numpy()
        else:
            absent.append(col)
    out.attrs["absent"] = tuple(absent)
    return out


def demographic_summary(attributes: pd.DataFrame, rfm: pd.DataFrame, by: str, *,
                        customer_col: str = "customer_id") -> pd.DataFrame:
    r"""Customers and value per value of one demographic dimension (age band, gender, region, channel).

    .. math:: \text{revenue per customer}_g = \frac{\sum_{i \in g} M_i}{n_g}, \qquad
              \text{AOV}_g = \frac{\sum_{i \in g} M_i}{\sum_{i \in g} F_i}

    Parameters
    ----------
    attributes : DataFrame
        :func:`customer_attributes`.
    rfm : DataFrame
        :func:`rfm_table` (``frequency``, ``monetary``).
    by : str
        A column of ``attributes``.

    Returns
    -------
    DataFrame
        ``<by>, customers, customer_share, buyer_share, orders_per_customer, avg_order_value,
        revenue_per_customer, revenue_share``; a missing value of ``by`` is shown as ``"unknown"``.
    """
    require_columns(attributes, "attributes", [customer_col, by])
    require_columns(rfm, "rfm", [customer_col, "frequency", "monetary"])
    return _demographic_table(_with_rfm(attributes, rfm, [by], customer_col), by)


def _with_rfm(attributes: pd.DataFrame, rfm: pd.DataFrame, columns: Sequence[str],
              customer_col: str) -> pd.DataFrame:
    """``columns`` of ``attributes`` with each customer's ``frequency`` and ``monetary`` (missing when not in
    ``rfm``), one row per row of ``attributes``."""
    return attributes[[customer_col, *columns]].merge(rfm[[customer_col, "frequency", "monetary"]],
                                                      on=customer_col, how="left")


def _demographic_table(d: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`demographic_summary` of ``d`` (from :func:`_with_rfm`) by its column ``by``."""
    key = d[by].astype(object).where(d[by].notna(), "unknown")
    if isinstance(d[by].dtype, pd.CategoricalDtype):
        cats = [*map(str, d[by].cat.categories), "unknown"]
        key = pd.Categorical(key.astype(str), categories=cats, ordered=True)
    g = d[["frequency", "monetary"]].assign(_buyer=d["frequency"] > 0).groupby(key, observed=True)
    out = pd.DataFrame({"customers": g.size(), "buyers": g["_buyer"].sum(), "orders": g["frequency"].sum(),
                        "revenue": g["monetary"].sum()})
    out["customer_share"] = out["customers"] / len(d)
    out["buyer_share"] = out["buyers"] / out["customers"]
    out["orders_per_customer"] = out["orders"] / out["customers"]
    out["avg_order_value"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["revenue_per_customer"] = out["revenue"] / out["customers"]
    out["revenue_share"] = out["revenue"] / float(d["monetary"].sum())
    out.index.name = by
    cols = ["customers", "customer_share", "buyer_share", "orders_per_customer", "avg_order_value",
            "revenue_per_customer", "revenue_share"]
    return out[cols].reset_index()


def consumer_attributes(facts: CustomerFacts, *,
                        account_types: Iterable[str] = CONSUMER_ACCOUNT_TYPES,
                        account_type_col: str = "account_type", **options: Any) -> pd.DataFrame:
    """:func:`customer_attributes` of the consumers only: the customers whose ``account_type_col`` is one of
    ``account_types`` (default :data:`CONSUMER_ACCOUNT_TYPES`), since age and gender describe people, not
    businesses. Without that column every customer is kept. ``options`` go to
    :func:`customer_attributes`.

    Returns
    -------
    DataFrame
        As :func:`customer_attributes` (``attrs["absent"]`` included), fewer rows.
    """
    attrs = customer_attributes(facts, **options)
    if account_type_col not in attrs.columns:
        return attrs
    out = attrs[attrs[account_type_col].isin(set(account_types))].reset_index(drop=True)
    out.attrs = dict(attrs.attrs)
    return out


def demographic_summaries(attributes: pd.DataFrame, rfm: pd.DataFrame, *,
                          dimensions: Sequence[str] = DEMOGRAPHIC_COLUMNS,
                          customer_col: str = "customer_id") -> dict[str, pd.DataFrame]:
    """:func:`demographic_summary` for each of ``dimensions`` (default :data:`DEMOGRAPHIC_COLUMNS`) that is a
    column of ``attributes``, in that order; the dimensions that are not columns are left out.

    Returns
    -------
    dict of str to DataFrame
        Dimension -> its summary; empty when no dimension is present.
    """
    dims = list(dict.fromkeys(d for d in dimensions if d in attributes.columns))
    if not dims or {customer_col, "frequency", "monetary"} & set(dims):
        return {d: demographic_summary(attributes, rfm, d, customer_col=customer_col) for d in dims}
    require_columns(attributes, "attributes", [customer_col, *dims])
    require_columns(rfm, "rfm", [customer_col, "frequency", "monetary"])
    joined = _with_rfm(attributes, rfm, dims, customer_col)  # one join for all dimensions
    return {d: _demographic_table(joined, d) for d in dims}


def demographic_highlights(tables: Mapping[str, pd.DataFrame], *, unknown: str = "unknown",
                           min_size: int = MIN_GROUP_SIZE, min_ratio: float = 1.05) -> pd.DataFrame:
    r"""The stand-out group of each demographic dimension: the one whose share of revenue most exceeds its
    share of customers,

    .. math:: g^* = \arg\max_g \left(\text{revenue share}_g - \text{customer share}_g\right)

    (first group on ties; the ``unknown`` group and groups of fewer than ``min_size`` customers are left
    out, and so is a dimension where no such group brings at least ``min_ratio`` times its share of
    customers in revenue: 1.05 = revenue per customer 5% above the average, so a group whose two shares
    round to the same figure is not called a stand-out).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Dimension -> :func:`demographic_summary` (e.g. :func:`demographic_summaries`).

    Returns
    -------
    DataFrame
        ``dimension, group, customers, customer_share, revenue_share, revenue_per_customer``, one row per
        dimension.
    """
    rows = []
    for dim, table in tables.items():
        require_columns(table, f"demographic summary of {dim}", [dim, "customers", "customer_share", "revenue_share",
                                                          "revenue_per_customer"])
        known = table[(table[dim].astype(str) != unknown) & (table["customers"] >= int(min_size))]
        if known.empty:
            continue
        excess = known["revenue_share"] - known["customer_share"]
        stands_out = known["revenue_share"] >= float(min_ratio) * known["customer_share"]
        if not stands_out.any():
            continue  # no group brings clearly more than its share: nothing stands out
        best = known.loc[excess[stands_out].idxmax()]
        rows.append({"dimension": dim, "group": best[dim], "customers": int(best["customers"]),
                     "customer_share": float(best["customer_share"]),
                     "revenue_share": float(best["revenue_share"]),
                     "revenue_per_customer": float(best["revenue_per_customer"])})
    cols = ["dimension", "group", "customers", "customer_share", "revenue_share", "revenue_per_customer"]
    return pd.DataFrame(rows, columns=cols)


def over_representation(groups: pd.Series, values: pd.Series, *, min_size: int = MIN_GROUP_SIZE,
                        unknown: str = "unknown") -> pd.DataFrame:
    r"""How over-represented each value is in each group, against the whole base.

    .. math:: \text{index}_{g,v} = \frac{n_{g,v} / n_g}{N_v / N}

    :math:`n_{g,v}` customers of group :math:`g` have value :math:`v` (of :math:`n_g` in the group with a
    known value); :math:`N_v` of the :math:`N` customers of the base (all rows). 1 = as common as in the
    whole base, 2 = twice as common. Pairs with fewer than ``min_size`` customers are left out, so a tiny
    group cannot top the list; the value ``unknown`` counts as missing.

    Parameters
    ----------
    groups, values : Series
        The group (segment) and the attribute of each customer, aligned; missing values are left out.

    Returns
    -------
    DataFrame
        ``group, value, customers, share, base_share, index``, highest index first within each group
        (ties: the larger group first).
    """
    d = pd.DataFrame({"group": groups.to_numpy(), "value": values.astype(object).to_numpy()}).dropna()
    d["value"] = d["value"].astype(str)
    d = d[d["value"] != unknown]
    cols = ["group", "value", "customers", "share", "base_share", "index"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    counts = d.groupby(["group", "value"], sort=True).size().rename("customers").reset_index()
    counts["share"] = counts["customers"] / counts["group"].map(d.groupby("group").size())
    counts["base_share"] = counts["value"].map(d["value"].value_counts(normalize=True))
    counts["index"] = counts["share"] / counts["base_share"]
    counts = counts[counts["customers"] >= int(min_size)]
    counts = counts.sort_values(["group", "index", "customers", "value"], ascending=[True, False, False, True],
                                kind="stable")
    return counts[cols].reset_index(drop=True)


def _segments_of(assignments: pd.DataFrame, segment_col: str) -> pd.DataFrame:
    """``customer_id`` (as text) and ``segment_col`` of ``assignments``."""
    seg = assignments[["customer_id", segment_col]].copy()
    seg["customer_id"] = seg["customer_id"].astype(str)
    return seg


def _with_segments(facts: CustomerFacts, orders: pd.DataFrame, seg: pd.DataFrame, segment_col: str) -> pd.DataFrame:
    """``orders.merge(seg, on="customer_id", how="inner")`` (``orders``: columns of ``facts.orders``), by
    integer rows when ``seg`` has each customer once: the same rows in the same order, the same dtypes."""
    where = rows_of(facts, seg["customer_id"])
    if where is None:
        return orders.merge(seg, on="customer_id", how="inner")
    r = where[order_rows(facts)]
    keep = np.flatnonzero(r >= 0)
    out = orders.iloc[keep].reset_index(drop=True)
    for col in seg.columns.drop("customer_id"):
        out[col] = spread(seg[col], r[keep])
    return out


def customer_portrait(facts: CustomerFacts, assignments: pd.DataFrame, *, segment_col: str = "segment",
                      bands: Sequence[int] = AGE_BANDS, order: Sequence[str] | None = None,
                      min_size: int = MIN_GROUP_SIZE, min_index: float = PORTRAIT_MIN_INDEX) -> pd.DataFrame:
    r"""Customer portrait (客户画像) of each segment: who they are, how they buy, what they are worth.

    - *who*: for each attribute of :data:`PORTRAIT_ATTRIBUTES` (account type, age band, gender, region,
      acquisition channel; those absent from ``customers`` are left out), the value most
      **over-represented** in the segment against the whole base (:func:`over_representation`), when it
      concerns at least ``min_size`` customers of the segment and its index is at least ``min_index``;
      the most common value would describe the whole base, not the segment;
    - *how they buy*: orders per customer, average order value
      :math:`\text{AOV} = \sum \text{revenue} / \#\text{orders}` and the main sales channel and product
      category with their share of the segment's revenue (when ``orders`` has those columns);
    - *what they are worth*: revenue per customer and share of total revenue (orders up to ``as_of``).

    Returns
    -------
    DataFrame
        One row per segment: ``segment, customers, customer_share``, ``top_<attribute>`` and
        ``top_<attribute>_share`` for each attribute, ``orders_per_customer, avg_order_value``,
        ``top_channel(_share)``, ``top_category(_share)``, ``revenue_per_customer, revenue_share``
        (the sentences: :func:`crmbook.segmentation.narrative.portrait_table`).
    """
    require_columns(assignments, "assignments", ["customer_id", segment_col])
    customer_col, revenue_col = "customer_id", "revenue"
    seg = _segments_of(assignments, segment_col)
    attrs = customer_attributes(facts, bands=bands, columns=("account_type", "gender", "region",
                                                             "acquisition_channel"))
    extra = [c for c in ("channel", "category") if c in facts.orders.columns]
    o = _with_segments(facts, facts.orders[[customer_col, "order_date", revenue_col, *extra]], seg, segment_col)
    at = facts.customer_index.get_indexer(seg[customer_col])
    if len(attrs) == len(facts.customers) and (at >= 0).all():  # attrs: one row per customer, in their order
        d = pd.concat([seg.reset_index(drop=True), attrs.drop(columns=customer_col).iloc[at].reset_index(drop=True)],
                      axis=1)
    else:
        d = seg.merge(attrs, on=customer_col, how="left")
    if "account_type" in d.columns:
        known = d["account_type"].notna()
        d["business"] = np.where(~d["account_type"].astype(str).isin(set(CONSUMER_ACCOUNT_TYPES)), "yes", "no")
        d["business"] = d["business"].where(known)
    total_rev = float(o[revenue_col].sum())
    # one pass per attribute over all segments (not one per segment and attribute)
    who = [c for c in PORTRAIT_ATTRIBUTES if c in d.columns]
    over = {}
    for col in who:
        table = over_representation(d[segment_col], d[col], min_size=min_size)
        table = table[table["index"] >= float(min_index)].drop_duplicates("group")  # the highest per segment
        over[col] = table.set_index("group")
    # each segment's orders as one slice of the revenues put in segment order (a stable sort keeps their
    # order, so each sum is the sum over the segment's own rows, to the last digit), and per sales channel
    # and category one groupby over all segments on one integer key per (segment, value in alphabetical
    # order): within a group the rows, and so the sums, are the same as in the segment's own groupby
    codes, found = pd.factorize(o[segment_col])
    by_segment = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[by_segment], np.arange(len(found) + 1))
    in_order = o[revenue_col].to_numpy(dtype=float)
    revenue = in_order[by_segment]
    slot = {name: i for i, name in enumerate(found)}
    mixes: dict[str, dict[Any, pd.Series]] = {}
    for col in extra:
        values, names = pd.factorize(o[col].astype(str), sort=True)
        known = (codes >= 0) & (values >= 0)
        width = max(len(names), 1)
        sums = pd.Series(in_order[known]).groupby(codes[known].astype(np.int64) * width + values[known]).sum()
        key, total = sums.index.to_numpy(), sums.to_numpy()
        segment_of = key // width
        mixes[col] = {found[k]: pd.Series(total[segment_of == k], index=names[key[segment_of == k] % width])
                      for k in np.unique(segment_of)}
    rows = []
    for name, size in d.groupby(segment_col, sort=False).size().items():
        n = int(size)
        i = slot.get(name)
        po = revenue[bounds[i]:bounds[i + 1]] if i is not None else revenue[:0]
        row: dict[str, Any] = {"segment": name, "customers": n, "customer_share": n / len(d)}
        for col in who:
            hit = over[col].loc[name] if name in over[col].index else None
            row[f"over_{col}"] = hit["value"] if hit is not None else np.nan
            for key, src in (("share", "share"), ("base", "base_share"), ("index", "index")):
                row[f"over_{col}_{key}"] = float(hit[src]) if hit is not None else np.nan
        n_orders, rev = len(po), float(po.sum())
        row["orders_per_customer"] = n_orders / n
        row["avg_order_value"] = rev / n_orders if n_orders else np.nan
        for col in extra:
            by = mixes[col].get(name)
            if by is not None and len(by) and rev > 0:
                j = int(np.argmax(by.to_numpy()))  # the first of the largest: ties go alphabetically
                row[f"top_{col}"], row[f"top_{col}_share"] = by.index[j], float(by.iloc[j] / rev)
            else:
                row[f"top_{col}"], row[f"top_{col}_share"] = np.nan, np.nan
        row["revenue_per_customer"] = rev / n
        row["revenue_share"] = rev / total_rev if total_rev else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    names = out["segment"].tolist()
    if order is None and set(names) <= set(RFM_SEGMENT_ORDER):
        order = RFM_SEGMENT_ORDER
    if order is not None:
        ranked = [s for s in order if s in names] + [s for s in names if s not in set(order)]
    else:
        ranked = out.sort_values("customers", ascending=False, kind="stable")["segment"].tolist()
    return out.set_index("segment").loc[ranked].reset_index()


def purchase_mix(facts: CustomerFacts, assignments: pd.DataFrame, *, by: str = "channel",
                 segment_col: str = "segment") -> pd.DataFrame:
    """Revenue mix of each segment over ``by`` (``channel`` or ``category`` of ``orders``).

    Returns
    -------
    DataFrame
        Segments as rows, values of ``by`` as columns, each row the segment's revenue shares (sums to 1).
    """
    require_columns(facts.orders, "orders", [by])
    customer_col, revenue_col = "customer_id", "revenue"
    o = _with_segments(facts, facts.orders[[customer_col, revenue_col, by]], _segments_of(assignments, segment_col),
                       segment_col)
    # the groupby and unstack of ``pivot_table(index=segment_col, columns=by, aggfunc="sum", fill_value=0.0)``,
    # without its general-purpose overhead
    sums = o.groupby([o[segment_col], o[by].astype(str).rename(by)], observed=True)[revenue_col].sum()
    table = sums.unstack(by, fill_value=0.0)
    share = table.div(table.sum(axis=1).where(lambda s: s > 0), axis=0)
    names = share.index.tolist()
    if set(names) <= set(RFM_SEGMENT_ORDER):
        share = share.loc[[s for s in RFM_SEGMENT_ORDER if s in names]]
    share.columns.name = by
    return share
