r"""Actions (客户维系行动): the contact plan for the coming period, and the per-stage strategy playbook.

The contact plan lists, customer by customer, whom to contact, why and through which channel. The rules,
each a parameter (:data:`PLAN_DEFAULTS`):

- ``retain_valuable`` — valuable customers at risk: among the top ``top_value_share`` of buying customers
  by revenue, those in stage ``at_risk``, or (with P(alive)) active ones whose P(alive) is below
  ``p_alive_risk``. Channel: a personal phone call.
- ``win_back`` — lapsed customers worth winning back: lapsed for at most ``lost_after_days`` (beyond that
  they count as lost for good, 永远的流失) with revenue at least the buyers' median. Channel: an offer by SMS.
- ``follow_up`` — new customers due for the follow-up visit (回访): one order, placed between
  ``follow_up_after`` and ``follow_up_within`` days ago. Channel: phone.
- ``birthday`` — customers (who bought and are not lost for good) whose birthday falls today or within
  the next ``birthday_days`` days; a 29 February birthday is greeted on 28 February in a non-leap year.
  Needs ``customers.birth_date``. Channel: SMS.
- ``revisit`` — regular revisits of key accounts, agents and franchisees (``account_type``) not lapsed,
  whose last ``visit`` in the ``contacts`` table is ``revisit_days`` or more ago, or who were never visited.
  Channel: a visit.
- ``event_invitation`` — the ``event_invites`` loyal customers with the most revenue in the last 12
  months. Channel: an invitation.

One row per customer and action: a customer may have two reasons to be called (a birthday and a risk).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crmbook.context import as_date
from crmbook.facts import CustomerFacts
from crmbook.playbook import load_playbook
from crmbook.tables import require_columns

__all__ = ["PLAN_ACTIONS", "ACTION_CHANNEL", "PLAN_DEFAULTS", "REVISIT_ACCOUNTS", "STAGE_PLAYBOOK",
           "ACTION_PLAYBOOK", "next_birthdays", "contact_plan", "plan_summary"]

#: The actions of the contact plan, most urgent first.
PLAN_ACTIONS: tuple[str, ...] = ("retain_valuable", "win_back", "follow_up", "revisit", "birthday",
                                 "event_invitation")

#: The channel of each action.
ACTION_CHANNEL: dict[str, str] = {"retain_valuable": "phone", "win_back": "sms", "follow_up": "phone",
                                  "revisit": "visit", "birthday": "sms", "event_invitation": "invitation"}

#: Account types that get regular revisits.
REVISIT_ACCOUNTS: tuple[str, ...] = ("key_account", "agent", "franchisee")

#: Default rules of the contact plan (each a parameter of :func:`contact_plan`).
PLAN_DEFAULTS: dict[str, Any] = {"top_value_share": 0.2, "p_alive_risk": 0.5, "lost_after_days": None,
                                 "follow_up_after": 7, "follow_up_within": 30, "birthday_days": 14,
                                 "revisit_days": 90, "event_invites": 50}

#: Strategy per lifecycle stage (attract, convert, retain, expand, win back), as data.
STAGE_PLAYBOOK = load_playbook("crmbook.lifecycle", "stages")
#: What to do in each contact-plan action, as data.
ACTION_PLAYBOOK = load_playbook("crmbook.lifecycle", "actions")


def _is_leap(years: np.ndarray) -> np.ndarray:
    return (years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))


def _anniversary(month: np.ndarray, day: np.ndarray, year: np.ndarray) -> pd.DatetimeIndex:
    day = np.where((month == 2) & (day == 29) & ~_is_leap(year), 28, day)
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}))


def next_birthdays(birth_dates: pd.Series, as_of: Any) -> pd.DataFrame:
    """The next birthday on or after ``as_of`` of each birth date, and the days until it.

    A birthday later in the year is this year's; one earlier than ``as_of`` is next year's (so on
    2025-12-25 a 3 January birthday is 2026-01-03, 9 days ahead). A 29 February birthday is 28 February in a
    non-leap year. Missing or unreadable dates give missing values.

    Returns
    -------
    DataFrame
        ``next_birthday, days_until`` with the index of ``birth_dates``.
    """
    d = as_date(as_of)
    b = pd.to_datetime(birth_dates, errors="coerce")
    ok = b.notna().to_numpy()
    out = pd.DataFrame({"next_birthday": pd.Series(pd.NaT, index=b.index, dtype="datetime64[ns]"),
                        "days_until": np.nan}, index=b.index)
    if not ok.any():
        return out
    m, dd = b[ok].dt.month.to_numpy(), b[ok].dt.day.to_numpy()
    this = _anniversary(m, dd, np.full(len(m), d.year))
    later = _anniversary(m, dd, np.full(len(m), d.year + 1))
    nxt = np.where(this.to_numpy() >= np.datetime64(d.normalize()), this.to_numpy(), later.to_numpy())
    out.loc[ok, "next_birthday"] = nxt
    out.loc[ok, "days_until"] = (pd.DatetimeIndex(nxt) - d.normalize()).days.to_numpy().astype(float)
    return out


def contact_plan(facts: CustomerFacts, stages: pd.DataFrame, *, p_alive: pd.DataFrame | None = None,
                 contacts: pd.DataFrame | None = None, **rules: Any) -> pd.DataFrame:
    """Whom to contact in the coming period, why and how (the rules in the module's docstring).

    Parameters
    ----------
    facts : CustomerFacts
        The customers and orders at ``as_of``.
    stages : DataFrame
        :func:`crmbook.lifecycle.lifecycle_stages` of the same facts (its ``attrs`` give ``inactive_days``).
    p_alive : DataFrame, optional
        ``customer_id, p_alive`` (:func:`crmbook.lifecycle.p_alive_table`); without it the at-risk rule uses
        the stage alone.
    contacts : DataFrame, optional
        The ``contacts`` table (``customer_id, contact_date, type``) for the revisit rule.
    **rules
        Overrides of :data:`PLAN_DEFAULTS`.

    Returns
    -------
    DataFrame
        ``customer_id, action, channel, stage, orders, days_since, revenue, revenue_12m, p_alive, detail,
        due_date`` — ``detail`` is the rule's own figure (days until the birthday, days since the last visit,
        days since the first order); ``due_date`` the date to act by. ``attrs`` hold the rules used and
        ``skipped`` (actions whose data is missing: ``{"birthday": "customers.birth_date"}``).
    """
    unknown = sorted(set(rules) - set(PLAN_DEFAULTS))
    if unknown:
        raise ValueError(f"contact_plan: unknown rule(s) {unknown}; the rules are {sorted(PLAN_DEFAULTS)}")
    r = {**PLAN_DEFAULTS, **rules}
    require_columns(stages, "stages", ["customer_id", "stage", "orders", "days_since", "first_order"])
    inactive = int(stages.attrs.get("inactive_days") or 0)
    lost_after = int(r["lost_after_days"]) if r["lost_after_days"] is not None else 2 * inactive
    r["lost_after_days"] = lost_after
    as_of = facts.as_of
    base = facts.base.set_index("customer_id")
    t = stages.set_index("customer_id")[["stage", "orders", "days_since", "first_order"]].copy()
    t["revenue"] = base["monetary"].reindex(t.index).fillna(0.0)
    t["revenue_12m"] = facts.yearly_revenue_all(1).set_index("customer_id")["revenue_y0"].reindex(t.index).fillna(0.0)
    t["p_alive"] = np.nan
    if p_alive is not None:
        require_columns(p_alive, "p_alive", ["customer_id", "p_alive"])
        t["p_alive"] = p_alive.set_index("customer_id")["p_alive"].reindex(t.index)
    buyers = t[t["orders"] > 0]
    lost = (t["stage"] == "lapsed") & (t["days_since"] > lost_after)
    parts: list[pd.DataFrame] = []
    skipped: dict[str, str] = {}

    def add(action: str, mask: pd.Series, detail: Any = np.nan, due: Any = None) -> None:
        rows = t[mask.reindex(t.index, fill_value=False)].copy()
        rows["detail"] = detail[mask].reindex(rows.index) if isinstance(detail, pd.Series) else detail
        rows["due_date"] = due[mask].reindex(rows.index) if isinstance(due, pd.Series) else (
            due if due is not None else as_of + pd.Timedelta(days=7))
        rows["action"] = action
        parts.append(rows)

    # valuable customers at risk
    cutoff = buyers["revenue"].quantile(1 - float(r["top_value_share"])) if len(buyers) else np.inf
    valuable = t["revenue"] >= cutoff
    risky = t["stage"] == "at_risk"
    if p_alive is not None:
        risky |= t["stage"].isin(["new", "repeat", "loyal", "won_back"]) & (t["p_alive"] < float(r["p_alive_risk"]))
    add("retain_valuable", valuable & risky & (t["orders"] > 0))
    # win-back candidates
    median = buyers["revenue"].median() if len(buyers) else np.inf
    add("win_back", (t["stage"] == "lapsed") & ~lost & (t["revenue"] >= median))
    # follow-up of new customers
    since_first = (as_of - t["first_order"]).dt.days
    due_follow = (t["stage"] == "new") & since_first.between(int(r["follow_up_after"]), int(r["follow_up_within"]))
    add("follow_up", due_follow, since_first.astype(float))
    # regular revisits of key accounts and agents
    cust = facts.customers.set_index("customer_id")
    if "account_type" in cust.columns:
        kind = cust["account_type"].reindex(t.index)
        accounts = kind.isin(list(REVISIT_ACCOUNTS)) & (t["stage"] != "lapsed") & (t["orders"] > 0)
        last_visit = pd.Series(np.nan, index=t.index)
        if contacts is not None and len(contacts):
            require_columns(contacts, "contacts", ["customer_id", "contact_date", "type"])
            v = contacts[contacts["type"].astype(str) == "visit"]
            dates = pd.to_datetime(v["contact_date"], errors="coerce")
            v = v.assign(contact_date=dates)[(dates <= as_of).to_numpy()]
            last = v.groupby(v["customer_id"].astype(str))["contact_date"].max()
            last_visit = (as_of - last.reindex(t.index)).dt.days.astype(float)
        else:
            skipped["revisit_history"] = "contacts"
        due_visit = accounts & (last_visit.isna() | (last_visit >= int(r["revisit_days"])))
        add("revisit", due_visit, last_visit)
    else:
        skipped["revisit"] = "customers.account_type"
    # birthdays
    if "birth_date" in cust.columns:
        bd = next_birthdays(cust["birth_date"].reindex(t.index), as_of)
        soon = bd["days_until"].between(0, int(r["birthday_days"])) & (t["orders"] > 0) & ~lost
        add("birthday", soon, bd["days_until"], bd["next_birthday"])
    else:
        skipped["birthday"] = "customers.birth_date"
    # event invitations for the most valuable loyal customers
    loyal = t[t["stage"] == "loyal"].sort_values(["revenue_12m", "revenue"], ascending=False)
    invite = pd.Series(t.index.isin(loyal.index[: int(r["event_invites"])]), index=t.index)
    add("event_invitation", invite, due=as_of + pd.Timedelta(days=int(r["birthday_days"])))

    plan = pd.concat(parts) if parts else t.iloc[:0].assign(detail=np.nan, due_date=pd.NaT, action="")
    plan = plan.rename_axis("customer_id").reset_index()
    plan["channel"] = plan["action"].map(ACTION_CHANNEL)
    order = {a: i for i, a in enumerate(PLAN_ACTIONS)}
    plan = plan.assign(_o=plan["action"].map(order)).sort_values(["_o", "revenue"], ascending=[True, False],
                                                                 kind="stable")
    cols = ["customer_id", "action", "channel", "stage", "orders", "days_since", "revenue", "revenue_12m", "p_alive",
            "detail", "due_date"]
    out = plan[cols].reset_index(drop=True)
    out.attrs = {}
    out.attrs.update(rules=r, skipped=skipped, as_of=as_of, value_cutoff=float(cutoff), revenue_median=float(median),
                     with_p_alive=p_alive is not None)
    return out


def plan_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """Customers per action of a :func:`contact_plan`: ``action, channel, customers, revenue`` in
    :data:`PLAN_ACTIONS` order (every action, zero when none)."""
    require_columns(plan, "plan", ["action", "revenue"])
    g = plan.groupby("action")
    out = pd.DataFrame({"action": list(PLAN_ACTIONS)})
    out["channel"] = out["action"].map(ACTION_CHANNEL)
    out["customers"] = g.size().reindex(out["action"]).fillna(0).astype(int).to_numpy()
    out["revenue"] = g["revenue"].sum().reindex(out["action"]).fillna(0.0).to_numpy()
    return out
