r"""The relationship repair list (关系修复): whom to call, why, what to do, and through whom.

A customer is on the list for any of these reasons, looking back ``lookback_days`` from the analysis date:

- ``unresolved_complaint``: a complaint marked not resolved;
- ``slow_complaint``: a complaint answered later than the target (``target_hours``);
- ``detractor``: the latest NPS answer in the window is 0-6;
- ``score_drop``: the latest NPS answer in the window is at least ``drop_points`` below the customer's
  previous answer (any date).

The suggested step follows the course's three repair steps, the most serious reason deciding:
*compensation and a gesture* (补偿与回馈) for an unresolved complaint, *apology and explanation*
(道歉与解释) for a slow complaint, *a proactive call* (主动沟通) for a detractor or a drop. The **owner
channel** is the account manager for business accounts (``account_type`` other than retail), else the
channel of the customer's latest complaint, else the phone. Rows are ordered by step (most serious
first), then by revenue to date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmbook.facts import CustomerFacts
from crmbook.positions import customer_rows

from .feedback import RESPONSE_TARGET_HOURS
from .scores import NPS_DETRACTOR_MAX

__all__ = ["DROP_POINTS", "LOOKBACK_DAYS", "REASONS", "STEPS", "repair_list"]

#: How far back the list looks (days before the analysis date).
LOOKBACK_DAYS = 180
#: An NPS fall of at least this many points from the previous answer puts a customer on the list.
DROP_POINTS = 3
#: The reasons, most serious first, and the step each calls for.
REASONS: dict[str, str] = {"unresolved_complaint": "compensation", "slow_complaint": "apology",
                           "detractor": "call", "score_drop": "call"}
#: The repair steps, most serious first.
STEPS: tuple[str, ...] = ("compensation", "apology", "call")
_RETAIL = "retail"


def _reasons(found: dict[str, list[np.ndarray]]) -> pd.DataFrame:
    """``customer_id`` (every id named, sorted), ``reasons`` (``;``-separated, most serious first) and
    ``step`` (the most serious reason's) from the ids each reason names."""
    named = {r: np.concatenate(parts) if parts else np.zeros(0, dtype=object) for r, parts in found.items()}
    ids = np.unique(np.concatenate([np.zeros(0, dtype=object), *named.values()]).astype(object))
    code = np.zeros(len(ids), dtype=np.int64)  # bit k: reason k of REASONS names the customer
    step = np.full(len(ids), len(STEPS), dtype=np.int64)
    for k, (reason, names) in enumerate(named.items()):
        has = pd.Index(ids).isin(names)
        code |= has.astype(np.int64) << k
        step = np.where(has, np.minimum(step, STEPS.index(REASONS[reason])), step)
    order = list(REASONS)
    texts = np.array(["; ".join(r for k, r in enumerate(order) if c >> k & 1) for c in range(1 << len(order))],
                     dtype=object)
    out = pd.DataFrame({"customer_id": pd.Series(ids, dtype=object)})
    out["reasons"] = texts[code].tolist()  # lists, typed as a list of texts is (an empty one too)
    out["step"] = np.array(STEPS, dtype=object)[step].tolist() if len(ids) else []
    return out


def repair_list(facts: CustomerFacts, *, surveys: pd.DataFrame | None = None, complaints: pd.DataFrame | None = None,
                lookback_days: int = LOOKBACK_DAYS, target_hours: float = RESPONSE_TARGET_HOURS,
                drop_points: int = DROP_POINTS) -> pd.DataFrame:
    """One row per customer to repair the relationship with.

    Parameters
    ----------
    facts : CustomerFacts
        The customers (and their revenue to date) at the analysis date.
    surveys : DataFrame, optional
        ``customer_id, response_date, nps``.
    complaints : DataFrame, optional
        :func:`crmbook.satisfaction.complaints` (``customer_id, contact_date``; ``resolved``,
        ``response_hours`` and ``channel`` when known).

    Returns
    -------
    DataFrame
        ``customer_id, reasons`` (codes of :data:`REASONS`, most serious first, ``;``-separated),
        ``step`` (of :data:`STEPS`), ``owner_channel``, ``last_nps``, ``previous_nps``, ``last_complaint``,
        ``monetary``, and ``name, phone, email`` when the customers table has them.
    """
    as_of = facts.as_of
    since = as_of - pd.Timedelta(days=int(lookback_days))
    found: dict[str, list[np.ndarray]] = {r: [] for r in REASONS}  # reason -> the ids (as text) it names

    def add(ids, reason: str) -> None:
        found[reason].append(np.asarray(pd.unique(pd.Series(ids, dtype=object)), dtype=object).astype(str))

    latest_complaint = pd.DataFrame(columns=["last_complaint", "complaint_channel"])
    if complaints is not None and len(complaints):
        c = complaints.copy()
        c["contact_date"] = pd.to_datetime(c["contact_date"])
        recent = c[(c["contact_date"] > since) & (c["contact_date"] <= as_of)]
        if "resolved" in recent.columns:
            add(recent.loc[recent["resolved"].astype("boolean").eq(False).fillna(False).astype(bool), "customer_id"],
                "unresolved_complaint")
        if "response_hours" in recent.columns:
            hours = pd.to_numeric(recent["response_hours"], errors="coerce")
            add(recent.loc[(hours > target_hours).fillna(False).astype(bool), "customer_id"], "slow_complaint")
        last = c.sort_values("contact_date", kind="stable").groupby("customer_id").tail(1).set_index("customer_id")
        latest_complaint = pd.DataFrame({"last_complaint": last["contact_date"],
                                         "complaint_channel": last["channel"] if "channel" in last.columns
                                         else np.nan})
    last_nps = pd.DataFrame(columns=["last_nps", "previous_nps"])
    if surveys is not None and "nps" in surveys.columns and len(surveys):
        s = surveys[["customer_id", "response_date", "nps"]].copy()
        s["nps"] = pd.to_numeric(s["nps"], errors="coerce")
        s["response_date"] = pd.to_datetime(s["response_date"])
        s = s[s["nps"].notna() & (s["response_date"] <= as_of)].sort_values(["customer_id", "response_date"],
                                                                               kind="stable")
        s["previous_nps"] = s.groupby("customer_id")["nps"].shift(1)
        last = s.groupby("customer_id").tail(1).set_index("customer_id")
        last = last[last["response_date"] > since]
        add(last.index[last["nps"] <= NPS_DETRACTOR_MAX], "detractor")
        add(last.index[(last["previous_nps"] - last["nps"]) >= drop_points], "score_drop")
        last_nps = pd.DataFrame({"last_nps": last["nps"], "previous_nps": last["previous_nps"]})
    out = _reasons(found)
    out = out.merge(last_nps, left_on="customer_id", right_index=True, how="left")
    out = out.merge(latest_complaint, left_on="customer_id", right_index=True, how="left")
    # each listed customer's row in the customers (-1: not a customer), instead of a map by text id per column
    at = customer_rows(facts, out["customer_id"])
    base = facts.base
    monetary = np.zeros(len(facts.customers) + 1)  # the last: no such customer
    monetary[customer_rows(facts, base["customer_id"])] = base["monetary"].to_numpy(dtype=float)
    out["monetary"] = monetary[at]
    cust = facts.customers

    def of_customer(col: str) -> pd.Series:
        """Column ``col`` of each listed customer (missing for an id that is not a customer's)."""
        if (at >= 0).all():
            return cust[col].iloc[at].set_axis(out.index)
        return out["customer_id"].map(cust.set_index("customer_id")[col])

    account = of_customer("account_type") if "account_type" in cust.columns else pd.Series(np.nan, index=out.index)
    business = account.notna() & (account.astype(str).str.lower() != _RETAIL)
    channel = out["complaint_channel"].astype(object).where(out["complaint_channel"].notna(), "phone")
    out["owner_channel"] = np.where(business, "account_manager", channel)
    for col in ("name", "phone", "email"):
        if col in cust.columns:
            out[col] = of_customer(col)
    out["_rank"] = out["step"].map(STEPS.index)
    out = out.sort_values(["_rank", "monetary", "customer_id"], ascending=[True, False, True], kind="stable")
    cols = ["customer_id", "reasons", "step", "owner_channel", "last_nps", "previous_nps", "last_complaint",
            "monetary"] + [c for c in ("name", "phone", "email") if c in out.columns]
    out = out[cols].reset_index(drop=True)
    out["last_nps"] = out["last_nps"].astype("Float64")
    out["previous_nps"] = out["previous_nps"].astype("Float64")
    out.attrs.update(lookback_days=int(lookback_days), since=since, target_hours=float(target_hours),
                     drop_points=int(drop_points))
    return out
