r"""The customer journey (客户旅程): touchpoints on the stages awareness -> consideration -> purchase -> use ->
loyalty, their volume, response time and outcome, and the pain points that the data name.

**Touchpoints (接触点).** Every contact of the ``contacts`` table (service calls, chats, complaints, visits,
campaign touches ...), every treated member of a campaign (``campaign_members``, dated at the campaign's
start, with its response) and, optionally, every order is a touchpoint. A mapping, kept as data in
``journey_map.yaml`` and overridable, puts each kind of touchpoint on a stage, possibly a different one
before and after the customer's first order (a campaign message raises awareness in a prospect and invites
a repeat purchase from a customer). When ``campaign_members`` is given its touches replace the contacts of
type ``campaign_touch`` (the same messages, without the response), and the report says how many.

**Pain points (痛点).** For each kind of contact, a customer's *first* contact of that kind at least
``window_days`` before ``as_of``, made after their first order, is *slow* when the first response took
longer than the kind's ``slow_quantile`` of response times (or ``slow_hours``) and *unresolved* when it was
not resolved. The customer is *inactive afterwards* when they placed no order in the ``window_days`` after
the contact. The rate after a bad contact is compared with the rate after a good one:

.. math:: d = \frac{\#\text{inactive after bad}}{\#\text{bad}} - \frac{\#\text{inactive after good}}{\#\text{good}}

with Newcombe's 95 % interval, widened for the number of comparisons :math:`m` (Bonferroni: each at
:math:`1 - 0.05/m`); a kind is named a pain point when both groups hold at least ``min_group`` customers
and the whole interval lies above zero. One contact per customer and kind keeps the customers
independent. It is an association, not proof: the customers whose complaints stay unresolved may be the
unhappy ones who were leaving anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from crmbook.context import Context
from crmbook.facts import CustomerFacts
from crmbook.intervals import newcombe_interval, z_value
from crmbook.language import Narrative, catalogue, join_names, package_yaml
from crmbook.tables import format_table, require_columns

from .loyalty import PACKAGE, _arrays, _day, _days, _positions

__all__ = [
    "JOURNEY_STAGES",
    "PAIN_WINDOW_DAYS",
    "SLOW_QUANTILE",
    "MIN_GROUP",
    "journey_map",
    "mapping_table",
    "touchpoints",
    "touchpoint_summary",
    "journey_stage_summary",
    "pain_points",
    "journey_facts",
    "journey_narrative",
    "journey_summary",
    "journey_note",
    "journey_table",
]

#: The journey's stages, in order.
JOURNEY_STAGES = ("awareness", "consideration", "purchase", "use", "loyalty")
#: Days after a contact in which a customer without an order counts as inactive afterwards.
PAIN_WINDOW_DAYS = 180
#: A response slower than this quantile of its kind's response times is slow.
SLOW_QUANTILE = 0.8
#: Fewest customers per group (bad, good) for a verdict.
MIN_GROUP = 30

_NEVER_DAY = np.iinfo(np.int64).max // 2  # no date (as in loyalty._days)
_SEEN_CELLS = 100_000_000  # most (group, customer) flags held at once for the distinct counts (100 MB)


def journey_map(source: str | Path | Mapping | None = None) -> dict[str, Any]:
    """The touchpoint -> stage mapping: the package's ``journey_map.yaml``, a YAML file, or a mapping.

    Returns
    -------
    dict
        ``stages`` (tuple, in order) and ``touchpoints``: touchpoint -> ``(stage before the first order,
        stage on or after it)``.

    Raises
    ------
    ValueError
        A stage that is not in ``stages``, or a value that is neither a stage nor
        ``{before_first_order: ..., after_first_order: ...}``.
    """
    if source is None:
        tree = package_yaml((resources.files(PACKAGE) / "journey_map.yaml").read_text(encoding="utf-8"))
        where = "journey_map.yaml"
    elif isinstance(source, Mapping):
        tree, where = dict(source), "the mapping"
    else:
        tree, where = yaml.safe_load(Path(source).read_text(encoding="utf-8")), str(source)
    stages = tuple(tree.get("stages") or JOURNEY_STAGES)
    out: dict[str, tuple[str, str]] = {}
    for tp, value in (tree.get("touchpoints") or {}).items():
        if isinstance(value, Mapping):
            pair = (value.get("before_first_order"), value.get("after_first_order"))
        else:
            pair = (value, value)
        bad = [v for v in pair if v not in stages]
        if bad:
            raise ValueError(f"{where}: touchpoint {tp!r} goes to {bad[0]!r}, which is not a stage "
                             f"({', '.join(stages)}); give a stage or "
                             "{before_first_order: <stage>, after_first_order: <stage>}")
        out[str(tp)] = (str(pair[0]), str(pair[1]))
    if not out:
        raise ValueError(f"{where}: no touchpoints mapped (expected a 'touchpoints:' mapping)")
    return {"stages": stages, "touchpoints": out}


def mapping_table(jm: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The mapping of :func:`journey_map` as a table: ``touchpoint, stage_before, stage_after`` (the stage
    before the customer's first order and on or after it), in the order of the mapping."""
    jm = journey_map() if jm is None else jm
    rows = [{"touchpoint": t, "stage_before": b, "stage_after": a} for t, (b, a) in jm["touchpoints"].items()]
    return pd.DataFrame(rows, columns=["touchpoint", "stage_before", "stage_after"])


