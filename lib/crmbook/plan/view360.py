"""The one-row-per-customer view (客户360视图): what every topic knows about each customer, joined once.

:func:`customer_360` computes each piece once from the shared :class:`crmbook.facts.CustomerFacts` and the
optional tables, calling the topics' own functions (never re-running their notebooks):

=================  =============================================  ===========================================
column             meaning                                        from
=================  =============================================  ===========================================
segment            RFM segment                                    ``crmbook.segmentation.rfm_segmentation``
abc_class          ABC class (A/B/C, two-year growth rule)        ``crmbook.segmentation.abc_classes``
quadrant           target-customer quadrant (missing: no          ``crmbook.segmentation.target_matrix``
                   revenue in the last 12 months)
stage              lifecycle stage                                ``crmbook.lifecycle.lifecycle_stages``
p_alive            P(alive), BG/NBD                               ``crmbook.roi.probabilistic_clv`` or
                                                                  ``crmbook.lifecycle.p_alive_table``
clv                customer lifetime value, method ``clv_method`` ``crmbook.roi``
annual_revenue     revenue of the last 12 months                  the facts
annual_value       yearly gross margin the customer brings while  the facts x the margin rate
                   active (the value an action defends)
profit, roi        customer profit and ROI                        ``crmbook.costing.customer_pnl``,
                                                                  ``crmbook.roi.customer_roi``
nps, csat          the latest answer                              ``surveys``
open_complaints    complaints not resolved                        ``contacts``
member_tier        tier                                           ``customers``
=================  =============================================  ===========================================

A piece whose table or column is missing, or whose model cannot be fitted, is a column of missing values
and its reason is in ``attrs["missing"]`` (``{"column": "reason"}``): the report says what is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts

__all__ = ["CLV_METHODS", "DEFAULT_MARGIN_RATE", "VIEW_COLUMNS", "customer_360", "margin_rate"]

#: CLV methods: ``probabilistic`` (BG/NBD + Gamma-Gamma, 12 months, discounted margin), ``retention``
#: (the yearly margin with the base's retention, discounted, infinite horizon) and ``course`` (order value x
#: orders a year x lifespan, revenue).
CLV_METHODS: tuple[str, ...] = ("probabilistic", "retention", "course")

#: Gross margin rate used when orders have no cost of goods (a parameter of the notebook overrides it).
DEFAULT_MARGIN_RATE: float = 0.35

#: The columns of the view, in order.
VIEW_COLUMNS: tuple[str, ...] = ("customer_id", "member_tier", "account_type", "region", "segment", "abc_class",
                                 "quadrant", "stage", "p_alive", "clv", "frequency", "recency_days",
                                 "monetary", "annual_revenue", "annual_value", "profit", "roi", "nps", "csat",
                                 "open_complaints", "days_to_birthday")


def margin_rate(facts: CustomerFacts, default: float = DEFAULT_MARGIN_RATE) -> tuple[float, str]:
    """The base's gross margin rate and where it comes from (``cost_of_goods`` or ``default``)."""
    from crmbook.roi import gross_margin_rate

    rate = gross_margin_rate(facts.orders)
    return (float(rate), "cost_of_goods") if np.isfinite(rate) else (float(default), "default")


def _latest(surveys: pd.DataFrame, column: str) -> pd.Series:
    """Each customer's latest answer to ``column``: the last of their answers by date, undated answers after
    the dated ones (where a stable sort by id and date puts them); indexed by the ids, sorted."""
    values = pd.to_numeric(surveys[column], errors="coerce")
    answered = (values.notna() & surveys["customer_id"].notna()).to_numpy()  # no id: in no customer's group
    values = values[answered]
    dates = pd.to_datetime(surveys["response_date"], errors="coerce")[answered].to_numpy()
    # customers as codes in id order, answers by (customer, date, missing dates last), stable like the sort
    code, ids = pd.factorize(surveys["customer_id"][answered].astype(str), sort=True)
    undated = np.isnat(dates)
    order = np.lexsort((np.where(undated, 0, dates.view(np.int64)), undated, code))
    code = code[order]
    last = np.flatnonzero(np.r_[code[1:] != code[:-1], True]) if len(code) else np.zeros(0, dtype=np.intp)
    return pd.Series(values.to_numpy()[order[last]], index=pd.Index(ids[code[last]], name="customer_id"),
                     name=column, dtype=values.dtype)


