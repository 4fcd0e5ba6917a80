"""The loyalty and journey texts (every English text has a Chinese one with the same placeholders; every
column the tables show is declared), the mapping and notes, and the charts (drawn from the hand-made cases,
labelled in the report language, figures closed)."""

from __future__ import annotations

import pytest

from crmbook.context import Context
from crmbook.language import catalogue, placeholders
from crmbook.lifecycle import journey as J
from crmbook.lifecycle import loyalty as L
from crmbook.lifecycle import loyalty_charts as C
from crmbook.tables import columns

from .test_journey import CAMPAIGNS, MEMBERS, _many
from .test_journey import contacts as contacts  # noqa: F401 (fixtures)
from .test_journey import facts as journey_facts  # noqa: F401
from .test_loyalty import RULE, _points
from .test_loyalty import facts as facts  # noqa: F401

TEXTS = catalogue("crmbook.lifecycle").texts
MINE = ("loyalty.", "journey.")
EN, ZH = Context("2025-12-31", "CNY", "en"), Context("2025-12-31", "CNY", "zh")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_every_loyalty_and_journey_text_exists_in_chinese_with_the_same_placeholders():
    en = {k: v for k, v in TEXTS["en"].items() if k.startswith(MINE)}
    zh = {k: v for k, v in TEXTS["zh"].items() if k.startswith(MINE)}
    assert len(en) > 80 and set(en) == set(zh)
    for key, template in en.items():
        assert placeholders(template) == placeholders(zh[key]), key


def test_every_shown_column_is_declared(facts):
    declared = columns("crmbook.lifecycle")
    lf = L.loyalty_facts(facts, _points(), rule=RULE)
    frames = [lf["tiers"], lf["retention"], lf["referrals"], L.top_referrers(facts),
              L.points_by_month(_points(), facts.as_of), J.mapping_table()]
    for frame in frames:
        missing = [c for c in frame.columns if c not in declared]
        assert not missing, missing
    for name in ("journey_stage", "touchpoint", "touches", "resolved_share", "bad_rate", "verdict", "difference_low"):
        assert declared[name].labels["zh"]


def test_every_default_mapping_entry_has_a_label_in_both_languages():
    jm = J.journey_map()
    for tp in jm["touchpoints"]:
        assert f"journey.touchpoint.{tp}" in TEXTS["en"], tp
    for stage in jm["stages"]:
        assert f"journey.stage.{stage}" in TEXTS["zh"], stage
    table = J.mapping_table(jm)
    assert table.set_index("touchpoint").loc["campaign"].tolist() == ["awareness", "loyalty"]


def test_notes_are_one_sentence_each():
    assert L.loyalty_note("no_points", ZH)[0].startswith("没有积分明细")
    assert J.journey_note("intro.touchpoints", EN) == ["Every touchpoint in journey order, with its volume, its "
                                                       "response time and its outcome."]


def test_loyalty_charts_draw_and_label(facts):
    lf = L.loyalty_facts(facts, _points(), rule=RULE)
    ax = C.plot_tier_movement(lf["movement"], ZH)
    assert ax.get_title() == "会员等级变动，2024-12-31 至 2025-12-31（推算）"
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "此后新增"
    assert C.plot_tier_retention(lf["retention"], EN).get_title().startswith("12-month retention by tier held at")
    ax = C.plot_referral_comparison(lf["referrals"], EN)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Referred", "Others"]
    ax = C.plot_points(L.points_by_month(_points(), facts.as_of), EN)
    assert len(ax.patches) == 3 * 24  # earned, redeemed, expired bars for 24 months


def test_journey_charts_draw_and_label(journey_facts, contacts):  # noqa: F811
    tp = J.touchpoints(journey_facts, contacts, MEMBERS, CAMPAIGNS)
    ax = C.plot_journey(J.touchpoint_summary(tp), EN)
    assert ax.get_yticklabels()[-1].get_text() == "Awareness · Campaign message"  # journey order, top down
    f, c = _many(40, 40, 40, 0)
    ax = C.plot_pain_points(J.pain_points(f, c, window_days=90), ZH)
    assert ax.get_yticklabels()[0].get_text() == "投诉 · 未解决 ★"
    assert ax.get_title() == "接触之后 90 天内没有下单的客户"
