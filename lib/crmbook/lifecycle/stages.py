r"""Lifecycle stages (客户生命周期阶段) of every customer at one date, by rules on purchases and inactivity.

The rules, applied in this order to the orders dated on or before the date ``d``:

=============  =====================================================================================
``prospect``   signed up, never bought (潜在客户)
``lapsed``     no order for more than ``inactive_days`` (流失客户)
``at_risk``    no order for more than ``at_risk_days`` (but at most ``inactive_days``) (流失风险客户)
``won_back``   active again: the gap before the last order was longer than ``inactive_days`` (挽回客户)
``new``        active with one order (初次购买客户)
``loyal``      active with at least ``loyal_orders`` orders (忠诚客户)
``repeat``     active with 2 to ``loyal_orders - 1`` orders (重复购买客户)
=============  =====================================================================================

"Active" means the last order is at most ``at_risk_days`` old. The two inactivity thresholds default to
high quantiles of the base's own inter-purchase times (days between consecutive orders of the same
customer): :data:`AT_RISK_QUANTILE` (75%) and :data:`INACTIVE_QUANTILE` (90%), each customer's gaps
weighted so that every repeat customer counts once (otherwise the fastest buyers, who have the most gaps,
would set a threshold that every slow buyer exceeds between two normal orders) — a customer silent for
longer than the gaps of nine in ten repeat customers has probably gone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import as_date
from crmbook.facts import CustomerFacts
from crmbook.positions import stable_order
from crmbook.tables import require_columns

from ._coded import NO_DAY, Coded, code_frames, coded, per_customer_at

__all__ = ["STAGES", "STAGE_PHASE", "PHASES", "AT_RISK_QUANTILE", "INACTIVE_QUANTILE", "LOYAL_ORDERS",
           "inter_purchase_days", "inactivity_thresholds", "stages_at", "lifecycle_stages", "stage_rules", "stage_summary"]

#: The stages, in display order (the order of the customer flow: 潜在 → 初次 → 重复 → 忠诚, then 风险, 流失, 挽回).
STAGES: tuple[str, ...] = ("prospect", "new", "repeat", "loyal", "won_back", "at_risk", "lapsed")

#: The course's four lifecycle phases (引入期, 成长期, 成熟期, 衰退期) and the stages in each.
STAGE_PHASE: dict[str, str] = {"prospect": "introduction", "new": "introduction", "repeat": "growth",
                               "won_back": "growth", "loyal": "maturity", "at_risk": "decline",
                               "lapsed": "decline"}

#: The phases in order.
PHASES: tuple[str, ...] = ("introduction", "growth", "maturity", "decline")

#: Default quantile of the inter-purchase times beyond which a customer is "at risk".
AT_RISK_QUANTILE: float = 0.75
#: Default quantile of the inter-purchase times beyond which a customer has lapsed (churned).
INACTIVE_QUANTILE: float = 0.90
#: Default number of orders from which an active customer is "loyal".
LOYAL_ORDERS: int = 5


def _gaps(c: Coded) -> tuple[np.ndarray, np.ndarray]:
    same = c.code[1:] == c.code[:-1]
    gaps = np.diff(c.day)
    keep = same & (gaps > 0)
    gaps, owner = gaps[keep], c.code[1:][keep]
    per_customer = np.bincount(owner, minlength=c.n)
    return gaps, (1.0 / per_customer[owner]) if len(owner) else np.zeros(0)


def _orders_only(orders: pd.DataFrame) -> Coded:
    require_columns(orders, "orders", ["customer_id", "order_date"])
    ids = pd.Index(pd.unique(orders["customer_id"].astype(str)))
    return code_frames(pd.DataFrame({"customer_id": ids}), orders, ids)


def inter_purchase_days(orders: pd.DataFrame, *, weights: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Days between consecutive orders of the same customer (orders on the same day count as one).

    Returns an array of positive whole days (empty when no customer ordered on two different days); with
    ``weights=True`` also the weight of each gap, ``1 / (the customer's number of gaps)``, so that each
    repeat customer weighs 1 in a quantile.
    """
    gaps, w = _gaps(_orders_only(orders))
    return (gaps, w) if weights else gaps


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list[float]:
    """The weighted quantiles ``qs`` of ``values``: the values sorted and their weights summed once for all."""
    order = stable_order(values)  # gaps in days fit in 16 bits: sorted by radix
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return [float(v[min(np.searchsorted(cum, q - 1e-12), len(v) - 1)]) for q in qs]


