"""crmbook.data_check.readiness: what each topic of the registry can do, with stand-in topics."""

from __future__ import annotations

import sys

from crmbook import data_check as dc
from crmbook.data_check.readiness import readiness_reason

from .conftest import TOPICS


def test_topic_readiness_names_what_is_missing(ds, ctx):
    ready = dc.topic_readiness(ds, ctx, topics=TOPICS).set_index("analysis")
    assert ready.loc["RFM scores and segments", "ready"]
    assert not ready.loc["penetration and market share", "ready"]
    assert ready.loc["penetration and market share", "reason"] == "no market table"
    assert ready.loc["ABC classes with the two-year growth rule", "reason"] == "orders cover 4 months, 36 needed"
    assert "no customers.account_type values" in ready.loc["key accounts / agents in class A", "reason"]
    assert ready.loc["NPS, CSAT and CES", "reason"] == "no surveys table"
    assert ready.loc["NPS, CSAT and CES", "topic"] == "Satisfaction"
    assert ready.loc["RFM scores and segments", "reason"] == ""


def test_topic_readiness_in_chinese(ds, ctx_zh):
    ready = dc.topic_readiness(ds, ctx_zh, topics=TOPICS).set_index("analysis")
    assert list(ready.columns) == ["topic", "ready", "reason"]
    assert ready.loc["ABC 分类", "topic"] == "客户细分"
    assert ready.loc["ABC 分类", "reason"] == "订单只覆盖 4 个月，需要 36 个月"
    assert ready.loc["NPS、CSAT 与 CES", "reason"] == "没有问卷调查（surveys）表"


def test_readiness_facts_are_names_and_numbers(ds):
    facts = {f["analysis"]: f for f in dc.readiness_facts(ds, TOPICS)}
    assert list(facts) == ["rfm", "abc", "key_accounts", "penetration", "scores"]
    assert facts["abc"]["history_months"] == 4 and facts["abc"]["months_needed"] == 36
    assert facts["penetration"]["absent_tables"] == ["market"]
    assert facts["penetration"]["empty_columns"] == []  # region holds values
    assert facts["key_accounts"]["empty_columns"] == ["customers.account_type"]
    assert [f["ready"] for f in facts.values()] == [True, False, False, False, False]
    assert facts["scores"]["topic"] == "satisfaction"


def test_readiness_reason_joins_every_gap(ctx, ctx_zh):
    fact = {"absent_tables": ["market", "surveys"], "empty_columns": ["customers.region"],
            "history_months": 4, "months_needed": 12}
    assert readiness_reason(fact, ctx) == ("no market, surveys table; no customers.region values; "
                                           "orders cover 4 months, 12 needed")
    assert readiness_reason(fact, ctx_zh) == ("没有市场（market）、问卷调查（surveys）表；customers.region 没有任何值；"
                                              "订单只覆盖 4 个月，需要 12 个月")


def test_explicit_topics_do_not_load_the_registry(ds, ctx, monkeypatch):
    monkeypatch.setitem(sys.modules, "crmbook.topics", None)  # importing it would now fail
    assert len(dc.topic_readiness(ds, ctx, topics=TOPICS)) == 5
    assert dc.topic_readiness(ds, ctx, topics=()).empty
