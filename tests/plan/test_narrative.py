"""The plan's findings say how much of its value rests on assumed (default) uplift rates."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook.context import Context
from crmbook.plan import narrative


def _plan() -> pd.DataFrame:
    """Three chosen actions: net values 60 (default rate), 30 (measured), 10 (given); total 100.

    By hand: the default-rate share of the net value is 60 / 100 = 60 %.
    """
    plan = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "action": ["repair_call", "retention_offer", "win_back"],
                         "channel": ["phone", "sms", "phone"], "cost": [10.0, 2.0, 10.0],
                         "rate_source": ["default", "measured", "given"], "net_value": [60.0, 30.0, 10.0]})
    plan.attrs.update(budget=50.0, cost=22.0, net_value=100.0, capacity={})
    return plan


def test_the_default_rate_share_is_the_net_value_on_default_rates_over_the_plan_net_value() -> None:
    assert narrative.plan_facts(_plan())["default_share"] == pytest.approx(0.60)
    measured = _plan().assign(rate_source="measured")
    assert narrative.plan_facts(measured)["default_share"] == 0.0


@pytest.mark.parametrize(("language", "expected"), [("en", "60% of that expected value rests on default uplift"),
                                                    ("zh", "其中 60% 的预期价值基于默认提升率")])
def test_the_caveat_is_said_in_the_report_language(language: str, expected: str) -> None:
    ctx = Context("2025-12-31", "CNY", language)
    text = narrative.say("plan.default_rates", ctx, share=narrative.plan_facts(_plan())["default_share"])
    assert expected in text