def _check_quantiles(at_risk_quantile: float, inactive_quantile: float) -> None:
    for name, q in (("at_risk_quantile", at_risk_quantile), ("inactive_quantile", inactive_quantile)):
        if not 0 < float(q) < 1:
            raise ValueError(f"{name} must be between 0 and 1, got {q!r}")
    if at_risk_quantile > inactive_quantile:
        raise ValueError(f"at_risk_quantile ({at_risk_quantile}) must not exceed inactive_quantile "
                         f"({inactive_quantile})")


def _thresholds(c: Coded, at_risk_quantile: float, inactive_quantile: float) -> dict[str, int]:
    _check_quantiles(at_risk_quantile, inactive_quantile)
    gaps, weights = _gaps(c)
    if len(gaps) == 0:
        raise ValueError("orders: no customer ordered on two different days, so the inactivity thresholds "
                         "cannot be derived from the data; give at_risk_days and inactive_days")
    risk, lapse = _weighted_quantiles(gaps, weights, (float(at_risk_quantile), float(inactive_quantile)))
    return {"at_risk_days": int(math.ceil(risk)), "inactive_days": int(math.ceil(lapse)), "gaps": int(len(gaps)),
            "repeat_customers": int(round(weights.sum()))}


def inactivity_thresholds(orders: pd.DataFrame, *, at_risk_quantile: float = AT_RISK_QUANTILE,
                          inactive_quantile: float = INACTIVE_QUANTILE) -> dict[str, int]:
    """``{"at_risk_days": ..., "inactive_days": ..., "gaps": n, "repeat_customers": m}`` from the base's
    inter-purchase times.

    Each threshold is the customer-weighted quantile of :func:`inter_purchase_days` (every repeat customer
    weighs 1, spread over their gaps): the smallest gap ``g`` with at least the share ``q`` of the weight
    at or below it.

    Raises
    ------
    ValueError
        A quantile outside (0, 1), ``at_risk_quantile > inactive_quantile``, or no customer with two orders
        on different days (then give the thresholds yourself).
    """
    _check_quantiles(at_risk_quantile, inactive_quantile)
    return _thresholds(_orders_only(orders), at_risk_quantile, inactive_quantile)


def _check_rules(at_risk_days: int, inactive_days: int, loyal_orders: int) -> None:
    if not 0 < int(at_risk_days) <= int(inactive_days):
        raise ValueError(f"need 0 < at_risk_days <= inactive_days, got {at_risk_days!r} and {inactive_days!r}")
    if int(loyal_orders) < 2:
        raise ValueError(f"loyal_orders must be at least 2, got {loyal_orders!r}")


def _stage_codes(c: Coded, date: pd.Timestamp, at_risk: int, inactive: int, loyal: int) -> dict[str, np.ndarray]:
    """Per customer (all of ``c``): ``member`` (a customer at ``date``), ``stage`` and the facts behind it."""
    p = per_customer_at(c, date)
    has = p["orders"] > 0
    since = np.where(has, p["day"] - p["last"], 0)
    gap = np.where(has & (p["before"] != NO_DAY), p["last"] - p["before"], 0)
    n = p["orders"]
    conditions = [n == 0, since > inactive, since > at_risk, gap > inactive, n == 1, n >= loyal]
    stage = np.select(conditions, ["prospect", "lapsed", "at_risk", "won_back", "new", "loyal"], "repeat")
    return {**p, "since": since, "gap": gap, "has": has, "stage": stage}


def _stages_frame(c: Coded, date: Any, at_risk_days: int, inactive_days: int, loyal_orders: int) -> pd.DataFrame:
    d = as_date(date, name="date")
    _check_rules(at_risk_days, inactive_days, loyal_orders)
    s = _stage_codes(c, d, int(at_risk_days), int(inactive_days), int(loyal_orders))
    m = s["member"]
    has = s["has"][m]

    def dates(values: np.ndarray) -> np.ndarray:
        return np.where(has, values[m], 0).astype("datetime64[D]").astype("datetime64[ns]")

    first, last = dates(s["first"]), dates(s["last"])
    first[~has] = np.datetime64("NaT")
    last[~has] = np.datetime64("NaT")
    gap = np.where(has & (s["before"][m] != NO_DAY), s["gap"][m], np.nan).astype(float)
    out = pd.DataFrame({"customer_id": c.ids[m].astype(str), "orders": s["orders"][m].astype(int),
                        "first_order": first, "last_order": last,
                        "days_since": np.where(has, s["since"][m], np.nan).astype(float),
                        "gap_before_last": gap, "stage": s["stage"][m]})
    out["phase"] = out["stage"].map(STAGE_PHASE)
    out = out.sort_values("customer_id", kind="stable").reset_index(drop=True)
    out.attrs.update(date=d, at_risk_days=int(at_risk_days), inactive_days=int(inactive_days),
                     loyal_orders=int(loyal_orders))
    return out