_CODES: dict[int, tuple[Any, Any, np.ndarray]] = {}


def _customer_codes(facts: CustomerFacts, frame: pd.DataFrame) -> np.ndarray:
    """Position in ``facts.customers`` of each row's customer (-1: unknown), cached per (facts, frame)."""
    import weakref

    key = id(frame)
    hit = _CODES.get(key)
    if hit is not None and hit[0]() is frame and hit[1]() is facts:
        return hit[2]
    codes = _positions(facts.customers["customer_id"], frame["customer_id"])
    _CODES[key] = (weakref.ref(frame), weakref.ref(facts), codes)
    return codes


def _flag(values: pd.Series | None, n: int) -> np.ndarray:
    """A yes/no column as 1.0 / 0.0 / NaN (unknown)."""
    if values is None:
        return np.full(n, np.nan)
    v = values.astype("boolean") if not pd.api.types.is_bool_dtype(values) else values.astype("boolean")
    return v.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _category(values: Any, n: int) -> pd.Categorical:
    """``values`` as a categorical with text categories of one dtype (object), so that parts can be joined."""
    if values is None:
        return pd.Categorical.from_codes(np.full(n, -1), categories=pd.Index([], dtype=object))
    if isinstance(values, pd.Categorical):
        c = values
    elif isinstance(values, pd.Series):
        c = pd.Categorical(values)  # factorised where the values are (fast for Arrow text)
    else:
        c = pd.Categorical(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(c.codes, categories=pd.Index(np.asarray(c.categories, dtype=object),
                                                                  dtype=object))


def _constant(name: str, n: int) -> pd.Categorical:
    """``n`` times the text ``name`` as :func:`_category` gives it (codes, not ``n`` strings to factorise)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([name] if n else [], dtype=object))


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    """The arrays end to end (the array itself when there is one: no copy)."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _filled(arrays: list[np.ndarray | None], sizes: list[int]) -> np.ndarray:
    """The float arrays end to end, a part without one (None) missing (NaN) for its rows: one array written
    once, instead of a NaN array per part and their concatenation."""
    out = np.empty(sum(sizes))
    start = 0
    for values, size in zip(arrays, sizes, strict=True):
        out[start:start + size] = np.nan if values is None else values
        start += size
    return out


def _id_index(facts: CustomerFacts, a: Any) -> pd.Index:
    """The customer ids (``a.ids``, in the customers' order) as the categories of ``customer_id``: over the
    customers' own text column when it is one (no second copy of a million strings), else built from
    ``a.ids``."""
    ids = facts.customers["customer_id"]
    return pd.Index(a.ids) if ids.dtype == object else pd.Index(ids.array)


def touchpoints(facts: CustomerFacts, contacts: pd.DataFrame | None = None,
                campaign_members: pd.DataFrame | None = None, campaigns: pd.DataFrame | None = None, *,
                mapping: str | Path | Mapping | None = None, include_orders: bool = True) -> pd.DataFrame:
    """Every touchpoint placed on its journey stage.

    Parameters
    ----------
    facts : CustomerFacts
        Customers and orders at ``as_of`` (orders are the ``order`` touchpoints).
    contacts : DataFrame, optional
        ``customer_id, contact_date, type`` and, when known, ``channel, response_hours, resolved``.
    campaign_members, campaigns : DataFrame, optional
        Members (``campaign_id, customer_id``, ``group``, ``responded``) and their campaigns
        (``campaign_id, start_date``, ``channel``): each treated member is a ``campaign`` touchpoint dated
        at the campaign's start.
    mapping : path or mapping, optional
        The touchpoint -> stage mapping (:func:`journey_map`; default the package's ``journey_map.yaml``).
    include_orders : bool
        Count each order as a ``purchase`` touchpoint.

    Returns
    -------
    DataFrame
        ``customer_id, date, touchpoint, journey_stage, channel`` (categorical), ``response_hours``, ``resolved``
        and ``responded`` (1.0 yes, 0.0 no, missing unknown), ``source`` (``contacts``, ``campaign_members``
        or ``orders``). ``attrs["left_out"]``: rows not placed, by reason (``after_as_of``,
        ``unknown_customer``, ``no_stage`` with ``attrs["unmapped"]`` naming the kinds,
        ``campaign_touch_replaced``, ``no_campaign_date``).
    """
    jm = journey_map(mapping)
    a = _arrays(facts)
    as_of = _day(facts.as_of)
    left: dict[str, int] = {}
    parts: list[dict[str, Any]] = []

    def add(cust: np.ndarray, day: np.ndarray, kind: pd.Categorical, source: str, channel: Any = None,
            hours: np.ndarray | None = None, resolved: np.ndarray | None = None,
            responded: np.ndarray | None = None) -> None:
        n = len(cust)
        late = day > as_of
        unknown = (cust < 0) & ~late
        for reason, mask in (("after_as_of", late), ("unknown_customer", unknown)):
            if mask.any():
                left[reason] = left.get(reason, 0) + int(mask.sum())
        keep = ~late & ~unknown
        everything = bool(keep.all())  # the orders: every one dated by as_of, of a known customer

        def kept(values: Any) -> Any:
            return None if values is None else values if everything else values[keep]

        # a column the source does not have stays None here (missing for its rows when the parts are joined)
        parts.append({"_c": kept(cust), "_d": kept(day), "touchpoint": kept(kind), "source": source,
                      "channel": kept(_category(channel, n)), "response_hours": kept(hours),
                      "resolved": kept(resolved), "responded": kept(responded)})

    use_members = campaign_members is not None and campaigns is not None and len(campaign_members) > 0
    if contacts is not None:
        require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
        cust = _customer_codes(facts, contacts)
        kind = _category(contacts["type"], len(contacts))
        keep = np.ones(len(contacts), dtype=bool)
        if use_members:
            keep = np.asarray(kind != "campaign_touch")
            if (~keep).any():
                left["campaign_touch_replaced"] = int((~keep).sum())
        c = contacts
        hours = pd.to_numeric(c["response_hours"], errors="coerce").to_numpy(dtype=float) \
            if "response_hours" in c.columns else None
        add(cust[keep], _days(c["contact_date"])[keep], kind[keep], "contacts",
            _category(c["channel"], len(c))[keep] if "channel" in c.columns else None,
            None if hours is None else hours[keep],
            _flag(c["resolved"], len(c))[keep] if "resolved" in c.columns else None)
    if use_members:
        require_columns(campaign_members, "campaign_members", ["campaign_id", "customer_id"])
        require_columns(campaigns, "campaigns", ["campaign_id", "start_date"])
        m = campaign_members
        treated = (m["group"] == "treatment").fillna(False).to_numpy(dtype=bool) if "group" in m.columns \
            else np.ones(len(m), dtype=bool)
        info = campaigns.drop_duplicates("campaign_id").set_index("campaign_id")
        which = info.index.get_indexer(m["campaign_id"].astype(str))
        start = np.append(_days(info["start_date"]), _NEVER_DAY)[np.where(which >= 0, which, len(info))]
        dated = start != _NEVER_DAY
        if (treated & ~dated).any():
            left["no_campaign_date"] = int((treated & ~dated).sum())
        keep = treated & dated
        channel = None
        if "channel" in info.columns:
            names = _category(info["channel"], len(info))
            codes = np.append(names.codes, -1)[np.where(which >= 0, which, len(info))]
            channel = _category(pd.Categorical.from_codes(codes, categories=names.categories)[keep], int(keep.sum()))
        add(_customer_codes(facts, m)[keep], start[keep], _constant("campaign", int(keep.sum())),
            "campaign_members", channel, None, None,
            _flag(m["responded"], len(m))[keep] if "responded" in m.columns else None)
    if include_orders:
        o = facts.orders
        add(a.cust, a.day, _constant("order", len(o)), "orders",
            _category(o["channel"], len(o)) if "channel" in o.columns else None)
    out_cols = ["customer_id", "date", "touchpoint", "journey_stage", "channel", "response_hours", "resolved", "responded",
                "source"]
    if not parts:
        out = pd.DataFrame(columns=out_cols)
        out.attrs.update(left_out=left, unmapped=[], stages=jm["stages"])
        return out
    from pandas.api.types import union_categoricals

    kind = union_categoricals([p["touchpoint"] for p in parts])
    known = [k for k in kind.categories if k in jm["touchpoints"]]
    stages = list(jm["stages"])
    small = np.int8 if len(stages) < 127 else np.int64  # a stage's number (-1: none); int8 keeps arrays small
    before = np.array([stages.index(jm["touchpoints"][k][0]) if k in jm["touchpoints"] else -1
                       for k in kind.categories], dtype=small)
    after = np.array([stages.index(jm["touchpoints"][k][1]) if k in jm["touchpoints"] else -1
                      for k in kind.categories], dtype=small)
    cust = _joined([p["_c"] for p in parts])
    day = _joined([p["_d"] for p in parts])
    code = kind.codes
    # the stage after the customer's first order, or before it for a touch dated earlier; an order is never
    # before its customer's first order (the first order is the earliest of them), so only the other
    # sources are compared
    stage = after[code]
    start = 0
    for part in parts:
        end = start + len(part["_c"])
        if part["source"] != "orders":
            is_before = day[start:end] < a.first[cust[start:end]]
            stage[start:end] = np.where(is_before, before[code[start:end]], stage[start:end])
        start = end
    mapped = stage >= 0
    unmapped = sorted(str(kind.categories[k]) for k in np.unique(code[~mapped]))
    if unmapped:
        left["no_stage"] = int((~mapped).sum())
    everything = not unmapped

    def placed(values: np.ndarray) -> np.ndarray:
        return values if everything else values[mapped]

    sizes = [len(p["_c"]) for p in parts]
    source = np.repeat(np.arange(len(parts), dtype=np.int8), sizes)
    out = pd.DataFrame({
        "customer_id": pd.Categorical.from_codes(placed(cust), dtype=pd.CategoricalDtype(_id_index(facts, a))),
        "date": placed(day).astype("datetime64[D]").astype("datetime64[us]"),
        "touchpoint": pd.Categorical.from_codes(placed(code), categories=kind.categories),
        "journey_stage": pd.Categorical.from_codes(placed(stage), categories=stages, ordered=True),
        "channel": union_categoricals([p["channel"] for p in parts])[mapped] if not everything
        else union_categoricals([p["channel"] for p in parts]),
        **{col: placed(_filled([p[col] for p in parts], sizes)) for col in ("response_hours", "resolved", "responded")},
        "source": pd.Categorical.from_codes(placed(source), categories=[p["source"] for p in parts]),
    }, copy=False)
    afters = {v[1] for v in jm["touchpoints"].values()}
    before_only = [st for st in stages if st not in afters and any(v[0] == st for v in jm["touchpoints"].values())]
    out.attrs.update(left_out=left, unmapped=unmapped, stages=jm["stages"], known=known, before_only=before_only)
    return out


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1: missing) and the categories of a column (categorical as :func:`touchpoints` gives
    it, or anything :class:`pandas.Categorical` takes)."""
    c = values.array if isinstance(values.dtype, pd.CategoricalDtype) else pd.Categorical(values)
    return c.codes, c.categories  # the smallest integer type that holds them (int8 for a few categories)


def _distinct_per_group(group: np.ndarray, n_groups: int, customer: np.ndarray, n_customers: int) -> np.ndarray:
    """Distinct customers (codes >= 0) of each group ``0 .. n_groups - 1``, without hashing (group, customer)
    pairs: a table of seen flags, one row per group, written in one pass (for up to :data:`_SEEN_CELLS` flags);
    beyond, the rows are split by group and each group's customers flagged in turn."""
    known = customer >= 0
    if not known.all():
        group, customer = group[known], customer[known]
    if n_groups * n_customers <= _SEEN_CELLS:
        seen = np.zeros((n_groups, n_customers), dtype=bool)
        seen[group, customer] = True
        return np.count_nonzero(seen, axis=1).astype(np.int64)
    out = np.zeros(n_groups, dtype=np.int64)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    seen = np.zeros(n_customers, dtype=bool)
    for k in np.flatnonzero(np.diff(bounds)):
        seen[:] = False
        seen[customer[order[bounds[k]:bounds[k + 1]]]] = True
        out[k] = int(np.count_nonzero(seen))
    return out


