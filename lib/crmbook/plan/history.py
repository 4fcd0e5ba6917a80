r"""Plan storage and plan vs actual (计划与实际对比): the last run's plan, and what its customers did since.

Each run of notebook ``06_customer_plan`` saves its plan as ``plan.csv`` beside its report, in the run
folder (``<reports>/<run-id>/06_customer_plan_files/plan.csv``, :func:`save_plan`). The next run finds the
plan of the latest *successful* earlier run through the run folders' ``run.json`` (:func:`previous_plan`)
and compares, for every planned customer, what happened between the plan's date and its own ``as_of``
(:func:`plan_vs_actual`):

- **repurchase**: at least one order after the plan date; **revenue** since; **lapsed**: no order since and
  the last order older than ``lapse_days`` at the new date (the lifecycle's "lapsed" rule);
- **contacted**: the contacts table records an outreach (a type in :data:`OUTREACH_TYPES`) after the plan
  date, where it records contacts at all.

Groups: ``contacted``, ``not_contacted`` (planned, not reached) and ``held_out`` (the random control group,
:mod:`crmbook.plan.holdout`). The uplift (提升) is

.. math:: \widehat{u} = \bar y_{\text{contacted}} - \bar y_{\text{comparison}}

where the comparison group is the held-out group when there is one (random: an honest estimate), else
the planned-but-not-contacted (**selection**: the ones staff chose to call, or could reach, differ from the
others, so the difference mixes the contact's effect with who was chosen). Without a control group a
campaign's own random split (``campaign_members``: treatment vs control) among the planned customers
serves as the random comparison when a campaign started in the period.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from crmbook.context import as_date
from crmbook.facts import CustomerFacts
from crmbook.outputs import output_dir
from crmbook.tables import require_columns, without_formulas

__all__ = ["PLAN_FILE", "PLAN_TOPIC", "OUTREACH_TYPES", "PLAN_COLUMNS", "save_plan", "read_plan",
           "previous_plan", "plan_vs_actual", "outcome_summary", "uplift_estimate"]

#: Name of the saved plan in the notebook's folder of files.
PLAN_FILE = "plan.csv"
#: The notebook whose runs keep a plan.
PLAN_TOPIC = "06_customer_plan"
#: Contact types that count as reaching the customer (outreach); inbound service calls and complaints do not.
OUTREACH_TYPES: tuple[str, ...] = ("campaign_touch", "visit", "call", "outbound_call", "win_back_call",
                                   "retention_offer", "follow_up_visit", "repair_call", "upgrade_invitation",
                                   "birthday_greeting", "greeting")
#: Columns of a saved plan.
PLAN_COLUMNS: tuple[str, ...] = ("customer_id", "action", "channel", "cost", "expected_value", "holdout",
                                 "plan_as_of")


def save_plan(plan: pd.DataFrame, as_of: Any, folder: Path | None = None) -> Path | None:
    """Write the plan (:data:`PLAN_COLUMNS`) as ``plan.csv`` into ``folder`` (default: the report's folder
    of files, :func:`crmbook.outputs.output_dir`; outside a run nothing is written and None returned)."""
    folder = folder if folder is not None else output_dir()
    if folder is None:
        return None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = plan.copy()
    if "holdout" not in out.columns:
        out["holdout"] = False
    out["plan_as_of"] = as_date(as_of).date().isoformat()
    require_columns(out, "plan", list(PLAN_COLUMNS))
    path = folder / PLAN_FILE
    without_formulas(out[list(PLAN_COLUMNS)]).to_csv(path, index=False, encoding="utf-8")
    return path


def read_plan(path: str | Path) -> pd.DataFrame:
    """A saved plan, checked: :data:`PLAN_COLUMNS`, ids as text, one date."""
    p = pd.read_csv(path, dtype={"customer_id": str}, encoding="utf-8")
    require_columns(p, f"plan file {Path(path).name}", list(PLAN_COLUMNS))
    dates = p["plan_as_of"].dropna().unique()
    if len(dates) != 1:
        raise ValueError(f"plan file {Path(path).name}: 'plan_as_of' must hold one date, found {len(dates)}")
    p["holdout"] = p["holdout"].astype(str).str.lower().isin(["true", "1"])
    p.attrs["plan_as_of"] = as_date(dates[0], name="plan_as_of")
    return p


def previous_plan(reports_dir: str | Path | None = None, *, before: Any, data: str | None = None
                  ) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """The plan of the latest successful earlier run, and which run it came from.

    Parameters
    ----------
    reports_dir : path, optional
        The reports folder; default the one holding this run (two levels above
        :func:`crmbook.outputs.output_dir`). None outside a run.
    before : date
        Only plans made at an earlier analysis date count (a plan compared with its own date says nothing).
    data : str, optional
        Only runs on this data (the run's ``data`` parameter) count.

    Returns
    -------
    (DataFrame or None, dict)
        The plan (:func:`read_plan`) and ``{"run_id", "as_of", "path"}``; ``(None, {"reason": ...})`` when
        there is none (reason ``no_reports``, ``no_run``).
    """
    if reports_dir is None:
        here = output_dir()
        if here is None:
            return None, {"reason": "no_reports"}
        reports_dir = here.parent.parent
    reports_dir = Path(reports_dir)
    cutoff = as_date(before, name="before")
    found: list[tuple[str, str, dict[str, Any]]] = []
    for meta_path in reports_dir.glob("*/run.json"):
        if meta_path.parent.name.startswith(".") or meta_path.parent.is_symlink():
            continue
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            entry = next((nb for nb in meta.get("notebooks", []) if nb.get("topic") == PLAN_TOPIC), None)
            if meta.get("status") != "ok" or entry is None or entry.get("status") != "ok":
                continue
            params = entry.get("parameters") or {}
            if data is not None and str(params.get("data", meta.get("data"))) != str(data):
                continue
            path = meta_path.parent / f"{PLAN_TOPIC}_files" / PLAN_FILE
            run_as_of = params.get("as_of", meta.get("as_of"))
            if path.is_file() and run_as_of and as_date(run_as_of) < cutoff:
                found.append((str(run_as_of), meta.get("started", ""), {"run_id": meta.get("run_id"),
                                                                        "as_of": str(run_as_of), "path": path}))
    if not found:
        return None, {"reason": "no_run"}
    found.sort(key=lambda item: (item[0], item[1]))
    info = found[-1][2]
    return read_plan(info["path"]), info


def plan_vs_actual(plan: pd.DataFrame, facts: CustomerFacts, contacts: pd.DataFrame | None = None, *,
                   plan_as_of: Any = None, lapse_days: int = 365,
                   campaign_members: pd.DataFrame | None = None, campaigns: pd.DataFrame | None = None,
                   outreach_types: tuple[str, ...] = OUTREACH_TYPES) -> pd.DataFrame:
    """What each planned customer did between the plan's date and ``facts.as_of``.

    Parameters
    ----------
    plan : DataFrame
        A plan (``customer_id, action``; ``holdout`` when there was a control group).
    facts : CustomerFacts
        The data at the new date (later than the plan's).
    contacts : DataFrame, optional
        ``customer_id, contact_date, type``: who was reached after the plan date.
    plan_as_of : date, optional
        The plan's date (default ``plan.attrs["plan_as_of"]`` or its ``plan_as_of`` column).
    lapse_days : int
        A customer without an order since the plan whose last order is older than this at the new date
        has lapsed.
    campaign_members, campaigns : DataFrame, optional
        A campaign's random split: ``campaign_group`` (treatment/control) of the planned customers who were
        members of a campaign that started after the plan date.

    Returns
    -------
    DataFrame
        One row per planned customer: ``customer_id, action, holdout, repurchased, revenue_since, lapsed,
        contacted`` (missing without a contacts table), ``group`` (``contacted``, ``not_contacted``,
        ``held_out``; ``planned`` without contacts) and ``campaign_group`` (missing when not a member).
        ``attrs``: ``plan_as_of``, ``as_of``, ``days``, ``unknown`` (planned ids not in the customers
        now, left out and counted), ``contacts_recorded`` (bool), ``held_out_contacted`` (held-out customers
        who were contacted all the same: kept in ``held_out``, as assigned), ``held_out_contacted_share`` and
        ``contacted_share`` (shares reached of the held-out and of the other planned customers) and
        ``holdout_ignored`` (the held-out were reached at more than half the others' rate: the control
        group was not kept, so it cannot measure the plan).
    """
    require_columns(plan, "plan", ["customer_id", "action"])
    start = as_date(plan_as_of if plan_as_of is not None else
                    plan.attrs.get("plan_as_of", plan["plan_as_of"].iloc[0] if "plan_as_of" in plan.columns
                                   and len(plan) else None), name="plan_as_of")
    end = facts.as_of
    if start >= end:
        raise ValueError(f"the plan's date {start.date()} must be before the analysis date {end.date()}")
    p = plan.copy()
    p["customer_id"] = p["customer_id"].astype(str)
    p = p.drop_duplicates("customer_id")
    known = facts.customer_index.get_indexer(p["customer_id"]) >= 0
    unknown = int((~known).sum())
    p = p[known].reset_index(drop=True)
    if "holdout" not in p.columns:
        p["holdout"] = False
    p["holdout"] = p["holdout"].fillna(False).astype(bool)
    o = facts.orders
    since = o[o["order_date"] > start]
    rev = since.groupby("customer_id")["revenue"].sum()
    p["revenue_since"] = rev.reindex(p["customer_id"]).fillna(0.0).to_numpy()
    p["repurchased"] = p["customer_id"].isin(rev.index)
    last = o.groupby("customer_id")["order_date"].max().reindex(p["customer_id"])
    idle = (end - last).dt.days.astype(float).fillna(np.inf).to_numpy()
    p["lapsed"] = ~p["repurchased"].to_numpy() & (idle > int(lapse_days))
    recorded = contacts is not None and len(contacts) > 0
    if recorded:
        require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
        d = pd.to_datetime(contacts["contact_date"], errors="coerce")
        reach = contacts[(d > start) & (d <= end) & contacts["type"].astype(str).isin(outreach_types)]
        p["contacted"] = p["customer_id"].isin(set(reach["customer_id"].astype(str)))
        p["group"] = np.where(p["holdout"], "held_out", np.where(p["contacted"], "contacted", "not_contacted"))
    else:
        p["contacted"] = pd.NA
        p["group"] = np.where(p["holdout"], "held_out", "planned")
    p["campaign_group"] = pd.NA
    if campaign_members is not None and campaigns is not None and len(campaign_members):
        require_columns(campaign_members, "campaign_members", ["campaign_id", "customer_id", "group"])
        require_columns(campaigns, "campaigns", ["campaign_id", "start_date"])
        s = pd.to_datetime(campaigns["start_date"], errors="coerce")
        inside = set(campaigns.loc[(s > start) & (s <= end), "campaign_id"].astype(str))
        m = campaign_members[campaign_members["campaign_id"].astype(str).isin(inside)]
        m = m.assign(customer_id=m["customer_id"].astype(str)).drop_duplicates("customer_id", keep="last")
        p["campaign_group"] = p["customer_id"].map(m.set_index("customer_id")["group"].astype(str))
    cols = ["customer_id", "action", "holdout", "repurchased", "revenue_since", "lapsed", "contacted", "group",
            "campaign_group"]
    out = p[cols]
    reached = p["contacted"].astype("boolean").fillna(False).astype(bool) if recorded else pd.Series(False, index=p.index)
    held_share = float(reached[p["holdout"]].mean()) if p["holdout"].any() else np.nan
    rest_share = float(reached[~p["holdout"]].mean()) if (~p["holdout"]).any() else np.nan
    out.attrs.update(plan_as_of=start, as_of=end, days=int((end - start).days), unknown=unknown,
                     contacts_recorded=bool(recorded), held_out_contacted=int((p["holdout"] & reached).sum()),
                     held_out_contacted_share=held_share, contacted_share=rest_share,
                     # the control group was contacted about as often as the others: the plan was not followed
                     holdout_ignored=bool(recorded and np.isfinite(held_share) and np.isfinite(rest_share)
                                          and held_share > 0.5 * rest_share))
    return out


def outcome_summary(outcomes: pd.DataFrame, by: str = "group") -> pd.DataFrame:
    """Per group of :func:`plan_vs_actual`: ``customers, repurchase_rate, revenue_per_customer, lapsed_share``."""
    require_columns(outcomes, "outcomes", [by, "repurchased", "revenue_since", "lapsed"])
    d = outcomes.dropna(subset=[by])
    g = d.groupby(by, sort=True)
    out = pd.DataFrame({"customers": g.size(), "repurchase_rate": g["repurchased"].mean(),
                        "revenue_per_customer": g["revenue_since"].mean(), "lapsed_share": g["lapsed"].mean()})
    return out.rename_axis("group").reset_index()


def uplift_estimate(outcomes: pd.DataFrame, *, confidence: float = 0.95) -> dict[str, Any]:
    """The repurchase and revenue uplift of contacting, with the comparison it rests on.

    The comparison is, in this order: the held-out control group (``basis="holdout"``, random; not when
    :func:`plan_vs_actual` found it ignored - contacted like the others), a
    campaign's control group among the planned (``basis="campaign"``, random), the planned-but-not-contacted
    (``basis="selection"``: not random, read with care). ``None`` values when no comparison exists.

    The interval is Wald's for a difference of two proportions:
    :math:`\\hat u \\pm z \\sqrt{p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2}`.

    Returns
    -------
    dict
        ``basis, treated, compared, repurchase_treated, repurchase_compared, repurchase_uplift, low, high,
        revenue_uplift, randomised``.
    """
    o = outcomes
    if o["holdout"].any() and (~o["holdout"]).any() and not o.attrs.get("holdout_ignored", False):
        a, b, basis = o[~o["holdout"]], o[o["holdout"]], "holdout"
    elif o["campaign_group"].isin(["treatment"]).any() and o["campaign_group"].isin(["control"]).any():
        a, b, basis = o[o["campaign_group"] == "treatment"], o[o["campaign_group"] == "control"], "campaign"
    elif o["group"].eq("contacted").any() and o["group"].eq("not_contacted").any():
        a, b, basis = o[o["group"] == "contacted"], o[o["group"] == "not_contacted"], "selection"
    else:
        return {"basis": None, "treated": 0, "compared": 0, "repurchase_treated": None,
                "repurchase_compared": None, "repurchase_uplift": None, "low": None, "high": None,
                "revenue_uplift": None, "randomised": False}
    ra, rb = float(a["repurchased"].mean()), float(b["repurchased"].mean())
    se = float(np.sqrt(ra * (1 - ra) / len(a) + rb * (1 - rb) / len(b)))
    z = float(norm.ppf(0.5 + confidence / 2))
    return {"basis": basis, "treated": int(len(a)), "compared": int(len(b)), "repurchase_treated": ra,
            "repurchase_compared": rb, "repurchase_uplift": ra - rb, "low": ra - rb - z * se,
            "high": ra - rb + z * se,
            "revenue_uplift": float(a["revenue_since"].mean() - b["revenue_since"].mean()),
            "randomised": basis != "selection"}