def stages_at(customers: pd.DataFrame, orders: pd.DataFrame, date: Any, *, at_risk_days: int,
              inactive_days: int, loyal_orders: int = LOYAL_ORDERS) -> pd.DataFrame:
    """The stage of each customer at ``date`` from the orders dated on or before it.

    Parameters
    ----------
    customers : DataFrame
        ``customer_id`` and, when known, ``signup_date``: customers who signed up after ``date`` are left
        out (they were not customers yet).
    orders : DataFrame
        ``customer_id, order_date``; orders after ``date`` are ignored.
    date : date
        The date the stages hold at.
    at_risk_days, inactive_days : int
        Inactivity thresholds in days (``0 < at_risk_days <= inactive_days``).
    loyal_orders : int
        Orders from which an active customer is loyal (at least 2).

    Returns
    -------
    DataFrame
        ``customer_id, orders, first_order, last_order, days_since, gap_before_last, stage, phase``; one row
        per customer of ``date``, sorted by id.
    """
    return _stages_frame(code_frames(customers, orders), date, at_risk_days, inactive_days, loyal_orders)


def lifecycle_stages(facts: CustomerFacts, *, at_risk_days: int | None = None, inactive_days: int | None = None,
                     loyal_orders: int = LOYAL_ORDERS, at_risk_quantile: float = AT_RISK_QUANTILE,
                     inactive_quantile: float = INACTIVE_QUANTILE) -> pd.DataFrame:
    """:func:`stages_at` at the facts' ``as_of``, the thresholds derived from the data unless given.

    The result's ``attrs`` hold the thresholds used and whether each came from the data (``derived``), with
    the quantiles and the number of inter-purchase gaps behind them.
    """
    c = coded(facts)
    derived = at_risk_days is None or inactive_days is None
    found: dict[str, Any] = _thresholds(c, at_risk_quantile, inactive_quantile) if derived else {}
    risk = int(at_risk_days) if at_risk_days is not None else found["at_risk_days"]
    lapse = int(inactive_days) if inactive_days is not None else max(found["inactive_days"], risk)
    out = _stages_frame(c, facts.as_of, risk, lapse, loyal_orders)
    out.attrs.update(derived=derived, gaps=found.get("gaps"), repeat_customers=found.get("repeat_customers"),
                     at_risk_quantile=at_risk_quantile, inactive_quantile=inactive_quantile)
    return out


def stage_rules(stages: pd.DataFrame) -> dict[str, int]:
    """The thresholds a stages table was made with (``at_risk_days, inactive_days, loyal_orders``), to apply
    the same rules at another date (:func:`crmbook.lifecycle.transition_matrix`)."""
    missing = [k for k in ("at_risk_days", "inactive_days", "loyal_orders") if k not in stages.attrs]
    if missing:
        raise ValueError(f"stages: no {', '.join(missing)} in attrs; make it with lifecycle_stages or stages_at")
    return {k: int(stages.attrs[k]) for k in ("at_risk_days", "inactive_days", "loyal_orders")}


def stage_summary(stages: pd.DataFrame) -> pd.DataFrame:
    """Customers per stage: ``stage, phase, customers, customer_share`` in :data:`STAGES` order (every stage,
    zero when empty)."""
    require_columns(stages, "stages", ["stage"])
    counts = stages["stage"].value_counts().reindex(list(STAGES), fill_value=0)
    out = pd.DataFrame({"stage": list(STAGES), "phase": [STAGE_PHASE[s] for s in STAGES],
                        "customers": counts.to_numpy().astype(int)})
    total = int(out["customers"].sum())
    out["customer_share"] = out["customers"] / total if total else np.nan
    out.attrs.update(stages.attrs)
    return out
