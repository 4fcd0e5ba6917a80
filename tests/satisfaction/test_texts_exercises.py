"""The topic's data files (every text in both languages, same placeholders) and its exercises (right and
wrong answers, and the named traps)."""

from __future__ import annotations

import pandas as pd
import pytest

from crmbook import satisfaction as sat
from crmbook.context import Context
from crmbook.language import catalogue, placeholders
from crmbook.tables import columns

TEXTS = catalogue("crmbook.satisfaction").texts


def test_every_english_text_exists_in_chinese_with_the_same_placeholders():
    assert TEXTS["en"] and set(TEXTS["en"]) == set(TEXTS["zh"])
    for key, template in TEXTS["en"].items():
        assert placeholders(template) == placeholders(TEXTS["zh"][key]), key


def test_every_code_has_a_name_in_both_languages():
    for kind, codes in {"quadrant": sat.QUADRANTS, "class": sat.FEEDBACK_CLASSES, "step": sat.STEPS,
                        "reason": tuple(sat.REASONS), "score": tuple(sat.SCORES)}.items():
        for code in codes:
            for lang in ("en", "zh"):
                assert f"code.{kind}.{code}" in TEXTS[lang], (kind, code, lang)
    assert set(columns("crmbook.satisfaction")["step"].labels) == {"en", "zh"}


@pytest.fixture
def ex():
    ctx = Context("2025-12-31", language="en")
    surveys = pd.DataFrame({"customer_id": [f"c{i}" for i in range(12)], "response_date": pd.Timestamp("2025-01-01"),
                            "nps": [10, 9, 9, 8, 7, 3, 6, 10, 0, 9, 9, 5], "csat": [5, 4, 3, 2, 5, 1, 4, 5, 3, 2, 4, 4],
                            "region": ["E"] * 12})
    by = pd.DataFrame({"group": ["E"], "score": ["csat"], "n": [60], "value": [0.75], "low": [0.63], "high": [0.84],
                       "judged": [True]})
    drivers = pd.DataFrame({"attribute": ["quality", "service", "price"], "importance": [0.4, 0.2, 0.1],
                            "performance": [3.2, 3.6, 3.9], "quadrant": ["concentrate", "keep_up", "overkill"]})
    drivers.attrs.update(importance_split=0.2333, performance_split=3.5667)
    return sat.exercises(surveys, by, drivers, ctx, target_csat=0.8)


def test_q1_nps_right_and_traps(ex):
    """12 answers: promoters 10, 9, 9, 10, 9, 9 = 6; passives 8, 7 = 2; detractors 3, 6, 0, 5 = 4:
    NPS = 100 (6 - 4) / 12 = 16.7; promoters only 50; minus passives too 0; passives left out 20."""
    assert ex.q1.check(16.67).correct
    assert "promoters only" in str(ex.q1.check(50))
    assert "passives" in str(ex.q1.check(0)) and "total" in str(ex.q1.check(20))
    assert "not attempted" in str(ex.q1.check(...)).lower()


def test_q2_csat_right_and_traps(ex):
    """First ten CSAT answers 5, 4, 3, 2, 5, 1, 4, 5, 3, 2: 5 are 4-5 -> 0.5; mean 3.4 / 5 = 0.68; only 5s 0.3."""
    assert ex.q2.check(0.5).correct and ex.q2.check(50).correct
    assert "mean" in str(ex.q2.check(0.68)) and "only the 5s" in str(ex.q2.check(0.3))


def test_q3_target_judged_on_the_interval(ex):
    """CSAT 75 % (63 % to 84 %) against 80 %: the interval contains the target -> cannot_tell."""
    assert ex.q3.check("cannot_tell").correct
    assert "point value" in str(ex.q3.check("misses"))
    assert not ex.q3.check("meets").correct


def test_q4_quadrant(ex):
    assert ex.q4.check("keep_up").correct and ex.q4.check("Keep up the good work").correct
    assert not ex.q4.check("overkill").correct
