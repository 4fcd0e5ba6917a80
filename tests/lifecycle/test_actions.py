"""Contact-plan rules: birthdays across a year end and on 29 February, and each action on the hand case."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import lifecycle as lc

from .cases import RULES, stage_facts


def test_a_birthday_across_the_year_end():
    """On 2025-12-25 a 3 January birthday is 2026-01-03, 9 days ahead (not 2025-01-03, which has passed);
    a 25 December birthday is today (0 days); a 24 December one is next year's (364 days)."""
    b = lc.next_birthdays(pd.Series(["1990-01-03", "1970-12-25", "1985-12-24", None]), "2025-12-25")
    assert b["next_birthday"].iloc[:3].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-03", "2025-12-25", "2026-12-24"]
    assert b["days_until"].iloc[:3].tolist() == [9, 0, 364]
    assert b.iloc[3].isna().all()


def test_a_leap_day_birthday():
    """29 February 1988: from 2025-12-31 the next greeting is 2026-02-28 (2026 is no leap year; 59 days);
    from 2027-12-31 it is 2028-02-29 (a leap year); on 2026-02-28 it is today; from 2026-03-01 it is
    2027-02-28. 1900 was no leap year, 2000 was (the 100/400 rule)."""
    leap = pd.Series(["1988-02-29"])
    cases = {"2025-12-31": ("2026-02-28", 59), "2027-12-31": ("2028-02-29", 60), "2026-02-28": ("2026-02-28", 0),
             "2026-03-01": ("2027-02-28", 364), "2099-12-31": ("2100-02-28", 59), "2099-03-01": ("2100-02-28", 364)}
    for as_of, (due, days) in cases.items():
        b = lc.next_birthdays(leap, as_of)
        assert (f"{b['next_birthday'].iloc[0]:%Y-%m-%d}", b["days_until"].iloc[0]) == (due, days), as_of
    assert f"{lc.next_birthdays(leap, '1999-12-31')['next_birthday'].iloc[0]:%Y-%m-%d}" == "2000-02-29"


def _plan():
    # in the order of cases.EXPECTED_STAGES: P N R L K X W S Y
    birth = ["1980-01-05", "1980-01-05", "1988-02-29", "1975-06-01", "1991-01-03", "1970-01-01", "1985-01-10",
             "1992-01-04", "1993-01-05"]
    kinds = ["retail", "retail", "key_account", "agent", "retail", "retail", "retail", "retail", "retail"]
    facts = stage_facts(birth_date=birth, account_type=kinds)
    st = lc.lifecycle_stages(facts, **RULES)
    return facts, st


def test_each_rule_on_the_hand_case():
    """Customers in stage order P N R L K X W S Y (cases.py); revenue to date: N 100, R 300, L 600, K 100,
    X 300, W 300, S 300, Y 300 (orders 100, 200, 300, ...). Top 20% of the 8 buyers by revenue: the cut is
    the 80% quantile, 300 -> L, R, X, W, S, Y (ties included).
    - retain_valuable: at risk and valuable: none (K has 100); with P(alive) 0.2 for L (active, valuable):
      L.
    - win_back: lapsed within 2 x 60 = 120 days and revenue >= median 300: none (X 324 days, Y 213 days:
      lost for good); with lost_after_days 400: X and Y.
    - follow_up: new and first order 7-30 days ago: N (11 days).
    - revisit: key account / agent not lapsed with orders: R (key_account) and L (agent), never visited ->
      due; with a visit of L 10 days ago only R.
    - birthday (14 days from 2025-12-31): P (Jan 5) never bought; N (Jan 5 -> 5 days) yes; R (29 Feb) no; K (Jan 3)
      yes; X (Jan 1) lost for good -> no; W (Jan 10) yes; S (Jan 4) yes; Y (Jan 5) lost -> no.
    - event_invitation: loyal L."""
    facts, st = _plan()
    plan = lc.contact_plan(facts, st, event_invites=5)
    by = {a: set(plan.loc[plan["action"] == a, "customer_id"]) for a in lc.PLAN_ACTIONS}
    assert by["retain_valuable"] == set() and by["win_back"] == set()
    assert by["follow_up"] == {"N"} and by["revisit"] == {"R", "L"}
    assert by["birthday"] == {"N", "K", "W", "S"} and by["event_invitation"] == {"L"}
    bday = plan[plan["action"] == "birthday"].set_index("customer_id")
    assert bday.loc["K", "detail"] == 3 and f"{bday.loc['K', 'due_date']:%Y-%m-%d}" == "2026-01-03"
    assert plan.attrs["rules"]["lost_after_days"] == 120 and plan.attrs["skipped"] == {"revisit_history": "contacts"}
    more = lc.contact_plan(facts, st, lost_after_days=400,
                           p_alive=pd.DataFrame({"customer_id": ["L"], "p_alive": [0.2]}),
                           contacts=pd.DataFrame({"customer_id": ["L"], "contact_date": ["2025-12-21"],
                                                  "type": ["visit"]}))
    by = {a: set(more.loc[more["action"] == a, "customer_id"]) for a in lc.PLAN_ACTIONS}
    assert by["win_back"] == {"X", "Y"} and by["retain_valuable"] == {"L"} and by["revisit"] == {"R"}
    assert by["birthday"] == {"N", "K", "W", "S", "X", "Y"}
    s = lc.plan_summary(more).set_index("action")
    assert s.loc["win_back", "customers"] == 2 and s.loc["win_back", "channel"] == "sms"


def test_without_birth_dates_or_account_types_the_rules_say_so():
    facts = stage_facts()
    plan = lc.contact_plan(facts, lc.lifecycle_stages(facts, **RULES))
    assert plan.attrs["skipped"] == {"revisit": "customers.account_type", "birthday": "customers.birth_date"}
    assert not plan["action"].isin(["birthday", "revisit"]).any()
    with pytest.raises(ValueError, match="unknown rule"):
        lc.contact_plan(facts, lc.lifecycle_stages(facts, **RULES), birthday=3)


def test_playbooks_cover_every_stage_and_action():
    assert set(lc.STAGE_PLAYBOOK.order) == set(lc.STAGES) == set(lc.STAGE_PLAYBOOK.groups)
    assert set(lc.ACTION_PLAYBOOK.order) == set(lc.PLAN_ACTIONS) == set(lc.ACTION_CHANNEL)
    assert lc.STAGE_PLAYBOOK["at_risk"].startswith("Retain now")
    for stage in lc.STAGES:
        assert lc.STAGE_PLAYBOOK.action(stage, "zh") and lc.STAGE_PLAYBOOK.label(stage, "zh")