def _share(flag: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean per group of a 1.0 / 0.0 / NaN column, missing values left out (NaN where a group has none):
    sums of whole numbers, so exactly the groupby's mean."""
    known = ~np.isnan(flag)
    count = np.bincount(group[known], minlength=n_groups)
    total = np.bincount(group[known], weights=flag[known], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def touchpoint_summary(tp: pd.DataFrame) -> pd.DataFrame:
    """Volume, response time and outcome per stage and touchpoint.

    Returns
    -------
    DataFrame
        ``journey_stage, touchpoint, touches, customers, main_channel`` (the most frequent channel), ``median_response_hours,
        p90_response_hours`` (where response times are known), ``resolved_share`` (of the touches with a
        known outcome), ``response_rate`` (campaigns: share who bought in the response window); in stage
        order, then by touches.

    Computed on integer codes (a group is a stage and a touchpoint); the response-time quantiles by pandas on
    the touches that have one (the others do not change them), so every figure is the groupby's.
    """
    cols = ["journey_stage", "touchpoint", "touches", "customers", "main_channel", "median_response_hours",
            "p90_response_hours",
            "resolved_share", "response_rate"]
    if tp.empty:
        return pd.DataFrame(columns=cols)
    keys = ["journey_stage", "touchpoint"]
    s_code, s_names = _codes(tp["journey_stage"])
    t_code, t_names = _codes(tp["touchpoint"])
    c_code, c_names = _codes(tp["customer_id"])
    ch_code, ch_names = _codes(tp["channel"])
    n_t = len(t_names)
    n_groups = len(s_names) * n_t
    # each row's group (stage code x touchpoint count + touchpoint code) in a small integer type: at ten
    # million touches, every array of int64 is 80 MB more to allocate and fill
    kind = np.int16 if n_groups < 2**15 else np.int64
    g = s_code.astype(kind) * kind(n_t) + t_code.astype(kind)
    known = (s_code >= 0) & (t_code >= 0)  # a row without a stage or touchpoint is in no group (as in groupby)
    if not known.all():
        g[~known] = n_groups  # to a spare group, dropped below
    size = np.bincount(g, minlength=n_groups + 1)[:n_groups]
    present = np.flatnonzero(size)  # (stage, touchpoint) in code order: the groupby's sorted order
    customers = _distinct_per_group(g, n_groups + 1, c_code, len(c_names))[:n_groups]
    # the main channel: the most touches, a tie to the first channel (the groupby's order, kept by the stable sort)
    has_channel = ch_code >= 0
    by_channel = np.bincount(g[has_channel].astype(np.int64) * (len(ch_names) + 1) + ch_code[has_channel],
                             minlength=(n_groups + 1) * (len(ch_names) + 1)).reshape(n_groups + 1, -1)
    top = np.argmax(by_channel[present, :len(ch_names)], axis=1) if len(ch_names) else np.zeros(len(present), int)
    main = [ch_names[k] if len(ch_names) and by_channel[gr, k] > 0 else np.nan for gr, k in zip(present, top, strict=True)]
    index = pd.MultiIndex.from_arrays(
        [pd.Categorical.from_codes(present // n_t, dtype=tp["journey_stage"].dtype)
         if isinstance(tp["journey_stage"].dtype, pd.CategoricalDtype) else s_names[present // n_t],
         pd.Categorical.from_codes(present % n_t, dtype=tp["touchpoint"].dtype)
         if isinstance(tp["touchpoint"].dtype, pd.CategoricalDtype) else t_names[present % n_t]], names=keys)
    hours = tp["response_hours"].to_numpy(dtype=float, na_value=np.nan)
    timed = tp.loc[~np.isnan(hours), keys + ["response_hours"]]
    q = timed.groupby(keys, observed=True, sort=True)["response_hours"]
    out = pd.DataFrame({"touches": size[present].astype(np.int64), "customers": customers[present],
                        "median_response_hours": q.median().reindex(index).to_numpy(dtype=float),
                        "p90_response_hours": q.quantile(0.9).reindex(index).to_numpy(dtype=float),
                        "resolved_share": _share(tp["resolved"].to_numpy(dtype=float, na_value=np.nan), g, n_groups + 1)[present],
                        "response_rate": _share(tp["responded"].to_numpy(dtype=float, na_value=np.nan), g, n_groups + 1)[present]}, index=index)
    out["main_channel"] = pd.Series(main, index=index, dtype=object)
    out = out.reset_index()
    out["journey_stage"] = out["journey_stage"].astype(str)
    out["touchpoint"] = out["touchpoint"].astype(str)
    stages = list(tp.attrs.get("stages") or JOURNEY_STAGES)
    out["_s"] = out["journey_stage"].map({s: i for i, s in enumerate(stages)})
    out = out.sort_values(["_s", "touches"], ascending=[True, False], kind="stable").drop(columns="_s")
    return out[cols].reset_index(drop=True)


def journey_stage_summary(tp: pd.DataFrame) -> pd.DataFrame:
    """Touches and customers per journey stage (every stage, zero when it has none).

    Returns
    -------
    DataFrame
        ``journey_stage, touches, share`` (of all touches), ``customers`` (distinct customers touched there).
    """
    stages = list(tp.attrs.get("stages") or JOURNEY_STAGES)
    s_code, s_names = _codes(tp["journey_stage"])
    c_code, c_names = _codes(tp["customer_id"])
    n = len(s_names)
    g = np.where(s_code >= 0, s_code, n).astype(np.int16 if n < 2**15 else np.int64)
    counts = pd.DataFrame({"touches": np.bincount(g, minlength=n + 1)[:n].astype(np.int64),
                           "customers": _distinct_per_group(g, n + 1, c_code, len(c_names))[:n]},
                          index=pd.Index(np.asarray(s_names, dtype=object)))
    out = counts.reindex(stages, fill_value=0)
    total = out["touches"].sum()
    out["share"] = out["touches"] / total if total else np.nan
    return out.rename_axis("journey_stage").reset_index()[["journey_stage", "touches", "share", "customers"]]


def pain_points(facts: CustomerFacts, contacts: pd.DataFrame, *, window_days: int = PAIN_WINDOW_DAYS,
                slow_hours: float | Mapping[str, float] | None = None, slow_quantile: float = SLOW_QUANTILE,
                min_group: int = MIN_GROUP, types: Sequence[str] | None = None,
                adjust: bool = True) -> pd.DataFrame:
    """Slow or unresolved contacts followed by customers going inactive (see the module docstring).

    Parameters
    ----------
    facts : CustomerFacts
        Customers and orders at ``as_of``.
    contacts : DataFrame
        ``customer_id, contact_date, type`` with ``response_hours`` and/or ``resolved``.
    window_days : int
        Days after the contact without an order that make a customer inactive afterwards; only contacts at
        least this long before ``as_of`` count.
    slow_hours : float or mapping, optional
        Hours above which a response is slow (one number, or per contact type); default: the type's
        ``slow_quantile`` of response times.
    slow_quantile : float
        Quantile of response times above which a response is slow (when ``slow_hours`` is not given).
    min_group : int
        Fewest customers in each group for a verdict.
    types : sequence of str, optional
        Contact types to check (default: every type with response times or outcomes).
    adjust : bool
        Widen each interval for the number of comparisons made (Bonferroni: each at confidence
        :math:`1 - 0.05/m` for :math:`m` comparisons), so that the chance of naming at least one pain point
        by luck stays below 5 %.

    Returns
    -------
    DataFrame
        One row per type and problem (``slow``, ``unresolved``): ``touchpoint, problem, threshold_hours``
        (slow only), ``bad_customers, bad_inactive, bad_rate, good_customers, good_inactive, good_rate,
        difference, difference_low, difference_high, verdict`` (``pain_point``: the interval lies above 0;
        ``lower_after``: below 0; ``no_clear_difference``; ``too_few``: a group below ``min_group``).
        ``attrs``: ``window_days``, ``min_group``, ``slow_quantile``, ``comparisons`` (m), ``z`` (of the
        intervals), ``contacts_used`` (first contacts checked), ``contacts_too_recent``,
        ``contacts_before_first_order``.
    """
    require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
    window = int(window_days)
    if window < 1:
        raise ValueError(f"pain_points: window_days must be at least 1, got {window_days!r}")
    if not 0 < float(slow_quantile) < 1:
        raise ValueError(f"pain_points: slow_quantile must be between 0 and 1, got {slow_quantile!r}")
    a = _arrays(facts)
    c = contacts
    cust = _customer_codes(facts, c)
    day = _days(c["contact_date"])
    as_of = _day(facts.as_of)
    kinds = _category(c["type"], len(c))
    names = [str(k) for k in kinds.categories]
    kind = kinds.codes
    hours = pd.to_numeric(c["response_hours"], errors="coerce").to_numpy(dtype=float) \
        if "response_hours" in c.columns else np.full(len(c), np.nan)
    res = _flag(c["resolved"], len(c)) if "resolved" in c.columns else np.full(len(c), np.nan)
    known = cust >= 0
    in_window = known & (day <= as_of)
    recent = in_window & (day > as_of - window)
    after_first = in_window & ~recent & (day >= np.where(known, a.first[np.maximum(cust, 0)], 0))
    before_first = in_window & ~recent & ~after_first
    has_info = ~np.isnan(hours) | ~np.isnan(res)
    if types is None:
        types = [names[k] for k in sorted(set(kind[after_first & has_info].tolist())) if k >= 0]
    wanted = np.isin(kind, [names.index(t) for t in types if t in names])
    sel = np.flatnonzero(after_first & wanted)
    # each customer's first contact of each kind: sort by (kind, customer, day), keep the first of each pair
    order = sel[np.lexsort((day[sel], cust[sel], kind[sel]))]
    k_s, c_s = kind[order], cust[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (k_s[1:] != k_s[:-1]) | (c_s[1:] != c_s[:-1])
    order = order[first]
    # inactive afterwards: no order in (d, d + window]; orders keyed (customer, day) and searched once
    big = np.int64(10 ** 7)
    keys = np.sort(a.cust.astype(np.int64) * big + a.day)
    probe = cust[order].astype(np.int64) * big + day[order]
    pos = np.searchsorted(keys, probe + 1, side="left")
    nxt = keys[np.minimum(pos, len(keys) - 1)] if len(keys) else np.zeros(len(probe), dtype=np.int64)
    inactive_all = ~((pos < len(keys)) & (nxt <= probe + window))
    frame_kind, frame_h, frame_r = kind[order], hours[order], res[order]
    rows = []
    for point in types:
        here = frame_kind == (names.index(point) if point in names else -2)
        h, r, inactive = frame_h[here], frame_r[here], inactive_all[here]
        checks = []
        if (~np.isnan(h)).any():
            if slow_hours is None:
                thr = float(np.quantile(h[~np.isnan(h)], float(slow_quantile)))
            elif isinstance(slow_hours, Mapping):
                thr = float(slow_hours.get(point, np.nan))
            else:
                thr = float(slow_hours)
            if not np.isnan(thr):
                checks.append(("slow", thr, ~np.isnan(h) & (h > thr), ~np.isnan(h) & (h <= thr)))
        if (~np.isnan(r)).any():
            checks.append(("unresolved", np.nan, r == 0, r == 1))
        for problem, thr, bad, good in checks:
            nb, ng = int(bad.sum()), int(good.sum())
            xb, xg = int(inactive[bad].sum()), int(inactive[good].sum())
            rows.append({"touchpoint": point, "problem": problem, "threshold_hours": thr, "bad_customers": nb,
                         "bad_inactive": xb, "bad_rate": xb / nb if nb else np.nan, "good_customers": ng,
                         "good_inactive": xg, "good_rate": xg / ng if ng else np.nan})
    m = max(1, len(rows))
    confidence = 1 - 0.05 / (m if adjust else 1)  # Bonferroni over the m comparisons
    z = z_value(confidence)
    for row in rows:
        lo, hi = newcombe_interval(row["bad_inactive"], row["bad_customers"], row["good_inactive"],
                                   row["good_customers"], confidence)
        if min(row["bad_customers"], row["good_customers"]) < int(min_group):
            verdict = "too_few"
        elif lo > 0:
            verdict = "pain_point"
        elif hi < 0:
            verdict = "lower_after"
        else:
            verdict = "no_clear_difference"
        row.update(difference=row["bad_rate"] - row["good_rate"], difference_low=lo, difference_high=hi,
                   verdict=verdict)
    cols = ["touchpoint", "problem", "threshold_hours", "bad_customers", "bad_inactive", "bad_rate", "good_customers",
            "good_inactive", "good_rate", "difference", "difference_low", "difference_high", "verdict"]
    out = pd.DataFrame(rows, columns=cols)
    out.attrs.update(window_days=window, min_group=int(min_group), slow_quantile=float(slow_quantile),
                     comparisons=len(rows), z=z, adjusted=bool(adjust),
                     contacts_used=len(order), contacts_too_recent=int(recent.sum()),
                     contacts_before_first_order=int(before_first.sum()))
    return out


# ---- facts and words --------------------------------------------------------------------------------

def _say(key: str, ctx: Context | str, count: float | None = None, **values: Any) -> str:
    return catalogue(PACKAGE).say(f"journey.{key}", ctx, count, **values)


def _label(kind: str, code: Any, ctx: Context | str) -> str:
    """The reader's word for a stage, touchpoint, problem or verdict code (the code itself when unknown)."""
    key = f"journey.{kind}.{code}"
    return catalogue(PACKAGE).label(key, ctx) if key in catalogue(PACKAGE).texts["en"] else str(code)


def journey_facts(tp: pd.DataFrame, pain: pd.DataFrame | None = None) -> dict[str, Any]:
    """What :func:`journey_narrative` says, as numbers and names.

    Returns
    -------
    dict
        ``touches``, ``stages`` (:func:`journey_stage_summary`), ``summary`` (:func:`touchpoint_summary`),
        ``empty_stages`` (stages without a touchpoint), ``before_only`` (stages the mapping reaches only
        before a first order),
        ``busiest_stage``, ``slowest`` and ``least_resolved`` (rows of the summary, or None), ``campaign``
        (the campaign row, or None), ``pain`` (the pain-point table, or None), ``pain_points`` (its rows
        with verdict ``pain_point``), ``left_out`` and ``unmapped`` (from ``tp.attrs``).
    """
    summary = touchpoint_summary(tp)
    stages = journey_stage_summary(tp)
    answered = summary.dropna(subset=["median_response_hours"])
    outcome = summary.dropna(subset=["resolved_share"])
    camp = summary[summary["touchpoint"] == "campaign"].dropna(subset=["response_rate"])
    return {
        "touches": len(tp), "stages": stages, "summary": summary,
        "empty_stages": stages.loc[stages["touches"] == 0, "journey_stage"].tolist(),
        "before_only": list(tp.attrs.get("before_only", [])),
        "busiest_stage": stages.sort_values("touches", ascending=False).iloc[0] if len(tp) else None,
        "slowest": answered.sort_values("median_response_hours", ascending=False).iloc[0] if len(answered) else None,
        "least_resolved": outcome.sort_values("resolved_share").iloc[0] if len(outcome) else None,
        "campaign": camp.iloc[0] if len(camp) else None,
        "pain": pain, "pain_points": None if pain is None else pain[pain["verdict"] == "pain_point"],
        "left_out": dict(tp.attrs.get("left_out", {})), "unmapped": list(tp.attrs.get("unmapped", [])),
    }


def journey_narrative(jf: dict[str, Any], ctx: Context) -> Narrative:
    """The journey in sentences (``jf`` from :func:`journey_facts`), in ``ctx``'s language."""
    out: list[str] = []
    if not jf["touches"]:
        return Narrative([_say("no_touchpoints", ctx)], language=ctx.language)
    b = jf["busiest_stage"]
    out.append(_say("volume", ctx, touches=jf["touches"], stage=_label("stage", b["journey_stage"], ctx), share=b["share"]))
    early = [s for s in jf["empty_stages"] if s in jf["before_only"]]
    other = [s for s in jf["empty_stages"] if s not in jf["before_only"]]
    for key, empty in (("empty_stages", early), ("empty_other", other)):
        if empty:
            out.append(_say(key, ctx, count=len(empty), stages=join_names([_label("stage", s, ctx) for s in empty], ctx)))
    s = jf["slowest"]
    if s is not None:
        out.append(_say("slowest", ctx, touchpoint=_label("touchpoint", s["touchpoint"], ctx),
                        median=s["median_response_hours"], p90=s["p90_response_hours"]))
    r = jf["least_resolved"]
    if r is not None:
        out.append(_say("least_resolved", ctx, touchpoint=_label("touchpoint", r["touchpoint"], ctx),
                        share=r["resolved_share"]))
    c = jf["campaign"]
    if c is not None:
        out.append(_say("campaign", ctx, rate=c["response_rate"], touches=int(c["touches"])))
    pain = jf["pain"]
    if pain is None:
        out.append(_say("no_contacts", ctx))
    else:
        window, minimum = pain.attrs["window_days"], pain.attrs["min_group"]
        found = jf["pain_points"]
        for row in found.itertuples(index=False):
            out.append(_say(f"pain.{row.problem}", ctx, touchpoint=_label("touchpoint", row.touchpoint, ctx),
                            bad=row.bad_rate, bad_n=row.bad_customers, good=row.good_rate, good_n=row.good_customers,
                            days=window, low=row.difference_low * 100, high=row.difference_high * 100,
                            m=pain.attrs["comparisons"]))
        if found.empty:
            out.append(_say("no_pain", ctx, days=window, min_group=minimum, m=pain.attrs["comparisons"]))
        else:
            out.append(_say("caveat", ctx))
    left = {k: v for k, v in jf["left_out"].items() if k != "campaign_touch_replaced"}
    if left:
        parts = [_say(f"left_out.{k}", ctx, count=v) for k, v in left.items()]
        out.append(_say("left_out_lead", ctx) + (_say("list_sep", ctx)).join(parts) + _say("end", ctx))
    if jf["left_out"].get("campaign_touch_replaced"):
        out.append(_say("replaced", ctx, count=jf["left_out"]["campaign_touch_replaced"]))
    return Narrative(out, lead=catalogue("crmbook").label("lead.interpretation", ctx), language=ctx.language,
                     bullets=True)


def journey_summary(jf: dict[str, Any], ctx: Context) -> list[str]:
    """The journey finding for the summary: the pain points named, or that none was found among the
    comparisons made; nothing without a contacts table or without a comparison."""
    pain = jf["pain"]
    if pain is None or not len(pain):
        return []
    found = jf["pain_points"]
    if found.empty:
        return [catalogue(PACKAGE).say("summary.no_pain", ctx, m=pain.attrs["comparisons"])]
    names = [f"{_label('touchpoint', r.touchpoint, ctx)} ({_label('problem', r.problem, ctx)})"
             for r in found.itertuples(index=False)]
    return [catalogue(PACKAGE).say("summary.pain", ctx, len(names), points=_say("list_sep", ctx).join(names))]


def journey_note(key: str, ctx: Context, **values: Any) -> Narrative:
    """One sentence ``journey.<key>`` of the catalogue as a :class:`Narrative` (``"no_contacts"`` ...)."""
    return Narrative([_say(key, ctx, **values)], language=ctx.language)


_CODE_COLUMNS = {"journey_stage": "stage", "stage_before": "stage", "stage_after": "stage", "touchpoint": "touchpoint",
                 "problem": "problem", "verdict": "verdict"}


def journey_table(df: pd.DataFrame, ctx: Context, **options: Any):
    """A journey table shown to a reader: stage, touchpoint, problem and verdict codes in words, headers and
    values by the declared column kinds (``options`` go to :func:`crmbook.tables.format_table`)."""
    out = df.copy()
    for col, kind in _CODE_COLUMNS.items():
        if col in out.columns:
            out[col] = [_label(kind, v, ctx) for v in out[col].astype(object)]
    return format_table(out, ctx, package=PACKAGE, **options)
