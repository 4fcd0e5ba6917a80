r"""Candidate actions and their expected values (候选行动与期望价值), from the playbook ``playbooks/actions.yaml``.

For each customer the playbook's rules say which actions apply (a repair call after an open complaint, a
win-back call when at risk or lapsed, ...), each through one or more channels. Every candidate gets

.. math::
    \text{expected value}_{ij} = \text{value at risk}_i \times \text{uplift}_{a,k}, \qquad
    \text{cost}_{ij} = \text{cost per contact of channel } k

- value at risk: the customer's yearly gross margin while active (``annual_value`` of the 360 view);
- uplift :math:`u_{a,k}`: the extra probability of buying again because of action :math:`a` through channel
  :math:`k`. For campaign-like actions (``measured: true``) it is **measured** when a campaign of that
  channel had a treatment/control split: :math:`u = \hat p_{\text{treatment}} - \hat p_{\text{control}}`
  (responders over members, the latest such campaign; a negative estimate counts as 0). Otherwise the
  playbook's default rate, an assumption the report names;
- the cost per contact: the mean recorded ``cost`` of the channel's contacts when the contacts table has
  them, else the playbook's.

:func:`crmbook.plan.optimise_plan` then chooses among the candidates.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import pandas as pd

from crmbook.language import package_yaml
from crmbook.playbook import load_playbook
from crmbook.tables import require_columns

__all__ = ["ACTION_PLAYBOOK", "ACTION_RULES", "KEY_ACCOUNTS", "TIER_ORDER", "BIRTHDAY_DAYS", "action_specs",
           "measured_uplifts", "channel_costs", "candidate_actions"]

#: Labels and what to do, per action, in every report language.
ACTION_PLAYBOOK = load_playbook("crmbook.plan", "actions")
#: Account types that get follow-up visits.
KEY_ACCOUNTS: tuple[str, ...] = ("key_account", "agent", "franchisee")
#: Member tiers from lowest to highest (the highest gets no upgrade invitation).
TIER_ORDER: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")
#: A birthday within this many days gets a greeting.
BIRTHDAY_DAYS: int = 30


@functools.cache
def action_specs() -> dict[str, dict[str, Any]]:
    """The playbook's actions: ``{action: {"rule", "measured", "channels": {channel: {"cost", "rate"}}}}``."""
    tree = package_yaml((resources.files("crmbook.plan") / "playbooks" / "actions.yaml").read_text("utf-8"))
    out = {}
    for name in tree["order"]:
        spec = tree["groups"][name]
        if spec.get("rule") not in ACTION_RULES:
            raise ValueError(f"playbook actions.yaml: action {name!r} has unknown rule {spec.get('rule')!r}; "
                             f"rules: {sorted(ACTION_RULES)}")
        out[name] = {"rule": spec["rule"], "measured": bool(spec.get("measured", False)),
                     "channels": {str(k): {"cost": float(v["cost"]), "rate": float(v["rate"])}
                                  for k, v in spec["channels"].items()}}
    return out


def _flag(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).astype(bool)
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes", "y"])


def measured_uplifts(campaigns: pd.DataFrame | None, campaign_members: pd.DataFrame | None) -> pd.DataFrame:
    """The response uplift of each campaign with a treatment and a control group.

    .. math:: u = \\frac{\\text{responders}_T}{n_T} - \\frac{\\text{responders}_C}{n_C}

    Returns
    -------
    DataFrame
        ``campaign_id, channel, start_date, treated, control, response_treated, response_control, uplift,
        revenue_uplift`` (mean revenue of treated minus control members), latest campaign first; empty when
        either table is missing or no campaign has both groups.
    """
    cols = ["campaign_id", "channel", "start_date", "treated", "control", "response_treated", "response_control",
            "uplift", "revenue_uplift"]
    if campaigns is None or campaign_members is None or not len(campaign_members):
        return pd.DataFrame(columns=cols)
    require_columns(campaign_members, "campaign_members", ["campaign_id", "customer_id", "group", "responded"])
    require_columns(campaigns, "campaigns", ["campaign_id", "channel"])
    m = campaign_members.assign(responded=_flag(campaign_members["responded"]),
                                group=campaign_members["group"].astype(str).str.lower(),
                                revenue=pd.to_numeric(campaign_members.get("revenue", 0.0), errors="coerce"))
    rows = []
    for cid, g in m.groupby(m["campaign_id"].astype(str), sort=True):
        t, c = g[g["group"] == "treatment"], g[g["group"] == "control"]
        if len(t) and len(c):
            rows.append({"campaign_id": cid, "treated": len(t), "control": len(c),
                         "response_treated": float(t["responded"].mean()),
                         "response_control": float(c["responded"].mean()),
                         "revenue_uplift": float(t["revenue"].mean() - c["revenue"].mean())})
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("channel", "start_date", "uplift")])
    info = campaigns.assign(campaign_id=campaigns["campaign_id"].astype(str))
    info = info.set_index("campaign_id")
    out["channel"] = out["campaign_id"].map(info["channel"].astype(str))
    out["start_date"] = pd.to_datetime(out["campaign_id"].map(info["start_date"]) if "start_date" in info.columns
                                       else pd.NaT, errors="coerce")
    out["uplift"] = out["response_treated"] - out["response_control"]
    return out[cols].sort_values(["start_date", "campaign_id"], ascending=False).reset_index(drop=True)