def _clv(facts: CustomerFacts, method: str, rate: float) -> tuple[pd.Series, pd.Series | None, str | None]:
    """CLV per customer, the P(alive) when the method gives it, and a reason when it could not be computed."""
    from crmbook import roi

    if method == "probabilistic":
        frame, _, _, reason = roi.probabilistic_clv_or_reason(facts, horizon=12, time_unit="M", margin_rate=rate)
        if frame is None:
            return pd.Series(dtype=float), None, reason
        frame.index = frame.index.astype(str)
        return frame["clv"], frame["p_alive"], None
    try:
        closed = roi.clv_closed_forms(facts, margin_rate=rate)
    except ValueError as exc:
        return pd.Series(dtype=float), None, str(exc)
    col = "clv_retention" if method == "retention" else "clv_course"
    return closed.set_index(closed["customer_id"].astype(str))[col], None, None


def _by_id(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]`` indexed by the frame's customer ids as text."""
    return frame.set_index(frame["customer_id"].astype(str))[column]


def customer_360(facts: CustomerFacts, *, surveys: pd.DataFrame | None = None,
                 contacts: pd.DataFrame | None = None, costs: pd.DataFrame | None = None,
                 campaigns: pd.DataFrame | None = None, campaign_members: pd.DataFrame | None = None,
                 clv_method: str = "probabilistic", default_margin_rate: float = DEFAULT_MARGIN_RATE,
                 stages: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer of ``facts.customers`` (every customer exactly once), the columns of
    :data:`VIEW_COLUMNS` (see the module docstring).

    Parameters
    ----------
    surveys, contacts, costs, campaigns, campaign_members : DataFrame, optional
        The optional tables; a missing one leaves its columns missing (said in ``attrs["missing"]``).
    clv_method : str
        One of :data:`CLV_METHODS`.
    default_margin_rate : float
        Margin rate when orders have no cost of goods.
    stages : DataFrame, optional
        Lifecycle stages already computed (:func:`crmbook.lifecycle.lifecycle_stages`).

    Returns
    -------
    DataFrame
        Sorted by ``customer_id``. ``attrs``: ``missing`` (column -> reason), ``clv_method``,
        ``margin_rate``, ``margin_basis``, ``profit_basis``, ``stage_rules`` (the lifecycle thresholds).
    """
    from crmbook import costing, lifecycle, roi
    from crmbook import segmentation as seg

    if clv_method not in CLV_METHODS:
        raise ValueError(f"clv_method must be one of {CLV_METHODS}, got {clv_method!r}")
    missing: dict[str, str] = {}
    c = facts.customers
    ids = facts.base["customer_id"].astype(str)
    out = pd.DataFrame({"customer_id": ids.to_numpy()})
    idx = pd.Index(out["customer_id"])

    def put(name: str, values: pd.Series | None, reason: str | None = None) -> None:
        if values is None:
            out[name] = np.nan
            if reason:
                missing[name] = reason
            return
        if values.index.equals(idx):  # already one value per row of the view, in its order (most pieces)
            out[name] = values.to_numpy()
            return
        # the row of each view customer in ``values`` (-1: none), through the hash table of the view's ids
        # (built once for all pieces); then a reindex by integer positions, which fills and promotes dtypes
        # as the reindex by ids did
        where = idx.get_indexer(values.index.astype(str))
        found = np.flatnonzero(where >= 0)
        pos = np.full(len(idx), -1, dtype=np.intp)
        pos[where[found]] = found
        if np.count_nonzero(pos >= 0) != len(found):  # a customer twice: the reindex by ids says so
            v = values.copy()
            v.index = v.index.astype(str)
            out[name] = v.reindex(idx).to_numpy()
            return
        out[name] = values.reset_index(drop=True).reindex(pos).to_numpy()

    prof = c.set_index(c["customer_id"].astype(str))
    for col in ("member_tier", "account_type", "region"):
        put(col, prof[col] if col in prof.columns else None, f"customers.{col}")
    base = facts.base.set_index(ids)
    for col in ("frequency", "recency_days", "monetary"):
        out[col] = base[col].to_numpy()
    rate, basis = margin_rate(facts, default_margin_rate)
    yr = facts.yearly_revenue_all(1).set_index("customer_id")["revenue_y0"]
    put("annual_revenue", yr)
    # the yearly margin while active: last year's revenue, or the average year of the tenure when the
    # customer bought nothing last year (what an at-risk or lapsed customer brought before)
    years = np.maximum(base["tenure_days"].to_numpy(float) / 365.25, 1.0)
    average_year = base["monetary"].to_numpy(float) / years
    out["annual_value"] = np.maximum(out["annual_revenue"].to_numpy(float), average_year) * rate

    # each topic's per-customer table is dropped once its column is in the view: at a million customers
    # each holds hundreds of megabytes, and the next one's working memory comes on top
    put("segment", _by_id(seg.rfm_segmentation(facts), "segment"))
    put("abc_class", _by_id(seg.abc_classes(facts, surveys=surveys, contacts=contacts), "abc_class"))
    put("quadrant", _by_id(seg.target_matrix(facts), "quadrant"))

    st = stages if stages is not None else lifecycle.lifecycle_stages(facts)
    put("stage", _by_id(st, "stage"))
    stage_rules = lifecycle.stage_rules(st)
    del st

    clv, p_alive, reason = _clv(facts, clv_method, rate)
    put("clv", clv if reason is None else None, reason)
    if p_alive is None:
        try:
            p_alive = _by_id(lifecycle.p_alive_table(facts), "p_alive")
        except Exception as exc:  # a model that cannot be fitted on this data: said, not hidden
            put("p_alive", None, f"{type(exc).__name__}: {exc}")
    if p_alive is not None:
        put("p_alive", p_alive)
    del clv, p_alive
    if clv_method != "probabilistic" and reason is None:
        out["clv"] = out["clv"].fillna(0.0)  # the closed forms give no value to customers inactive for a year

    pnl = costing.customer_pnl(facts, costs, contacts, campaigns, campaign_members)
    has_cogs = "cost_of_goods" in facts.orders.columns and facts.orders["cost_of_goods"].notna().any()
    if costs is None and not has_cogs:  # the P&L would be the revenue itself: not a profit
        put("profit", None, "costs, orders.cost_of_goods")
    else:
        put("profit", pnl["profit"])
    r = roi.customer_roi(facts, pnl=pnl if costs is not None else None, contacts=contacts)
    profit_basis = pnl.attrs.get("basis")
    del pnl
    put("roi", _by_id(r, "roi"))
    if costs is None and has_cogs:
        missing["profit"] = "costs (profit = gross margin)"
    if r.attrs.get("basis") == "gross_margin":
        missing["roi"] = "costs, contacts.cost"
    del r

    if surveys is not None and len(surveys):
        for col in ("nps", "csat"):
            put(col, _latest(surveys, col) if col in surveys.columns else None, f"surveys.{col}")
    else:
        put("nps", None, "surveys")
        put("csat", None, "surveys")
    if contacts is not None and {"type", "contact_date"} <= set(contacts.columns):
        d = pd.to_datetime(contacts["contact_date"], errors="coerce")
        comp = contacts[(contacts["type"].astype(str).str.lower() == "complaint") & (d <= facts.as_of)]
        if "resolved" in comp.columns:
            resolved = comp["resolved"].astype(str).str.lower().isin(["true", "1", "yes"])
            comp = comp[~resolved]
        else:
            missing["open_complaints"] = "contacts.resolved (every complaint counted as open)"
        out["open_complaints"] = comp.groupby(comp["customer_id"].astype(str)).size().reindex(idx).fillna(0) \
            .astype(int).to_numpy()
    else:
        put("open_complaints", None, "contacts")
    if "birth_date" in prof.columns:
        days = lifecycle.next_birthdays(prof["birth_date"], facts.as_of)
        days.index = prof.index
        put("days_to_birthday", days["days_until"])
    else:
        put("days_to_birthday", None, "customers.birth_date")
    out = out[list(VIEW_COLUMNS)].sort_values("customer_id", kind="stable").reset_index(drop=True)
    out.attrs.update(missing=missing, clv_method=clv_method, margin_rate=rate, margin_basis=basis,
                     profit_basis=profit_basis, stage_rules=stage_rules)
    return out