def channel_costs(contacts: pd.DataFrame | None) -> dict[str, float]:
    """Mean recorded cost per contact of each channel (``contacts.channel``, ``contacts.cost`` > 0)."""
    if contacts is None or not {"channel", "cost"} <= set(contacts.columns):
        return {}
    cost = pd.to_numeric(contacts["cost"], errors="coerce")
    ok = cost > 0
    return {str(k): float(v) for k, v in cost[ok].groupby(contacts.loc[ok, "channel"].astype(str)).mean().items()}


def _rule_masks(view: pd.DataFrame, *, birthday_days: int, key_accounts: Sequence[str],
                tier_order: Sequence[str]) -> dict[str, pd.Series]:
    stage = view["stage"].astype(str)
    alive = ~stage.isin(["lapsed", "prospect", "nan"])
    tiers = view["member_tier"].astype(str).str.lower()
    top = str(tier_order[-1]) if tier_order else None
    nps = pd.to_numeric(view["nps"], errors="coerce")
    complaints = pd.to_numeric(view["open_complaints"], errors="coerce").fillna(0)
    return {
        "open_complaint_or_detractor": (complaints > 0) | (nps <= 6),
        "at_risk_or_lapsed": stage.isin(["at_risk", "lapsed"]),
        "at_risk": stage.eq("at_risk"),
        "key_account_active": view["account_type"].astype(str).isin(list(key_accounts)) & alive,
        "loyal_below_top_tier": stage.eq("loyal") & (tiers != top),
        "birthday_soon": (pd.to_numeric(view["days_to_birthday"], errors="coerce") <= int(birthday_days)) & alive,
    }


#: The rules an action of the playbook can name (see :func:`candidate_actions`).
ACTION_RULES: tuple[str, ...] = ("open_complaint_or_detractor", "at_risk_or_lapsed", "at_risk",
                                 "key_account_active", "loyal_below_top_tier", "birthday_soon")


def candidate_actions(view: pd.DataFrame, *, uplifts: pd.DataFrame | None = None,
                      costs: Mapping[str, float] | None = None, rates: Mapping[str, float] | None = None,
                      birthday_days: int = BIRTHDAY_DAYS, key_accounts: Sequence[str] = KEY_ACCOUNTS,
                      tier_order: Sequence[str] = TIER_ORDER) -> pd.DataFrame:
    """Every (customer, action, channel) the playbook allows, with its cost and expected value.

    Rules: ``open_complaint_or_detractor`` (an open complaint or a latest NPS of 0-6),
    ``at_risk_or_lapsed`` / ``at_risk`` (lifecycle stage), ``key_account_active`` (account type in
    ``key_accounts``, not lapsed), ``loyal_below_top_tier`` (stage loyal, tier below the last of
    ``tier_order``), ``birthday_soon`` (a birthday within ``birthday_days``, not lapsed).

    Parameters
    ----------
    view : DataFrame
        :func:`crmbook.plan.customer_360`.
    uplifts : DataFrame, optional
        :func:`measured_uplifts`; the latest campaign of a channel sets the rate of ``measured`` actions.
    costs : mapping channel -> cost, optional
        Cost per contact (over the playbook's; e.g. :func:`channel_costs`).
    rates : mapping action -> rate, optional
        Uplift rates that replace the playbook's defaults (and measured ones) for these actions.

    Returns
    -------
    DataFrame
        ``customer_id, action, channel, cost, rate, rate_source`` (``measured``, ``default``, ``given``),
        ``value_at_risk, expected_value``; ``attrs["rates"]``: the rate and source used per action and channel.
    """
    require_columns(view, "360 view", ["customer_id", "stage", "annual_value", "member_tier", "account_type", "nps",
                                       "open_complaints", "days_to_birthday"])
    masks = _rule_masks(view, birthday_days=birthday_days, key_accounts=key_accounts, tier_order=tier_order)
    latest: dict[str, float] = {}
    if uplifts is not None and len(uplifts):
        for channel, u in uplifts[["channel", "uplift"]].itertuples(index=False):
            latest.setdefault(str(channel), max(float(u), 0.0))  # latest first
    frames, used = [], {}
    value = pd.to_numeric(view["annual_value"], errors="coerce").fillna(0.0)
    for action, spec in action_specs().items():
        who = masks[spec["rule"]].fillna(False).to_numpy(bool)
        if not who.any():
            continue
        for channel, default in spec["channels"].items():
            if rates and action in rates:
                rate, source = float(rates[action]), "given"
            elif spec["measured"] and channel in latest:
                rate, source = latest[channel], "measured"
            else:
                rate, source = default["rate"], "default"
            cost = float((costs or {}).get(channel, default["cost"]))
            used[(action, channel)] = {"rate": rate, "source": source, "cost": cost}
            v = value.to_numpy(float)[who]
            frames.append(pd.DataFrame({"customer_id": view["customer_id"].to_numpy()[who], "action": action,
                                        "channel": channel, "cost": cost, "rate": rate, "rate_source": source,
                                        "value_at_risk": v, "expected_value": v * rate}))
    cols = ["customer_id", "action", "channel", "cost", "rate", "rate_source", "value_at_risk", "expected_value"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out = out[cols].sort_values(["customer_id", "action", "channel"], kind="stable").reset_index(drop=True)
    out.attrs["rates"] = used
    return out


